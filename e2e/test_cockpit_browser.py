"""The meeting cockpit in Chromium: the chair runs a Resettlement panel item by item from one page while the
coordinator follows; nothing reloads the page; axe-core finds nothing in each state (open, editing, an error,
a record saved, a live update arrived).

A Resettlement panel meeting is used so the journeys (High Risk panel) are not disturbed.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from test_journeys import check, shell_json, wait_until  # the journeys' helpers (e2e/ is on sys.path)

_PAGE_LOADS = "() => window.__cockpitLoads"
_MARK = "() => { window.__cockpitLoads = (window.__cockpitLoads || 0) + 1; return window.__cockpitLoads; }"


def _open_meeting(server) -> dict:
    return shell_json(server, (
        "import json;from panels.models import Meeting,User;from panels.services import meeting_start;"
        "m=Meeting.objects.filter(panel__kind='resettlement',status='scheduled').order_by('starts_at').first();"
        "meeting_start(meeting=m,actor=User.objects.get(username='chair'));"
        "print(json.dumps({'meeting':m.pk,'date':m.local_date.isoformat()}))"))


def _item_key(page) -> str:
    return page.evaluate("() => document.querySelector('.convene-cockpit__item').dataset.key")


def test_the_chair_runs_the_meeting_from_one_page_and_the_coordinator_follows(server, signed_in):
    url = server["url"]
    meeting = _open_meeting(server)
    cockpit = f"{url}/meetings/{meeting['meeting']}/run/"

    chair = signed_in("chair")
    chair.goto(cockpit)
    check(chair, "cockpit: the meeting open, its first item", shot="cockpit-1-open")
    assert chair.evaluate(_MARK) == 1  # set once: a full page load would lose it

    coordinator = signed_in("coordinator")
    coordinator.goto(cockpit)
    assert coordinator.locator("#cockpit-follow").is_checked()
    coordinator.evaluate(_MARK)

    # the chair moves on by keyboard; the coordinator's screen follows
    chair.locator("#cockpit-heading").focus()
    chair.keyboard.press("Alt+Shift+ArrowRight")
    wait_until(chair, "() => document.querySelector('.convene-cockpit__item').dataset.key !== 'meeting'")
    child = _item_key(chair)
    wait_until(coordinator, "key => document.querySelector('.convene-cockpit__item').dataset.key === key", child)
    assert "Item 2 of" in chair.locator(".convene-cockpit__item .govuk-caption-m").first.inner_text()
    check(chair, "cockpit: a child's item", shot="cockpit-2-child")

    # editing the general minutes of the item
    editor = f'[data-room="{meeting["meeting"]}.{child}.general"]'
    chair.locator(editor).scroll_into_view_if_needed()  # an editor connects as it comes near the screen
    wait_until(chair, f"() => document.querySelector('{editor}').dataset.status === 'connected'")
    chair.click(f"{editor} .convene-editor__content")
    chair.keyboard.type("Placement confirmed with the establishment caseworker. ")
    check(chair, "cockpit: editing the minutes")

    # a decision sent empty: the error summary takes focus and its link moves focus to the field
    chair.locator("#cockpit-form > button").click()
    wait_until(chair, "() => document.activeElement && document.activeElement.matches('.govuk-error-summary')")
    check(chair, "cockpit: a decision with an error", error=True)
    assert "Nothing to save" in chair.locator("#cockpit-form .govuk-error-summary").inner_text()
    chair.fill(f"#id_action-{child}-description", "Confirm the release address with housing.")
    chair.locator("#cockpit-form > button").click()
    wait_until(chair, "() => document.querySelector('#cockpit-form .govuk-error-summary a')")
    chair.locator("#cockpit-form .govuk-error-summary a").first.click()
    assert chair.evaluate("() => document.activeElement.name") == f"action-{child}-owner_agency"  # due: filled in

    # the decision recorded: the chair's records show it, and so do the coordinator's, without a reload
    chair.fill(f"#id_action-{child}-description", "")
    chair.fill(f"#id_decision-{child}-text", "Keep on the panel until the release address is confirmed.")
    chair.locator("#cockpit-form > button").click()
    wait_until(chair, "() => document.getElementById('cockpit-records').innerText.includes('Keep on the panel')")
    wait_until(chair, "() => document.getElementById('cockpit-status').textContent.includes('Saved the decision')")
    assert chair.title().startswith("Run the meeting")
    chair.locator("#cockpit-records").scroll_into_view_if_needed()
    check(chair, "cockpit: a decision recorded", shot="cockpit-3-recorded")
    wait_until(coordinator, "() => document.getElementById('cockpit-records').innerText.includes('Keep on the panel')",
               timeout=10)
    check(coordinator, "cockpit: a live update arrived")

    # attendance ticked from the list, an action with a named owner and the next review, saved together
    chair.locator("#cockpit-form input[type=radio][value=present]").first.check()
    chair.fill(f"#id_action-{child}-description", "Confirm the release address with housing.")
    chair.select_option(f"#id_action-{child}-owner", index=1)
    due = max(date.fromisoformat(meeting["date"]), date.today()) + timedelta(days=7)
    chair.fill(f"#id_action-{child}-due_date", due.isoformat())
    review = date.fromisoformat(meeting["date"]) + timedelta(days=28)
    chair.fill(f"#id_review-{child}-review_by", review.isoformat())
    chair.locator("#cockpit-form > button").click()
    records = "() => document.getElementById('cockpit-records').innerText"
    wait_until(chair, f"() => ({records})().includes('Present') && ({records})().includes('Next review by')")
    assert "release address with" in chair.locator("#cockpit-records").inner_text()

    # what was typed in the editor is still there, and neither page was ever reloaded
    assert "Placement confirmed" in chair.locator(f"{editor} .convene-editor__content").inner_text()
    assert chair.evaluate(_PAGE_LOADS) == 1
    assert coordinator.evaluate(_PAGE_LOADS) == 1
    assert not chair.errors and not coordinator.errors, json.dumps([chair.errors, coordinator.errors])
