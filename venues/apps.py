from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "venues"
    verbose_name = "Venues and bookings"

    def ready(self) -> None:
        from venues import texts

        texts.register_templates()
