"""`python -m bench.load`: many phones answering the survey at once, against gunicorn on PostgreSQL or SQLite.

Starts its own database (a PostgreSQL 15 cluster with default settings: fsync on, as in production, since every
page a citizen posts is a commit; or a SQLite file), a Redis for the rate limits and gunicorn on 127.0.0.1;
migrates, loads the Syddjurs questionnaire with an open-link round (no invitation codes needed); then --users
phones each walk the real pages as a phone does (GET the start page, POST it with its CSRF token, GET and POST each
page, GET the review, POST the submit, GET the receipt), over and over; after a warm-up, --seconds are measured.

The reference, in the same run and on the same gunicorn: the same number of clients fetching /bench/5k, a fixed 5 KB
page of the same app (survey.benchmark) that does no database, form or template work: the ceiling of our web stack on
this machine. Then the floor: as many clients fetching only the survey's start page, each time as a new phone (one
query, the template, a new session and its CSRF token): a read-only page that costs less than every other request of a
survey but the receipt, so a rate the survey's mix reaches only by costing as little. Also read: the peak RSS of every
gunicorn worker (VmHWM) when the windows close, and the whole server's memory (the sum of PSS of the master and its
workers) after the survey window. Writes bench/results/load-latest.md when run alone; `python -m bench.run` includes it.

Locust runs as a library in a child process: it monkey-patches the standard library with gevent on import, which
must not happen to the process that starts and stops the servers.

Workers: gunicorn's rule of thumb, 2 × cores + 1 sync workers (5 on 2 cores). A request here is mostly CPU in the
app (Jinja, WTForms, SQLAlchemy) with short waits on the database and its commits; a few more workers than cores
fill those waits, and more than that only queue for the same cores, which the database and the load generator
share."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import DATA_ROOT, steps
from bench.databases import prepared
from bench.results import log

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
RESULT_PREFIX = "LOAD-RESULT "
WINDOW_OPENS, WINDOW_CLOSES = "LOAD-WINDOW-OPENS", "LOAD-WINDOW-CLOSES"
#: the phones start over this many seconds
RAMP_SECONDS = 5
#: measuring begins when every phone has completed a survey and paused once to get out of step (see drive); at most
MAX_WARMUP_SECONDS = 900
#: limits high enough never to refuse (all phones share 127.0.0.1) while still being counted in Redis
UNREFUSED_LIMIT = "1000000 per minute"
#: requests in one survey of six pages asked whole: start GET + POST, each page GET + POST, review GET, submit POST,
#: receipt GET; a run reports what its surveys took (requests_per_survey: more steps with one question per page)
SURVEY_REQUESTS = 17
REFERENCE_PATH, REFERENCE_BYTES = "/bench/5k", 5 * 1024
REFERENCE_WARMUP_SECONDS = 2
#: the floor's row, and what its page must show
FLOOR_NAME, START_BUTTON = "GET start (new phone)", "Start undersøgelsen"
REQUEST_TYPES = ["GET start", "POST start", "GET page", "POST page", "GET review", "POST submit", "GET receipt"]


# --- the deployment (parent process) ---------------------------------------------------------------------------


@contextmanager
def deployment(engine: str, workers: int):
    """The database, Redis and gunicorn on 127.0.0.1, all stopped on the way out; yields addresses and pids."""
    from tests.servers import Gunicorn, Postgres, Redis, free_port, postgres_database

    directory = Path(DATA_ROOT) / f"load-{engine}"
    shutil.rmtree(directory, ignore_errors=True)  # every run starts from an empty database
    directory.mkdir(parents=True)
    with ExitStack() as stack:
        pids = {}
        if engine == "postgresql":
            log("starting PostgreSQL…")
            server = stack.enter_context(Postgres(directory / "pg", free_port(), ("max_connections=200",)))
            url = stack.enter_context(postgres_database(server.url, "borgerdialog"))
            pids["PostgreSQL"] = int((server.cluster / "postmaster.pid").read_text().split()[0])
        else:
            url = f"sqlite:///{directory / 'borgerdialog.sqlite3'}"
        log("starting Redis…")
        redis = Redis(directory / "redis")
        stack.callback(redis.stop)
        redis.start()
        slug = prepared(url, "Belastningstest")
        port = free_port()
        env = {
            "DATABASE_URL": url,
            "SECRET_KEY": os.urandom(24).hex(),
            "RATELIMIT_STORAGE_URI": redis.url,
            "RATELIMIT_SURVEY_POST": UNREFUSED_LIMIT,
            "RATELIMIT_CODE_ENTRY": UNREFUSED_LIMIT,
            "RATELIMIT_OPEN_START": UNREFUSED_LIMIT,
            "BORGERDIALOG_INSTANCE": str(directory / "instance"),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "HTTPS_ONLY": "0",
            "BENCH_REFERENCE_ROUTE": "1",
            "BENCH_CPU_LOG": str(directory / "cpu"),  # each worker's CPU time per request (survey.benchmark)
        }
        log(f"starting gunicorn with {workers} workers on {engine}…")
        gunicorn = Gunicorn(port, env, directory / "gunicorn.log", workers=workers).start()
        stack.callback(gunicorn.stop)
        gunicorn.wait_until_ready()
        pids = {"app (gunicorn)": gunicorn.process.pid, **pids, "Redis": redis.process.pid}
        yield {
            "base_url": gunicorn.base_url,
            "slug": slug,
            "url": url,
            "pids": pids,
            "engine": engine,
            "cpu_log": directory / "cpu",
        }


def _stored(url: str) -> dict:
    """What the database holds after the run, and its version."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    version = "SHOW server_version" if engine.dialect.name == "postgresql" else "SELECT sqlite_version()"
    with engine.connect() as connection:
        found = {
            "responses_stored": connection.execute(text("SELECT count(*) FROM response")).scalar(),
            "drafts_left": connection.execute(text("SELECT count(*) FROM draft")).scalar(),
            "server_version": connection.execute(text(version)).scalar(),
        }
    engine.dispose()
    return found


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry.name))
            except OSError:
                continue  # exited meanwhile
    return found


def peak_rss_mb(pid: int) -> float:
    """The highest resident set size a process has had so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmHWM for {pid}")


def _worker_peaks(master: int) -> list[float]:
    return sorted(peak_rss_mb(pid) for pid in _children(master))


#: the issue's figure (issue 18), not measured by us: a well-known PHP survey platform serving the same survey on
#: this machine took about 430 MiB in all
PHP_PLATFORM_MIB = 430


def _kib(path: Path, field: str) -> int:
    return next(int(line.split()[1]) for line in path.read_text().splitlines() if line.startswith(f"{field}:"))


def server_memory(master: int) -> dict:
    """The whole gunicorn's memory now: the sum of PSS (each shared page counted once, split between the processes
    sharing it) of the master and its workers, and each process's RSS (shared pages counted in full in each)."""
    workers = _children(master)
    pss = {pid: _kib(Path(f"/proc/{pid}/smaps_rollup"), "Pss") / 1024 for pid in [master, *workers]}
    return {
        "pss_total_mib": sum(pss.values()),
        "master_rss_mib": _kib(Path(f"/proc/{master}/status"), "VmRSS") / 1024,
        "master_pss_mib": pss[master],
        "worker_rss_mib": sorted(_kib(Path(f"/proc/{pid}/status"), "VmRSS") / 1024 for pid in workers),
        "worker_pss_mib": sorted(pss[pid] for pid in workers),
    }


def _cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) a process and its descendants have used so far, reaped children included."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:  # the fields after "pid (comm)": state, ppid, … utime is the 14th field of the line
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # exited meanwhile
    tree, ticks = [root], 0
    while tree:
        pid = tree.pop()
        if pid in stats:
            ticks += sum(int(stats[pid][i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
            tree += [child for child, fields in stats.items() if int(fields[1]) == pid]
    return ticks / os.sysconf("SC_CLK_TCK")


def _busy_seconds() -> float:
    """CPU seconds all cores of the machine have spent busy since boot (everyone's work, ours and others')."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    return {**{name: _cpu_seconds(pid) for name, pid in pids.items()}, "machine": _busy_seconds()}


def _request_kind(method: str, path: str) -> str:
    """The request type of bench.load's table (REQUEST_TYPES) that a logged request belongs to."""
    if path == REFERENCE_PATH:
        return "GET reference"
    if "/side/" in path:
        return f"{method} page"
    if path.endswith("/tjek"):
        return "GET review" if method == "GET" else "POST submit"
    if path.endswith("/kvittering"):
        return "GET receipt"
    return f"{method} start"


def app_cpu(folder: Path, opened: float, closed: float) -> dict:
    """The app's CPU ms per request in the window, as the workers wrote them down (survey.benchmark.record_cpu):
    median and 90th percentile over every request (the mix), and the median per request type."""
    found: dict[str, list[float]] = {}
    for path in folder.glob("cpu-*.log"):
        for line in path.read_text().splitlines():
            stamp, spent, method, where = line.split(" ", 3)
            if opened <= float(stamp) <= closed:
                found.setdefault(_request_kind(method, where), []).append(float(spent))
    every = sorted(ms for values in found.values() for ms in values)
    if not every:
        return {}
    return {
        "requests": len(every),
        "median_ms": statistics.median(every),
        "p90_ms": every[int(0.9 * (len(every) - 1))],
        "kinds": {kind: statistics.median(values) for kind, values in found.items()},
    }


def _drive(servers: dict, mode: str, args: argparse.Namespace) -> dict:
    """One measured window of `mode` (survey or reference) from a Locust child, with CPU time per process."""
    command = [sys.executable, "-m", "bench.load", "--child", mode, "--host", servers["base_url"]]
    command += ["--round", servers["slug"], "--users", str(args.users), "--seconds", str(args.seconds)]
    command += ["--think", str(args.think)]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as child:
        pids = {**servers["pids"], "load generator (Locust)": child.pid}
        for line in child.stdout:  # the child says when its window opens and closes
            if line.startswith(WINDOW_OPENS):
                before, opened = _cpu(pids), time.time()
            elif line.startswith(WINDOW_CLOSES):
                after, closed = _cpu(pids), time.time()
            elif line.startswith(RESULT_PREFIX):
                result = json.loads(line.removeprefix(RESULT_PREFIX))
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command)
    result["cpu_s"] = {name: after[name] - before[name] for name in after}
    result["app_cpu_ms"] = app_cpu(servers["cpu_log"], opened, closed)
    result["worker_peak_rss_mb"] = _worker_peaks(servers["pids"]["app (gunicorn)"])
    result["memory"] = server_memory(servers["pids"]["app (gunicorn)"])  # right after the window: still loaded
    return result


def run(engine: str, args: argparse.Namespace) -> dict:
    """The survey and the reference on one gunicorn over `engine`; both windows' results."""
    load_before = os.getloadavg()  # other work on the machine takes cores from the servers
    with deployment(engine, args.workers) as servers:
        log(f"{args.users} phones: warming up until each has completed a survey, then {args.seconds} s…")
        survey = _drive(servers, "survey", args)
        log(f"reference: {args.users} clients fetching /bench/5k for {args.seconds} s…")
        reference = _drive(servers, "reference", args)
        log(f"floor: {args.users} new phones fetching the survey's start page for {args.seconds} s…")
        floor = _drive(servers, "floor", args)
        survey.update(_stored(servers["url"]), load_before=load_before)
        paced = None
        if args.paced:
            log(f"paced: {args.users} phones reading each page for about {args.paced} s, then {args.seconds} s…")
            paced = _drive(servers, "survey", argparse.Namespace(**{**vars(args), "think": args.paced}))
    return {
        "engine": engine,
        "workers": args.workers,
        "survey": survey,
        "reference": reference,
        "floor": floor,
        "paced": paced,
    }


# --- the phones (child process, gevent) ------------------------------------------------------------------------


class Survey:
    """One phone's way through the survey. A wrong status or page marks that request failed and abandons the
    survey (Locust then starts the next one)."""

    class Abandoned(Exception):
        pass

    TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"')
    SUBMISSION = re.compile(r'<input[^>]*name="submission_id"[^>]*value="([^"]*)"')

    def __init__(self, client, round_slug: str, think: float = 0.0):
        self.client, self.round_slug, self.think = client, round_slug, think

    def call(self, name: str, path: str, expected: int, data: dict | None = None, must_show: str = ""):
        method = name.split()[0]
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if data is not None else None
        body = urlencode(data) if data is not None else None
        request = self.client.request(
            method, path, name=name, data=body, headers=headers, allow_redirects=False, catch_response=True
        )
        with request as response:
            wrong = response.status_code != expected or must_show not in (response.text or "")
            if wrong:
                response.failure(f"status {response.status_code} (expected {expected}) at {path}")
        if wrong:
            raise self.Abandoned
        return response

    def pause(self) -> None:
        """A person reading the page and tapping the answers."""
        if self.think:
            import gevent

            gevent.sleep(random.uniform(0.5, 1.5) * self.think)

    def walk(self) -> int:
        """Start to receipt; returns the number of requests it took."""
        known = steps.known_answers()
        start = f"/s/{self.round_slug}/"
        page = self.call("GET start", start, 200)
        self.pause()
        url = _location(self.call("POST start", start, 302, {"csrf_token": self._token(page)}))
        taken = 2
        while steps.is_step(url):  # every step the round asks, whole pages or one question each
            page = self.call("GET page", url, 200)
            self.pause()
            answers = steps.answers_on(page.text, known)
            url = _location(self.call("POST page", url, 302, {"csrf_token": self._token(page), **answers}))
            taken += 2
        review = self.call("GET review", url, 200)
        self.pause()
        submission = self.SUBMISSION.search(review.text).group(1)
        sent = self.call("POST submit", url, 302, {"csrf_token": self._token(review), "submission_id": submission})
        self.call("GET receipt", _location(sent), 200, must_show="Kvitteringsnummer")
        return taken + 3

    def _token(self, page) -> str:
        return self.TOKEN.search(page.text).group(1)


def _location(response) -> str:
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def drive(args: argparse.Namespace) -> dict:
    """Run the phones with Locust and return what it measured in the window after the ramp."""
    import gevent
    import locust  # its gevent monkey-patching comes before anything here opens a socket
    from locust import FastHttpUser, constant, task
    from locust.env import Environment
    from locust.exception import RescheduleTask

    window = {"completed": 0, "spread": 0, "requests": 0}

    class Phone(FastHttpUser):
        host = args.host
        wait_time = constant(0)
        first = True

        @task
        def answer_survey(self):
            self.client.cookiejar.clear()  # each survey is a new phone
            began = time.time()
            try:
                taken = Survey(self.client, args.round, think=args.think).walk()
            except Survey.Abandoned:
                raise RescheduleTask() from None
            window["completed"] += 1
            window["requests"] += taken
            if self.first:
                # Phones that start together stay in step (all on page 1, then all on page 2…). Pausing once for
                # a random part of a survey's duration spreads them over the pages, as real arrivals are.
                self.first = False
                gevent.sleep(random.uniform(0, time.time() - began))
                window["spread"] += 1

    class OnePage(FastHttpUser):
        """One page over and over, each response checked (wrong() says what is wrong with it)."""

        abstract = True
        host = args.host
        wait_time = constant(0)
        first = True
        path = name = ""
        #: no cookies at each fetch, as a phone that comes for the first time
        new_phone = False

        def wrong(self, response) -> str | None:
            raise NotImplementedError

        @task
        def fetch(self):
            if self.new_phone:
                self.client.cookiejar.clear()
            with self.client.get(self.path, name=self.name, catch_response=True) as response:
                if problem := self.wrong(response):
                    response.failure(problem)
            if self.first:
                self.first = False
                window["spread"] += 1

    class Reader(OnePage):
        """The reference: the fixed 5 KB page, each response checked whole."""

        path, name = REFERENCE_PATH, "GET reference"

        def wrong(self, response) -> str | None:
            size = len(response.content or b"")
            whole = response.status_code == 200 and size == REFERENCE_BYTES
            return None if whole else f"status {response.status_code}, {size} bytes"

    class Newcomer(OnePage):
        """The floor: the survey's start page for a new phone, checked for its button."""

        path, name, new_phone = f"/s/{args.round}/", FLOOR_NAME, True

        def wrong(self, response) -> str | None:
            shown = response.status_code == 200 and START_BUTTON in (response.text or "")
            return None if shown else f"status {response.status_code} without the start button"

    users = {"survey": Phone, "reference": Reader, "floor": Newcomer}
    env = Environment(user_classes=[users[args.child]])
    runner = env.create_local_runner()
    began = time.time()
    runner.start(args.users, spawn_rate=args.users / RAMP_SECONDS)
    while window["spread"] < args.users and time.time() - began < MAX_WARMUP_SECONDS:
        gevent.sleep(0.2)
    if args.child != "survey":
        gevent.sleep(REFERENCE_WARMUP_SECONDS)  # every client has fetched once; then the cache-warm steady state
    warmup = {"warmup_s": time.time() - began, "warmup_completed": window["completed"]}
    env.stats.reset_all()
    print(WINDOW_OPENS, flush=True)
    window["completed"], window["requests"], started = 0, 0, time.time()
    gevent.sleep(args.seconds)
    elapsed, completed, taken = time.time() - started, window["completed"], window["requests"]
    print(WINDOW_CLOSES, flush=True)
    found = _snapshot(env.stats, elapsed)
    runner.quit()
    found.update(
        **warmup,
        completed=completed,
        requests_per_survey=taken / completed if completed else None,
        seconds=elapsed,
        users=args.users,
        think=args.think,
        locust_version=locust.__version__,
        exceptions=[e["msg"] for e in runner.exceptions.values()],
    )
    return found


def _snapshot(stats, elapsed: float) -> dict:
    rows = {}
    for (name, _method), entry in stats.entries.items():
        rows[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "avg_ms": entry.avg_response_time,
            **{f"p{p}_ms": entry.get_response_time_percentile(p / 100) for p in (50, 95, 99)},
            "max_ms": entry.max_response_time,
        }
    total = stats.total
    return {
        "rows": rows,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "requests_per_s": total.num_requests / elapsed,
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "p99_ms": total.get_response_time_percentile(0.99),
        "errors": [f"{e.method} {e.name}: {e.error} ({e.occurrences}×)" for e in stats.errors.values()],
    }


# --- the report ------------------------------------------------------------------------------------------------


def _row(name: str, row: dict, seconds: float, cpu_ms: float | None = None) -> str:
    cpu = f"{cpu_ms:.2f}" if cpu_ms is not None else ""
    return (
        f"| {name} | {row['requests']:,} | {row['requests'] / seconds:.1f} | {row['failures']} "
        f"| {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {row['max_ms']:.0f} | {cpu} |"
    )


def _kind_cpu(result: dict, name: str) -> float | None:
    return result.get("app_cpu_ms", {}).get("kinds", {}).get(name)


def table(run_: dict) -> str:
    survey, reference = run_["survey"], run_["reference"]
    header = "| request | count | per s | failures | p50 ms | p95 ms | p99 ms | max ms | app CPU ms (median) |"
    lines = [header, "|" + "---|" * 9]
    lines += [
        _row(name, survey["rows"][name], survey["seconds"], _kind_cpu(survey, name))
        for name in REQUEST_TYPES
        if name in survey["rows"]
    ]
    mix = survey.get("app_cpu_ms")
    cpu = f"{mix['median_ms']:.2f} (p90 {mix['p90_ms']:.2f})" if mix else ""
    lines.append(
        f"| **survey, all** | {survey['requests']:,} | {survey['requests_per_s']:.1f} | {survey['failures']} "
        f"| {survey['p50_ms']:.0f} | {survey['p95_ms']:.0f} | {survey['p99_ms']:.0f} | | {cpu} |"
    )
    name = "GET reference"
    lines.append(
        _row("**reference: GET /bench/5k**", reference["rows"][name], reference["seconds"], _kind_cpu(reference, name))
    )
    if floor := run_.get("floor"):
        cpu = floor.get("app_cpu_ms", {}).get("median_ms")
        lines.append(_row(f"**floor: {FLOOR_NAME}**", floor["rows"][FLOOR_NAME], floor["seconds"], cpu))
    return "\n".join(lines)


def _errors(result: dict) -> str:
    errors = result["errors"] + result["exceptions"]
    return f"{len(errors) and '; '.join(errors) or 'none'} ({result['failures']} failed requests)"


def summary(run_: dict) -> str:
    survey, reference = run_["survey"], run_["reference"]
    return "\n".join(
        [
            f"- **{survey['completed'] / survey['seconds']:.1f} completed surveys/s** ({survey['completed']:,} in "
            f"{survey['seconds']:.0f} s, {survey.get('requests_per_survey') or SURVEY_REQUESTS:.0f} requests each), "
            f"**{survey['requests_per_s']:.0f} requests/s**, {survey['users']} phones, "
            f"think time {survey['think']} s, gunicorn {run_['workers']} sync workers on {run_['engine']}",
            f"- reference, same gunicorn: {reference['requests_per_s']:.0f} requests/s of the fixed 5 KB page from "
            f"{reference['users']} clients; the survey reaches {ratio(run_):.0%} of it",
            *floor_lines(run_),
            f"- measured after a warm-up of {survey['warmup_s']:.0f} s ({survey['warmup_completed']:,} surveys "
            "completed; each phone then paused once for a random part of a survey's duration, so that the phones "
            "no longer move through the pages in step)",
            f"- errors: survey {_errors(survey)}; reference {_errors(reference)}",
            f"- stored after the run (warm-up and stop included): {survey['responses_stored']:,} responses; "
            f"{survey['drafts_left']:,} drafts of surveys that the stop cut short",
            f"- peak RSS of the gunicorn workers (VmHWM, MiB): {', '.join(f'{m:.0f}' for m in worker_peaks(run_))}",
            memory_line(survey["memory"]),
            *app_cpu_lines(run_),
        ]
    )


def floor_lines(run_: dict) -> list[str]:
    """The floor beside the survey: its start page alone, cheaper than every other request of a survey but the
    receipt."""
    floor = run_.get("floor")
    if not floor:
        return []
    share = floor["requests_per_s"] / run_["reference"]["requests_per_s"]
    return [
        f"- floor, same gunicorn: {floor['requests_per_s']:.0f} requests/s of the survey's start page alone, "
        f"{floor['users']} clients each time as a new phone (one query, the template, a new session and its CSRF "
        f"token), {share:.0%} of the 5 KB page: a read-only page that costs less than every other request of a "
        f"survey but the receipt, so a rate the survey's mix reaches only by costing as little; errors "
        f"{_errors(floor)}"
    ]


def _mib(values: list[float]) -> str:
    return ", ".join(f"{m:.0f}" for m in values)


def memory_line(memory: dict) -> str:
    return (
        f"- **the whole server's memory after the survey window: {memory['pss_total_mib']:.0f} MiB** (sum of PSS of "
        f"the master, {memory['master_pss_mib']:.0f}, and the workers, {_mib(memory['worker_pss_mib'])}); RSS of the "
        f"master {memory['master_rss_mib']:.0f} MiB and of each worker {_mib(memory['worker_rss_mib'])} MiB (RSS "
        "counts the pages a worker shares with the master in full); the issue's figure for a well-known PHP survey "
        f"platform serving the same survey on this machine: about {PHP_PLATFORM_MIB} MiB"
    )


def app_cpu_lines(run_: dict) -> list[str]:
    """The app's CPU per request as the workers timed it, beside the CPU seconds ÷ requests of the whole gunicorn."""
    survey, reference = run_["survey"], run_["reference"]
    mix = survey.get("app_cpu_ms")
    if not mix:
        return []
    whole = 1000 * survey["cpu_s"]["app (gunicorn)"] / survey["requests"]
    return [
        f"- **app CPU per citizen request: median {mix['median_ms']:.2f} ms**, 90th percentile {mix['p90_ms']:.2f} ms "
        f"over the survey's mix ({mix['requests']:,} requests timed in the workers, time.process_time() around each "
        f"call of the app); gunicorn's CPU seconds ÷ requests, its own work and the master's included: "
        f"{whole:.2f} ms; the fixed 5 KB page: median {_kind_cpu(reference, 'GET reference') or 0:.2f} ms"
    ]


def ratio(run_: dict) -> float:
    """Survey requests per second over the reference's: 1 would be as fast as the web stack can serve anything."""
    return run_["survey"]["requests_per_s"] / run_["reference"]["requests_per_s"]


def worker_peaks(run_: dict) -> list[float]:
    """Each worker's peak over both windows: VmHWM only grows, so the last reading holds the survey's too."""
    return run_["reference"]["worker_peak_rss_mb"]


def cpu_table(result: dict) -> str:
    """Where the cores went in the window, and what the servers alone would manage on the whole machine."""
    cpu, requests, cores = result["cpu_s"], result["requests"], os.cpu_count() or 1
    ours = {name: seconds for name, seconds in cpu.items() if name != "machine"}
    servers = sum(seconds for name, seconds in ours.items() if not name.startswith("load generator"))
    lines = ["| process | CPU s in the window | CPU ms per request |", "|---|---|---|"]
    for name, seconds in [*ours.items(), ("other work on the machine", cpu["machine"] - sum(ours.values()))]:
        lines.append(f"| {name} | {seconds:.1f} | {1000 * seconds / requests:.1f} |")
    lines.append(f"| all cores busy ({cores} × {result['seconds']:.0f} s available) | {cpu['machine']:.1f} | |")
    capacity = cores * requests / servers
    return "\n".join(lines) + (
        f"\n\nThe servers used {1000 * servers / requests:.1f} CPU ms per request: with the {cores} cores to "
        f"themselves (no load generator, no other work) that is about {capacity:.0f} requests/s, "
        f"{capacity / (result.get('requests_per_survey') or SURVEY_REQUESTS):.1f} surveys/s (an estimate from CPU "
        "time, not a measurement)."
    )


def tools() -> str:
    import gunicorn
    import locust
    import redis

    redis_server = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()
    version = next((w.split("=", 1)[1] for w in redis_server if w.startswith("v=")), "?")
    return (
        f"gunicorn {gunicorn.__version__}, Locust {locust.__version__}, Redis {version} (redis-py {redis.__version__})"
    )


NOTES = """\
Everything runs on the one machine: the database, Redis, gunicorn and the load generator (Locust's FastHttpUser, one
gevent process) share its cores, and so does whatever else runs on it meanwhile (the CPU table says how much); the
figures are a floor for a server of the same size that does nothing else. Each phone has its own cookies (a new phone
for every survey), fetches every page and posts it with the page's CSRF token, as a browser without JavaScript does;
redirects are not followed automatically but fetched as the next request, and every status is checked (a wrong status or
a missing receipt counts as a failure). Counting starts after the warm-up and stops after the window; the rate limits
are on and counted in Redis, set high enough never to refuse a phone (they all come from 127.0.0.1). The reference runs
right after, on the same gunicorn, with as many clients, each checking status and length of every response; then the
floor, as many clients fetching the survey's start page with no cookies (so each gets a new session), each response
checked for its start button. Latency is Locust's: from sending the request to the whole response read, in milliseconds
(above 100 ms rounded to 10 ms, above 1 s to 100 ms). CPU time is read from /proc for each process tree (the gunicorn
master and workers, the postmaster and its backends, redis-server, the Locust process) and for the whole machine, when
the window opens and closes. A survey is 16 requests: GET and POST of the start page, GET and POST of each of the 6
pages, GET of the review, POST of the submit and GET of the receipt. Peak RSS is each worker's VmHWM from /proc after
both windows. gunicorn runs with gunicorn.conf.py, as `make run` and production do: the app preloaded by the master,
whose memory the workers share; the whole server's memory is the sum of the PSS (/proc/<pid>/smaps_rollup) of the master
and its workers right after the survey window, where a page shared by n processes counts 1/n in each."""


def paced_section(run_: dict) -> str:
    """The paced window (phones that read before they tap) as Markdown, when there was one."""
    paced = run_.get("paced")
    if not paced:
        return ""
    header = "| request | count | per s | failures | p50 ms | p95 ms | p99 ms | max ms | app CPU ms (median) |"
    lines = [header, "|" + "---|" * 9]
    names = [name for name in REQUEST_TYPES if name in paced["rows"]]
    lines += [_row(name, paced["rows"][name], paced["seconds"], _kind_cpu(paced, name)) for name in names]
    mix = paced.get("app_cpu_ms")
    cpu = f"{mix['median_ms']:.2f} (p90 {mix['p90_ms']:.2f})" if mix else ""
    lines.append(
        f"| **paced survey, all** | {paced['requests']:,} | {paced['requests_per_s']:.1f} | {paced['failures']} "
        f"| {paced['p50_ms']:.0f} | {paced['p95_ms']:.0f} | {paced['p99_ms']:.0f} | | {cpu} |"
    )
    return (
        f"\n\n#### Paced on {run_['engine']}: {paced['users']} phones that read before they tap\n\n"
        f"- the same gunicorn and phones after the windows above, but each phone waits 0.5–1.5 × {paced['think']} s "
        "(uniformly at random) on every page before posting it, as a citizen reading and tapping does (a real one "
        "takes longer); the page after each post is fetched at once. The machine is then not saturated, so the "
        "latency is the server's own, not a queue of 50 phones re-sending at once as above\n"
        f"- **latency p50 {paced['p50_ms']:.0f} ms, p95 {paced['p95_ms']:.0f} ms, p99 {paced['p99_ms']:.0f} ms** "
        f"over {paced['requests']:,} requests ({paced['requests_per_s']:.1f}/s, {paced['completed']:,} surveys "
        f"completed in {paced['seconds']:.0f} s); errors: {_errors(paced)}\n\n" + "\n".join(lines)
    )


def section(runs: list[dict]) -> str:
    """The load runs as Markdown: per database a summary, the request table and where the CPU went."""
    parts = []
    for run_ in runs:
        parts.append(
            f"### Submitting surveys on {run_['engine']}\n\n{summary(run_)}\n\n{table(run_)}\n\n"
            f"{cpu_table(run_['survey'])}{paced_section(run_)}"
        )
    return "\n\n".join(parts) + f"\n\n- {tools()}\n\n{NOTES}\n"


def measure(quick: bool, engines: tuple[str, ...] = ("postgresql", "sqlite")) -> list[dict]:
    """The suite's entry (bench.run): both databases, smaller and shorter when quick."""
    args = parse(["--users", "10", "--seconds", "8"] if quick else ["--users", "50", "--seconds", "30", "--paced", "2"])
    return [run(engine, args) for engine in engines]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="phones answering at the same time")
    parser.add_argument("--seconds", type=int, default=30, help="how long to measure, after the warm-up")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds a phone waits before each post")
    parser.add_argument(
        "--paced", type=float, default=0.0, help="then also a window with this think time (latency unsaturated)"
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn sync workers")
    parser.add_argument("--databases", default="postgresql,sqlite", help="postgresql and/or sqlite")
    parser.add_argument("--child", choices=("survey", "reference", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    parser.add_argument("--round", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.child:
        print(RESULT_PREFIX + json.dumps(drive(args)), flush=True)
        return
    # a SIGTERM unwinds like Ctrl+C, so the finally blocks stop the servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    command = " ".join([".venv/bin/python -m bench.load", *(argv if argv is not None else sys.argv[1:])])
    from bench.results import machine

    runs = [run(engine, args) for engine in args.databases.split(",")]
    text = f"# Load benchmark\n\n{section(runs)}\n{machine(_versions(runs))}\n- command: `{command}`\n"
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "load-latest.md").write_text(text)
    print(text)


def _versions(runs: list[dict]) -> list[dict]:
    return [{"database": r["engine"], "server_version": r["survey"]["server_version"]} for r in runs]


if __name__ == "__main__":
    main()
