"""Browser fixtures: for the session's app on 127.0.0.1 (`live_server`, tests/conftest.py), a fresh phone-sized
context (375×667, touch, Danish) for every test in the session's Chromium (`browser`, tests/conftest.py).
Every page a test opens is watched for Content-Security-Policy violations: any one fails the test. For the staff
pages: a desktop-sized page logged in with a role, and two rounds of responses to show results of."""

from __future__ import annotations

import pytest

from tests.browser.checks import ARTIFACTS, csp_violations, forget, watch_policy_violations
from tests.browser.staff import DESKTOP, password_step
from tests.chromium import PHONE
from tests.helpers import totp_code


@pytest.fixture
def new_page(live_server, browser):
    """Factory: a page in a new phone context (JavaScript on or off); every context is closed after the test,
    and the test fails if any of its pages broke the app's Content-Security-Policy."""
    contexts, pages = [], []

    def make(javascript: bool = True):
        context = browser.new_context(**PHONE, base_url=live_server.url, java_script_enabled=javascript)
        contexts.append(context)
        watch_policy_violations(context)
        pages.append(context.new_page())
        return pages[-1]

    yield make
    for page in pages:
        if not page.is_closed():
            page.title()  # a round trip, so that reports still on their way are delivered
    reported = {page.url: list(csp_violations(page)) for page in pages if csp_violations(page)}
    for page in pages:
        forget(page)
    for context in contexts:
        context.close()
    if reported:
        pytest.fail("\n".join(f"{url} breaks its security policy:\n  " + "\n  ".join(v) for url, v in reported.items()))


@pytest.fixture
def page(new_page):
    return new_page(javascript=True)


@pytest.fixture
def page_no_js(new_page):
    return new_page(javascript=False)


@pytest.fixture
def staff_page(app, new_page, make_staff):
    """Factory: a desktop-sized page logged in as a new user with `role` (password, then the TOTP code)."""

    def login(role: str):
        page = new_page()
        page.set_viewport_size(DESKTOP)
        email = make_staff(role)
        password_step(page, email, "/personale/totrin")
        page.fill("#code", totp_code(app, email))
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_url("**/personale/")
        return page

    return login


@pytest.fixture
def results(app, make_round):
    """Two rounds of synthetic responses for Syddjurs, so the results pages show charts, tables and comments."""
    from sqlalchemy import select

    from survey.kernel.extensions import db
    from survey.questionnaire.models import Round
    from survey.results.synthetic import generate_responses

    slugs = [make_round(state="closed", label="2026 1. halvår"), make_round(label="2026 2. halvår")]
    with app.app_context():
        for seed, slug in enumerate(slugs):
            generate_responses(db.session.scalar(select(Round).where(Round.slug == slug)), 300, seed=seed)


@pytest.fixture(scope="session")
def below_44px(request):
    """Collects tap targets between 24 and 44 px (information, not a failure); written out after the run."""
    found: dict[str, list[dict]] = {}
    yield found
    if found:
        ARTIFACTS.mkdir(exist_ok=True)
        lines = [
            f"{page}: {t['element']} {t['name']!r} {t['width']}×{t['height']}{' (in a sentence)' * t['inSentence']}"
            for page, targets in found.items()
            for t in targets
        ]
        (ARTIFACTS / "tap-targets-below-44px.txt").write_text("\n".join(lines) + "\n")
        request.config.stash[BELOW_44PX] = lines


BELOW_44PX = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, config):
    if lines := config.stash.get(BELOW_44PX, None):
        terminalreporter.section("tap targets under 44 CSS px (WCAG 2.5.5 AAA; information only)")
        for line in lines:
            terminalreporter.write_line(line)
