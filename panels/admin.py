"""The Django admin, for the site's administrators. Every change made here is audited (issue 14): additions,
changes (which fields) and deletions of any model; a user's deactivation, reactivation and role, agency or
staff changes each as their own entry; a child's deletion keeps the child's reference and name in its entry."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from panels.audit import audit_record
from panels.events import access_changed
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

ROLE_FIELDS = ("role", "agency", "is_staff", "is_superuser", "groups", "user_permissions", "line_manager")


ACCESS_MODELS = (PanelMembership, MeetingInvitee)  # rows that decide what their user may see


def _access_users(formsets) -> list[int | None]:
    """The users of every membership or invitation row an admin form changed, added or deleted."""
    users: list[int | None] = []
    for formset in formsets:
        if formset.model not in ACCESS_MODELS:
            continue
        for row in formset.forms:
            if row.has_changed() or row in getattr(formset, "deleted_forms", ()):
                users += [row.initial.get("user"), row.instance.user_id]
    return users


def _changed_fields(form, formsets=()) -> list[str]:
    fields = list(form.changed_data) if form is not None else []
    for formset in formsets:
        if formset.has_changed():
            fields.append(formset.model._meta.model_name)
    return fields


class AuditedAdmin(admin.ModelAdmin):
    """Records each addition, change and deletion made in the admin in the audit log."""

    def _record(self, request, action: str, obj, **detail) -> None:
        audit_record(actor=request.user, action=action, request=request,
                     child=obj if isinstance(obj, Child) else None,
                     detail={"model": obj._meta.label, "object_id": obj.pk, "object": str(obj)[:200], **detail})

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        access_changed(_access_users(formsets), why="changed in the admin")
        self._record(request, "admin.changed" if change else "admin.added", form.instance,
                     fields=_changed_fields(form, formsets))

    def delete_model(self, request, obj):
        self._deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._deleted(request, obj)
        super().delete_queryset(request, queryset)

    def _deleted(self, request, obj) -> None:
        if isinstance(obj, User):
            access_changed([obj.pk], why="deleted in the admin")
        elif isinstance(obj, Panel | Meeting):
            rows = obj.memberships if isinstance(obj, Panel) else obj.invitees
            access_changed(rows.values_list("user_id", flat=True), why="deleted in the admin")
        if isinstance(obj, Child):  # the entry keeps who the child was (the link itself goes with the child)
            self._record(request, "child.deleted", obj, reference=obj.reference, name=obj.display_name,
                         service_id=obj.service_id)
        else:
            self._record(request, "admin.deleted", obj)


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ["name", "kind", "establishment_type", "email", "latitude", "longitude"]
    list_filter = ["kind", "establishment_type"]
    search_fields = ["name", "short_name"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Convene", {"fields": ["agency", "role", "job_title", "line_manager"]}),
    ]
    list_display = ["username", "email", "first_name", "last_name", "agency", "role", "line_manager", "is_active"]
    list_filter = ["role", "agency__kind", "is_active"]
    autocomplete_fields = ["line_manager"]  # the second step of both escalation ladders
    list_select_related = ["agency", "line_manager"]

    def save_model(self, request, obj, form, change):
        before = User.objects.filter(pk=obj.pk).values("is_active", "role", "agency_id", "is_staff",
                                                       "is_superuser").first() if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            return
        if any(before[k] != getattr(obj, k) for k in ("is_active", "role", "agency_id")):
            access_changed([obj.pk], why="changed in the admin")
        if before["is_active"] != obj.is_active:
            self._record(request, "user.reactivated" if obj.is_active else "user.deactivated", obj, via="admin")
        changed = [f for f in ROLE_FIELDS if f in form.changed_data]
        if changed:
            self._record(request, "user.role_changed", obj, via="admin", fields=changed,
                         before={k: before[k] for k in ("role", "agency_id", "is_staff", "is_superuser")},
                         after={"role": obj.role, "agency_id": obj.agency_id, "is_staff": obj.is_staff,
                                "is_superuser": obj.is_superuser})


class MembershipInline(admin.TabularInline):
    model = PanelMembership
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Panel)
class PanelAdmin(AuditedAdmin):
    list_display = ["name", "kind", "service", "cadence", "strategic_lead", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["service", "strategic_lead"]
    autocomplete_fields = ["strategic_lead"]  # missed timescales and stuck actions escalate to them
    inlines = [MembershipInline]


class EpisodeInline(admin.StackedInline):
    model = LegalEpisode
    extra = 0


@admin.register(Child)
class ChildAdmin(AuditedAdmin):
    list_display = ["reference", "given_name", "family_name", "legal_status", "case_manager"]
    list_filter = ["legal_status", "service"]
    search_fields = ["reference", "given_name", "family_name"]
    list_select_related = ["case_manager"]
    inlines = [EpisodeInline]
    # Retaining a case needs a reason: the decision is recorded on the child's plan page (or by the cohort import,
    # whose rows carry no reason: the child page then flags the missing reason).
    # The release address status follows its dated history (recorded on the child's release page or by the cohort
    # import, panels.release_services); the ETE interview date is recorded there too.
    readonly_fields = ["transfer_decision", "release_address_status", "ete_interview_on"]


class InviteeInline(admin.TabularInline):
    model = MeetingInvitee
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["panel", "starts_at", "status"]
    list_filter = ["status", "panel"]
    list_select_related = ["panel"]
    inlines = [InviteeInline]


@admin.register(CohortImport)
class CohortImportAdmin(AuditedAdmin):
    list_display = ["filename", "service", "uploaded_by", "status", "created_at"]
    readonly_fields = [f.name for f in CohortImport._meta.fields]
