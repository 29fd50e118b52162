from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "panels"
    verbose_name = "Panels, people and children"

    def ready(self) -> None:
        from panels import auth_audit, sessions  # noqa: F401  (signal receivers)
