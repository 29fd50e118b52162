"""The authorisation matrix (issue 7): every route × every persona, with the expected outcome.

The table below is the reviewed statement of who may reach what. ``test_every_route_has_a_row`` walks the
URL configuration and the websocket routing: a route without a row fails, so nothing new slips in unreviewed.
Each row names one concrete URL (built from the fixture world) and the outcome of one GET for each persona;
rows for writes also list who must be refused, and the test checks that their POST changes nothing.

Outcomes: 200, ``LOGIN`` (302 to the sign-in page), ``REDIRECT`` (302 elsewhere), 403, 404, 405; websockets
``ACCEPT`` / ``CLOSE``. Object-level rule: a persona who may not know an object exists gets 404, never 403.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from django.test import Client
from django.urls import resolve

from config.urls import SLASH_ADDED
from tests.security.matrix import (
    ACCEPT,
    BAD_REQUEST,
    CLOSE,
    FORBIDDEN,
    LOGIN,
    MISSING,
    NOT_ALLOWED,
    OK,
    PERSONAS,
    REDIRECT,
    SIGNED_IN,
    UNAUTHORISED,
    UNPROCESSABLE,
    Row,
    build_matrix_world,
    everyone,
    fingerprint,
    outcome_of,
    routes,
    tampered,
    websocket_routes,
    who,
)

# --- who is who ----------------------------------------------------------------------------------------
MANAGERS = {"coordinator", "chair"}  # the panel's coordinator (service-wide) and its chair
PARTNERS_INVITED = {"invited_partner", "invited_yoi", "invited_stc"}
GUESTS = {"guest", "deputy"}  # invited for the child's item only; the YOI user's deputy (the child only)
MEETING_VIEWERS = MANAGERS | PARTNERS_INVITED | GUESTS  # a scheduled (or held) meeting
CHILD_READERS = {"coordinator", "case_manager"}  # the child's full record
SERVICE_STAFF = {"coordinator", "chair", "case_manager", "other_case_manager"}
YJS_STAFF = SERVICE_STAFF | {"outsider"}  # staff of a youth justice service (their own service's pages)
SERVICE_WIDE = {"coordinator", "outsider"}  # coordinators/managers (the outsider, of their own service)
ACTION_VIEWERS = MANAGERS | {"case_manager", "invited_yoi"}  # the child's case manager; the owner (YOI)
ACTION_UPDATERS = MANAGERS | {"invited_yoi"}  # the owner and the panel's managers (the case manager reads)
REFERRAL_VIEWERS = MANAGERS | {"case_manager"}  # the panel's managers; who referred
REPORT_READERS = {"chair", "outsider"}  # oversight: the panel's chair; a service manager (of their own service)

POST_ONLY = who((), no=NOT_ALLOWED)  # GET on a POST-only page: 405 once signed in
API_POST_ONLY = who((), no=NOT_ALLOWED, anon=FORBIDDEN)


def refused(allowed, *, no=MISSING, anon=LOGIN, **exceptions) -> dict:
    """Who must be refused a write: every signed-in persona outside ``allowed`` (404), and anonymous."""
    table = {p: no for p in SIGNED_IN - set(allowed)}
    table["anonymous"] = anon
    table.update(exceptions)
    return table


def api(allowed, **kw) -> dict:
    return who(allowed, anon=FORBIDDEN, **kw)


# Strings a persona must not find in a page it may open (the child at the YOI is not the STC's, and back).
def hidden_children(mw, persona: str) -> list[str]:
    return {"invited_stc": [mw.child.reference], "invited_yoi": [mw.other_child.reference],
            "guest": [mw.other_child.reference], "deputy": [mw.other_child.reference]}.get(persona, [])


def _wrong_action_token(mw) -> str:
    from minutes.links import action_link_token

    return action_link_token(action_id=mw.other_action.pk, user_id=mw.users["invited_stc"].pk,
                             email=mw.users["invited_stc"].email)


def _action_token(mw) -> str:
    from minutes.links import action_link_token

    return action_link_token(action_id=mw.action.pk, user_id=mw.users["invited_yoi"].pk,
                             email=mw.users["invited_yoi"].email)


def _rsvp_token(mw, email: str) -> str:
    from notifications.rsvp import token_for

    return token_for(entry_id=mw.entry.pk, email=email)


ADMIN = "admin/"  # the Django admin, as one prefix rule: no persona is staff, everyone is sent to its sign-in
PREFIX_RULES = (ADMIN,)

M = "meetings/<int:meeting_id>/"
ROWS: dict[str, list[Row]] = {
    # --- signed-in basics ---
    "": [Row(lambda w: "/", who(SIGNED_IN))],
    "healthz": [Row(lambda w: "/healthz", everyone(OK))],
    "panels/": [Row(lambda w: "/panels/", who(SIGNED_IN))],
    "meetings/": [Row(lambda w: "/meetings/", who(SIGNED_IN))],
    "agencies/": [Row(lambda w: "/agencies/", who(SIGNED_IN))],
    "agencies/<int:agency_id>/": [Row(lambda w: f"/agencies/{w.service.pk}/", who(SIGNED_IN))],
    "actions/": [Row(lambda w: "/actions/", who(SIGNED_IN))],
    "notifications/": [Row(lambda w: "/notifications/", who(SIGNED_IN))],
    "accounts/emails/": [Row(lambda w: "/accounts/emails/", who(SIGNED_IN))],
    "accounts/calendar/": [Row(lambda w: "/accounts/calendar/", who(SIGNED_IN))],
    "accounts/calendar/revoke/": [Row(lambda w: "/accounts/calendar/revoke/", POST_ONLY, refused=refused(SIGNED_IN))],
    # the old addresses: a permanent redirect for everyone (the new page then asks anonymous to sign in)
    "account/emails/": [Row(lambda w: "/account/emails/", everyone(REDIRECT))],
    "account/calendar/": [Row(lambda w: "/account/calendar/", everyone(REDIRECT))],
    "oversight/board.pdf": [Row(lambda w: "/oversight/board.pdf", everyone(REDIRECT))],
    "my-children/": [Row(lambda w: "/my-children/", who(YJS_STAFF))],
    # --- accounts ---
    "accounts/login/": [Row(lambda w: "/accounts/login/", who({"anonymous"}, no=REDIRECT))],
    "accounts/logout/": [Row(lambda w: "/accounts/logout/", everyone(NOT_ALLOWED))],  # POST only
    "accounts/two-factor/": [Row(lambda w: "/accounts/two-factor/", who((), no=REDIRECT))],  # no device: enrol
    "accounts/two-factor/set-up/": [Row(lambda w: "/accounts/two-factor/set-up/", who(SIGNED_IN))],
    "accounts/password-reset/": [Row(lambda w: "/accounts/password-reset/", everyone(OK))],
    "accounts/password-reset/sent/": [Row(lambda w: "/accounts/password-reset/sent/", everyone(OK))],
    "accounts/reset/done/": [Row(lambda w: "/accounts/reset/done/", everyone(OK))],
    "accounts/reset/<uidb64>/<token>/": [
        # valid: Django moves the token into the session and redirects to the set-password form
        Row(lambda w: f"/accounts/reset/{w.reset_uid}/{w.reset_token}/", everyone(REDIRECT), label="valid"),
        # tampered, or someone else's token with another user's id: the "link is not valid" page, no form
        Row(lambda w: f"/accounts/reset/{w.reset_uid}/{tampered(w.reset_token)}/", everyone("invalid-link"),
            label="tampered"),
        Row(lambda w: f"/accounts/reset/{w.other_reset_uid}/{w.reset_token}/", everyone("invalid-link"),
            label="someone else's"),
    ],
    "accounts/users/": [Row(lambda w: "/accounts/users/", who({"outsider"}))],  # agency managers only
    "accounts/users/<int:user_id>/<slug:action>/": [  # only a manager of the user's own agency
        Row(lambda w: f"/accounts/users/{w.users['case_manager'].pk}/deactivate/", POST_ONLY,
            refused=refused(())),
    ],
    "audit/": [Row(lambda w: "/audit/", who(SERVICE_WIDE))],
    "audit/export.csv": [Row(lambda w: "/audit/export.csv", who(SERVICE_WIDE))],
    "audit/subject-access.csv": [  # another service's auditor: "not a child of your service" (as a missing one)
        Row(lambda w: "/audit/subject-access.csv", who({"coordinator"}, outsider=BAD_REQUEST), query="child=YJ-0001"),
    ],
    # --- panels ---
    "panels/<int:panel_id>/": [
        Row(lambda w: f"/panels/{w.panel.pk}/", who(MANAGERS), refused=refused(MANAGERS),
            data=lambda w: {"start": str(w.meeting.local_date + timedelta(days=90)),
                            "end": str(w.meeting.local_date + timedelta(days=120))}),
    ],
    "panels/<int:panel_id>/actions/": [Row(lambda w: f"/panels/{w.panel.pk}/actions/", who(MANAGERS))],
    "panels/<int:panel_id>/forward-look/": [Row(lambda w: f"/panels/{w.panel.pk}/forward-look/", who(MANAGERS))],
    "panels/<int:panel_id>/referrals/": [
        Row(lambda w: f"/panels/{w.panel.pk}/referrals/", who(MANAGERS), refused=refused(MANAGERS),
            data=lambda w: {"referral": w.referral.pk, "decision": "accept", "note": "x"}),
    ],
    "panels/<int:panel_id>/rules/": [
        Row(lambda w: f"/panels/{w.panel.pk}/rules/", who(MANAGERS), refused=refused(MANAGERS), data={}),
    ],
    "panels/<int:panel_id>/reminders/": [
        Row(lambda w: f"/panels/{w.panel.pk}/reminders/", who(MANAGERS), refused=refused(MANAGERS), data={}),
    ],
    "panels/<int:panel_id>/deliveries/": [Row(lambda w: f"/panels/{w.panel.pk}/deliveries/", who(MANAGERS))],
    # --- meetings ---
    M: [
        Row(lambda w: f"/meetings/{w.meeting.pk}/", who(MEETING_VIEWERS), label="scheduled"),
        Row(lambda w: f"/meetings/{w.draft_meeting.pk}/", who(MANAGERS), label="draft: partners never"),
    ],
    M + "status/<slug:action>/": [
        # GET: the confirmation page (opening before the start asks first, issue 15.7); it changes nothing
        Row(lambda w: f"/meetings/{w.meeting.pk}/status/start/", who(MANAGERS), refused=refused(MANAGERS)),
    ],
    M + "change/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/change/", POST_ONLY, refused=refused(MANAGERS),
            data=lambda w: {"day": str(w.meeting.local_date + timedelta(days=1)), "starts": "09:00",
                            "ends": "11:00", "location": "Room 9"}),
    ],
    M + "invitees/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/invitees/", POST_ONLY, refused=refused(MANAGERS),
            data=lambda w: {"name": "New Person", "email": "new@agency.example", "agency": w.probation.pk}),
    ],
    M + "invitees/<int:invitee_id>/remove/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/invitees/{w.invitee.pk}/remove/", who(MANAGERS),
            refused=refused(MANAGERS)),
    ],
    M + "rsvp/": [  # an invitee answers on the page; the chair and coordinator are not invitees
        Row(lambda w: f"/meetings/{w.extras['sent_meeting'].pk}/rsvp/", POST_ONLY,
            refused=refused(PARTNERS_INVITED), data={"response": "accepted"}),
    ],
    M + "deliveries/": [Row(lambda w: f"/meetings/{w.meeting.pk}/deliveries/", who(MANAGERS))],
    M + "delegations/<int:request_id>/": [  # the chair or coordinator decides on a deputy; others get 404
        Row(lambda w: f"/meetings/{w.meeting.pk}/delegations/999999/", POST_ONLY, refused=refused(MANAGERS),
            data={"decision": "decline"}),
    ],
    # --- agendas ---
    M + "agenda/": [Row(lambda w: f"/meetings/{w.meeting.pk}/agenda/", who(MEETING_VIEWERS))],
    M + "agenda/pack.<str:fmt>": [Row(lambda w: f"/meetings/{w.meeting.pk}/agenda/pack.html", who(MEETING_VIEWERS))],
    M + "agenda/rebuild/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/agenda/rebuild/", POST_ONLY, refused=refused(MANAGERS)),
    ],
    M + "agenda/add/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/agenda/add/", POST_ONLY, refused=refused(MANAGERS),
            data=lambda w: {"reference": w.other_child.reference, "reason": "Again"}),
    ],
    M + "agenda/items/<int:item_id>/remove/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/agenda/items/{w.item.pk}/remove/", POST_ONLY,
            refused=refused(MANAGERS), data={"reason": "Not due"}),
    ],
    M + "agenda/items/<int:item_id>/slot/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/agenda/items/{w.item.pk}/slot/", POST_ONLY,
            refused=refused(MANAGERS),
            data=lambda w: {"version": w.item.version, "slot_start": "10:00", "slot_minutes": 15}),
    ],
    M + "agenda/items/<int:item_id>/invite/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/agenda/items/{w.item.pk}/invite/", POST_ONLY,
            refused=refused(MANAGERS), data={"name": "Pat Nurse", "email": "nurse@health.example"}),
    ],
    M + "agenda/items/<int:item_id>/invitations/<int:link_id>/withdraw/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/agenda/items/{w.item.pk}/invitations/{w.slot_link.pk}/withdraw/",
            who(MANAGERS), refused=refused(MANAGERS)),
    ],
    M + "agenda/slots/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/agenda/slots/", POST_ONLY, refused=refused(MANAGERS)),
    ],
    M + "agenda/publish/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/agenda/publish/", POST_ONLY, refused=refused(MANAGERS)),
    ],
    # --- minutes ---
    M + "minutes/": [Row(lambda w: f"/meetings/{w.meeting.pk}/minutes/", who(MEETING_VIEWERS))],
    M + "minutes/decisions/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/minutes/decisions/", POST_ONLY, refused=refused(MANAGERS),
            data={"text": "Decided"}),
    ],
    M + "minutes/actions/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/minutes/actions/", POST_ONLY, refused=refused(MANAGERS),
            data=lambda w: {"description": "Do it", "owner_agency": w.yoi.pk,
                            "due_date": str(w.meeting.local_date + timedelta(days=7))}),
    ],
    M + "minutes/attendance/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/minutes/attendance/", POST_ONLY, refused=refused(MANAGERS),
            data={"name": "Ada", "status": "present"}),
    ],
    M + "minutes/reviews/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/minutes/reviews/", POST_ONLY, refused=refused(MANAGERS),
            data=lambda w: {"child": w.child.pk, "review_by": str(w.meeting.local_date + timedelta(days=30))}),
    ],
    # --- the meeting cockpit (forms: only while the minutes are writable, so nobody on a scheduled meeting) ---
    M + "run/": [Row(lambda w: f"/meetings/{w.meeting.pk}/run/", who(MEETING_VIEWERS))],
    M + "run/focus/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/run/focus/", who(MEETING_VIEWERS), refused=refused({"chair"}),
            data={"item": "meeting"}),
    ],
    M + "run/<str:key>/": [Row(lambda w: f"/meetings/{w.meeting.pk}/run/meeting/", who(MEETING_VIEWERS))],
    M + "run/<str:key>/records/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/run/meeting/records/", who(MEETING_VIEWERS)),
    ],
    M + "run/<str:key>/record/": [
        Row(lambda w: f"/meetings/{w.meeting.pk}/run/{w.child.pk}/record/", POST_ONLY, refused=refused(()),
            data=lambda w: {f"decision-{w.child.pk}-text": "Decided"}),
    ],
    M + "minutes/approve/": [
        # GET: the confirmation page when approving early or an empty record (issue 15.7); here neither: back
        Row(lambda w: f"/meetings/{w.held.pk}/minutes/approve/", who(MANAGERS, yes=REDIRECT), refused=refused(MANAGERS),
            data={"reason": "Amended"}),
    ],
    M + "minutes/approved/": [Row(lambda w: f"/meetings/{w.held.pk}/minutes/approved/", who(MEETING_VIEWERS))],
    M + "minutes/approved/<int:number>/": [
        Row(lambda w: f"/meetings/{w.held.pk}/minutes/approved/{w.revision.number}/", who(MEETING_VIEWERS)),
    ],
    M + "minutes/approved/<int:number>.<str:fmt>": [
        Row(lambda w: f"/meetings/{w.held.pk}/minutes/approved/{w.revision.number}.docx", who(MEETING_VIEWERS)),
    ],
    M + "minutes/approved/<int:number>/corrections/": [  # anyone who reads the minutes may ask
        Row(lambda w: f"/meetings/{w.held.pk}/minutes/approved/{w.revision.number}/corrections/", POST_ONLY,
            refused=refused(MEETING_VIEWERS), data={"text": "Wrong date"}),
    ],
    M + "minutes/corrections/<int:correction_id>/decline/": [
        Row(lambda w: f"/meetings/{w.held.pk}/minutes/corrections/{w.correction.pk}/decline/", POST_ONLY,
            refused=refused(MANAGERS), data={"resolution": "It stands"}),
    ],
    # --- actions ---
    "actions/<int:action_id>/": [  # the page; its forms post to their own URLs (the old POST here: 405)
        Row(lambda w: f"/actions/{w.action.pk}/", who(ACTION_VIEWERS), refused=refused((), no=NOT_ALLOWED),
            data=lambda w: {"form": "update", "note": "Done", "status": "", "version": w.action.version}),
    ],
    "actions/<int:action_id>/status/": [
        Row(lambda w: f"/actions/{w.action.pk}/status/", POST_ONLY,
            refused=refused(ACTION_UPDATERS),  # the case manager reads, does not update
            data=lambda w: {"note": "Done", "status": "", "version": w.action.version}),
    ],
    "actions/<int:action_id>/due-date/": [
        Row(lambda w: f"/actions/{w.action.pk}/due-date/", POST_ONLY, refused=refused(ACTION_UPDATERS),
            data=lambda w: {"new_due_date": str(w.date_request.new_due_date + timedelta(days=7)), "reason": "Later"}),
    ],
    "actions/<int:action_id>/due-date-requests/<int:request_id>/decision/": [
        Row(lambda w: f"/actions/{w.action.pk}/due-date-requests/{w.date_request.pk}/decision/", POST_ONLY,
            refused=refused(MANAGERS), data={"agree": "1"}),
    ],
    "actions/<int:action_id>/escalate/": [  # readers who are not managers are told no (302 + message)
        Row(lambda w: f"/actions/{w.action.pk}/escalate/", POST_ONLY,
            refused=refused(MANAGERS, case_manager=REDIRECT, invited_yoi=REDIRECT), data={"note": "Overdue"}),
    ],
    "actions/<int:action_id>/link/<str:token>/": [  # signed link: the token, not the session, decides
        Row(lambda w: f"/actions/{w.action.pk}/link/{_action_token(w)}/", everyone(OK), label="valid",
            refused=everyone(NOT_ALLOWED),  # the old single POST target: its forms have their own URLs
            data=lambda w: {"form": "update", "note": "Done", "status": "", "version": w.action.version}),
        Row(lambda w: f"/actions/{w.action.pk}/link/{tampered(_action_token(w))}/", everyone(FORBIDDEN),
            label="tampered"),
        Row(lambda w: f"/actions/{w.action.pk}/link/{_wrong_action_token(w)}/", everyone(FORBIDDEN),
            label="another action's token"),
    ],
    "actions/<int:action_id>/link/<str:token>/status/": [
        Row(lambda w: f"/actions/{w.action.pk}/link/{tampered(_action_token(w))}/status/", everyone(NOT_ALLOWED),
            refused=everyone(FORBIDDEN), label="tampered",
            data=lambda w: {"note": "Done", "status": "", "version": w.action.version}),
        Row(lambda w: f"/actions/{w.action.pk}/link/{_wrong_action_token(w)}/status/", everyone(NOT_ALLOWED),
            refused=everyone(FORBIDDEN), label="another action's token",
            data=lambda w: {"note": "Done", "status": "", "version": w.action.version}),
    ],
    "actions/<int:action_id>/link/<str:token>/due-date/": [
        Row(lambda w: f"/actions/{w.action.pk}/link/{tampered(_action_token(w))}/due-date/", everyone(NOT_ALLOWED),
            refused=everyone(FORBIDDEN), label="tampered",
            data=lambda w: {"new_due_date": str(w.date_request.new_due_date + timedelta(days=7)), "reason": "Later"}),
        Row(lambda w: f"/actions/{w.action.pk}/link/{_wrong_action_token(w)}/due-date/", everyone(NOT_ALLOWED),
            refused=everyone(FORBIDDEN), label="another action's token",
            data=lambda w: {"new_due_date": str(w.date_request.new_due_date + timedelta(days=7)), "reason": "Later"}),
    ],
    # --- children ---
    "children/": [Row(lambda w: "/children/", who(YJS_STAFF))],
    "children/<int:child_id>/": [Row(lambda w: f"/children/{w.child.pk}/", who(CHILD_READERS))],
    "children/<int:child_id>/agendas/": [Row(lambda w: f"/children/{w.child.pk}/agendas/", who(CHILD_READERS))],
    # --- oversight (issue 17): service managers, strategic leads and chairs; the outsider (a manager) reads
    # their own service's reports; the coordinator is not a manager
    "oversight/": [Row(lambda w: "/oversight/", who(REPORT_READERS))],
    "oversight/board/": [Row(lambda w: "/oversight/board/", who(REPORT_READERS))],
    "oversight/board/prepare/": [
        Row(lambda w: "/oversight/board/prepare/", POST_ONLY, refused=refused(REPORT_READERS),
            data=lambda w: {"period": "", "audience": "summary"}),
    ],
    # a made board pack PDF: the chair's, of the world's service (the outsider manages another service: 404)
    "oversight/board/<int:file_id>.pdf": [Row(lambda w: f"/oversight/board/{w.extras['board_file'].pk}.pdf",
                                              who({"chair"}))],
    "oversight/<slug:report>/": [Row(lambda w: "/oversight/timeliness/", who(REPORT_READERS)),
                                 Row(lambda w: "/oversight/custody/", who(REPORT_READERS), label="custody")],
    "oversight/<slug:report>/children/": [
        Row(lambda w: "/oversight/custody/children/", who(REPORT_READERS), query="figure=all&key=HMYOI Larkhollow"),
    ],
    "oversight/<slug:report>.<str:fmt>": [Row(lambda w: "/oversight/releases.csv", who(REPORT_READERS)),
                                          Row(lambda w: "/oversight/timeliness.xlsx", who(REPORT_READERS),
                                              label="xlsx")],
    "children/<int:child_id>/timeline/": [Row(lambda w: f"/children/{w.child.pk}/timeline/", who(CHILD_READERS))],
    "children/<int:child_id>/refer/": [
        Row(lambda w: f"/children/{w.child.pk}/refer/", who(CHILD_READERS), refused=refused(CHILD_READERS),
            data=lambda w: {"panel": w.panel.pk, "reason": "Please discuss"}),
    ],
    # the child's resettlement record (issue 16): the same readers as the record itself
    "children/<int:child_id>/network/": [
        Row(lambda w: f"/children/{w.child.pk}/network/", who(CHILD_READERS), refused=refused(CHILD_READERS),
            data={"role": "mentor", "name": "Mo Mentor"}),
    ],
    "children/<int:child_id>/network/<int:member_id>/remove/": [
        Row(lambda w: f"/children/{w.child.pk}/network/{w.extras['network_member'].pk}/remove/", POST_ONLY,
            refused=refused(CHILD_READERS)),
    ],
    "children/<int:child_id>/plan/": [
        Row(lambda w: f"/children/{w.child.pk}/plan/", who(CHILD_READERS), refused=refused(CHILD_READERS),
            data=lambda w: {"pathway": w.extras["plan_row"].pathway_id, "setting": "custody", "goal": "Another"}),
    ],
    "children/<int:child_id>/plan/rows/<int:row_id>/": [
        Row(lambda w: f"/children/{w.child.pk}/plan/rows/{w.extras['plan_row'].pk}/", POST_ONLY,
            refused=refused(CHILD_READERS),
            data=lambda w: {"pathway": w.extras["plan_row"].pathway_id, "setting": "custody", "goal": "Changed"}),
    ],
    "children/<int:child_id>/plan/rows/<int:row_id>/remove/": [
        Row(lambda w: f"/children/{w.child.pk}/plan/rows/{w.extras['plan_row'].pk}/remove/", POST_ONLY,
            refused=refused(CHILD_READERS)),
    ],
    "children/<int:child_id>/plan/words/": [
        Row(lambda w: f"/children/{w.child.pk}/plan/words/", POST_ONLY, refused=refused(CHILD_READERS),
            data={"who_are_you": "Changed"}),
    ],
    "children/<int:child_id>/transfer-decision/": [
        Row(lambda w: f"/children/{w.child.pk}/transfer-decision/", POST_ONLY, refused=refused(CHILD_READERS),
            data={"decision": "retain", "reason": "Changed"}),
    ],
    # the release address and ETE (issue 16, point 4): the same readers as the record itself
    "children/<int:child_id>/release/": [Row(lambda w: f"/children/{w.child.pk}/release/", who(CHILD_READERS))],
    "children/<int:child_id>/release/address/": [
        Row(lambda w: f"/children/{w.child.pk}/release/address/", POST_ONLY, refused=refused(CHILD_READERS),
            data={"address-status": "proposed", "address-on": "2026-01-05", "address-summary": "Aunt's house"}),
    ],
    "children/<int:child_id>/release/ete/": [
        Row(lambda w: f"/children/{w.child.pk}/release/ete/", POST_ONLY, refused=refused(CHILD_READERS),
            data={"ete-kind": "training", "ete-interview_on": "2026-01-05"}),
    ],
    "children/<int:child_id>/plan.<str:fmt>": [
        Row(lambda w: f"/children/{w.child.pk}/plan.docx?audience=family", who(CHILD_READERS)),
    ],
    # the child's statutory meetings (issue 16, point 2): the same readers as the record itself
    "children/<int:child_id>/meetings/": [
        Row(lambda w: f"/children/{w.child.pk}/meetings/", who(CHILD_READERS), refused=refused(CHILD_READERS),
            data={"kind": "review", "day": "2027-02-01", "start": "10:00", "end": "11:00", "place": "video"}),
    ],
    "children/<int:child_id>/meetings/<int:meeting_id>/": [
        Row(lambda w: f"/children/{w.child.pk}/meetings/{w.extras['child_meeting'].pk}/", who(CHILD_READERS),
            refused=refused(CHILD_READERS),
            data={"kind": "initial_planning", "day": "2027-01-13", "start": "10:00", "end": "11:00",
                  "place": "video"}),
    ],
    "children/<int:child_id>/meetings/<int:meeting_id>/held/": [
        Row(lambda w: f"/children/{w.child.pk}/meetings/{w.extras['child_meeting'].pk}/held/", POST_ONLY,
            refused=refused(CHILD_READERS), data={"held_on": "2026-10-01"}),
    ],
    "children/<int:child_id>/meetings/<int:meeting_id>/cancel/": [
        Row(lambda w: f"/children/{w.child.pk}/meetings/{w.extras['child_meeting'].pk}/cancel/", POST_ONLY,
            refused=refused(CHILD_READERS), data={"action": "cancel"}),
    ],
    # the link in a child meeting's calendar invite names only the meeting: the child's readers are taken there
    "child-meetings/<int:meeting_id>/": [
        Row(lambda w: f"/child-meetings/{w.extras['child_meeting'].pk}/", who(CHILD_READERS, yes=REDIRECT)),
    ],
    "pathways/": [Row(lambda w: "/pathways/", who(SERVICE_WIDE), refused=refused(SERVICE_WIDE),
                      data={"name": "Faith"})],
    "pathways/preset/": [Row(lambda w: "/pathways/preset/", POST_ONLY, refused=refused(SERVICE_WIDE),
                             data={"preset": "camden_7"})],
    # one pathway of the world's service: its coordinator only (the outsider manages another service)
    "pathways/<int:pathway_id>/rename/": [
        Row(lambda w: f"/pathways/{w.extras['plan_row'].pathway_id}/rename/", POST_ONLY,
            refused=refused({"coordinator"}), data={"name": "Renamed"}),
    ],
    "pathways/<int:pathway_id>/active/": [
        Row(lambda w: f"/pathways/{w.extras['plan_row'].pathway_id}/active/", POST_ONLY,
            refused=refused({"coordinator"}), data={"active": "0"}),
    ],
    # --- cohort (the outsider manages their own service's cohort) ---
    "cohort/": [Row(lambda w: "/cohort/", who(SERVICE_WIDE), refused=refused(SERVICE_WIDE), data={})],
    "cohort/export.csv": [Row(lambda w: "/cohort/export.csv", who(SERVICE_WIDE))],
    "cohort/imports/<int:import_id>/": [
        Row(lambda w: f"/cohort/imports/{w.cohort_import.pk}/", who({"coordinator"})),
    ],
    "cohort/imports/<int:import_id>/retry/": [
        Row(lambda w: f"/cohort/imports/{w.cohort_import.pk}/retry/", POST_ONLY, refused=refused({"coordinator"})),
    ],
    # --- notifications ---
    "outbox/<int:message_id>/": [Row(lambda w: f"/outbox/{w.message.pk}/", who(MANAGERS))],
    "outbox/<int:message_id>/retry/": [
        Row(lambda w: f"/outbox/{w.message.pk}/retry/", POST_ONLY, refused=refused(MANAGERS)),
    ],
    "feeds/<str:token>.ics": [  # the secret address is the credential; a dead or tampered one is not there
        Row(lambda w: f"/feeds/{w.feed_token}.ics", everyone(OK), label="valid"),
        Row(lambda w: f"/feeds/{tampered(w.feed_token)}.ics", everyone(MISSING), label="tampered"),
        Row(lambda w: f"/feeds/{w.old_feed_token}.ics", everyone(MISSING), label="replaced"),
    ],
    "rsvp/<str:token>/": [
        Row(lambda w: f"/rsvp/{_rsvp_token(w, w.users['invited_partner'].email)}/", everyone(OK), label="valid"),
        Row(lambda w: f"/rsvp/{tampered(_rsvp_token(w, w.users['invited_partner'].email))}/", everyone(FORBIDDEN),
            refused=everyone(FORBIDDEN), data={"response": "accepted"}, label="tampered"),
        Row(lambda w: f"/rsvp/{_rsvp_token(w, w.users['uninvited_partner'].email)}/", everyone(FORBIDDEN),
            refused=everyone(FORBIDDEN), data={"response": "accepted"}, label="someone not invited"),
    ],
    "api/itip/replies/": [  # the mail gateway's bearer token, nobody's session
        Row(lambda w: "/api/itip/replies/", everyone(NOT_ALLOWED), refused=everyone(UNAUTHORISED),
            data="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", content_type="text/calendar"),
    ],
    # --- API (session auth; anonymous gets DRF's 403) ---
    "api/schema/": [Row(lambda w: "/api/schema/", everyone(OK))],
    "api/docs/": [Row(lambda w: "/api/docs/", everyone(OK))],
    "api/": [Row(lambda w: "/api/", api(SIGNED_IN))],
    "api/<drf_format_suffix:format>": [Row(lambda w: "/api/.json", api(SIGNED_IN))],
    "api/agencies/$": [Row(lambda w: "/api/agencies/", api(SIGNED_IN))],
    "api/agencies\\.(?P<format>[a-z0-9]+)/?$": [Row(lambda w: "/api/agencies.json", api(SIGNED_IN))],
    "api/agencies/(?P<pk>[^/.]+)/$": [Row(lambda w: f"/api/agencies/{w.yoi.pk}/", api(SIGNED_IN))],
    "api/agencies/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": [
        Row(lambda w: f"/api/agencies/{w.yoi.pk}.json", api(SIGNED_IN)),
    ],
    "api/panels/$": [Row(lambda w: "/api/panels/", api(SIGNED_IN))],
    "api/panels\\.(?P<format>[a-z0-9]+)/?$": [Row(lambda w: "/api/panels.json", api(SIGNED_IN))],
    "api/panels/(?P<pk>[^/.]+)/$": [Row(lambda w: f"/api/panels/{w.panel.pk}/", api(MANAGERS))],
    "api/panels/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": [
        Row(lambda w: f"/api/panels/{w.panel.pk}.json", api(MANAGERS)),
    ],
    "api/meetings/$": [Row(lambda w: "/api/meetings/", api(SIGNED_IN))],
    "api/meetings\\.(?P<format>[a-z0-9]+)/?$": [Row(lambda w: "/api/meetings.json", api(SIGNED_IN))],
    "api/meetings/(?P<pk>[^/.]+)/$": [
        Row(lambda w: f"/api/meetings/{w.meeting.pk}/", api(MEETING_VIEWERS), label="scheduled"),
        Row(lambda w: f"/api/meetings/{w.draft_meeting.pk}/", api(MANAGERS), label="draft"),
    ],
    "api/meetings/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": [
        Row(lambda w: f"/api/meetings/{w.meeting.pk}.json", api(MEETING_VIEWERS)),
    ],
    "api/meetings/(?P<pk>[^/.]+)/invitees/$": [
        Row(lambda w: f"/api/meetings/{w.meeting.pk}/invitees/", api(MEETING_VIEWERS)),
    ],
    "api/meetings/(?P<pk>[^/.]+)/invitees\\.(?P<format>[a-z0-9]+)/?$": [
        Row(lambda w: f"/api/meetings/{w.meeting.pk}/invitees.json", api(MEETING_VIEWERS)),
    ],
    "api/meetings/<int:meeting_id>/agenda/": [
        Row(lambda w: f"/api/meetings/{w.meeting.pk}/agenda/", api(MEETING_VIEWERS)),
    ],
    "api/meetings/<int:meeting_id>/agenda/versions/": [
        Row(lambda w: f"/api/meetings/{w.meeting.pk}/agenda/versions/", api(MEETING_VIEWERS)),
    ],
    "api/meetings/<int:meeting_id>/agenda/publish/": [
        Row(lambda w: f"/api/meetings/{w.meeting.pk}/agenda/publish/", API_POST_ONLY,
            refused=refused(MANAGERS, anon=FORBIDDEN), data={"note": "v2"}, content_type="application/json"),
    ],
    "api/meetings/<int:meeting_id>/events/": [
        Row(lambda w: f"/api/meetings/{w.meeting.pk}/events/", api(MEETING_VIEWERS), query="after=0"),
    ],
    "api/meetings/<int:meeting_id>/minutes/approved/": [
        Row(lambda w: f"/api/meetings/{w.held.pk}/minutes/approved/", api(MEETING_VIEWERS)),
    ],
    "api/agenda-items/<int:item_id>/slot/": [
        Row(lambda w: f"/api/agenda-items/{w.item.pk}/slot/", API_POST_ONLY, method="patch",
            refused=refused(MANAGERS, anon=FORBIDDEN), content_type="application/json",
            data=lambda w: {"version": w.item.version, "slot_start": "10:00", "slot_minutes": 15}),
    ],
    "api/children/$": [Row(lambda w: "/api/children/", api(SIGNED_IN))],
    "api/children\\.(?P<format>[a-z0-9]+)/?$": [Row(lambda w: "/api/children.json", api(SIGNED_IN))],
    "api/children/(?P<pk>[^/.]+)/$": [Row(lambda w: f"/api/children/{w.child.pk}/", api(CHILD_READERS))],
    "api/children/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": [
        Row(lambda w: f"/api/children/{w.child.pk}.json", api(CHILD_READERS)),
    ],
    "api/children/(?P<pk>[^/.]+)/network/$": [
        Row(lambda w: f"/api/children/{w.child.pk}/network/", api(CHILD_READERS)),
    ],
    "api/children/(?P<pk>[^/.]+)/network\\.(?P<format>[a-z0-9]+)/?$": [
        Row(lambda w: f"/api/children/{w.child.pk}/network.json", api(CHILD_READERS)),
    ],
    "api/children/(?P<pk>[^/.]+)/plan/$": [
        Row(lambda w: f"/api/children/{w.child.pk}/plan/", api(CHILD_READERS)),
    ],
    "api/children/(?P<pk>[^/.]+)/plan\\.(?P<format>[a-z0-9]+)/?$": [
        Row(lambda w: f"/api/children/{w.child.pk}/plan.json", api(CHILD_READERS)),
    ],
    "api/referrals/$": [  # a referral for a child one may not see is refused as if the child did not exist
        Row(lambda w: "/api/referrals/", api(SIGNED_IN), content_type="application/json",
            refused=refused(CHILD_READERS, no=UNPROCESSABLE, anon=FORBIDDEN),
            data=lambda w: {"panel": w.panel.pk, "child": w.child.pk, "reason": "Please discuss"}),
    ],
    "api/referrals\\.(?P<format>[a-z0-9]+)/?$": [Row(lambda w: "/api/referrals.json", api(SIGNED_IN))],
    "api/referrals/(?P<pk>[^/.]+)/$": [Row(lambda w: f"/api/referrals/{w.referral.pk}/", api(REFERRAL_VIEWERS))],
    "api/referrals/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": [
        Row(lambda w: f"/api/referrals/{w.referral.pk}.json", api(REFERRAL_VIEWERS)),
    ],
    "api/referrals/(?P<pk>[^/.]+)/decide/$": [
        Row(lambda w: f"/api/referrals/{w.referral.pk}/decide/", API_POST_ONLY, content_type="application/json",
            refused=refused(MANAGERS, anon=FORBIDDEN), data={"accept": True, "note": "ok"}),
    ],
    "api/referrals/(?P<pk>[^/.]+)/decide\\.(?P<format>[a-z0-9]+)/?$": [
        Row(lambda w: f"/api/referrals/{w.referral.pk}/decide.json", API_POST_ONLY),
    ],
    # --- the admin: one prefix rule ---
    ADMIN: [
        Row(lambda w: "/admin/", everyone(LOGIN), label="index"),
        Row(lambda w: f"/admin/panels/child/{w.child.pk}/change/", everyone(LOGIN), label="a child"),
    ],
}

# The old addresses of the routes that gained their trailing slash (config/urls.py, issue 18): 308 to the new
# address for everyone, whatever they may do there; one row each, made from the first row of the new route.
PERMANENT_REDIRECT = 308
for _old in SLASH_ADDED.values():
    _row = ROWS[_old + "/"][0]
    ROWS[_old] = [Row(lambda w, r=_row: r.url(w).removesuffix("/"), everyone(PERMANENT_REDIRECT), query=_row.query)]

# Websocket routes: accept or close at connect, per persona.
ROOM_VIEWERS = MANAGERS | {"invited_partner", "invited_yoi"} | GUESTS  # the child's item: not the STC
WS_ROWS: dict[str, list[tuple]] = {
    "ws/meetings/<int:meeting_id>/events": [
        (lambda w: f"/ws/meetings/{w.meeting.pk}/events", who(MEETING_VIEWERS, yes=ACCEPT, no=CLOSE, anon=CLOSE)),
        (lambda w: f"/ws/meetings/{w.draft_meeting.pk}/events", who(MANAGERS, yes=ACCEPT, no=CLOSE, anon=CLOSE)),
    ],
    "ws/minutes/<str:room>": [
        (lambda w: f"/ws/minutes/{w.meeting.pk}.{w.child.pk}.general",
         who(ROOM_VIEWERS, yes=ACCEPT, no=CLOSE, anon=CLOSE)),
        # restricted: the coordinator (the chair is a practitioner; no partner here holds health information)
        (lambda w: f"/ws/minutes/{w.meeting.pk}.{w.child.pk}.health",
         who({"coordinator"}, yes=ACCEPT, no=CLOSE, anon=CLOSE)),
        # police intelligence: the police officer invited for the child's item reads it; the police officer who
        # is the YOI user's deputy does not (a deputy never reads more than who sent them, issue 14)
        (lambda w: f"/ws/minutes/{w.meeting.pk}.{w.child.pk}.police_intel",
         who({"coordinator", "guest"}, yes=ACCEPT, no=CLOSE, anon=CLOSE)),
        (lambda w: f"/ws/minutes/{w.meeting.pk}.meeting.general", who(MEETING_VIEWERS, yes=ACCEPT, no=CLOSE,
                                                                       anon=CLOSE)),
    ],
}


# --- the tests -------------------------------------------------------------------------------------------
def test_every_route_has_a_row():
    """A route with no row fails: decide who may reach it, then add the row."""
    missing = [r for r in routes(prefix_rules=PREFIX_RULES) if r not in ROWS]
    stale = [r for r in ROWS if r not in routes(prefix_rules=PREFIX_RULES)]
    ws_missing = [r for r in websocket_routes() if r not in WS_ROWS]
    ws_stale = [r for r in WS_ROWS if r not in websocket_routes()]
    assert not missing, "routes without a row in the authorisation matrix:\n  " + "\n  ".join(missing)
    assert not ws_missing, "websocket routes without a row:\n  " + "\n  ".join(ws_missing)
    assert not stale and not ws_stale, f"rows for routes that no longer exist: {stale + ws_stale}"


@pytest.fixture
def mw(world):
    return build_matrix_world(world)


def _client(mw, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(mw.users[persona])
    return client


def _observed(response) -> object:
    outcome = outcome_of(response)
    if outcome == OK and b"This link does not work" in response.content and b'name="new_password1"' not in (
            response.content):
        return "invalid-link"  # the password-reset page for a bad link: no form
    return outcome


def _data(row: Row, mw):
    data = row.data(mw) if callable(row.data) else (row.data if row.data is not None else {})
    if row.content_type == "application/json":
        return json.dumps(data)
    return data


def _group(route: str) -> str:
    """Routes are checked in groups (one world each; every route in its own savepoint)."""
    first = route.split("/", 1)[0] or "home"
    if first == "api" and "meetings" in route:
        return "api-meetings"
    return first if first in {"accounts", "api", "meetings", "panels", "children", "actions"} else "other"


GROUPS = sorted({_group(route) for route in ROWS})


def _check_route(mw, clients, route: str) -> list[str]:
    problems = []
    for row in ROWS[route]:
        url = row.url(mw)
        where = f"{route} [{row.label}] {url}" if row.label else f"{route} {url}"
        if route != ADMIN and resolve(url).route != route:
            problems.append(f"{url} resolves to {resolve(url).route!r}, not to its row {route!r}")
            continue
        for persona in PERSONAS:
            response = clients[persona].get(url + (f"?{row.query}" if row.query else ""))
            got = _observed(response)
            if got != row.get[persona]:
                problems.append(f"GET {where}: {persona} got {got}, expected {row.get[persona]}")
            elif got == OK and route.startswith(("meetings/", "api/meetings/")):
                body = response.content.decode("utf-8", "replace")
                problems += [f"GET {where}: {persona} can read {secret!r}"
                             for secret in hidden_children(mw, persona) if secret in body]
        if not row.refused:
            continue
        before = fingerprint()
        kwargs = {"content_type": row.content_type} if row.content_type else {}
        for persona, expected in row.refused.items():
            response = getattr(clients[persona], row.method)(url, _data(row, mw), **kwargs)
            got = outcome_of(response)
            if got != expected:
                problems.append(f"{row.method.upper()} {where}: {persona} got {got}, expected {expected}")
        if fingerprint() != before:
            problems.append(f"{row.method.upper()} {where}: refused writes by {sorted(row.refused)} changed "
                            "the database")
        # control: the same write by someone allowed is not refused (so the 404s above are the rule, not a typo)
        allowed = [p for p in PERSONAS if p not in row.refused and p in SIGNED_IN]
        if allowed:
            with transaction.atomic():
                response = getattr(clients[allowed[0]], row.method)(url, _data(row, mw), **kwargs)
                transaction.set_rollback(True)
            if outcome_of(response) in (MISSING, FORBIDDEN, LOGIN) or response.status_code >= 500:
                problems.append(f"{row.method.upper()} {where}: {allowed[0]} (allowed) got {outcome_of(response)}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("group", GROUPS)
def test_routes(mw, group):
    """One GET per route × persona (and the refused writes) for one group of routes."""
    clients = {p: _client(mw, p) for p in PERSONAS}
    problems = []
    for route in (r for r in ROWS if _group(r) == group):
        with transaction.atomic():
            problems += _check_route(mw, clients, route)
            transaction.set_rollback(True)  # what a permitted GET wrote (audit entries) goes with the route
    assert not problems, f"{len(problems)} unexpected outcome(s):\n" + "\n".join(problems)


# --- websockets ---------------------------------------------------------------------------------------
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()


@pytest.mark.django_db(transaction=True)
async def test_websocket_routes(world):
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    mw = await sync_to_async(build_matrix_world)(world)
    cookies = {p: await sync_to_async(_cookie)(world.users[p]) for p in PERSONAS if p != "anonymous"}
    problems = []
    for route, rows in WS_ROWS.items():
        for make_path, expected in rows:
            path = await sync_to_async(make_path)(mw)
            for persona in PERSONAS:
                headers = [ORIGIN] + ([cookies[persona]] if persona in cookies else [])
                communicator = WebsocketCommunicator(application, path, headers=headers)
                connected, _code = await communicator.connect()
                got = ACCEPT if connected else CLOSE
                if connected:
                    await communicator.disconnect()
                if got != expected[persona]:
                    problems.append(f"{route} {path}: {persona} got {got}, expected {expected[persona]}")
    assert not problems, "\n".join(problems)


# --- what an error may not tell ----------------------------------------------------------------------
@pytest.mark.django_db
def test_api_errors_do_not_tell_hidden_from_missing(mw):
    """An id the caller may not know answers exactly like an id that does not exist (no existence oracle)."""
    client = _client(mw, "outsider")
    missing = 999_999

    def referral(child_id, panel_id):
        response = client.post("/api/referrals/", json.dumps({"panel": panel_id, "child": child_id, "reason": "x"}),
                               content_type="application/json")
        return response.status_code, response.json()

    assert referral(mw.child.pk, mw.panel.pk) == referral(missing, mw.panel.pk) == (422, {"child": ["No such child."]})
    coordinator = _client(mw, "coordinator")  # sees the child; another service's panel is as good as none
    other_panel = type(mw.panel).objects.create(service=mw.other_service, name="Southmere panel", kind=mw.panel.kind)
    for panel_id in (other_panel.pk, missing):
        response = coordinator.post("/api/referrals/", json.dumps({"panel": panel_id, "child": mw.child.pk,
                                                                   "reason": "x"}), content_type="application/json")
        assert (response.status_code, response.json()) == (422, {"panel": ["No such panel."]})
    for listing in ("/api/meetings/", "/api/referrals/"):
        hidden, absent = (client.get(f"{listing}?panel={pk}") for pk in (mw.panel.pk, missing))
        assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json())
        assert hidden.status_code == 200 and hidden.json()["count"] == 0
    hidden, absent = client.get(f"/api/meetings/{mw.meeting.pk}/"), client.get(f"/api/meetings/{missing}/")
    assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json()) and hidden.status_code == 404
    for path in ("/api/no-such-thing/", f"/api/meetings/{mw.meeting.pk}/nothing/", "/api/meetings/x/agenda/"):
        response = client.get(path)  # not a route at all: JSON too, under /api/
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."}), path


@pytest.mark.django_db
def test_a_slot_only_invitee_cannot_widen_the_approved_minutes(mw):
    """Someone invited for one child's slot reads that child only, whatever audience they ask for (bug found
    by the matrix work: ``?audience=agency`` used to give them their agency's view of every child)."""
    import io

    from docx import Document

    from agendas.models import AgendaItem, ItemInvitation
    from tests.factories import InviteeFactory

    police = mw.users["uninvited_partner"]
    invitee = InviteeFactory(meeting=mw.held, user=police)
    ItemInvitation.objects.create(item=AgendaItem.objects.get(meeting=mw.held, child=mw.child), invitee=invitee)
    client = _client(mw, "uninvited_partner")
    base = f"/meetings/{mw.held.pk}/minutes/approved/"
    for audience in ("", "full", "summary", "agency"):
        query = f"?audience={audience}&agency={mw.stc.pk}" if audience else ""
        for url in (base + query, f"/api/meetings/{mw.held.pk}/minutes/approved/{query}"):
            body = client.get(url).content.decode()
            assert mw.child.reference in body and mw.other_child.reference not in body, url
        download = client.get(f"{base}{mw.revision.number}.docx{query}")
        text = "\n".join(p.text for p in Document(io.BytesIO(download.content)).paragraphs)
        document = Document(io.BytesIO(download.content))
        text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        assert mw.other_child.reference not in text, audience
