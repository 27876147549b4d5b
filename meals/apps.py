from django.apps import AppConfig


class MealsConfig(AppConfig):
    name = "meals"
    verbose_name = "Meals"

    def ready(self) -> None:
        from meals import texts

        texts.register_templates()
