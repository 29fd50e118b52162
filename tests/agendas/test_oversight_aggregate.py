"""The oversight figures (agendas/oversight/aggregate.py), pure: plain ChildRow dataclasses, no database."""

from __future__ import annotations

from datetime import date

from agendas.oversight import aggregate as agg
from agendas.oversight.tables import Cell, tables_csv, timeliness_table
from agendas.rules import ChildFacts
from agendas.statutory import Requirement

D = date.fromisoformat
TODAY = D("2026-12-03")


def row(id_=1, *, reqs=(), status="sentenced", dob="2009-05-10", **extra) -> agg.ChildRow:
    facts_fields = {k: extra.pop(k) for k in list(extra) if k in ChildFacts.__dataclass_fields__}
    facts = ChildFacts(reference=f"YJ-{id_}", date_of_birth=D(dob), legal_status=status, **facts_fields)
    return agg.ChildRow(id=id_, reference=f"YJ-{id_}", name=f"Child {id_}", facts=facts, requirements=tuple(reqs),
                        **extra)


def ipm(due: str, met: str | None) -> Requirement:
    return Requirement("RS_INITIAL_PLANNING", D(due), D(met) if met else None)


def one_group(rows, **kw) -> agg.TimelinessGroup:
    groups = agg.timeliness(rows, start=D("2026-01-01"), end=TODAY, today=TODAY, **kw)
    assert len(groups) == 1
    return groups[0]


def test_due_counts_every_requirement_due_in_the_period():
    rows = [row(1, reqs=[ipm("2026-05-01", "2026-04-30")]), row(2, reqs=[ipm("2026-06-01", None)])]
    assert one_group(rows).due.count == 2


def test_a_requirement_due_outside_the_period_is_not_counted():
    assert agg.timeliness([row(reqs=[ipm("2025-05-01", None)])], start=D("2026-01-01"), end=TODAY,
                          today=TODAY) == []


def test_met_on_time_and_met_late_are_told_apart():
    group = one_group([row(1, reqs=[ipm("2026-05-01", "2026-05-01")]), row(2, reqs=[ipm("2026-05-01", "2026-05-08")])])
    assert (group.met_on_time.children, group.met_late.children) == ([1], [2])


def test_median_and_worst_days_late():
    rows = [row(n, reqs=[ipm("2026-05-01", met)]) for n, met in enumerate(("2026-05-02", "2026-05-04", "2026-05-11"))]
    group = one_group(rows)
    assert (group.median_days_late, group.worst_days_late) == (3, 10)


def test_an_unmet_requirement_is_still_open():
    assert one_group([row(reqs=[ipm("2026-05-01", None)])]).open.children == [1]


def test_breakdown_by_establishment():
    rows = [row(1, reqs=[ipm("2026-05-01", None)], establishment="HMYOI Larkhollow")]
    assert one_group(rows, by="establishment").label == "HMYOI Larkhollow"


def test_breakdown_by_age_band_uses_age_today():
    assert one_group([row(reqs=[ipm("2026-05-01", None)], dob="2010-12-04")], by="age_band").label == "15"


def test_breakdown_by_looked_after_says_when_not_recorded():
    assert one_group([row(reqs=[ipm("2026-05-01", None)])], by="looked_after").label == agg.NOT_RECORDED


def test_breakdown_by_panel_names_the_panel_of_the_requirements_kind():
    group = one_group([row(reqs=[ipm("2026-05-01", None)])], by="panel", panel_of=lambda code: "Resettlement panel")
    assert group.label == "Resettlement panel"


def test_a_release_on_a_friday_is_counted():
    groups = agg.release_outcomes([row(status="released", actual_release_date=D("2026-11-13"))],
                                  start=D("2026-11-01"), end=D("2026-11-30"), today=TODAY)
    assert groups[0].figure("friday").children == [1]


def test_an_address_confirmed_after_release_does_not_count():
    r = row(status="released", actual_release_date=D("2026-11-13"), address_confirmed_on=D("2026-11-14"))
    assert agg.address_confirmed_by_release(r) is False


def test_an_address_confirmed_before_release_counts():
    r = row(status="released", actual_release_date=D("2026-11-13"), address_confirmed_on=D("2026-10-01"))
    assert agg.address_confirmed_by_release(r) is True


def test_custody_now_groups_by_establishment_and_legal_status():
    rows = [row(1, custody_entry_date=D("2026-10-01"), establishment="HMYOI Larkhollow"),
            row(2, status="remand", custody_entry_date=D("2026-11-01"), establishment="HMYOI Larkhollow")]
    group = agg.custody_now(rows, today=TODAY)[0]
    assert (group.sentenced.children, group.remand.children) == ([1], [2])


def test_a_released_child_is_not_in_custody_now():
    assert agg.in_custody([row(status="released", custody_entry_date=D("2026-01-01"),
                               actual_release_date=D("2026-11-01"))], today=TODAY) == []


def test_the_population_trend_reads_the_dates():
    r = row(status="released", custody_entry_date=D("2026-01-01"), actual_release_date=D("2026-11-01"))
    assert agg.custody_population([r], days=[D("2026-10-31"), D("2026-11-30")]) == [(D("2026-10-31"), 1),
                                                                                   (D("2026-11-30"), 0)]


def test_the_pipeline_lists_children_turning_18_within_six_months():
    rows = [row(1, dob="2009-02-01"), row(2, dob="2009-12-01")]
    assert [p.row.id for p in agg.y2a_pipeline(rows, today=TODAY)] == [1]


def test_counts_under_five_are_suppressed():
    assert [agg.suppress(n) for n in (0, 1, 4, 5)] == [0, "fewer than 5", "fewer than 5", 5]


def test_a_percentage_of_a_small_number_is_suppressed_in_a_download():
    assert Cell(50, base=2).exported() == "suppressed"


def test_the_csv_of_a_table_suppresses_and_neutralises_formulas():
    groups = agg.timeliness([row(reqs=[ipm("2026-05-01", None)], establishment="=HYPERLINK(1)")],
                            start=D("2026-01-01"), end=TODAY, today=TODAY, by="establishment")
    body = tables_csv([timeliness_table(groups, by="establishment", link=lambda key, figure: "")])
    assert "'=HYPERLINK(1),fewer than 5" in body


# --- distance from home -------------------------------------------------------------------------------------
def released(id_, miles):
    return row(id_, status="released", actual_release_date=D("2026-11-13"), distance_miles=miles)


def by_distance(rows):
    return agg.release_outcomes(rows, start=D("2026-11-01"), end=D("2026-11-30"), today=TODAY, by="distance")


def shares_of(rows):
    return agg.distance_shares(rows, start=D("2026-11-01"), end=D("2026-11-30"))


def test_release_outcomes_by_distance_run_nearest_first():
    groups = by_distance([released(1, None), released(2, 140), released(3, 12), released(4, 75)])
    assert [g.label for g in groups] == ["Up to 50 miles", "51 to 100 miles", "Over 100 miles", "Not known"]


def test_a_child_at_exactly_50_miles_is_within_50():
    assert by_distance([released(1, 50)])[0].key == "up_to_50"


def test_distance_shares_list_every_band_even_an_empty_one():
    shares = shares_of([released(1, 12)])
    assert [s.figure.count for s in shares] == [1, 0, 0, 0]


def test_distance_shares_leave_out_a_release_outside_the_period():
    late = row(2, status="released", actual_release_date=D("2026-12-01"), distance_miles=12)
    assert shares_of([released(1, 12), late])[0].figure.children == [1]


def test_distance_shares_of_all_released():
    shares = shares_of([released(1, 12), released(2, 30), released(3, 140), released(4, None)])
    assert [s.percent for s in shares] == [50, 0, 25, 25]


def test_distance_shares_of_the_known_distances_leave_the_unknown_out():
    shares = shares_of([released(1, 12), released(2, 30), released(3, 140), released(4, None)])
    assert [s.percent_known for s in shares] == [67, 0, 33, None]


def test_custody_now_by_distance():
    rows = [row(1, custody_entry_date=D("2026-10-01"), distance_miles=120),
            row(2, custody_entry_date=D("2026-10-01"), distance_miles=20)]
    assert [g.key for g in agg.custody_now(rows, today=TODAY, by="distance")] == ["up_to_50", "over_100"]


def test_a_childs_distance_as_a_list_shows_it():
    assert released(1, 169).distance_label == "About 169 miles (over 100 miles)"


def test_a_child_without_a_distance_shows_not_known():
    assert released(1, None).distance_label == "Not known"


def test_the_distance_download_suppresses_a_small_band():
    from agendas.oversight.tables import distance_table

    shares = shares_of([released(1, 12)])
    body = tables_csv([distance_table(shares, link=lambda key, figure: "")])
    assert "Up to 50 miles,fewer than 5,suppressed,suppressed" in body


def test_a_child_held_in_their_home_town_is_under_a_mile_away():
    assert released(1, 0).distance_label == "Under a mile (up to 50 miles)"
