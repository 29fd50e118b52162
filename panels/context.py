"""Template context shared by every page: the service navigation for the signed-in user."""

from __future__ import annotations

from django.urls import reverse

from panels.enums import SERVICE_WIDE_ROLES, AgencyKind, MeetingStatus, UserRole

STATUS_COLOURS = {
    MeetingStatus.DRAFT: "grey",
    MeetingStatus.SCHEDULED: "blue",
    MeetingStatus.IN_PROGRESS: "green",
    MeetingStatus.CLOSED: "purple",
    MeetingStatus.CANCELLED: "red",
}


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "grey")


def yes_no(value: bool | None) -> str:
    return "Unknown" if value is None else ("Yes" if value else "No")


HELPERS = {"status_colour": status_colour, "yes_no": yes_no}


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], **HELPERS}
    is_staff = user.agency is not None and user.agency.kind == AgencyKind.YJS
    items = [("Home", reverse("home")), ("Meetings", reverse("meeting_list")), ("Panels", reverse("panel_list")),
             ("My actions", reverse("my_actions")), ("Notifications", reverse("notification_list"))]
    if is_staff and user.role == UserRole.CASE_MANAGER:
        items.append(("My children", reverse("my_children")))
    if is_staff:
        items.append(("Children", reverse("child_list")))
    items.append(("Agencies", reverse("agency_list")))
    if is_staff and user.role in SERVICE_WIDE_ROLES:
        items.append(("Cohort", reverse("cohort_import_list")))
        items.append(("Audit log", reverse("audit_log")))
    if is_staff and user.role == UserRole.MANAGER:  # chairs and strategic leads: from their panel's page
        items.append(("Reports", reverse("oversight_index")))
    if user.agency is not None and user.role == UserRole.MANAGER:
        items.append(("Users", reverse("agency_users")))
    path = request.path
    nav = []
    for text, href in items:
        active = path == href if href == "/" else path.startswith(href)
        nav.append({"text": text, "href": href, "active": active})
    return {"nav_items": nav, **HELPERS}
