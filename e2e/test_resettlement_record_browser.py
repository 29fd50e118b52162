"""The child's resettlement record in Chromium (issue 16), as the child's case manager uses it: a statutory meeting
planned from the child page's "Plan it", recorded as held; the release address proposed then confirmed and the ETE
on release with its interview; a plan row under the pathway nobody owned, and the child's own words; a retain
decision without its reason refused; an outsider sent the 404 page. axe-core finds nothing on any page visited.

The session's demo service is reused (nothing is seeded again); one query picks children no other browser test
uses (the case manager's own children, with no statutory meeting or release address yet).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from test_journeys import check, shell_json, success  # the journeys' helpers (e2e/ is on sys.path)

_PICK = """
import json
from django.utils import timezone
from panels import record_selectors
from panels.child_meetings import HELD_FIELDS
from panels.models import Child, ChildMeeting, ReleaseAddressChange
from panels.page_parts import child_page_context
from panels.records import child_to_record
from panels.selectors import children_with_episodes
today = timezone.localdate()
mine = Child.objects.filter(case_manager__username="casemanager", legal_status="sentenced").order_by("reference")
meeting = due = None
for c in mine.filter(network=None).exclude(pk__in=ChildMeeting.objects.values("child_id")):
    overdue = [d for d in child_page_context(child=c, record=child_to_record(c), today=today).get("meetings_due", [])
               if d["overdue"] and d["kind"] in HELD_FIELDS]
    if overdue:
        meeting, due = c, overdue[0]
        break
release = next(c for c in children_with_episodes(mine.exclude(pk=meeting.pk).exclude(
    pk__in=ReleaseAddressChange.objects.values("child_id")))
    if any(e.release_date and e.release_date > today and not e.actual_release_date for e in c.current_episodes))
plan = next(c for c in mine.exclude(network=None).exclude(transfer_decision="retain")
            if record_selectors.resettlement_view(child=c, today=today).unowned)
unowned = record_selectors.resettlement_view(child=plan, today=today).unowned[-1]
print(json.dumps({"today": today.isoformat(), "meeting": [meeting.pk, meeting.reference],
                  "due": {"kind": str(due["kind"]), "title": due["title"], "field": HELD_FIELDS[due["kind"]]},
                  "release": [release.pk, release.reference], "plan": [plan.pk, plan.reference],
                  "unowned": unowned}))
"""
PERSONA = "casemanager"  # Daniel Orchard: these children's case manager, so he may see and record (404 for others)


def _uk(day: date) -> str:
    return f"{day.day} {day:%b %Y}"  # the pages' date_uk


@pytest.fixture(scope="module")
def children(server) -> dict:
    return shell_json(server, _PICK)


def test_a_case_manager_plans_a_statutory_meeting_and_records_it_held(server, signed_in, children):
    url, (child_id, reference), due = server["url"], children["meeting"], children["due"]
    page = signed_in(PERSONA)
    page.goto(f"{url}/children/{child_id}/")
    check(page, "child page: a statutory meeting overdue")
    overdue = page.locator("#main-content li", has_text=due["title"])
    assert "Overdue" in overdue.inner_text()

    # "Plan it" opens the plan form with the meeting chosen and the case manager invited
    overdue.get_by_role("link", name="Plan it").click()
    page.wait_for_url(f"**/children/{child_id}/meetings/?kind={due['kind']}#plan")
    check(page, "statutory meetings: plan a meeting")
    assert page.get_by_label("Which meeting").input_value() == due["kind"]
    assert page.get_by_label("Daniel Orchard (case manager)").is_checked()
    day = children["today"]
    page.get_by_label("Day (YYYY-MM-DD)").fill(day)
    page.get_by_label("Starts (HH:MM)").fill("09:00")
    page.get_by_label("Ends (HH:MM)").fill("10:00")
    page.get_by_label("At the establishment").check()
    page.get_by_label("Place (goes into the calendar invite: never the child's name)").fill("Legal visits suite")
    page.get_by_role("button", name="Plan the meeting and send invites").click()
    page.wait_for_url(re.compile(rf"/children/{child_id}/meetings/\d+/"))
    success(page, "planned")
    check(page, "statutory meeting: planned")
    assert "Planned" in page.locator(".govuk-summary-list").inner_text()

    # listed on the child's meetings page
    page.get_by_role("link", name="Statutory meetings").click()
    check(page, "statutory meetings: one planned")
    assert "Planned" in page.locator("#main-content tbody").inner_text()
    page.locator("tbody a").first.click()

    # recorded as held: the day, who took part, the outcome
    page.get_by_label("Held on (YYYY-MM-DD)").fill(day)
    page.get_by_label("Did the child take part?").select_option("yes")
    page.get_by_label("Did parents or carers take part?").select_option("no")
    page.locator("#main-content fieldset", has_text="Who of those invited took part").get_by_label(
        "Daniel Orchard", exact=False).check()
    page.get_by_label("Outcome (at most", exact=False).fill("Plan agreed; the child asked for a college visit.")
    page.get_by_role("button", name="Record as held").click()
    success(page, "recorded as held")
    check(page, "statutory meeting: held")
    summary = page.locator(".govuk-summary-list").inner_text()
    assert "Held" in summary
    assert "Plan agreed; the child asked for a college visit." in summary

    # the child page shows it held, and the rules no longer call it overdue (the child's *_held_on is set)
    page.goto(f"{url}/children/{child_id}/")
    check(page, "child page: the meeting held")
    assert "Held" in page.locator("#main-content table", has_text="Planned").inner_text()
    assert page.locator("#main-content li", has_text="Overdue").filter(has_text=due["title"]).count() == 0, reference
    held = f"{_uk(date.fromisoformat(day))} — {due['title']} held"  # the child's key dates: the *_held_on date
    assert page.locator("#main-content li", has_text=held).count() == 1
    assert not page.errors, page.errors


def test_the_release_address_is_proposed_then_confirmed_and_the_ete_planned(server, signed_in, children):
    url, (child_id, _reference) = server["url"], children["release"]
    today = date.fromisoformat(children["today"])
    page = signed_in(PERSONA)
    page.goto(f"{url}/children/{child_id}/")
    check(page, "child page: no release address yet")
    page.get_by_role("link", name="Release address and ETE").click()
    check(page, "release page: nothing recorded")
    assert page.get_by_text("No address recorded yet.").count() == 1

    def record(status: str, on: str) -> None:
        page.get_by_label("Address status from this date").select_option(label=status)
        page.get_by_label("Date of the change (YYYY-MM-DD)").fill(on)
        page.get_by_label("Kind of place").select_option(label="Family home (parent or carer)")
        page.get_by_label("Where, in a few words").fill("Grandmother's flat, Northbridge")
        page.get_by_role("button", name="Record the change").click()

    # a date in the wrong form: the error summary names the field, and nothing is saved
    record("Proposed", "next Tuesday")
    check(page, "release page: a bad date", error=True)
    link = page.locator(".govuk-error-summary a")
    assert "the date of the change" in link.inner_text()
    assert link.get_attribute("href") == "#id_address-on"
    assert page.get_by_label("Date of the change (YYYY-MM-DD)").input_value() == "next Tuesday"
    assert page.get_by_text("No address recorded yet.").count() == 1

    record("Proposed", (today - timedelta(days=9)).isoformat())
    success(page, "Release address change recorded")
    record("Confirmed", (today - timedelta(days=2)).isoformat())
    success(page, "Release address change recorded")
    check(page, "release page: the address confirmed")
    assert page.locator("#main-content tbody tr").count() == 2
    confirmed_on = _uk(today - timedelta(days=2))

    # the ETE on release, with the interview after release
    page.get_by_label("Education, training or employment", exact=True).select_option(label="Training or apprenticeship")
    page.get_by_label("Provider").fill("Eastfield Bike Works")
    page.get_by_label("Hours a week").fill("25")
    page.get_by_label("Starts on (YYYY-MM-DD)").fill((today + timedelta(days=40)).isoformat())
    page.get_by_label("Interview date (YYYY-MM-DD)").fill((today + timedelta(days=35)).isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    success(page, "Education, training or employment on release saved")
    check(page, "release page: the ETE planned")

    # the child page shows the confirmed address and the ETE
    page.goto(f"{url}/children/{child_id}/")
    check(page, "child page: release address confirmed")
    summary = page.locator("#main-content .govuk-summary-list", has_text="Release address").inner_text()
    assert "Confirmed since" in summary
    assert "Grandmother's flat, Northbridge" in summary
    assert confirmed_on in summary
    assert "Eastfield Bike Works, 25 hours a week" in summary
    assert not page.errors, page.errors


def test_a_plan_row_under_the_unowned_pathway_and_the_childs_own_words(server, signed_in, children):
    url, (child_id, _reference), pathway = server["url"], children["plan"], children["unowned"]
    page = signed_in(PERSONA)
    page.goto(f"{url}/children/{child_id}/")
    check(page, "child page: a pathway flagged")
    assert pathway in page.locator(".govuk-warning-text", has_text="Nobody is responsible").inner_text()
    page.get_by_role("link", name="Resettlement plan").click()
    check(page, "resettlement plan: a pathway nobody owns")
    heading = page.locator("#main-content h3", has_text=pathway)
    assert "Nobody responsible before release" in heading.inner_text()
    assert pathway in page.locator(".govuk-warning-text", has_text="Nobody is responsible").inner_text()

    # the child's own words
    words = "I want to finish my bike mechanics course and live near my gran."
    page.get_by_label("How are you going to get there?").fill(words)
    page.get_by_role("button", name="Save the child's words").click()
    success(page, "The child's own words saved")
    assert page.get_by_label("How are you going to get there?").input_value() == words

    # a plan row under that pathway, with someone responsible in custody: the flag goes
    page.get_by_label("Pathway", exact=True).select_option(label=pathway)
    page.get_by_label("In custody or in the community").select_option(label="Custody")
    page.get_by_label("What is the goal?").fill("Book the first appointment before release.")
    page.get_by_label("…or a member of the service's staff").select_option(label="Daniel Orchard")
    page.get_by_role("button", name="Add to the plan").click()
    success(page, "Plan row added")
    check(page, "resettlement plan: a row added")
    assert "Book the first appointment before release." in page.locator(
        "#main-content .convene-table-scroll", has=page.locator("caption", has_text=pathway)).inner_text()
    assert "Nobody responsible before release" not in page.locator("#main-content h3", has_text=pathway).inner_text()
    assert not page.errors, page.errors


def test_retaining_a_case_without_a_reason_is_refused_naming_the_reason(server, signed_in, children):
    url, (child_id, _reference) = server["url"], children["plan"]
    page = signed_in(PERSONA)
    page.goto(f"{url}/children/{child_id}/plan/#y2a")
    before = page.locator("#main-content .govuk-summary-list", has_text="Transfer decision").inner_text()
    page.get_by_label("Transfer decision").select_option(label="Retain in the youth justice service")
    page.get_by_label("Reason", exact=True).fill("")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(f"**/children/{child_id}/transfer-decision/")
    check(page, "transfer decision: retain without a reason", error=True)
    link = page.locator(".govuk-error-summary a")
    assert "reason for retaining" in link.inner_text()
    assert link.get_attribute("href") == "#id_reason"
    after = page.locator("#main-content .govuk-summary-list", has_text="Transfer decision").inner_text()
    assert after == before  # nothing saved
    assert not page.errors, page.errors


def test_an_outsider_gets_the_404_page_for_a_childs_release_page(server, signed_in, children):
    page = signed_in("outsider")  # Neil Uptown, a mentoring volunteer on no panel
    response = page.goto(f"{server['url']}/children/{children['release'][0]}/release/")
    assert response.status == 404
    check(page, "404 for an outsider")
    assert page.locator("h1").inner_text() == "Page not found"
