"""`python -m bench.weight`: the bytes of every citizen page on a cold load, against our budget.

gunicorn serves the app on a SQLite file with the demo's policies and meetings and an open-link survey round; Debian's
Chromium (Playwright, 375×667, as a phone) walks the pages a citizen meets: the survey's start page, each question
page, the review and the receipt, the meeting list, a meeting's sign-up form and its confirmation. Every page is
loaded with the browser cache switched off (Chrome DevTools' Network.setCacheDisabled), so each counts everything it
needs: the document, CSS, fonts, JavaScript and images.

Two figures per page:
- as served: what gunicorn sent over loopback, headers and body (Playwright's request sizes; the app compresses
  nothing itself);
- gzip: what a reverse proxy compressing every text response would send, headers plus the body gzipped at level 6
  (nginx's `gzip_comp_level 6`; fonts and images are compressed already and count as served).

Budget (issue 6): a question page on a cold load at most 60 KB gzipped, its HTML alone under 14 KB gzipped (one
round trip of TCP's initial window of 10 segments)."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

from bench import DATA_ROOT, steps
from bench.databases import prepared
from bench.results import log

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
KB = 1000  # the budget's KB: 60 KB = 60,000 bytes
BUDGET_PAGE_GZIP = 60 * KB
BUDGET_HTML_GZIP = 14 * KB
TEXT_TYPES = re.compile(r"^(text/|application/(javascript|json|xml)|image/svg\+xml)")
SIGN_UP = {"name": "Karen Hansen", "email": "karen@example.dk"}


@contextmanager
def server(one_question_per_page: bool = True):
    """gunicorn on a fresh SQLite file on 127.0.0.1; yields (base URL, round slug); stopped on the way out."""
    from tests.servers import Gunicorn, free_port

    directory = Path(DATA_ROOT) / "weight"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    url = f"sqlite:///{directory / 'borgerdialog.sqlite3'}"
    slug = prepared(url, "Sidevægt", demo=True, one_question_per_page=one_question_per_page)
    port = free_port()
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": os.urandom(24).hex(),
        "BORGERDIALOG_INSTANCE": str(directory / "instance"),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "HTTPS_ONLY": "0",
        "MAIL_BACKEND": "file",
        "MAIL_FILE_PATH": str(directory / "mail"),
    }
    gunicorn = Gunicorn(port, env, directory / "gunicorn.log", workers=1).start()
    try:
        gunicorn.wait_until_ready()
        yield gunicorn.base_url, slug
    finally:
        gunicorn.stop()


class Recorder:
    """The requests of one page load: each one's kind, bytes as served and bytes gzipped."""

    def __init__(self, page):
        self.page, self.requests = page, []  # sizes of the finished requests, see _sizes
        # bodies can be read only until the page navigates away, so each is measured as it finishes
        page.on("requestfinished", lambda request: self.requests.append(self._sizes(request)))

    @staticmethod
    def _sizes(request) -> dict:
        response = request.response()
        sizes = request.sizes()
        body = response.body() if 200 <= response.status < 300 and response.status != 204 else b""
        content_type = response.headers.get("content-type", "").split(";")[0]
        headers = sizes["responseHeadersSize"]
        gzipped = len(gzip.compress(body, compresslevel=6))
        return {
            "url": request.url,
            "type": request.resource_type,
            "status": response.status,
            "served": headers + sizes["responseBodySize"],
            # a proxy compresses text, and sends the smaller of the two
            "gzip": headers + (min(gzipped, len(body)) if TEXT_TYPES.match(content_type) else len(body)),
            "html_gzip": gzipped,
        }

    def take(self, name: str) -> dict:
        """What the page load since the last take() fetched (a POST's redirect included), summed."""
        self.page.wait_for_load_state("load")
        # the events of a load may arrive after its load event: wait until the document is in and nothing more comes
        seen = -1
        while seen != len(self.requests) or not any(r["type"] == "document" for r in self.requests):
            seen = len(self.requests)
            self.page.wait_for_timeout(150)
        taken, self.requests = self.requests, []
        documents = [r for r in taken if r["type"] == "document" and r["status"] == 200]
        assert len(documents) == 1, f"{name}: {[(r['url'], r['status']) for r in taken]}"
        by_type: dict[str, int] = {}
        for response in taken:
            by_type[response["type"]] = by_type.get(response["type"], 0) + response["served"]
        return {
            "page": name,
            "path": documents[0]["url"].split("/", 3)[3],
            "requests": len(taken),
            "served": sum(r["served"] for r in taken),
            "gzip": sum(r["gzip"] for r in taken),
            "html_served": documents[0]["served"],
            "html_gzip": documents[0]["html_gzip"],
            "by_type": by_type,
        }


def _press(page, name: str, link: bool = False) -> None:
    """Click and wait for the next page's document (a POST answers with a redirect first)."""
    with page.expect_navigation():
        page.get_by_role("link" if link else "button", name=name, exact=True).first.click()


def walk(base_url: str, slug: str) -> list[dict]:
    """Chromium at phone size through every citizen page, each loaded cold; the figures per page."""
    from playwright.sync_api import sync_playwright

    known = steps.known_answers()
    pages = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--disable-background-networking", "--disable-component-update"]
        )
        context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 667}, locale="da-DK")
        page = context.new_page()
        devtools = context.new_cdp_session(page)
        devtools.send("Network.enable")
        devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
        recorder = Recorder(page)
        page.goto(f"/s/{slug}/")
        pages.append(recorder.take("survey start"))
        _press(page, "Start undersøgelsen")
        number = 0
        while steps.is_step(page.url):  # every step the round asks, whole pages or one question each
            number += 1
            pages.append(recorder.take(f"question page {number}"))
            for name, value in steps.answers_on(page.content(), known).items():
                field = page.locator(f"[name='{name}']").first
                if field.get_attribute("type") in ("radio", "checkbox"):
                    page.locator(f"[name='{name}'][value='{value}']").check()
                else:
                    field.fill(value)
            _press(page, "Fortsæt")
        pages.append(recorder.take("review"))
        _press(page, "Send svar")
        pages.append(recorder.take("receipt"))
        assert "Kvitteringsnummer" in page.inner_text("main")
        page.goto("/moeder/")
        pages.append(recorder.take("meeting list"))
        with page.expect_navigation():
            page.locator("main a[href^='/moeder/']").first.click()
        recorder.take("meeting")  # on the way, not one of the pages the issue lists
        _press(page, "Tilmeld dig", link=True)
        pages.append(recorder.take("sign-up"))
        for name, value in SIGN_UP.items():
            page.locator(f"[name='{name}']").fill(value)
        page.locator("[name='role']").first.check()
        page.locator("[name='consent']").check()
        _press(page, "Tilmeld")
        pages.append(recorder.take("confirmation"))
        assert "Tak for din tilmelding" in page.inner_text("main")
        browser.close()
    return pages


def measure(quick: bool = False, one_question_per_page: bool = True) -> dict:
    """The suite's entry (bench.run); the same walk either way (it takes seconds)."""
    with server(one_question_per_page) as (base_url, slug):
        log("page weight: Chromium walking the citizen pages, cache off…")
        pages = walk(base_url, slug)
    questions = [p for p in pages if p["page"].startswith("question page")]
    heaviest = max(questions, key=lambda p: p["gzip"])
    return {"pages": pages, "heaviest_question": heaviest["page"]}


def _kb(value: int) -> str:
    return f"{value / KB:.1f}"


def section(result: dict) -> str:
    lines = [
        "| page | requests | cold load as served KB | cold load gzip KB | HTML as served KB | HTML gzip KB "
        "| CSS / JS / fonts / images as served KB |",
        "|" + "---|" * 7,
    ]
    for p in result["pages"]:
        kinds = p["by_type"]
        parts = " / ".join(_kb(kinds.get(kind, 0)) for kind in ("stylesheet", "script", "font", "image"))
        lines.append(
            f"| {p['page']} (`/{p['path']}`) | {p['requests']} | {_kb(p['served'])} | {_kb(p['gzip'])} "
            f"| {_kb(p['html_served'])} | {_kb(p['html_gzip'])} | {parts} |"
        )
    return "\n".join(lines) + "\n\n" + __doc__.split("\n\n", 1)[1]


def main() -> None:
    result = measure(one_question_per_page="--whole-pages" not in sys.argv)
    print(section(result))
    print(json.dumps({p["page"]: p["gzip"] for p in result["pages"]}))


if __name__ == "__main__":
    main()
