"""`python -m bench.profile`: where the app's CPU goes per citizen request, grouped by what spends it.

Starts the same deployment as bench.load (the database, Redis, gunicorn with its sync workers on 127.0.0.1, the
Syddjurs questionnaire with an open-link round), lets --users phones walk the survey (bench.load's Locust child,
think time 0) and, in the measured window after the warm-up, samples the gunicorn master and all its workers with
py-spy, only while they hold the GIL (running Python, not waiting for a request, the database or Redis). Each sample
is put in one group by its innermost frame that belongs to a known part: the Jinja templates, WTForms, SQLAlchemy
(ORM, SQL compilation, execution), the database driver, the session cookie, CSRF, Flask-Limiter and Redis, Babel,
pydantic, Flask and Werkzeug, gunicorn, logging, or our own code (survey/); the standard library and small helpers
(itsdangerous, markupsafe, json, hashlib…) count for whoever called them. A group's share of the samples, times the
workers' CPU seconds ÷ requests in the same window (read from /proc), estimates its milliseconds per request.

`measure(quick)` returns the figures for bench.run; run alone it prints the Markdown, and --speedscope FILE also
keeps the samples (collapsed stacks) to open in https://www.speedscope.app."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import sysconfig
import tempfile
from collections import Counter
from pathlib import Path

from bench import load
from bench.results import log

ROOT = Path(__file__).resolve().parent.parent
PY_SPY = Path(sys.executable).parent / "py-spy"
SAMPLES_PER_SECOND = 100
STDLIB = sysconfig.get_paths()["stdlib"] + os.sep
#: (group, path fragments of a frame's file) in the order they are tried; the first that matches names the frame
GROUPS = [
    ("CSRF (Flask-WTF)", ("/flask_wtf/csrf.py",)),
    ("WTForms", ("/wtforms/", "/flask_wtf/")),
    ("templates (Jinja)", ("/jinja2/", "/templates/")),
    ("SQLAlchemy ORM", ("/sqlalchemy/orm/", "/flask_sqlalchemy/")),
    ("SQLAlchemy SQL compilation", ("/sqlalchemy/sql/",)),
    ("SQLAlchemy execution (engine, pool, dialect)", ("/sqlalchemy/",)),
    ("database driver (psycopg, sqlite3)", ("/psycopg/", "/psycopg_pool/", "/sqlite3/")),
    ("session cookie (signing, JSON)", ("/flask/sessions.py", "/flask/json/tag.py")),
    ("Flask-Limiter and Redis", ("/flask_limiter/", "/limits/", "/redis/")),
    ("Babel, i18n", ("/babel/", "/flask_babel/", f"{STDLIB}gettext.py", "/survey/kernel/i18n.py")),
    ("pydantic", ("/pydantic/", "/pydantic_core/")),
    ("logging", (f"{STDLIB}logging/",)),
    ("Flask, Werkzeug (routing, request, response)", ("/flask/", "/werkzeug/", "/flask_login/")),
    ("gunicorn", ("/gunicorn/",)),
    ("our code (survey/)", ("/survey/",)),
]
#: small helpers any part may call, counted for their caller as the standard library is (but for logging, gettext)
NEUTRAL = ("/itsdangerous/", "/markupsafe/", "/blinker/", "/typing_extensions", "/importlib_metadata/")
OTHER = "other libraries"


def group_of(stack: list[str]) -> str:
    """The group of one sample: its innermost frame (the last in `stack`) that is not neutral, named by GROUPS."""
    for frame in reversed(stack):
        if frame.startswith("process "):
            continue
        path = frame.rsplit(" (", 1)[-1].rstrip(")")
        group = next((group for group, fragments in GROUPS if any(f in path for f in fragments)), None)
        if group is not None:
            return group
        if "/site-packages/" in path and not any(fragment in path for fragment in NEUTRAL):
            return OTHER
    return "gunicorn"  # only the standard library's frames: the worker's own loop and sockets


def parse(raw: str) -> tuple[Counter, Counter]:
    """py-spy's raw (collapsed) output: samples per group, and per innermost function of ours or a library's."""
    groups, functions = Counter(), Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        groups[group_of(frames)] += int(count)
        functions[_short(frames[-1])] += int(count)
    return groups, functions


def _short(frame: str) -> str:
    name, _, path = frame.rpartition(" (")
    path = path.rstrip(")")
    for marker in ("/site-packages/", "/wt-cpu/", str(ROOT) + "/", STDLIB):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


def record(engine: str, users: int, seconds: int, speedscope: Path | None = None) -> dict:
    """Profile the workers of a deployment on `engine` while `users` phones walk the survey for `seconds`."""
    workers = 2 * (os.cpu_count() or 1) + 1
    raw = Path(tempfile.mkstemp(prefix="bench-profile-", suffix=".txt")[1])
    with load.deployment(engine, workers) as servers:
        master = servers["pids"]["app (gunicorn)"]
        command = [sys.executable, "-m", "bench.load", "--child", "survey", "--host", servers["base_url"]]
        command += ["--round", servers["slug"], "--users", str(users), "--seconds", str(seconds), "--think", "0"]
        log(f"profiling gunicorn on {engine}: {users} phones, {seconds} s after the warm-up…")
        spy = None
        with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as child:
            for line in child.stdout:
                if line.startswith(load.WINDOW_OPENS):
                    before = load._cpu_seconds(master)
                    spy = _spy(master, raw)
                elif line.startswith(load.WINDOW_CLOSES):
                    cpu = load._cpu_seconds(master) - before
                    _stop(spy)
                elif line.startswith(load.RESULT_PREFIX):
                    result = json.loads(line.removeprefix(load.RESULT_PREFIX))
        if speedscope is not None:
            _speedscope(raw, speedscope)
    groups, functions = parse(raw.read_text())
    raw.unlink()
    return {
        "engine": engine,
        "users": users,
        "workers": workers,
        "seconds": result["seconds"],
        "requests": result["requests"],
        "failures": result["failures"],
        "app_cpu_s": cpu,
        "groups": dict(groups),
        "functions": dict(functions.most_common(25)),
        "load_average": os.getloadavg(),
    }


def _spy(pid: int, output: Path) -> subprocess.Popen:
    command = [str(PY_SPY), "record", "--pid", str(pid), "--subprocesses", "--full-filenames", "--nolineno"]
    command += ["--rate", str(SAMPLES_PER_SECOND), "--format", "raw", "--output", str(output)]
    # --gil: only a process running Python holds the GIL. py-spy's own test for an idle thread misses a worker
    # waiting in psycopg's C code for PostgreSQL's answer, which would count those waits as work.
    command.append("--gil")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _stop(spy: subprocess.Popen) -> None:
    """py-spy writes its file when interrupted."""
    spy.send_signal(signal.SIGINT)
    _, errors = spy.communicate(timeout=60)
    if spy.returncode not in (0, -signal.SIGINT):
        raise RuntimeError(f"py-spy failed ({spy.returncode}): {errors[-2000:]}")


def _speedscope(raw: Path, target: Path) -> None:
    """A speedscope profile of the same samples (the collapsed format, which speedscope opens as it is)."""
    target.write_text(raw.read_text())
    log(f"wrote {target} (collapsed stacks: open it in https://www.speedscope.app)")


def table(found: dict) -> str:
    """The groups as Markdown: share of the samples and estimated CPU ms per request."""
    total = sum(found["groups"].values()) or 1
    per_request = 1000 * found["app_cpu_s"] / found["requests"]
    lines = ["| part | share of the workers' CPU samples | ≈ CPU ms per request |", "|---|---|---|"]
    for group, count in sorted(found["groups"].items(), key=lambda item: -item[1]):
        lines.append(f"| {group} | {count / total:.1%} | {per_request * count / total:.2f} |")
    lines.append(f"| **all** ({total:,} samples) | 100 % | **{per_request:.2f}** |")
    return "\n".join(lines)


def functions(found: dict, top: int = 12) -> str:
    total = sum(found["groups"].values()) or 1
    rows = list(found["functions"].items())[:top]
    return "\n".join(f"- {count / total:.1%} `{name}`" for name, count in rows)


def section(runs: list[dict]) -> str:
    parts = []
    for found in runs:
        parts.append(
            f"### {found['engine']}: gunicorn ({found['workers']} sync workers), {found['users']} phones, "
            f"{found['seconds']:.0f} s\n\n"
            f"{found['requests']:,} requests ({found['failures']} failed); the workers used "
            f"{found['app_cpu_s']:.1f} CPU s, {1000 * found['app_cpu_s'] / found['requests']:.2f} ms per request "
            f"(/proc, with py-spy sampling them at {SAMPLES_PER_SECOND} Hz); load average after the window "
            f"{found['load_average'][0]:.2f}.\n\n{table(found)}\n\n"
            f"The functions the samples were in (self time, the leaf of the stack):\n\n{functions(found)}"
        )
    return "\n\n".join(parts) + f"\n\n{NOTES}\n"


NOTES = """\
py-spy samples the stacks of the gunicorn master and workers from outside (it pauses a process for each sample),
only while a process holds the GIL: it runs Python then, while a worker waiting for a request, PostgreSQL or Redis
has released it. C code that releases the GIL too (SQLite's own work, libpq sending and receiving) is not sampled, so
the shares are of the Python time, which is most of the workers' CPU. A sample counts for the innermost frame of a
known part; the standard library and small helpers (itsdangerous, markupsafe, hashlib, json) count for their caller,
so signing the session cookie is "session cookie" and signing the CSRF token "CSRF". Milliseconds per request are
the share times the workers' CPU seconds ÷ requests in the window: an estimate, on a machine that the database and
the load generator share (and py-spy: its pauses add a little to the workers' CPU)."""


def measure(quick: bool, engines: tuple[str, ...] = ("postgresql",)) -> list[dict]:
    """The suite's entry (bench.run): fewer phones and a shorter window when quick."""
    users, seconds = (10, 8) if quick else (20, 20)
    return [record(engine, users, seconds) for engine in engines]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="phones answering at the same time")
    parser.add_argument("--seconds", type=int, default=20, help="how long to sample, after the warm-up")
    parser.add_argument("--databases", default="postgresql", help="postgresql and/or sqlite")
    parser.add_argument("--speedscope", type=Path, help="also keep the samples here (one file per database)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    runs = []
    for engine in args.databases.split(","):
        target = args.speedscope.with_suffix(f".{engine}.txt") if args.speedscope else None
        runs.append(record(engine, args.users, args.seconds, target))
    print(section(runs))


if __name__ == "__main__":
    main()
