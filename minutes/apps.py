from django.apps import AppConfig


class MinutesConfig(AppConfig):
    """Live minutes, decisions, actions and attendance (built on the agendas)."""

    name = "minutes"
    verbose_name = "Minutes"

    def ready(self) -> None:
        from agendas.services import reason_provider_register
        from minutes import handlers
        from minutes.carry_forward import open_actions_reasons

        reason_provider_register(open_actions_reasons)
        handlers.connect()
