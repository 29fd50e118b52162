from django.apps import AppConfig


class AgendasConfig(AppConfig):
    name = "agendas"
    verbose_name = "Agendas"

    def ready(self) -> None:
        from agendas import handlers

        handlers.connect()
