"""The site's URL map: every route, in this one file (issue 18), grouped by app.

Slash convention: every address ends with "/", except
- a file: an address whose last part ends in an extension (``.csv``, ``.ics``, ``.pdf``, ``.docx``, ``.xlsx``,
  ``.json``, or ``.<str:fmt>`` for a document offered in several formats), and DRF's format-suffix routes under
  api/ (``api/referrals/7/decide.json``), which are files too;
- the health probe ``healthz`` (what the load balancer and the deploy check call).
The API keeps DRF's own shape (its routes already end with "/"), and its schema is api/schema/.
tests/config/test_urls.py holds every pattern of the resolver to this, so a new route cannot break it.

Old addresses: a route that gained its trailing slash in issue 18 is listed with ``slashed(...)``; its old
address (the same route without the slash) answers 308 Permanent Redirect to it, keeping the method, the body
and the query string (``old_addresses()``, generated from this map). Addresses already sent in emails or held
in bookmarks keep working. The earlier move of account/ to accounts/ (``MOVED``) answers 301 (GET pages only).
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponsePermanentRedirect
from django.urls import URLPattern, include, path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from agendas import views as agenda_views
from agendas.oversight import views as oversight_views
from config.api_docs import api_docs
from minutes.views import actions, approval, approved, children, cockpit, record
from notifications import views as notification_views
from panels import account_views, child_meeting_views, record_views, release_views
from panels import views as panel_views

# Old address → the name of the page now serving it (answered with 301, the last lines of urlpatterns).
MOVED = {
    "account/emails/": "email_preferences",
    "account/calendar/": "calendar_settings",
}

# Route name → its address before issue 18 (the route without its trailing slash); filled by slashed().
SLASH_ADDED: dict[str, str] = {}


def slashed(route: str, view, name: str) -> URLPattern:
    """A route that had no trailing slash before issue 18: its old address answers 308 (old_addresses)."""
    assert route.endswith("/"), route
    SLASH_ADDED[name] = route.removesuffix("/")
    return path(route, view, name=name)


def old_address_view(name: str):
    """308 to the route ``name`` (same arguments), keeping the method, the body and the query string.

    CSRF-exempt because it does nothing: the client repeats the request, token and all, at the new address,
    where the usual checks run."""

    @csrf_exempt
    def view(request, **kwargs):
        url = reverse(name, kwargs=kwargs)
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url, preserve_request=True)

    view.old_address_of = name  # type: ignore[attr-defined]  # read by tests/config/test_urls.py
    return view


def old_addresses() -> list[URLPattern]:
    return [path(old, old_address_view(name)) for name, old in SLASH_ADDED.items()]


M = "meetings/<int:meeting_id>/"
C = "children/<int:child_id>/"

urlpatterns = [
    # --- panels: home, panels, meetings, children and their resettlement record, agencies, cohort ---
    path("", panel_views.home, name="home"),
    path("panels/", panel_views.panel_list, name="panel_list"),
    path("panels/<int:panel_id>/", panel_views.panel_detail, name="panel_detail"),
    path("meetings/", panel_views.meeting_list, name="meeting_list"),
    path(M, panel_views.meeting_detail, name="meeting_detail"),
    slashed(M + "status/<slug:action>/", panel_views.meeting_status, "meeting_status"),
    slashed(M + "change/", panel_views.meeting_change, "meeting_change"),
    path(M + "invitees/", panel_views.meeting_invitee_add, name="meeting_invitee_add"),
    slashed(M + "invitees/<int:invitee_id>/remove/", panel_views.meeting_invitee_remove, "meeting_invitee_remove"),
    path("children/", panel_views.child_list, name="child_list"),
    path(C, panel_views.child_detail, name="child_detail"),
    path(C + "network/", record_views.child_network, name="child_network"),
    slashed(C + "network/<int:member_id>/remove/", record_views.child_network_remove, "child_network_remove"),
    path(C + "plan/", record_views.child_plan, name="child_plan"),
    slashed(C + "plan/rows/<int:row_id>/", record_views.child_plan_row, "child_plan_row"),
    path(C + "plan/rows/<int:row_id>/remove/", record_views.child_plan_row_remove, name="child_plan_row_remove"),
    slashed(C + "plan/words/", record_views.child_words, "child_words"),
    slashed(C + "transfer-decision/", record_views.child_transfer_decision, "child_transfer_decision"),
    # statutory meetings about one child (reviews, planning meetings): not panel meetings
    path(C + "meetings/", child_meeting_views.child_meeting_list, name="child_meeting_list"),
    path(C + "meetings/<int:meeting_id>/", child_meeting_views.child_meeting_detail, name="child_meeting_detail"),
    slashed(C + "meetings/<int:meeting_id>/held/", child_meeting_views.child_meeting_held, "child_meeting_held"),
    slashed(C + "meetings/<int:meeting_id>/cancel/", child_meeting_views.child_meeting_cancel,
            "child_meeting_cancel"),
    path("child-meetings/<int:meeting_id>/", child_meeting_views.child_meeting_go, name="child_meeting_go"),
    # release and resettlement
    path(C + "release/", release_views.child_release, name="child_release"),
    slashed(C + "release/address/", release_views.child_release_address, "child_release_address"),
    slashed(C + "release/ete/", release_views.child_release_ete, "child_release_ete"),
    path("pathways/", record_views.pathway_list, name="pathway_list"),
    path("pathways/preset/", record_views.pathway_preset, name="pathway_preset"),
    path("pathways/<int:pathway_id>/rename/", record_views.pathway_rename, name="pathway_rename"),
    path("pathways/<int:pathway_id>/active/", record_views.pathway_active, name="pathway_active"),
    path("agencies/", panel_views.agency_list, name="agency_list"),
    path("agencies/<int:agency_id>/", panel_views.agency_detail, name="agency_detail"),
    path("cohort/", panel_views.cohort_import_list, name="cohort_import_list"),
    path("cohort/imports/<int:import_id>/", panel_views.cohort_import_detail, name="cohort_import_detail"),
    slashed("cohort/imports/<int:import_id>/retry/", panel_views.cohort_import_retry_view, "cohort_import_retry"),
    path("cohort/export.csv", panel_views.cohort_export, name="cohort_export"),
    path("healthz", panel_views.healthz, name="healthz"),  # the probe: no slash (see the top of this file)

    # --- agendas: the agenda of a meeting, referrals, the forward look, panel rules ---
    path(M + "agenda/", agenda_views.meeting_agenda, name="meeting_agenda"),
    slashed(M + "agenda/rebuild/", agenda_views.agenda_rebuild, "agenda_rebuild"),
    slashed(M + "agenda/add/", agenda_views.agenda_add, "agenda_add"),
    slashed(M + "agenda/items/<int:item_id>/remove/", agenda_views.agenda_remove, "agenda_remove"),
    slashed(M + "agenda/items/<int:item_id>/slot/", agenda_views.agenda_slot, "agenda_slot"),
    slashed(M + "agenda/items/<int:item_id>/invite/", agenda_views.agenda_slot_invite, "agenda_slot_invite"),
    slashed(M + "agenda/items/<int:item_id>/invitations/<int:link_id>/withdraw/", agenda_views.agenda_slot_uninvite,
            "agenda_slot_uninvite"),
    slashed(M + "agenda/slots/", agenda_views.agenda_assign_slots, "agenda_assign_slots"),
    slashed(M + "agenda/publish/", agenda_views.agenda_publish, "agenda_publish"),
    path(M + "agenda/pack.<str:fmt>", agenda_views.agenda_pack, name="agenda_pack"),
    path("panels/<int:panel_id>/forward-look/", agenda_views.forward_look, name="panel_forward_look"),
    path("panels/<int:panel_id>/rules/", agenda_views.rule_settings, name="panel_rule_settings"),
    path("panels/<int:panel_id>/referrals/", agenda_views.referral_list, name="panel_referrals"),
    path(C + "refer/", agenda_views.referral_new, name="child_refer"),
    path(C + "agendas/", agenda_views.child_agendas, name="child_agendas"),
    # oversight (issue 17): service managers, strategic leads and chairs (permissions.can_view_reports)
    path("oversight/", oversight_views.oversight_index, name="oversight_index"),
    path("oversight/board/", oversight_views.oversight_board, name="oversight_board"),
    path("oversight/board/prepare/", oversight_views.oversight_board_prepare, name="oversight_board_prepare"),
    path("oversight/board/<int:file_id>.pdf", oversight_views.oversight_board_file, name="oversight_board_file"),
    # moved (301): the PDF was made in the request; it is now prepared in the background from the board page. Before
    # oversight/<report>.<fmt>, which would otherwise take it for a report called "board"
    path("oversight/board.pdf",
         RedirectView.as_view(pattern_name="oversight_board", permanent=True, query_string=True)),
    path("oversight/<slug:report>/", oversight_views.oversight_report, name="oversight_report"),
    slashed("oversight/<slug:report>/children/", oversight_views.oversight_children, "oversight_children"),
    path("oversight/<slug:report>.<str:fmt>", oversight_views.oversight_download, name="oversight_download"),

    # --- minutes: recording, the meeting cockpit, approval and corrections, actions, a child's timeline ---
    path(M + "minutes/", record.minutes_page, name="minutes_page"),
    slashed(M + "minutes/decisions/", record.decision_add, "minutes_decision_add"),
    slashed(M + "minutes/actions/", record.action_add, "minutes_action_add"),
    slashed(M + "minutes/attendance/", record.attendance_add, "minutes_attendance_add"),
    slashed(M + "minutes/approve/", approval.minutes_approve, "minutes_approve"),
    slashed(M + "minutes/reviews/", record.review_set, "minutes_review_set"),
    path(M + "run/", cockpit.cockpit_page, name="cockpit"),
    slashed(M + "run/focus/", cockpit.cockpit_focus, "cockpit_focus"),  # before run/<key>/
    path(M + "run/<str:key>/", cockpit.cockpit_item, name="cockpit_item"),
    slashed(M + "run/<str:key>/records/", cockpit.cockpit_records, "cockpit_records"),
    slashed(M + "run/<str:key>/record/", cockpit.cockpit_record, "cockpit_record"),
    path(M + "minutes/approved/", approved.approved_minutes, name="minutes_approved"),
    path(M + "minutes/approved/<int:number>/", approved.approved_minutes, name="minutes_approved_revision"),
    path(M + "minutes/approved/<int:number>.<str:fmt>", approved.approved_minutes_download,
         name="minutes_approved_download"),
    slashed(M + "minutes/approved/<int:number>/corrections/", approval.correction_add, "minutes_correction_add"),
    slashed(M + "minutes/corrections/<int:correction_id>/decline/", approval.correction_decline,
            "minutes_correction_decline"),
    path("actions/", actions.my_actions, name="my_actions"),
    path("actions/<int:action_id>/", actions.action_detail, name="action_detail"),
    slashed("actions/<int:action_id>/status/", actions.action_update, "action_update"),
    slashed("actions/<int:action_id>/due-date/", actions.action_date_request, "action_date_request"),
    slashed("actions/<int:action_id>/due-date-requests/<int:request_id>/decision/", actions.action_date_decide,
            "action_date_decide"),
    # signed links sent by email (an action's owner without a login)
    path("actions/<int:action_id>/link/<str:token>/", actions.action_link, name="action_link"),
    slashed("actions/<int:action_id>/link/<str:token>/status/", actions.action_link_update, "action_link_update"),
    slashed("actions/<int:action_id>/link/<str:token>/due-date/", actions.action_link_date_request,
            "action_link_date_request"),
    path("panels/<int:panel_id>/actions/", actions.action_register_page, name="action_register"),
    path(C + "timeline/", children.child_timeline_page, name="child_timeline"),
    path(C + "plan.<str:fmt>", children.child_plan_document, name="child_plan_document"),
    path("my-children/", children.my_children, name="my_children"),

    # --- notifications: escalation, calendar feeds and RSVPs, reminders, deliveries and the outbox ---
    slashed("actions/<int:action_id>/escalate/", notification_views.action_escalate, "action_escalate"),
    path("accounts/emails/", notification_views.email_preferences, name="email_preferences"),
    path("accounts/calendar/", notification_views.calendar_settings, name="calendar_settings"),
    path("accounts/calendar/revoke/", notification_views.calendar_revoke, name="calendar_revoke"),
    path("feeds/<str:token>.ics", notification_views.calendar_feed, name="calendar_feed"),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("panels/<int:panel_id>/reminders/", notification_views.reminder_settings, name="reminder_settings"),
    path("rsvp/<str:token>/", notification_views.rsvp_link, name="rsvp"),  # signed link sent by email
    slashed(M + "rsvp/", notification_views.meeting_rsvp, "meeting_rsvp"),
    slashed(M + "delegations/<int:request_id>/", notification_views.delegation_decide, "delegation_decide"),
    path(M + "deliveries/", notification_views.meeting_deliveries, name="meeting_deliveries"),
    path("panels/<int:panel_id>/deliveries/", notification_views.panel_deliveries, name="panel_deliveries"),
    path("outbox/<int:message_id>/", notification_views.outbox_message, name="outbox_message"),
    slashed("outbox/<int:message_id>/retry/", notification_views.outbox_message_retry, "outbox_message_retry"),
    path("api/itip/replies/", notification_views.itip_replies, name="itip_replies"),  # calendar replies (iTIP)

    # --- accounts: sign-in, two-factor, password reset, agency users; the audit log ---
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", account_views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/set-up/", account_views.two_factor_enrol, name="two_factor_enrol"),
    path("accounts/password-reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/",
         auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
         name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", account_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/",
         auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
         name="password_reset_complete"),
    path("accounts/users/", account_views.agency_users, name="agency_users"),
    slashed("accounts/users/<int:user_id>/<slug:action>/", account_views.agency_user_active, "agency_user_active"),
    path("audit/", account_views.audit_log, name="audit_log"),
    path("audit/export.csv", account_views.audit_export, name="audit_export"),
    path("audit/subject-access.csv", account_views.audit_subject_access, name="audit_subject_access"),

    # --- the REST API (DRF routers and views: config/api_urls.py), its schema and reference ---
    path("api/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The reference as an ordinary page (config/api_docs.py): Swagger UI failed axe-core (issue 15).
    path("api/docs/", api_docs, name="api_docs"),

    # --- the Django admin ---
    path("admin/", admin.site.urls),

    # --- old addresses ---
    # account/ → accounts/, moved for good (301): one account prefix (issue 18). Bookmarks keep working.
    *[path(old, RedirectView.as_view(pattern_name=name, permanent=True, query_string=True))
      for old, name in MOVED.items()],
    # routes that gained their trailing slash (308: method, body and query string kept)
    *old_addresses(),
]

handler404 = "config.openapi.api_not_found"  # JSON under /api/
handler500 = "config.openapi.api_server_error"
