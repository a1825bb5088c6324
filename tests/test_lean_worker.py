"""A web worker serving citizens stays small: the libraries only staff pages use (pandas, numpy and scipy for
results, WeasyPrint for the reports, openpyxl for XLSX, icalendar, segno, zxcvbn, Alembic) are imported where they
are used, so a fresh process that builds the app and serves the citizen pages never loads them, nor the SQLAlchemy
dialect of the database it does not use; and the app built once by gunicorn's master (preload_app, gunicorn.conf.py)
leaves nothing open that the forked workers would share (issue 18)."""

from __future__ import annotations

import json
import subprocess
import sys

from sqlalchemy.engine import make_url

from survey.kernel.config import ROOT
from tests.citizen_imports import COMMAND_MODULES, HEAVY


def test_a_process_serving_citizens_never_imports_the_staff_only_libraries(database_url, make_round, make_meeting):
    slug, meeting_id = make_round(), make_meeting()
    found = subprocess.run(
        [sys.executable, "-m", "tests.citizen_imports", database_url, slug, str(meeting_id)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert found.returncode == 0, found.stderr[-3000:]
    imported = json.loads(found.stdout.splitlines()[-1])
    own_dialect = make_url(database_url).get_backend_name()
    wanted = {"after_create_app": [], "after_citizen": [], "cldr_after_survey": [], "dialects": [own_dialect]}
    assert imported == wanted, f"loaded by a citizen's worker: {imported}"


def test_the_check_sees_a_heavy_import():
    """The check itself: a library imported by the process is found in the same way."""
    code = "import sys, openpyxl; from tests.citizen_imports import loaded; print(loaded())"
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "openpyxl" in found.stdout and set(HEAVY) >= {"pandas", "numpy", "scipy", "weasyprint", "openpyxl"}


#: builds the app as gunicorn's master does (preload), with a SQLite file or PostgreSQL and a Redis rate-limit store
#: (a port nothing listens on: nothing may be connected), and prints what it left open: files, sockets, threads
OPENED_BY_CREATE_APP = """
import json, os, sys, threading, time
from survey import create_app

def opened():
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the listing's own descriptor, closed by now
            pass
    return found

before = opened()
config = {"SQLALCHEMY_DATABASE_URI": sys.argv[1], "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0", "SECRET_KEY": "x"}
create_app(config)
time.sleep(0.2)  # Flask-Limiter's memory store runs a timer of 10 ms
others = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
print(json.dumps({"opened": sorted(opened() - before), "threads": others}))
"""


def test_building_the_app_leaves_no_connection_file_or_thread_for_forked_workers_to_share(database_url):
    """With preload_app, whatever create_app leaves open is inherited by every worker: one SQLite file handle or
    database socket used by several processes at once corrupts their conversations."""
    found = subprocess.run(
        [sys.executable, "-c", OPENED_BY_CREATE_APP, database_url], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert found.returncode == 0, found.stderr[-3000:]
    assert json.loads(found.stdout.splitlines()[-1]) == {"opened": [], "threads": []}


def test_the_commands_are_imported_when_looked_up(app):
    """The commands are registered without their modules (survey.cli): each is imported when it is run or
    listed, with the commands other modules add to it."""
    from survey.cli import COMMANDS

    assert {where.split(":")[0] for where in COMMANDS.values()} == set(COMMAND_MODULES)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["--help"])
    assert all(name in listed.output for name in ("backup", "demo", "invitations", "purge-expired", "translate"))
    assert "generate-responses" in runner.invoke(args=["demo", "--help"]).output
    assert "send-emails" in runner.invoke(args=["invitations", "--help"]).output
