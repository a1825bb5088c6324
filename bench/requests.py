"""`python -m bench.requests`: the app's own CPU time and SQL statements per citizen request, without a server.

The load benchmark (bench.load) measures the whole deployment; this one looks inside the app process only. On a
fresh SQLite file (migrated, the Syddjurs questionnaire with an open round as bench.load has it, and a published
dialogue meeting) Flask's test client walks the citizen's pages the way a phone without JavaScript does, CSRF
tokens included: the survey (front page, start GET/POST, each question page GET/POST, review GET, submit POST,
receipt GET) and a meeting sign-up (list, meeting page, sign-up GET/POST, the confirmation page). For every
request it reads time.process_time() (CPU of this process: Jinja, WTForms, SQLAlchemy, SQLite's own work
in-process) and counts the SQL statements sent (SQLAlchemy's before_cursor_execute). Per request type it reports
the median CPU ms (and the least, steadier on a machine that other work shares) and the median number of
statements, after a first walk that is thrown away (templates compile, caches fill).

`measure(quick)` returns the figures for other tools; run as a script it prints a Markdown table, and with
--profile TYPE the functions that cost most in that request type (cProfile)."""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import re
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager, redirect_stderr
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import bench  # noqa: F401  (points SECRET_KEY and the instance folder away from the repository)
from bench import steps

ROOT = Path(__file__).resolve().parent.parent
SURVEY_TYPES = [
    "GET front page",
    "GET start",
    "POST start",
    "GET page",
    "POST page",
    "GET review",
    "POST submit",
    "GET receipt",
]
MEETING_TYPES = ["GET meetings", "GET meeting", "GET signup", "POST signup", "GET confirmation"]
REQUEST_TYPES = SURVEY_TYPES + MEETING_TYPES
#: walks of both journeys measured (after one thrown away); a survey walk is 2 requests per step and 5 more, a sign-up
#: walk 5
WALKS = {True: 8, False: 60}
SORT = "cumulative"
_TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"')
_SUBMISSION = re.compile(r'<input[^>]*name="submission_id"[^>]*value="([^"]*)"')


class Recorder:
    """Times each request in CPU seconds and counts the statements it sends; optionally profiles one type."""

    def __init__(self, client, engine, profile_type: str | None = None):
        self.client, self.profile_type = client, profile_type
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.statements: dict[str, list[int]] = defaultdict(list)
        self.profiler = cProfile.Profile(time.process_time) if profile_type else None
        self.recording = True
        self._count = 0
        #: what the app logged during the request (a 503 logs why), shown when a request goes wrong
        self.logged: list[str] = []
        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *_args) -> None:
        self._count += 1

    def call(self, kind: str, path: str, expected: int, data: dict | None = None, must_show: str = ""):
        method = kind.split()[0]
        self.logged.clear()
        profiling = self.profiler is not None and self.recording and kind == self.profile_type
        self._count = 0
        if profiling:
            self.profiler.enable()
        started = time.process_time()
        response = self.client.open(path, method=method, data=data)
        spent = time.process_time() - started
        if profiling:
            self.profiler.disable()
        statements = self._count
        html = response.get_data(as_text=True)
        if response.status_code != expected or must_show not in html:
            errors = re.findall(r'<span class="sr-only">[^<]*</span>([^<]*)</span>', html) + self.logged
            raise AssertionError(f"{kind} {path}: status {response.status_code}, expected {expected}; {errors}")
        if self.recording:
            self.cpu[kind].append(spent)
            self.statements[kind].append(statements)
        return response, html


class _ListHandler(logging.Handler):
    def __init__(self, target: list[str]):
        super().__init__(logging.WARNING)
        self.target = target

    def emit(self, record: logging.LogRecord) -> None:
        self.target.append(record.getMessage())


def _location(response) -> str:
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _token(html: str) -> str:
    return _TOKEN.search(html).group(1)


def walk_survey(recorder: Recorder, slug: str, known: dict[str, str]) -> int:
    """One citizen from the front page through every step of the survey, fetching each redirect as the next
    request; returns the requests from start page to receipt (a completed survey, the front page not counted)."""
    recorder.call("GET front page", "/", 200)
    start = f"/s/{slug}/"
    _, html = recorder.call("GET start", start, 200)
    sent, _ = recorder.call("POST start", start, 302, {"csrf_token": _token(html)})
    url, taken = _location(sent), 2
    while steps.is_step(url):
        _, html = recorder.call("GET page", url, 200)
        sent, _ = recorder.call("POST page", url, 302, {"csrf_token": _token(html), **steps.answers_on(html, known)})
        url, taken = _location(sent), taken + 2
    _, html = recorder.call("GET review", url, 200)
    form = {"csrf_token": _token(html), "submission_id": _SUBMISSION.search(html).group(1)}
    sent, _ = recorder.call("POST submit", url, 302, form)
    recorder.call("GET receipt", _location(sent), 200, must_show="Kvitteringsnummer")
    return taken + 3


def walk_signup(recorder: Recorder, meeting_id: int, area_id: int, n: int) -> None:
    """One person finding the meeting in the list and signing up (with a topic and a need), then the confirmation."""
    recorder.call("GET meetings", "/moeder/", 200)
    recorder.call("GET meeting", f"/moeder/{meeting_id}", 200)
    url = f"/moeder/{meeting_id}/tilmeld"
    _, html = recorder.call("GET signup", url, 200)
    form = {
        "csrf_token": _token(html),
        "name": f"Bench Borger {n}",
        "email": f"bench-{n}@borgerdialog.dk",
        "phone": "",
        "role": "paaroerende",
        "on_behalf_of": "Karen",
        "seats": "2",
        "needs": "step_free",
        "topic": "Hvordan kommer jeg i kontakt med min sagsbehandler?",
        "topic_focus_area": str(area_id),
        "consent": "y",
    }
    sent, _ = recorder.call("POST signup", url, 302, form)
    recorder.call("GET confirmation", _location(sent), 200, must_show="Tak for din tilmelding")


def _prepare(app, one_question_per_page: bool = True) -> tuple[str, int, int]:
    """Migrate, load Syddjurs with an open round (as bench.load does) and publish a roomy meeting."""
    from flask_migrate import upgrade

    from survey.kernel.clock import utcnow
    from survey.kernel.extensions import db
    from survey.meetings.models import Meeting
    from survey.policies.services import load_policy
    from survey.questionnaire.loading import load_questionnaire
    from survey.questionnaire.rounds import create_round

    with app.app_context():
        with redirect_stderr(io.StringIO()):  # Alembic logs every migration
            upgrade(directory=str(ROOT / "migrations"))
        policy, _ = load_policy(ROOT / "data/policies/syddjurs.yaml")
        questionnaire, _ = load_questionnaire(ROOT / "data/questionnaires/syddjurs-tilfredshed.yaml")
        now = utcnow()
        round_ = create_round(
            questionnaire,
            "Belastningstest",
            now - timedelta(days=1),
            now + timedelta(days=30),
            allow_overlap=True,
            one_question_per_page=one_question_per_page,
        )
        starts = now + timedelta(days=20)
        meeting = Meeting(
            policy=policy,
            title="Dialogmøde om sagsbehandling",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            registration_deadline=starts - timedelta(days=2),
            venue_name="Rådhuset, mødesal 1",
            venue_address="Lundbergsvej 2, 8400 Ebeltoft",
            capacity=100_000,  # every walk gets a seat, so each sign-up takes the same path
            step_free=True,
            focus_areas=list(policy.focus_areas[:2]),
            status="published",
        )
        db.session.add(meeting)
        db.session.commit()
        found = round_.slug, meeting.id, meeting.focus_areas[0].id
        db.session.remove()
    return found


@contextmanager
def _app_on_fresh_file():
    from survey import create_app
    from survey.kernel.extensions import db

    directory = Path(tempfile.mkdtemp(prefix="bench-requests-"))
    try:
        # as bench.databases.make_app, but with CSRF on (phones send the page's token, so making and checking it
        # is part of what is measured) and the confirmation mail built, then kept in memory
        url = f"sqlite:///{directory / 'borgerdialog.sqlite3'}"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "TESTING": True, "MAIL_BACKEND": "locmem"}
        )
        yield app
        with app.app_context():
            db.engine.dispose()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _summary(recorder: Recorder) -> dict:
    return {
        kind: {
            "cpu_ms": round(statistics.median(recorder.cpu[kind]) * 1000, 2),
            #: the least is steadier than the median on a machine that other work shares (CPU caches, clocks)
            "cpu_ms_min": round(min(recorder.cpu[kind]) * 1000, 2),
            "statements": statistics.median(recorder.statements[kind]),
            "statements_max": max(recorder.statements[kind]),
            "samples": len(recorder.cpu[kind]),
        }
        for kind in REQUEST_TYPES
    }


def measure(quick: bool, profile_type: str | None = None, one_question_per_page: bool = True) -> dict:
    """CPU ms (median and least) and SQL statements per citizen request type, on a fresh SQLite file.

    Returns {"requests": {type: {"cpu_ms", "cpu_ms_min", "statements", "statements_max", "samples"}}, "walks": n},
    and with `profile_type` also "profile": cProfile's top functions of that request type as text."""
    walks, known = WALKS[quick], steps.known_answers()
    with _app_on_fresh_file() as app:
        slug, meeting_id, area_id = _prepare(app, one_question_per_page)
        with app.app_context():
            from survey.kernel.extensions import db

            engine = db.engine
        recorder = Recorder(None, engine, profile_type)
        app.logger.addHandler(_ListHandler(recorder.logged))
        for n in range(walks + 1):
            recorder.recording = n > 0  # the first walk compiles templates and fills the caches
            recorder.client = app.test_client()  # a new phone (its own cookies) for every walk
            taken = walk_survey(recorder, slug, known)
            walk_signup(recorder, meeting_id, area_id, n)
    result = {"requests": _summary(recorder), "walks": walks, "requests_per_survey": taken}
    if recorder.profiler is not None:
        out = io.StringIO()
        pstats.Stats(recorder.profiler, stream=out).sort_stats(SORT).print_stats(45)
        result["profile"] = out.getvalue()
    return result


def table(result: dict) -> str:
    lines = ["| request | CPU ms (median) | CPU ms (least) | SQL statements | samples |", "|---|---|---|---|---|"]
    for kind, row in result["requests"].items():
        statements = f"{row['statements']:g}" + (
            f" (up to {row['statements_max']})" if row["statements_max"] != row["statements"] else ""
        )
        lines.append(f"| {kind} | {row['cpu_ms']:.2f} | {row['cpu_ms_min']:.2f} | {statements} | {row['samples']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.requests", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{WALKS[True]} walks instead of {WALKS[False]}")
    parser.add_argument("--profile", choices=REQUEST_TYPES, help="print cProfile's top functions of this request")
    parser.add_argument("--whole-pages", action="store_true", help="a round that asks whole pages, not one question")
    args = parser.parse_args(argv)
    result = measure(args.quick, args.profile, one_question_per_page=not args.whole_pages)
    print(table(result))
    print(f"\nrequests per completed survey (start page to receipt): {result['requests_per_survey']}")
    if "profile" in result:
        print(result["profile"])


if __name__ == "__main__":
    main()
