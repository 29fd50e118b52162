"""Oversight in Chromium (issue 17): a service manager opens the timeliness report, follows one figure to the children
behind it, downloads the report as CSV, and opens the board pack; axe-core finds no violation on any of them."""

from __future__ import annotations

from pathlib import Path

from test_journeys import check


def test_a_manager_reads_a_report_its_children_and_its_download(server, signed_in):
    page = signed_in("chair")  # Helen Ashdown, the demo service's operations manager
    page.goto(server["url"] + "/")
    page.get_by_role("link", name="Reports", exact=True).first.click()
    check(page, "oversight index")
    page.get_by_role("link", name="Timeliness of statutory requirements").click()
    check(page, "timeliness report", shot="oversight-timeliness")
    chart = page.locator(".convene-chart img").first
    assert chart.get_attribute("alt").startswith("Chart.")
    assert page.locator("#table-trend").count() == 1  # the chart's data, beside it

    figure = page.locator("#table-timeliness tbody a").first
    figure.click()
    check(page, "children behind a figure")
    assert page.locator("h1").inner_text().strip()

    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    body = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert body.startswith("Timeliness of statutory requirements")

    page.goto(server["url"] + "/oversight/board/?audience=summary")
    check(page, "board pack (summary)")
    page.goto(server["url"] + "/oversight/custody/")
    check(page, "custody now")


def test_a_manager_prepares_the_board_pack_pdf_and_downloads_it(server, signed_in):
    """The PDF is made in the background (agendas/oversight/board_files.py): the page says "Being prepared",
    polls with htmx, and offers the download once made (the embedded shape's thread runs it at once)."""
    page = signed_in("chair")
    page.goto(server["url"] + "/oversight/board/?audience=summary")
    page.get_by_role("button", name="Prepare the PDF").click()
    download_link = page.get_by_role("link", name="Download the PDF")
    download_link.wait_for(timeout=90_000)  # the status area is swapped in by htmx when the job ends
    check(page, "board pack with its PDF made")
    with page.expect_download() as download_info:
        download_link.click()
    assert Path(download_info.value.path()).read_bytes()[:5] == b"%PDF-"
