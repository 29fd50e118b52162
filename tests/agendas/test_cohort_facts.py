"""The builder's facts, read straight from row tuples (agendas.selectors.cohort_facts), are the facts of the cohort
record of each child (docs/cohort-format.md), field for field."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

from agendas.rules import FACTS_READ_BY_KIND, ChildFacts
from agendas.selectors import cohort_facts
from agendas.workdays import add_months
from panels.enums import EpisodeKind, LegalStatus
from panels.models import Child
from panels.records import child_to_record
from tests.factories import ChildFactory, EpisodeFactory


def test_facts_from_rows_equal_facts_from_the_cohort_record(world):
    remanded = ChildFactory(service=world.service, reference="YJ-0101", legal_status=LegalStatus.REMAND,
                            ipm_held_on=date(2026, 3, 1), release_address_status="proposed")
    EpisodeFactory(child=remanded, kind=EpisodeKind.REMAND, sentence_type="remand_la", start_date=date(2026, 2, 1),
                   release_date=None, custody_entry_date=None)
    both = ChildFactory(service=world.service, reference="YJ-0102", legal_status=LegalStatus.SENTENCED,
                        ete_interview_on=date(2026, 9, 1), transfer_decision="retain", school_age=False)
    EpisodeFactory(child=both, kind=EpisodeKind.REMAND, start_date=date(2026, 1, 5), sentence_type="remand_yda")
    EpisodeFactory(child=both, kind=EpisodeKind.SENTENCE, start_date=date(2026, 3, 5), sentence_type=None,
                   early_release_date=date(2026, 9, 1))
    ChildFactory(service=world.service, reference="YJ-0103", legal_status=LegalStatus.COMMUNITY)
    facts, names = cohort_facts(service_id=world.service.pk)
    expected = {c.pk: ChildFacts.from_record(child_to_record(c))
                for c in Child.objects.filter(service=world.service).exclude(legal_status=LegalStatus.CLOSED)}
    assert facts == expected
    assert names[both.pk] == both.display_name


def test_add_months_clamps_only_past_the_28th():
    assert add_months(date(2026, 1, 28), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2008, 2, 29), 216) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 15), -3) == date(2025, 12, 15)


def test_facts_for_a_panel_kind_read_only_what_its_rules_read(world):
    child = ChildFactory(service=world.service, reference="YJ-0104", legal_status=LegalStatus.SENTENCED,
                         rosh="high", ipm_held_on=date(2026, 3, 1), release_address_status="proposed")
    EpisodeFactory(child=child, kind=EpisodeKind.SENTENCE, start_date=date(2026, 3, 5))
    full, _ = cohort_facts(service_id=world.service.pk)
    facts, _ = cohort_facts(service_id=world.service.pk, kind="resettlement")
    read = FACTS_READ_BY_KIND["resettlement"]
    expected = replace(full[child.pk], **{f.name: None for f in fields(ChildFacts) if f.name not in read})
    assert facts[child.pk] == expected


def test_facts_for_a_panel_kind_keep_every_childs_name(world):
    child = ChildFactory(service=world.service, reference="YJ-0105", legal_status=LegalStatus.COMMUNITY)
    _, names = cohort_facts(service_id=world.service.pk, kind="high_risk")
    assert names[child.pk] == child.display_name
