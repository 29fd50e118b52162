"""Safe forms in Chromium (issue 15, point 7): a confirmation page and an error state pass axe-core; the error
summary takes focus and its link moves focus to the field; what was typed is kept; the confirmation works
without JavaScript's help (a plain form post) and its way back changes nothing.

The last scheduled meeting is used (nothing here changes it), so the journeys and the cockpit test are not
disturbed.
"""

from __future__ import annotations

from test_journeys import check, shell_json, wait_until  # the journeys' helpers (e2e/ is on sys.path)


def _a_future_meeting(server) -> dict:
    return shell_json(server, (
        "import json;from panels.models import Meeting;"
        "m=Meeting.objects.filter(status='scheduled').order_by('-starts_at').first();"
        "print(json.dumps({'meeting':m.pk,'status':m.status}))"))


def test_opening_early_asks_first_and_a_refused_invitation_keeps_its_input(server, signed_in):
    url = server["url"]
    meeting = _a_future_meeting(server)
    mid = meeting["meeting"]
    chair = signed_in("chair")

    # the confirmation page: what will happen, what cannot be undone, Confirm and Cancel
    chair.goto(f"{url}/meetings/{mid}/")
    chair.click("#main-content button:has-text('Open the meeting')")
    chair.wait_for_selector("h1:has-text('Open the meeting before it starts?')")
    check(chair, "confirmation: opening a meeting before its start", shot="safe-forms-confirm-open")
    assert chair.locator(".govuk-warning-text").count() == 1
    chair.click("#main-content a:has-text('Cancel')")
    chair.wait_for_selector("h1")
    assert chair.url.rstrip("/").endswith(f"/meetings/{mid}")
    assert shell_json(server, f"import json;from panels.models import Meeting;"
                              f"print(json.dumps(Meeting.objects.get(pk={mid}).status))") == "scheduled"

    # an invitation refused: the section stays open, the summary is focused, its link moves focus to the field
    chair.click("summary:has-text('Invite someone to the whole meeting')")
    chair.fill("#invitee-email", "not an address")
    with chair.expect_navigation():
        chair.click("#main-content form:has(#invitee-name) button")
    check(chair, "meeting page: an invitation with errors", error=True, shot="safe-forms-error")
    assert chair.locator("#invitee-email").input_value() == "not an address"
    chair.locator(".govuk-error-summary a").first.click()
    wait_until(chair, "() => document.activeElement && document.activeElement.id === 'invitee-name'")
    assert "Up to 200 characters." in chair.locator("#invitee-name-hint").inner_text()
    assert not chair.errors, chair.errors
