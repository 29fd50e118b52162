"""The Content-Security-Policy holds in a real browser: the pages, the live minutes and the API docs run with no
violation (no inline script or handler, websockets allowed by connect-src 'self')."""

from __future__ import annotations


def test_pages_run_without_a_csp_violation(server, signed_in):
    page = signed_in("coordinator")
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    meeting_id = int(server["shell"](
        "from panels.models import Meeting;"
        "print(Meeting.objects.filter(panel__kind='high_risk',status__in=['scheduled','in_progress'])"
        ".order_by('starts_at').first().pk)"))
    for path in ("/", "/meetings/", "/panels/", "/children/", "/audit/", "/accounts/two-factor/set-up/",
                 f"/meetings/{meeting_id}/", f"/meetings/{meeting_id}/minutes/", "/api/docs/"):
        response = page.goto(server["url"] + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        if path != "/api/docs/":
            assert page.evaluate("document.body.classList.contains('js-enabled')"), path  # the nonce'd script ran
    assert violations == []
    assert page.errors == []
