"""Benchmark: running a 10-child meeting in Chromium, before (the minutes page) and after (the cockpit).

    .venv/bin/python bench/cockpit_browser.py [--children 10] [--json]

A chair and a minute-taker (the coordinator) run the same Resettlement panel meeting of the demo service, once
on the minutes page (every item on one page; each saved record reloads it) and once in the cockpit (one item at
a time; the minute-taker follows the chair). For each child: the minute-taker writes a line of minutes, and the
chair records attendance (one person present), one decision, one action with an owner and a due date, and the
next review. Counted: full page loads after the first page opened, clicks (a click, a tick or a choice in a
list) and key presses other than typing text (navigation keys, Tab, Enter), and wall time. Typing is not
counted. What a person also does on the minutes page but a script does not (scrolling a 20,000-pixel page back
to the child after each reload) is not counted either, so "before" is a lower bound.

The before flow cannot name an action's owner (that page takes an agency only): it records the agency.
Needs Debian's chromium (``apt-get install chromium``), as the browser tests do.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))

from demo_server import CHROMIUM_ARGS, DemoServer, chromium_path, sign_in  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


@dataclass
class Person:
    """A page and what its user did on it."""

    page: object
    clicks: int = 0
    keys: int = 0
    loads: int = 0
    log: list[str] = field(default_factory=list)

    def watch(self) -> None:
        self.page.on("load", lambda _page: self._loaded())  # a document loaded (not history.pushState)

    def _loaded(self) -> None:
        self.loads += 1

    def click(self, selector: str) -> None:
        self.page.locator(selector).first.click()
        self.clicks += 1

    def choose(self, selector: str, **option) -> None:
        self.page.select_option(selector, **option)
        self.clicks += 1

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1

    def type(self, text: str) -> None:  # typing text: not counted
        self.page.keyboard.type(text)

    def wait(self, script: str, arg=None, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.page.evaluate(script, arg):
                    return
            except Exception:  # noqa: BLE001 - a navigation in flight
                pass
            time.sleep(0.05)
        raise AssertionError(f"timed out: {script}")


def _meeting(demo: DemoServer) -> dict:
    """The Resettlement panel's next scheduled meeting, opened by the chair, and its children in agenda order."""
    code = (
        "import json;from panels.models import Meeting,User;from panels.services import meeting_start;"
        "from agendas.models import AgendaItem;"
        "m=Meeting.objects.filter(panel__kind='resettlement',status='scheduled').order_by('starts_at')[0];"
        "meeting_start(meeting=m,actor=User.objects.get(username='chair'));"
        "ids=list(AgendaItem.objects.filter(meeting=m,state='listed').order_by('position').values_list('child_id',flat=True));"
        "print(json.dumps({'meeting':m.pk,'date':m.local_date.isoformat(),'children':ids}))")
    return json.loads(demo.shell(code))


def before(chair: Person, taker: Person, url: str, meeting: dict, children: list[int]) -> None:
    """The minutes page: per child, four forms in a collapsed box, each saved with a full page load."""
    mid = meeting["meeting"]
    day = date.fromisoformat(meeting["date"])
    for page in (chair, taker):
        page.page.goto(f"{url}/meetings/{mid}/minutes/")
    for child in children:
        editor = f'[data-room="{mid}.{child}.general"]'
        taker.page.locator(editor).scroll_into_view_if_needed()
        taker.wait(f"() => document.querySelector('{editor}').dataset.status === 'connected'")
        taker.click(f"{editor} .convene-editor__content")
        taker.type("The panel discussed the release plan. ")
        box = f"details:has(#decision-{child}-text)"

        def submit(form: str, box: str = box) -> None:
            with chair.page.expect_navigation():
                chair.click(f"{box} form:has({form}) button")

        chair.click(f"{box} summary")
        chair.click(f"#att-{child}-name")
        chair.type("Sam Caseworker")
        chair.choose(f"#att-{child}-status", value="present")
        submit(f"#att-{child}-name")
        chair.click(f"{box} summary")
        chair.click(f"#decision-{child}-text")
        chair.type("Keep on the panel until the address is confirmed.")
        submit(f"#decision-{child}-text")
        chair.click(f"{box} summary")
        chair.click(f"#action-{child}-description")
        chair.type("Confirm the release address with housing.")
        chair.choose(f"#action-{child}-owner_agency", index=1)
        chair.click(f"#action-{child}-due_date")
        chair.type((max(day, date.today()) + timedelta(days=14)).isoformat())
        submit(f"#action-{child}-description")
        chair.click(f"{box} summary")
        chair.click(f"#review-{child}-review_by")
        chair.type((day + timedelta(days=28)).isoformat())
        submit(f"#review-{child}-review_by")


def after(chair: Person, taker: Person, url: str, meeting: dict, children: list[int]) -> None:
    """The cockpit: the chair moves item by item (the minute-taker follows) and saves each item once."""
    mid = meeting["meeting"]
    day = date.fromisoformat(meeting["date"])
    for page in (chair, taker):
        page.page.goto(f"{url}/meetings/{mid}/run/")
    chair.page.locator("#cockpit-heading").focus()  # where the page opens: no interaction
    for child in children:
        chair.press("Alt+Shift+ArrowRight")
        for person in (chair, taker):
            person.wait("key => document.querySelector('.convene-cockpit__item')?.dataset.key === key", str(child))
        editor = f'[data-room="{mid}.{child}.general"]'
        taker.page.locator(editor).scroll_into_view_if_needed()
        taker.wait(f"() => document.querySelector('{editor}').dataset.status === 'connected'")
        taker.click(f"{editor} .convene-editor__content")
        taker.type("The panel discussed the release plan. ")
        chair.click("#cockpit-form input[type=radio][value=present]")
        chair.click(f"#id_decision-{child}-text")
        chair.type("Keep on the panel until the address is confirmed.")
        chair.click(f"#id_action-{child}-description")
        chair.type("Confirm the release address with housing.")
        chair.choose(f"#id_action-{child}-owner", index=1)  # the due date comes filled in: the next meeting
        chair.click(f"#id_review-{child}-review_by")
        chair.type((day + timedelta(days=28)).isoformat())
        chair.click("#cockpit-form > button")
        chair.wait("() => document.getElementById('cockpit-records').innerText.includes('Next review by')")


def measure(browser, demo: DemoServer, flow, meeting: dict, children: list[int]) -> dict:
    people = []
    for username in ("chair", "coordinator"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sign_in(page, demo.url, username)
        people.append(Person(page))
    chair, taker = people
    start = time.perf_counter()
    for person in people:
        person.page.goto(demo.url + "/")
        person.watch()
    flow(chair, taker, demo.url, meeting, children)
    seconds = time.perf_counter() - start
    result = {
        "children": len(children),
        "page_loads_after_opening": chair.loads + taker.loads - 2,  # each opened its page once
        "clicks": chair.clicks + taker.clicks,
        "key_presses": chair.keys + taker.keys,
        "seconds": round(seconds, 1),
    }
    result["interactions_per_child"] = round((result["clicks"] + result["key_presses"]) / len(children), 1)
    result["page_loads_per_child"] = round(result["page_loads_after_opening"] / len(children), 1)
    for person in people:
        person.page.context.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if chromium_path() is None:
        sys.exit("Debian's chromium is not installed (apt-get install chromium)")
    demo = DemoServer(Path(tempfile.mkdtemp(prefix="convene-bench-cockpit-")))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
            results = {}
            for name, flow in (("before: minutes page", before), ("after: cockpit", after)):
                meeting = _meeting(demo)
                results[name] = measure(browser, demo, flow, meeting, meeting["children"][: args.children])
            browser.close()
    finally:
        demo.stop()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'flow':24} {'children':>8} {'page loads':>10} {'clicks':>7} {'keys':>5} {'per child':>9} {'seconds':>8}")
    for name, r in results.items():
        print(f"{name:24} {r['children']:>8} {r['page_loads_after_opening']:>10} {r['clicks']:>7} "
              f"{r['key_presses']:>5} {r['interactions_per_child']:>9} {r['seconds']:>8}")


if __name__ == "__main__":
    main()
