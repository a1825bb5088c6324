"""Staff pages at a desktop viewport: axe-core finds no WCAG 2.1/2.2 A/AA violations."""

from __future__ import annotations

import pyotp
import pytest

from tests.browser.checks import ARTIFACTS, axe_violations, describe_violations
from tests.browser.staff import password_step


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
