from django.apps import AppConfig


class MealsConfig(AppConfig):
    name = "meals"
    verbose_name = "Meals"

    def ready(self) -> None:
        from meals import (  # noqa: F401
            nudge_texts,  # registers the nudge templates
            nudges,  # connects the invitation fan-out to meal_published
            texts,  # registers the meal templates
        )
