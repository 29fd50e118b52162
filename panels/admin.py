from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from panels.models import (
    Agency,
    Child,
    CohortImport,
    LegalEpisode,
    Meeting,
    MeetingInvitee,
    Panel,
    PanelMembership,
    User,
)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "establishment_type", "email"]
    list_filter = ["kind", "establishment_type"]
    search_fields = ["name", "short_name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Convene", {"fields": ["agency", "role", "job_title", "line_manager"]}),
    ]
    list_display = ["username", "email", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["role", "agency__kind", "is_active"]
    list_select_related = ["agency"]


class MembershipInline(admin.TabularInline):
    model = PanelMembership
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "service", "cadence", "is_active"]
    list_filter = ["kind", "is_active"]
    inlines = [MembershipInline]


class EpisodeInline(admin.StackedInline):
    model = LegalEpisode
    extra = 0


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ["reference", "given_name", "family_name", "legal_status", "case_manager"]
    list_filter = ["legal_status", "service"]
    search_fields = ["reference", "given_name", "family_name"]
    list_select_related = ["case_manager"]
    inlines = [EpisodeInline]
    # Retaining a case needs a reason: the decision is recorded on the child's plan page (or by the cohort import,
    # whose rows carry no reason: the child page then flags the missing reason).
    readonly_fields = ["transfer_decision"]


class InviteeInline(admin.TabularInline):
    model = MeetingInvitee
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["panel", "starts_at", "status"]
    list_filter = ["status", "panel"]
    list_select_related = ["panel"]
    inlines = [InviteeInline]


@admin.register(CohortImport)
class CohortImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "service", "uploaded_by", "status", "created_at"]
    readonly_fields = [f.name for f in CohortImport._meta.fields]
