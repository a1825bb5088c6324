"""Staff pages at a desktop viewport: axe-core finds no WCAG 2.1/2.2 A/AA violations."""

from __future__ import annotations

import pyotp
import pytest

from tests.browser.checks import axe_violations, describe_violations
from tests.browser.conftest import ARTIFACTS
from tests.conftest import STAFF_PASSWORD, totp_code

DESKTOP = {"width": 1280, "height": 800}


def password_step(page, email: str, lands_on: str) -> None:
    page.goto("/personale/log-ind")
    page.fill("#email", email)
    page.fill("#password", STAFF_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"**{lands_on}")


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


@pytest.mark.parametrize(
    "role, path, name",
    [
        ("analyst", "/personale/resultater/", "resultater"),
        ("analyst", "/personale/resultater/omraade/3?politik=syddjurs", "resultater-omraade"),
        ("analyst", "/personale/resultater/bilag?politik=syddjurs", "bilag"),
        ("admin", "/personale/", "personale"),
        ("admin", "/personale/log", "revisionslog"),
        ("meeting_host", "/personale/moeder/", "moeder-admin"),
        ("meeting_host", "/personale/moeder/ny", "nyt-moede"),
    ],
)
def test_staff_pages_pass_axe_at_desktop_size(staff_page, make_meeting, results, role, path, name):
    make_meeting()
    page = staff_page(role)
    page.goto(path)
    violations = axe_violations(page)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / f"staff-{name}.png", full_page=True)
    assert not violations, f"axe-core on {path}:\n{describe_violations(violations)}"


def check(page, name: str) -> None:
    """axe-core finds nothing on the page (and it broke no security policy); a screenshot is kept."""
    violations = axe_violations(page)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / f"staff-{name}.png", full_page=True)
    assert not violations, f"axe-core on {page.url}:\n{describe_violations(violations)}"


def test_login_steps_pass_axe_on_a_phone(app, page, make_staff):
    """Enrolment (QR code, key, a wrong code, the recovery codes), the code step and the password change, at
    375×667: the pages a member of staff meets first."""
    page.goto("/personale/log-ind")
    check(page, "log-ind")
    password_step(page, make_staff("admin", second_factor=False), "/personale/totrin/opsaet")
    check(page, "totrin-opsaet")
    secret = page.inner_text("#secret").replace(" ", "")
    page.fill("#code", "000000")
    page.get_by_role("button", name="Bekræft").click()
    check(page, "totrin-opsaet-fejl")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_selector("text=Dine reservekoder")
    check(page, "reservekoder")
    page.get_by_role("link", name="Jeg har gemt koderne – fortsæt").click()
    page.wait_for_url("**/personale/")
    page.goto("/personale/adgangskode")
    check(page, "adgangskode")
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_selector("text=Du er logget ud.")
    check(page, "logget-ud")
    password_step(page, make_staff("analyst"), "/personale/totrin")
    check(page, "totrin")
