"""The URL map (config/urls.py, issue 18): one slash convention over every route, and the old address of every
route that gained its trailing slash answers 308 to the new one (method, body and query string kept)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from minutes.links import action_link_token
from minutes.models import ActionEvent
from tests.security.matrix import _join

# Every address that answered without a trailing slash before issue 18 (old route → name). Kept as a literal
# list so a lost redirect fails here; these are the paths other branches must update.
OLD_ROUTES = {
    "meetings/<int:meeting_id>/status/<slug:action>": "meeting_status",
    "meetings/<int:meeting_id>/change": "meeting_change",
    "meetings/<int:meeting_id>/invitees/<int:invitee_id>/remove": "meeting_invitee_remove",
    "children/<int:child_id>/network/<int:member_id>/remove": "child_network_remove",
    "children/<int:child_id>/plan/rows/<int:row_id>": "child_plan_row",
    "children/<int:child_id>/plan/words": "child_words",
    "children/<int:child_id>/transfer-decision": "child_transfer_decision",
    "children/<int:child_id>/meetings/<int:meeting_id>/held": "child_meeting_held",
    "children/<int:child_id>/meetings/<int:meeting_id>/cancel": "child_meeting_cancel",
    "children/<int:child_id>/release/address": "child_release_address",
    "children/<int:child_id>/release/ete": "child_release_ete",
    "cohort/imports/<int:import_id>/retry": "cohort_import_retry",
    "meetings/<int:meeting_id>/agenda/rebuild": "agenda_rebuild",
    "meetings/<int:meeting_id>/agenda/add": "agenda_add",
    "meetings/<int:meeting_id>/agenda/items/<int:item_id>/remove": "agenda_remove",
    "meetings/<int:meeting_id>/agenda/items/<int:item_id>/slot": "agenda_slot",
    "meetings/<int:meeting_id>/agenda/items/<int:item_id>/invite": "agenda_slot_invite",
    "meetings/<int:meeting_id>/agenda/items/<int:item_id>/invitations/<int:link_id>/withdraw": "agenda_slot_uninvite",
    "meetings/<int:meeting_id>/agenda/slots": "agenda_assign_slots",
    "meetings/<int:meeting_id>/agenda/publish": "agenda_publish",
    "oversight/<slug:report>/children": "oversight_children",
    "meetings/<int:meeting_id>/minutes/decisions": "minutes_decision_add",
    "meetings/<int:meeting_id>/minutes/actions": "minutes_action_add",
    "meetings/<int:meeting_id>/minutes/attendance": "minutes_attendance_add",
    "meetings/<int:meeting_id>/minutes/approve": "minutes_approve",
    "meetings/<int:meeting_id>/minutes/reviews": "minutes_review_set",
    "meetings/<int:meeting_id>/run/focus": "cockpit_focus",
    "meetings/<int:meeting_id>/run/<str:key>/records": "cockpit_records",
    "meetings/<int:meeting_id>/run/<str:key>/record": "cockpit_record",
    "meetings/<int:meeting_id>/minutes/approved/<int:number>/corrections": "minutes_correction_add",
    "meetings/<int:meeting_id>/minutes/corrections/<int:correction_id>/decline": "minutes_correction_decline",
    "actions/<int:action_id>/status": "action_update",
    "actions/<int:action_id>/due-date": "action_date_request",
    "actions/<int:action_id>/due-date-requests/<int:request_id>/decision": "action_date_decide",
    "actions/<int:action_id>/link/<str:token>/status": "action_link_update",
    "actions/<int:action_id>/link/<str:token>/due-date": "action_link_date_request",
    "actions/<int:action_id>/escalate": "action_escalate",
    "meetings/<int:meeting_id>/rsvp": "meeting_rsvp",
    "meetings/<int:meeting_id>/delegations/<int:request_id>": "delegation_decide",
    "outbox/<int:message_id>/retry": "outbox_message_retry",
    "accounts/users/<int:user_id>/<slug:action>": "agency_user_active",
}

NO_SLASH = {"healthz"}  # the health probe
CHAR_CLASS = re.compile(r"\[[^\]]*\]")  # a regex character class, such as DRF's [^/.]


def follows_the_convention(route: str) -> bool:
    """True for a route (as Django joins it) that ends with "/", is a file, or is the health probe."""
    route = route.removeprefix("^").replace("$", "").replace("^", "")
    if route.endswith("/?"):  # DRF's format suffix: a file whose trailing slash is optional
        route = route.removesuffix("/?")
    last = CHAR_CLASS.sub("", route).rsplit("/", 1)[-1]
    # name.csv, <token>.ics, <report>.<fmt>, DRF's decide\\.(?P<format>...) and <drf_format_suffix:format> (.json)
    is_file = "." in last or last.startswith("<drf_format_suffix:")
    return route == "" or route.endswith("/") or route in NO_SLASH or is_file


def _patterns(patterns=None, prefix: str = ""):
    """(full route, pattern) for every URL pattern of the site, the Django admin's own left out."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = _join(prefix, str(pattern.pattern))
        if route.startswith("admin/"):
            continue
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def _old_addresses() -> dict[str, URLPattern]:
    return {route: p for route, p in _patterns() if getattr(p.callback, "old_address_of", None)}


SAMPLE = {"int": "7", "str": "abc", "slug": "start"}


def _concrete(route: str) -> tuple[str, dict]:
    """A concrete address for ``route`` and the arguments it carries."""
    kwargs = {}

    def fill(match):
        kind, name = match.group(1), match.group(2)
        kwargs[name] = int(SAMPLE[kind]) if kind == "int" else SAMPLE[kind]
        return SAMPLE[kind]

    return "/" + re.sub(r"<(\w+):(\w+)>", fill, route), kwargs


def test_every_route_follows_the_slash_convention():
    broken = [route for route, p in _patterns() if route not in _old_addresses() and not follows_the_convention(route)]
    assert not broken, "routes that break the slash convention (config/urls.py, top):\n  " + "\n  ".join(broken)


@pytest.mark.parametrize("route", [
    "meetings/<int:meeting_id>/change", "panels", "oversight/<slug:report>/children", "api/things/(?P<pk>[^/.]+)$"])
def test_the_convention_check_refuses_a_route_without_a_slash(route):
    assert not follows_the_convention(route)


@pytest.mark.parametrize("route", [
    "healthz", "cohort/export.csv", "feeds/<str:token>.ics", "oversight/<slug:report>.<str:fmt>", "api/",
    "meetings/<int:meeting_id>/change/", "api/^referrals/(?P<pk>[^/.]+)/decide\\.(?P<format>[a-z0-9]+)/?$",
    "api/^$", "api/<drf_format_suffix:format>"])
def test_the_convention_check_accepts_slashes_files_and_the_probe(route):
    assert follows_the_convention(route)


def test_the_old_addresses_are_exactly_the_routes_that_gained_a_slash():
    assert {route: p.callback.old_address_of for route, p in _old_addresses().items()} == OLD_ROUTES


@pytest.mark.parametrize("old", sorted(OLD_ROUTES))
def test_an_old_address_is_its_route_without_the_slash(old):
    url, kwargs = _concrete(old)
    assert reverse(OLD_ROUTES[old], kwargs=kwargs) == url + "/"


@pytest.mark.django_db
@pytest.mark.parametrize("old", sorted(OLD_ROUTES))
def test_a_post_to_an_old_address_answers_308(old):
    url, _ = _concrete(old)
    assert Client(enforce_csrf_checks=True).post(url, {"a": "1"}).status_code == 308


@pytest.mark.django_db
@pytest.mark.parametrize("old", sorted(OLD_ROUTES))
def test_an_old_address_sends_to_the_new_one_with_its_query(old):
    url, _ = _concrete(old)
    assert Client().get(url + "?figure=all&key=x")["Location"] == url + "/?figure=all&key=x"


@pytest.mark.django_db
def test_a_signed_link_form_posted_to_its_old_address_still_records(world, client):
    """An action page opened from an email before issue 18 posts to the old address: the update is made."""
    from minutes import services
    from panels.enums import MeetingStatus

    world.meeting.status = MeetingStatus.IN_PROGRESS
    world.meeting.starts_at = timezone.now() - timedelta(days=1)
    world.meeting.ends_at = world.meeting.starts_at + timedelta(hours=2)
    world.meeting.save()
    action = services.action_create(meeting=world.meeting, actor=world.users["chair"], child=world.other_child,
                                    description="Share the custody plan", owner_agency=world.stc,
                                    due_date=timezone.localdate() + timedelta(days=10))
    token = action_link_token(action_id=action.pk, user_id=None, email="duty@stc.example", agency_id=world.stc.pk)
    client.post(f"/actions/{action.pk}/link/{token}/status", {"version": action.version, "status": "in_progress",
                                                              "note": "Booked"}, follow=True)
    assert ActionEvent.objects.filter(action=action, note="Booked").exists()
