"""Two minute-takers in two Chromium contexts co-edit the same item; a reload comes back from the server;
a secure-estate partner sees only its establishment's children, read-only."""

from __future__ import annotations

import time


def _meeting_in_progress(server) -> tuple[int, str, str]:
    """The High Risk Panel's next meeting, opened; a YOI child and a child held elsewhere on it."""
    code = (
        "from panels.models import Meeting;from agendas.models import AgendaItem;"
        "m=Meeting.objects.filter(panel__kind='high_risk',status='scheduled').order_by('starts_at').first();"
        "m.status='in_progress';m.save();"
        "items=AgendaItem.objects.filter(meeting=m,state='listed').select_related('child');"
        "est=lambda i: (i.child.episodes.filter(is_current=True).exclude(establishment=None).first() or None);"
        "yoi=[i.child.reference for i in items if est(i) and est(i).establishment.short_name=='Larkhollow'];"
        "other=[i.child.reference for i in items if not est(i) or est(i).establishment.short_name!='Larkhollow'];"
        "print(m.pk, yoi[0], other[0])"
    )
    meeting_id, yoi_child, other_child = server["shell"](code).split()
    return int(meeting_id), yoi_child, other_child


def _editor(page, index: int):
    """The editable area of one minute; editors mount as they scroll into view."""
    block = page.locator("[data-room]").nth(index)
    block.scroll_into_view_if_needed()
    return block.locator(".convene-editor__content")


_EDITOR = "window.conveneEditors[document.querySelectorAll('[data-room]')[i].dataset.room].editor"


def _text(page, index: int) -> str:
    """The document's text from the editor itself (remote cursors add name labels to the DOM)."""
    return page.evaluate(f"i => {_EDITOR}.getText()", index)


def _wait(page, script: str, arg=None, timeout: float = 15.0) -> None:
    """Poll in the page (``wait_for_function`` evaluates its predicate with eval, which the CSP refuses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        time.sleep(0.1)


def _wait_text(page, index: int, text: str) -> None:
    script = f"([i, t]) => {{ try {{ return {_EDITOR}.getText().includes(t) }} catch (e) {{ return false }} }}"
    _wait(page, script, [index, text])


def test_two_minute_takers_converge_and_a_partner_sees_only_its_child(server, signed_in, tmp_path):
    meeting_id, yoi_child, other_child = _meeting_in_progress(server)
    url = f"{server['url']}/meetings/{meeting_id}/minutes/"
    chair, coordinator = signed_in("chair"), signed_in("coordinator")
    for page in (chair, coordinator):
        page.goto(url)
        page.wait_for_selector('.convene-editor[data-status="connected"]')
    _wait(chair, "() => document.querySelectorAll('.convene-editor[data-status=connected]').length > 1")
    _wait(coordinator, "() => document.querySelectorAll('.convene-editor[data-status=connected]').length > 1")
    item = 4  # the first child's general minute (the meeting itself has four sections)
    # One after the other, as in a meeting: the second typist adds to the end of what arrived.
    _editor(chair, item).click()
    chair.keyboard.type("Release address not confirmed.")
    _wait_text(coordinator, item, "Release address not confirmed.")
    _editor(coordinator, item).click()
    coordinator.evaluate(f"i => {_EDITOR}.commands.focus('end')", item)
    coordinator.keyboard.type(" Housing to assess by Friday.")
    # the last keystroke has reached the other side (and, persisted before relay, the server)
    _wait_text(chair, item, "Release address not confirmed. Housing to assess by Friday.")
    assert _text(chair, item) == _text(coordinator, item)
    chair.screenshot(path=str(tmp_path / "minutes-chair.png"))
    coordinator.reload()
    _wait_text(coordinator, item, "by Friday.")
    assert _text(coordinator, item) == _text(chair, item)

    partner = signed_in("yoi")
    partner.goto(url)
    body = partner.content()
    assert yoi_child in body and other_child not in body
    assert 'data-editable="true"' not in body
    assert not chair.errors and not coordinator.errors and not partner.errors
