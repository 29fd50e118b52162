"""A newcomer's first pages in Chromium (issue 15, point 11): the API reference linked from every footer passes
axe-core like every other page, and on a phone a wide table scrolls inside its container, not the page."""

from __future__ import annotations

from e2e.test_journeys import axe


def test_the_api_reference_passes_axe(server, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(server["url"] + "/api/docs/")
    assert page.title() == "API reference – Convene"
    axe(page, "API reference")
    context.close()


def test_on_a_phone_wide_tables_scroll_inside_their_container(server, signed_in):
    page = signed_in("coordinator")
    page.set_viewport_size({"width": 360, "height": 800})
    for path in ("/meetings/", "/children/", "/actions/", "/api/docs/"):
        page.goto(server["url"] + path)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{path}: the page scrolls sideways ({widths[0]} > {widths[1]} px)"
        if path != "/api/docs/":
            assert page.locator(".convene-table-scroll").count() >= 1, path
    page.screenshot(path="/tmp/convene-phone-actions.png", full_page=False)
