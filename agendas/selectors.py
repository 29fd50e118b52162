"""Reads for agendas, in a constant number of queries whatever the cohort size."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from django.db.models import QuerySet

from agendas.models import AgendaItem, AgendaVersion, Referral
from agendas.rules import SATISFIED_BY_DISCUSSION, ChildFacts
from panels.cohort import HELD_ON_FIELDS
from panels.enums import EpisodeKind, LegalStatus, MeetingStatus
from panels.models import Child, LegalEpisode, Meeting, Panel

NOT_HELD = (MeetingStatus.DRAFT, MeetingStatus.SCHEDULED)
HELD = (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED)


FACT_CHILD_COLUMNS = ("id", "reference", "given_name", "preferred_name", "family_name", "date_of_birth",
                      "legal_status", "school_age", "rosh", "mappa_level",
                      "mappa_referred_on", "transfer_decision", "transfer_date", *HELD_ON_FIELDS,
                      "release_address_status")
FACT_EPISODE_COLUMNS = ("child_id", "kind", "start_date", "sentence_type", "custody_entry_date",
                        "sentence_length_months", "release_date", "early_release_date", "actual_release_date",
                        "order_end_date", "licence_end_date", "establishment_type")


def cohort_rows(*, service_id: int, child_ids=None) -> tuple[list[dict], list[dict]]:
    """The raw rows the rules need: open children and their current episodes (two queries, no models)."""
    open_children = Child.objects.filter(service_id=service_id).exclude(legal_status=LegalStatus.CLOSED)
    if child_ids is not None:
        open_children = open_children.filter(pk__in=list(child_ids))
    children = list(open_children.values(*FACT_CHILD_COLUMNS))
    episodes = list(LegalEpisode.objects.filter(is_current=True, child__in=open_children.values("pk"))
                    .values(*FACT_EPISODE_COLUMNS))
    return children, episodes


def cohort_facts(*, service_id: int, child_ids=None) -> tuple[dict[int, ChildFacts], dict[int, str]]:
    """Every open child of a service (or just ``child_ids``) as rule inputs, and their names, by child id
    (two queries).

    The same facts as ``ChildFacts.from_record(flat_record(...))`` (a test holds them equal), built straight from
    plain row tuples: this runs once per child for every build and dry run, and the intermediate record dict
    cost more than the rules themselves once version 2 added nine fields."""
    open_children = Child.objects.filter(service_id=service_id).exclude(legal_status=LegalStatus.CLOSED)
    if child_ids is not None:
        open_children = open_children.filter(pk__in=list(child_ids))
    remands: dict[int, tuple] = {}
    sentences: dict[int, tuple] = {}
    for episode in (LegalEpisode.objects.filter(is_current=True, child__in=open_children.values("pk"))
                    .values_list(*FACT_EPISODE_COLUMNS)):
        (sentences if episode[1] == EpisodeKind.SENTENCE else remands)[episode[0]] = episode
    facts, names = {}, {}
    for (child_id, reference, given_name, preferred_name, family_name, date_of_birth, legal_status, school_age, rosh,
         mappa_level, mappa_referred_on, transfer_decision, transfer_date, *held_on) in (
            open_children.values_list(*FACT_CHILD_COLUMNS)):
        names[child_id] = f"{preferred_name or given_name} {family_name}"
        sentence, remand = sentences.get(child_id), remands.get(child_id)
        custody = sentence or remand
        facts[child_id] = ChildFacts(  # type: ignore[call-arg]  # (the unpacked tuples: checked below)
            reference, date_of_birth, legal_status,
            remand[2] if remand else None,  # remand_date
            sentence[2] if sentence else None,  # sentence_date
            custody[4] if custody else None,  # custody_entry_date
            *(sentence[5:11] if sentence else _NO_SENTENCE),  # sentence_length_months … licence_end_date
            school_age, rosh, mappa_level, mappa_referred_on, transfer_decision, transfer_date,
            (sentence[3] if sentence else None) or (remand[3] if remand else None),  # sentence_type
            *held_on,  # the *_held_on dates, ete_interview_on, release_address_status
        )
    return facts, names


_NO_SENTENCE = (None,) * 6
# The positional construction above follows the field order of ChildFacts and of the columns: fail at import if
# either moves.
assert [f.name for f in fields(ChildFacts)][12:18] == list(FACT_CHILD_COLUMNS[7:13])
assert [f.name for f in fields(ChildFacts)][19:] == list(FACT_CHILD_COLUMNS[13:])
assert FACT_EPISODE_COLUMNS[2:6] == ("start_date", "sentence_type", "custody_entry_date", "sentence_length_months")
assert [f.name for f in fields(ChildFacts)][6:12] == list(FACT_EPISODE_COLUMNS[5:11])


def meetings_not_held(*, panel: Panel, today: date) -> list[Meeting]:
    """The panel's meetings still to be held, today onwards, in date order (one per local date)."""
    meetings = panel.meetings.filter(status__in=NOT_HELD, starts_at__date__gte=today).order_by("starts_at")
    seen: set[date] = set()
    result = []
    for meeting in meetings:
        if meeting.local_date not in seen:
            seen.add(meeting.local_date)
            result.append(meeting)
    return result


def satisfied_reasons(*, panel: Panel) -> set[tuple[int, str, str | None]]:
    """(child id, code, due) already discussed at a held meeting of the panel: not listed again.

    Only the codes a discussion satisfies (``SATISFIED_BY_DISCUSSION``). A panel discussion does not meet a
    meeting code (v2 §7): those, ED_RELEASE_ETE and MAPPA_REFERRAL end only when recorded on the child;
    recurring, watch and open-action reasons come back while their condition holds.
    """
    rows = AgendaItem.objects.filter(
        meeting__panel=panel, meeting__status__in=HELD, state=AgendaItem.State.LISTED
    ).values_list("child_id", "reasons")
    return {(child_id, r["code"], r.get("due")) for child_id, reasons in rows for r in reasons
            if r["code"] in SATISFIED_BY_DISCUSSION}


def accepted_referrals(*, panel: Panel) -> list[Referral]:
    return list(
        Referral.objects.filter(panel=panel, status=Referral.Status.ACCEPTED, discussed_at__isnull=True)
        .select_related("referred_by").order_by("decided_at")
    )


def latest_version(*, meeting: Meeting) -> AgendaVersion | None:
    return meeting.agenda_versions.order_by("-number").first()


def working_items(*, meeting: Meeting) -> QuerySet[AgendaItem]:
    return meeting.agenda_items.select_related("child", "presenter").order_by("position")


def referral_list_for_panel(*, panel: Panel) -> QuerySet[Referral]:
    return Referral.objects.filter(panel=panel).select_related("child", "referred_by", "decided_by")

