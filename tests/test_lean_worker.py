"""A web worker serving citizens stays small: the libraries only staff pages use (pandas, numpy and scipy for
results, WeasyPrint for the reports, openpyxl for XLSX, icalendar, segno, zxcvbn, Alembic) are imported where they
are used, so a fresh process that builds the app and serves the citizen pages never loads them (issue 18)."""

from __future__ import annotations

import json
import subprocess
import sys

from survey.kernel.config import ROOT
from tests.citizen_imports import HEAVY


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
    assert imported == {"after_create_app": [], "after_citizen": []}, f"imported by a citizen's worker: {imported}"


def test_the_check_sees_a_heavy_import():
    """The check itself: a library imported by the process is found in the same way."""
    code = "import sys, openpyxl; from tests.citizen_imports import loaded; print(loaded())"
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "openpyxl" in found.stdout and set(HEAVY) >= {"pandas", "numpy", "scipy", "weasyprint", "openpyxl"}
