"""Demo minutes for the fictional service: what the held meetings recorded, so every page has something real.

For each held demo meeting with no record yet: attendance, a short general minute for each child (a real
Yjs document, as the editor would have written it), a decision, an action owned by a named partner
(probation's by the agency, with no one named; some done, some overdue), the next review; minutes approved
for meetings more than a fortnight ago.
Idempotent: a meeting with decisions already is left alone.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from agendas.models import AgendaItem
from minutes import services
from minutes.documents import FIELD, document_get_or_create, update_persist
from minutes.models import Action
from panels.enums import MeetingStatus, MembershipRole
from panels.models import Child, Meeting, PanelMembership, Pathway, User

# The demo's action pathways, as the names of Enfield's 9 (panels.resettlement.ENFIELD_9) they belong to.
_DEMO_PATHWAYS = {"Accommodation": "Accommodation", "ETE": "Education, training and employment (including EHCP review)",
                  "Health": "Health", "Case management": "Transitions"}


def _pathway_of(meeting: Meeting, name: str) -> Pathway | None:
    return Pathway.objects.filter(service_id=meeting.panel.service_id, name=_DEMO_PATHWAYS.get(name, name)).first()

MINUTE_LINES = [
    "Progress reviewed with the establishment. Education attendance is good; one adjudication this month.",
    "Release address not yet confirmed. Housing options assessment booked; family home being considered.",
    "Relationship with the case manager is positive. The child wants to start a construction course.",
    "Risk of serious harm reviewed: no change. Keep-apart list checked with the establishment.",
    "Health: CAMHS in-reach continuing. Strategies for staff shared with the partners who need them.",
]
DECISIONS = ["Remain on the panel; review at the next meeting.", "Refer to the housing panel this week.",
             "Request ROTL for the college interview.", "Step down to the resettlement panel after release."]
ACTIONS = [("Confirm the release address with housing", "housing"),
           ("Book a pre-release visit at the establishment", "yoi"),
           ("Send the draft licence conditions to the case manager", "probation"),  # the agency's, no one named
           ("Arrange the education placement start date", "education"),
           ("Refer to the mentoring scheme", "mentor")]
AGENCY_OWNED = {"probation"}  # owned by the agency (its duty mailbox gets the links) until someone is named


def _write_minute(meeting: Meeting, child_id: int, text: str) -> None:
    document = document_get_or_create(meeting_id=meeting.pk, child_id=child_id, section="general")
    doc = Doc()
    fragment = doc.get(FIELD, type=XmlFragment)
    fragment.children.append(XmlElement("paragraph", contents=[XmlText(text)]))
    update_persist(document_id=document.pk, update=doc.get_update())


def record_demo_minutes() -> int:
    """Record what each held meeting decided. Returns how many meetings were recorded."""
    rng = random.Random(17)
    users = {u.username: u for u in User.objects.filter(username__in=[a for _, a in ACTIONS] + ["chair", "chair2"])}
    today = timezone.localdate()
    recorded = 0
    for meeting in Meeting.objects.filter(status=MeetingStatus.CLOSED).select_related("panel").order_by("starts_at"):
        if meeting.decisions.exists():
            continue
        chair_id = PanelMembership.objects.filter(panel=meeting.panel, role=MembershipRole.CHAIR) \
            .values_list("user_id", flat=True).first()
        chair = User.objects.filter(pk=chair_id).first()
        if chair is None:
            continue
        children = list(AgendaItem.objects.filter(meeting=meeting, state=AgendaItem.State.LISTED)
                        .values_list("child_id", flat=True)[:6])
        with transaction.atomic():
            meeting.status = MeetingStatus.IN_PROGRESS  # record as it happened, then close again
            meeting.save(update_fields=["status"])
            services.attendance_set(meeting=meeting, actor=chair, name=str(chair), status="present",
                                    agency=chair.agency, user=chair)
            for username in rng.sample(sorted(users), k=min(3, len(users))):
                person = users[username]
                if person.pk != chair.pk:
                    services.attendance_set(meeting=meeting, actor=chair, name=str(person),
                                            status=rng.choice(["present", "remote", "apologies"]),
                                            agency=person.agency, user=person)
            for child in Child.objects.filter(pk__in=children).order_by("reference"):
                child_id = child.pk
                _write_minute(meeting, child_id, rng.choice(MINUTE_LINES))
                services.decision_record(meeting=meeting, actor=chair, child=child, text=rng.choice(DECISIONS))
                description, owner_name = rng.choice(ACTIONS)
                owner = users.get(owner_name)
                if owner is not None and owner.agency is not None:
                    pathway = rng.choice(["Accommodation", "ETE", "Health", "Case management"])
                    action = services.action_create(
                        meeting=meeting, actor=chair, child=child, description=description,
                        owner=None if owner_name in AGENCY_OWNED else owner, owner_agency=owner.agency,
                        due_date=meeting.local_date + timedelta(days=rng.choice([7, 14, 28])), allow_past_due=True,
                        pathway=pathway, resettlement_pathway=_pathway_of(meeting, pathway))
                    if action.due_date < today - timedelta(days=10) and rng.random() < 0.6:
                        services.action_update_status(action=action, actor=owner, status=Action.Status.DONE,
                                                      expected_version=action.version, note="Completed.")
                services.next_review_set(meeting=meeting, actor=chair, child=child,
                                         review_by=meeting.local_date + timedelta(days=28))
            meeting.status = MeetingStatus.CLOSED
            meeting.save(update_fields=["status"])
            if meeting.local_date < today - timedelta(days=14):
                services.minutes_approve(meeting=meeting, actor=chair)
        recorded += 1
    return recorded
