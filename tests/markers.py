"""The suite's markers (registered in pyproject.toml): what a test needs beyond Python, the app and its database, so
that a machine without it can leave the test out (`make test-quick`, README).

- browser: the session's headless Chromium (the `browser` fixture, Playwright) or WebKit (the `webkit` fixture,
  WebKitWebDriver under Xvfb, tests/webkit.py): tests/browser, tests/https
- deploy: servers of its own (tests.servers: PostgreSQL, Redis, gunicorn, nginx; tests.kannel: Kannel):
  tests/deploy, tests/https, tests/sms_gateway
- faults: faults made on purpose (a database stopped, a disk filled, a server killed; root mounts a tmpfs):
  tests/faults
- fuzz: Hypothesis' thousands of generated requests: tests/fuzz

tests/conftest.py marks every test of those directories; a test elsewhere that uses the browser or a server
carries the marker itself. tests/test_markers.py checks that none is missing: it collects the suite with this
module as a plugin (`-p tests.markers`), which reports every test lacking a marker its fixtures call for."""

from __future__ import annotations

import types
from pathlib import Path

from tests.kannel import Kannel
from tests.servers import Gunicorn, Nginx, Postgres, Redis

TESTS = Path(__file__).resolve().parent
BY_DIRECTORY = {
    "browser": ("browser",),
    "https": ("browser", "deploy"),
    "deploy": ("deploy",),
    "faults": ("faults",),
    "fuzz": ("fuzz",),
    "sms_gateway": ("deploy",),
}
SERVERS = (Postgres, Redis, Gunicorn, Nginx, Kannel)
#: the fixtures that are a browser: the session's Chromium (Playwright), WebKit (tests/webkit.py)
BROWSERS = {"browser", "webkit"}
#: how the report of `-p tests.markers` begins its lines
REPORT = "markers:"


def directory_markers(path: Path) -> tuple[str, ...]:
    """The markers every test in the file at `path` carries because of the directory it is in."""
    parts = path.resolve().relative_to(TESTS).parts
    return BY_DIRECTORY.get(parts[0], ()) if len(parts) > 1 else ()


def _names(code: types.CodeType) -> set[str]:
    """The global names a function's code (and the code of the functions inside it) refers to."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names(constant)
    return names


def starts_a_server(function) -> bool:
    """Whether `function` (a fixture's) makes one of tests.servers' servers, or a server class built on one."""
    found = (function.__globals__.get(name) for name in _names(function.__code__))
    return any(isinstance(value, type) and issubclass(value, SERVERS) for value in found)


def needed_markers(item) -> set[str]:
    """The markers a collected test must carry because of the fixtures it uses."""
    needed = {"browser"} if BROWSERS & set(getattr(item, "fixturenames", ())) else set()
    fixtureinfo = getattr(item, "_fixtureinfo", None)
    for definitions in fixtureinfo.name2fixturedefs.values() if fixtureinfo else ():
        if any(starts_a_server(definition.func) for definition in definitions):
            needed.add("deploy")
    return needed


def pytest_collection_finish(session) -> None:
    """With `-p tests.markers`: one line per test that lacks a marker it needs, and how many tests need each."""
    counted = {"browser": 0, "deploy": 0}
    for item in session.items:
        needed = needed_markers(item)
        for marker in needed:
            counted[marker] += 1
        if missing := needed - {mark.name for mark in item.iter_markers()}:
            print(f"{REPORT} missing {' '.join(sorted(missing))} on {item.nodeid}")
    print(f"{REPORT} needed " + " ".join(f"{marker}={n}" for marker, n in sorted(counted.items())))
