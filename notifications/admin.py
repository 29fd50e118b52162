from django.contrib import admin

from notifications.models import AlternativeAddress


@admin.register(AlternativeAddress)
class AlternativeAddressAdmin(admin.ModelAdmin):
    """Other addresses a user's calendar replies may come from (a shared or secure mailbox, e.g. CJSM)."""

    list_display = ["email", "user"]
    search_fields = ["email", "user__username", "user__email"]
    autocomplete_fields = ["user"]
