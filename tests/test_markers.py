"""Every test that uses the session's Chromium or starts a server of its own carries the marker for it
(tests/markers.py), so that leaving the markers out (`make test-quick`) leaves out exactly what a machine without
Chromium, Redis, PostgreSQL or nginx cannot run."""

from __future__ import annotations

import subprocess
import sys

from survey.kernel.config import ROOT
from tests.markers import REPORT
from tests.servers import START_TIMEOUT


def test_every_test_that_needs_a_browser_or_a_server_carries_its_marker():
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "tests.markers", "-p", "no:cacheprovider"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=START_TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = [line.removeprefix(REPORT).strip() for line in done.stdout.splitlines() if line.startswith(REPORT)]
    assert [line for line in report if line.startswith("missing")] == [], "mark these tests (tests/markers.py)"
    (needed,) = [line for line in report if line.startswith("needed")]
    counts = dict(word.split("=") for word in needed.split()[1:])
    assert int(counts["browser"]) > 0 and int(counts["deploy"]) > 0, (
        f"the check found the tests that need them: {needed}"
    )
