"""`python -m bench.weight`: the bytes of every citizen page on a cold load, against our budget, and how soon a slow
phone paints the survey's first pages, against the app as it was before issue 18.

gunicorn serves the app on a SQLite file with the demo's policies and meetings and an open-link survey round; Debian's
Chromium (Playwright, 375×667, as a phone) walks the pages a citizen meets: the survey's start page, each question
page, the review and the receipt, the meeting list, a meeting's sign-up form and its confirmation. Every page is
loaded with the browser cache switched off (Chrome DevTools' Network.setCacheDisabled), so each counts everything it
needs: the document, CSS, fonts, JavaScript and images.

Two figures per page:
- as served: what gunicorn sent over loopback, headers and body (Playwright's request sizes) to a browser that
  accepts gzip: the app sends its static files compressed itself (WhiteNoise, files compressed at build time), the
  HTML as it is;
- gzip: the same, with the HTML gzipped at level 6 as a compressing reverse proxy would send it (nginx's
  `gzip_comp_level 6`); a text file the app did not compress itself (the reference's) counts gzipped the same way;
  fonts and images are compressed already and count as served.
A third, brotli, is what Chromium's own Accept-Encoding (gzip, deflate, br, zstd) gets from the app: brotli files.

Budget (issues 6 and 18): a question page on a cold load at most 30 KB gzipped, its HTML alone under 14 KB gzipped
(one round trip of TCP's initial window of 10 segments).

First paint: the survey's start page and its first question page, each loaded cold (a new browser context, so an
empty cache) several times on the slow phone: 400 kbit/s down and up and 400 ms latency (DevTools'
Network.emulateNetworkConditions) and the CPU slowed 4× (Emulation.setCPUThrottlingRate); the median first
contentful paint and load event, from the navigation's start. The same for the reference: the app at commit
b903adc (before issue 18), checked out into a temporary worktree, its assets built with our node_modules, served by
its own gunicorn on its own demo database made by its own migrations, in the same run. A repeat visit: the same page
again in the same context after a cold load (through about:blank, so not a reload): the requests besides the
document that went to the network (a 304 counts: the reference's files are sent with no-cache) and the bytes."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from bench import DATA_ROOT, steps
from bench.results import log

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
KB = 1000  # the budget's KB: 30 KB = 30,000 bytes
BUDGET_PAGE_GZIP = 30 * KB
BUDGET_CSS_GZIP = 10 * KB  # the citizen stylesheet, as the app sends it gzipped
BUDGET_FIRST_PAINT_MS = 1200
#: the app before issue 18: the reference for first paint and bytes
REFERENCE_COMMIT = "b903adc"
ROOT = Path(__file__).resolve().parent.parent
#: the slow phone: 400 kbit/s each way (bytes per second), 400 ms latency, CPU 4× slower
SLOW_NETWORK = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
CPU_SLOWDOWN = 4
PAINT_LOADS = 5
ACCEPT_GZIP = "gzip, deflate"
BUDGET_HTML_GZIP = 14 * KB
TEXT_TYPES = re.compile(r"^(text/|application/(javascript|json|xml)|image/svg\+xml)")
SIGN_UP = {"name": "Karen Hansen", "email": "karen@example.dk"}
PHONE = {"width": 375, "height": 667}


def _prepare(code: Path, url: str, one_question_per_page: bool) -> str:
    """The tree `code`'s own migrations and demo (bench.databases.prepared, run in its own Python); the round's slug."""
    script = (
        "import sys; from bench.databases import prepared; "
        "print(prepared(sys.argv[1], 'Sidevægt', demo=True, one_question_per_page=sys.argv[2] == '1'))"
    )
    flag = "1" if one_question_per_page else "0"
    done = subprocess.run(
        [sys.executable, "-c", script, url, flag],
        cwd=code,
        env={**os.environ, "PYTHONPATH": str(code)},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@contextmanager
def server(one_question_per_page: bool = True, code: Path = ROOT, name: str = "weight"):
    """gunicorn serving the tree `code` (ours, or the reference's worktree) on a fresh SQLite file on 127.0.0.1;
    yields (base URL, round slug); stopped on the way out."""
    from tests.servers import Gunicorn, free_port

    directory = Path(DATA_ROOT) / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    url = f"sqlite:///{directory / 'borgerdialog.sqlite3'}"
    slug = _prepare(code, url, one_question_per_page)
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
    # --chdir puts `code` first on the worker's path (not PYTHONPATH: gunicorn then leaves the path as it is, and the
    # directory it was started in, ours, comes first)
    gunicorn = Gunicorn(port, env, directory / "gunicorn.log", workers=1, extra=("--chdir", str(code))).start()
    try:
        gunicorn.wait_until_ready()
        yield gunicorn.base_url, slug
    finally:
        gunicorn.stop()


@contextmanager
def reference_tree():
    """The app at REFERENCE_COMMIT in a temporary git worktree, its assets built (with our node_modules) and its
    catalogues compiled; the worktree is removed on the way out."""
    tree = Path(DATA_ROOT) / "weight-reference-tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)
    shutil.rmtree(tree, ignore_errors=True)
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), REFERENCE_COMMIT], check=True)
    try:
        (tree / "node_modules").symlink_to(ROOT / "node_modules")
        subprocess.run(["node", "scripts/build-assets.mjs"], cwd=tree, check=True, capture_output=True)
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "translate", "compile"],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": str(tree)},
            check=True,
            capture_output=True,
        )
        yield tree
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)


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
        served = headers + sizes["responseBodySize"]
        gzipped = len(gzip.compress(body, compresslevel=6))
        if response.headers.get("content-encoding"):
            as_gzip = served  # the app compressed it itself
        elif TEXT_TYPES.match(content_type):
            as_gzip = headers + min(gzipped, len(body))  # a proxy compresses text, and sends the smaller of the two
        else:
            as_gzip = served
        return {
            "url": request.url,
            "type": request.resource_type,
            "status": response.status,
            "served": served,
            "gzip": as_gzip,
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


def walk(base_url: str, slug: str, accept_encoding: str | None = ACCEPT_GZIP) -> list[dict]:
    """Chromium at phone size through every citizen page, each loaded cold; the figures per page. The browser says it
    accepts `accept_encoding` (None: Chromium's own list, brotli included)."""
    from playwright.sync_api import sync_playwright

    known = steps.known_answers()
    pages = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--disable-background-networking", "--disable-component-update"]
        )
        extra = {"extra_http_headers": {"Accept-Encoding": accept_encoding}} if accept_encoding else {}
        context = browser.new_context(base_url=base_url, viewport=PHONE, locale="da-DK", **extra)
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


TIMINGS = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const navigation = performance.getEntriesByType('navigation')[0];
  return {fcp: paint ? paint.startTime : null, load: navigation ? navigation.loadEventEnd : 0};
}"""


class Network:
    """What went over the network in one navigation (DevTools' events): requests answered from the cache are left
    out, a 304 is counted."""

    def __init__(self, devtools):
        self.cached, self.received, self.bytes = set(), {}, {}
        devtools.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        devtools.on("Network.responseReceived", self._response)
        devtools.on("Network.loadingFinished", lambda e: self.bytes.__setitem__(e["requestId"], e["encodedDataLength"]))

    def _response(self, event) -> None:
        if not event["response"].get("fromDiskCache"):
            self.received[event["requestId"]] = event["type"]

    def clear(self) -> None:
        self.cached.clear(), self.received.clear(), self.bytes.clear()

    def summary(self) -> dict:
        sent = {rid: kind for rid, kind in self.received.items() if rid not in self.cached}
        return {
            "requests_besides_document": sum(1 for kind in sent.values() if kind != "Document"),
            "bytes": sum(self.bytes.get(rid, 0) for rid in sent),
        }


def _slow_phone(context, page):
    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.emulateNetworkConditions", SLOW_NETWORK)
    devtools.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return devtools


def _timed_load(page, url: str) -> dict:
    page.goto(url, wait_until="load")
    timings = page.evaluate(TIMINGS)
    while not timings["load"] or timings["fcp"] is None:
        page.wait_for_timeout(50)
        timings = page.evaluate(TIMINGS)
    return timings


def first_paint(base_url: str, slug: str, loads: int = PAINT_LOADS) -> dict:
    """The slow phone's first contentful paint and load event (ms, median of `loads` cold loads) of the survey's start
    page and first question page, and a repeat visit of each."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--disable-background-networking", "--disable-component-update"]
        )
        # the question page belongs to a started survey: start it once, at full speed, and lend its session
        setup = browser.new_context(base_url=base_url, viewport=PHONE, locale="da-DK")
        page = setup.new_page()
        page.goto(f"/s/{slug}/")
        _press(page, "Start undersøgelsen")
        targets = {"survey start": (f"/s/{slug}/", []), "question page 1": (page.url, setup.cookies())}
        setup.close()
        found = {}
        for name, (url, cookies) in targets.items():
            cold, warm = [], []
            for _ in range(loads):
                context = browser.new_context(base_url=base_url, viewport=PHONE, locale="da-DK")
                context.add_cookies(cookies)
                page = context.new_page()
                network = Network(_slow_phone(context, page))
                cold.append(_timed_load(page, url))
                page.goto("about:blank")
                network.clear()
                warm.append({**_timed_load(page, url), **network.summary()})
                context.close()
            found[name] = {
                "fcp": statistics.median(t["fcp"] for t in cold),
                "load": statistics.median(t["load"] for t in cold),
                "fcp_all": [round(t["fcp"]) for t in cold],
                "warm_fcp": statistics.median(t["fcp"] for t in warm),
                "warm_requests": max(t["requests_besides_document"] for t in warm),
                "warm_bytes": statistics.median(t["bytes"] for t in warm),
            }
        browser.close()
    return found


def heaviest_question(pages: list[dict]) -> str:
    return max((p for p in pages if p["page"].startswith("question page")), key=lambda p: p["gzip"])["page"]


def measure(quick: bool = False, one_question_per_page: bool = True) -> dict:
    """The suite's entry (bench.run): our walks and the reference's, and first paint for both (a minute or two)."""
    with server(one_question_per_page) as (base_url, slug):
        log("page weight: Chromium walking the citizen pages, cache off…")
        pages = walk(base_url, slug)
        brotli = {p["page"]: p["served"] for p in walk(base_url, slug, accept_encoding=None)}
        log("first paint: the slow phone, ours…")
        paint = first_paint(base_url, slug)
    for page in pages:
        page["brotli"] = brotli.get(page["page"])
    with reference_tree() as tree, server(one_question_per_page, code=tree, name="weight-reference") as (url, slug):
        log(f"page weight and first paint: the reference ({REFERENCE_COMMIT})…")
        reference_pages = walk(url, slug)
        reference_paint = first_paint(url, slug)
    return {
        "pages": pages,
        "heaviest_question": heaviest_question(pages),
        "paint": paint,
        "reference": {
            "commit": REFERENCE_COMMIT,
            "pages": reference_pages,
            "heaviest_question": heaviest_question(reference_pages),
            "paint": reference_paint,
        },
    }


def _kb(value: int) -> str:
    return f"{value / KB:.1f}"


def section(result: dict) -> str:
    lines = [
        "| page | requests | cold load as served KB | cold load gzip KB | cold load brotli KB | HTML as served KB "
        "| HTML gzip KB | CSS / JS / fonts / images as served KB |",
        "|" + "---|" * 8,
    ]
    for p in result["pages"]:
        kinds = p["by_type"]
        parts = " / ".join(_kb(kinds.get(kind, 0)) for kind in ("stylesheet", "script", "font", "image"))
        brotli = _kb(p["brotli"]) if p.get("brotli") else "–"
        lines.append(
            f"| {p['page']} (`/{p['path']}`) | {p['requests']} | {_kb(p['served'])} | {_kb(p['gzip'])} | {brotli} "
            f"| {_kb(p['html_served'])} | {_kb(p['html_gzip'])} | {parts} |"
        )
    reference = result["reference"]
    before = {p["page"]: p for p in reference["pages"]}
    lines += [
        "",
        f"The slow phone (medians of {PAINT_LOADS} cold loads each; the reference is commit {reference['commit']}, "
        "same run):",
        "",
        "| page | first contentful paint ms | load event ms | reference FCP ms | reference load ms "
        "| cold load gzip KB (reference) | repeat visit: requests besides the document (reference) "
        "| repeat visit KB (reference) | repeat visit FCP ms (reference) |",
        "|" + "---|" * 9,
    ]
    for name, ours in result["paint"].items():
        ref = reference["paint"][name]
        weight = next(p for p in result["pages"] if p["page"] == name)["gzip"]
        ref_weight = before[name]["gzip"] if name in before else 0
        lines.append(
            f"| {name} | {ours['fcp']:.0f} ({', '.join(map(str, ours['fcp_all']))}) | {ours['load']:.0f} "
            f"| {ref['fcp']:.0f} | {ref['load']:.0f} | {_kb(weight)} ({_kb(ref_weight)}) "
            f"| {ours['warm_requests']} ({ref['warm_requests']}) "
            f"| {_kb(ours['warm_bytes'])} ({_kb(ref['warm_bytes'])}) "
            f"| {ours['warm_fcp']:.0f} ({ref['warm_fcp']:.0f}) |"
        )
    return "\n".join(lines) + "\n\n" + __doc__.split("\n\n", 1)[1]


def main() -> None:
    if "--help" in sys.argv or "-h" in sys.argv:
        print(__doc__ + "\n\nOptions: --whole-pages (the round asks whole pages, not one question per page).")
        return
    result = measure(one_question_per_page="--whole-pages" not in sys.argv)
    print(section(result))
    print(json.dumps({p["page"]: p["gzip"] for p in result["pages"]}))


if __name__ == "__main__":
    main()
