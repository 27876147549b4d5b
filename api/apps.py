from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api import receivers  # noqa: F401  (inbound texts join leaving and the export)
