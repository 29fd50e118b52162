"""Reads for agendas, in a constant number of queries whatever the cohort size."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from operator import itemgetter
from typing import Any

from django.db.models import QuerySet

from agendas.models import AgendaItem, AgendaVersion, Referral
from agendas.rules import FACTS_READ_BY_KIND, SATISFIED_BY_DISCUSSION, ChildFacts
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


@cache
def _child_columns_read(kind: str) -> tuple[tuple[str, ...], Callable[[tuple], tuple]]:
    """The child columns a panel kind's rules read (``rules.FACTS_READ_BY_KIND``; with the names), and how to spread
    a row of them back into ``FACT_CHILD_COLUMNS`` order (a row with a ``None`` appended; the unread are ``None``)."""
    read = FACTS_READ_BY_KIND[kind]
    columns = (*FACT_CHILD_COLUMNS[:5], *(c for c in FACT_CHILD_COLUMNS[5:] if c in read))
    return columns, itemgetter(*(columns.index(c) if c in columns else len(columns) for c in FACT_CHILD_COLUMNS))


def cohort_facts(*, service_id: int, child_ids=None, kind: str | None = None
                 ) -> tuple[dict[int, ChildFacts], dict[int, str]]:
    """Every open child of a service (or just ``child_ids``) as rule inputs, and their names, by child id
    (two queries). With a panel ``kind``, only the child columns its rules read are read (the rest are ``None``):
    each date column costs a conversion per child.

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
    columns, spread = (FACT_CHILD_COLUMNS, None) if kind not in FACTS_READ_BY_KIND else _child_columns_read(kind)
    for row in open_children.values_list(*columns):
        if spread is not None:
            row = spread((*row, None))
        child_id, _reference, given_name, preferred_name, family_name = row[:5]
        names[child_id] = f"{preferred_name or given_name} {family_name}"
        facts[child_id] = rule_facts(row, remands.get(child_id), sentences.get(child_id))
    return facts, names


def rule_facts(row: tuple, remand: tuple | None, sentence: tuple | None) -> ChildFacts:
    """A child's rule facts from a ``FACT_CHILD_COLUMNS`` tuple (more columns may follow) and its current remand
    and sentence ``FACT_EPISODE_COLUMNS`` tuples (the oversight reports read them this way too)."""
    (_child_id, reference, _given, _preferred, _family, date_of_birth, legal_status, school_age, rosh, mappa_level,
     mappa_referred_on, transfer_decision, transfer_date) = row[:13]
    held_on = row[13:len(FACT_CHILD_COLUMNS)]
    custody = sentence or remand
    return ChildFacts(  # type: ignore[call-arg]  # (the unpacked tuples: checked below)
        reference, date_of_birth, legal_status,
        remand[2] if remand else None,  # remand_date
        sentence[2] if sentence else None,  # sentence_date
        custody[4] if custody else None,  # custody_entry_date
        *(sentence[5:11] if sentence else _NO_SENTENCE),  # sentence_length_months … licence_end_date
        school_age, rosh, mappa_level, mappa_referred_on, transfer_decision, transfer_date,
        (sentence[3] if sentence else None) or (remand[3] if remand else None),  # sentence_type
        *held_on,  # the *_held_on dates, ete_interview_on, release_address_status
    )


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


def satisfied_reasons(*, panel: Panel) -> set[tuple[int, str, date | None]]:
    """(child id, code, due) already discussed at a held meeting of the panel: not listed again.

    Only the codes a discussion satisfies (``SATISFIED_BY_DISCUSSION``). A panel discussion does not meet a
    meeting code (v2 §7): those, ED_RELEASE_ETE and MAPPA_REFERRAL end only when recorded on the child;
    recurring, watch and open-action reasons come back while their condition holds.
    """
    rows = AgendaItem.objects.filter(
        meeting__panel=panel, meeting__status__in=HELD, state=AgendaItem.State.LISTED
    ).values_list("child_id", "reasons")
    return {(child_id, r["code"], date.fromisoformat(r["due"]) if r.get("due") else None)
            for child_id, reasons in rows for r in reasons if r["code"] in SATISFIED_BY_DISCUSSION}


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



@dataclass(frozen=True)
class ChildAgendas:
    """One child across every panel of their service: each meeting still to be held that will list them, with the
    computed item (why, due by when), soonest first; the referrals made for them; which of those meetings the
    viewer may open (the page links only to those)."""

    rows: list[tuple[Meeting, Any]]
    referrals: QuerySet[Referral]
    visible_meetings: set[int]


def child_agendas_for(*, user, child: Child, today: date) -> ChildAgendas:
    """For a child the user may see (``panels.selectors.child_get_for_user``): the next six meetings of each
    active panel are computed for this child alone."""
    from agendas.services import agendas_compute
    from panels.selectors import meeting_ids_visible_to

    rows = []
    for panel in Panel.objects.filter(service_id=child.service_id, is_active=True).order_by("name"):
        meetings = meetings_not_held(panel=panel, today=today)[:6]
        if not meetings:
            continue
        computed = agendas_compute(panel=panel, meetings=meetings, child_ids=[child.pk])
        rows += [(meeting, item) for meeting in meetings for item in computed[meeting.pk]]
    rows.sort(key=lambda row: row[0].starts_at)
    referrals = Referral.objects.filter(child=child).select_related("panel", "referred_by").order_by("-created_at")
    visible = meeting_ids_visible_to(user=user, meeting_ids=[m.pk for m, _ in rows])
    return ChildAgendas(rows=rows, referrals=referrals, visible_meetings=visible)


# --- the child's statutory meetings the rules say are due (issue 16, point 2; v2 §7) -------------------------
def statutory_meetings_due(*, child: Child, today: date) -> list[dict]:
    """The meeting codes (``rules.MEETING_CODES``) the agenda rules give this child now, each with its due date
    and whether it is overdue, read with the settings of the service's resettlement and Y2A panels (the
    defaults if it has none). A held meeting's ``*_held_on`` date has already ended its code. One query for the
    panels' settings (and one for the child's episodes unless they are loaded)."""
    return statutory_meetings_due_for(children=[child], today=today)[child.pk]


def statutory_meetings_due_for(*, children: list[Child], today: date) -> dict[int, list[dict]]:
    """``statutory_meetings_due`` for many children (with their episodes loaded): child id → the meetings due,
    earliest first. One query for the panels' settings, whatever the number of children."""
    from agendas.rules import MEETING_CODES, RULE_TITLES, RuleSettings, reasons_for_child
    from agendas.services import working_calendar
    from panels.child_meetings import KIND_OF_RULE
    from panels.records import child_to_record

    settings_of: dict[tuple[int, str], RuleSettings] = {}  # (service, panel kind) → its settings
    for panel in Panel.objects.filter(service_id__in={c.service_id for c in children}, is_active=True,
                                      kind__in=("resettlement", "y2a")).order_by("pk"):
        # with two active panels of a kind, the later one (highest id) gives the settings, as it always has
        settings_of[(panel.service_id, panel.kind)] = (RuleSettings.from_dict(panel.rule_settings or {})[0]
                                                       or RuleSettings())
    calendar, defaults = working_calendar(), RuleSettings()
    due: dict[int, list[dict]] = {}
    for child in children:
        facts = ChildFacts.from_record(child_to_record(child))
        found = []
        for kind in ("resettlement", "y2a"):
            settings = settings_of.get((child.service_id, kind), defaults)
            for reason in reasons_for_child(facts, kind=kind, settings=settings, calendar=calendar):
                if reason.code in MEETING_CODES and reason.due is not None:
                    found.append({"code": reason.code, "title": RULE_TITLES[reason.code], "due": reason.due,
                                  "kind": KIND_OF_RULE[reason.code], "overdue": reason.due < today,
                                  "explanation": reason.explanation})
        due[child.pk] = sorted(found, key=lambda r: (r["due"], r["code"]))
    return due


def child_page_meetings_due(*, child: Child, today: date, **_context) -> dict:
    return {"meetings_due": statutory_meetings_due(child=child, today=today)}
