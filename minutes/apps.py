from django.apps import AppConfig


class MinutesConfig(AppConfig):
    """Live minutes, decisions, actions and attendance (built on the agendas)."""

    name = "minutes"
    verbose_name = "Minutes"

    def ready(self) -> None:
        from agendas.services import dated_reason_provider_register, reason_provider_register
        from minutes import handlers
        from minutes.carry_forward import open_actions_reasons, review_due_reasons

        reason_provider_register(open_actions_reasons)
        dated_reason_provider_register(review_due_reasons)
        handlers.connect()
