from django.contrib import admin

from notifications.models import AlternativeAddress, RequirementNotice


@admin.register(AlternativeAddress)
class AlternativeAddressAdmin(admin.ModelAdmin):
    """Other addresses a user's calendar replies may come from (a shared or secure mailbox, e.g. CJSM)."""

    list_display = ["email", "user"]
    search_fields = ["email", "user__username", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(RequirementNotice)
class RequirementNoticeAdmin(admin.ModelAdmin):
    """What the escalation of missed statutory timescales recorded and sent (read-only: the job writes it)."""

    list_display = ["code", "child", "due_date", "step", "step_date", "recipient_email", "emailed", "handled_at"]
    list_filter = ["step", "code", "emailed"]
    list_select_related = ["child"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
