"""Staff pages at a desktop viewport: axe-core finds no WCAG 2.1/2.2 A/AA violations."""

from __future__ import annotations

from datetime import date, timedelta

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
        ("survey_manager", "/personale/runder", "runder"),
        ("survey_manager", "/personale/runder/ny", "ny-runde"),
        ("survey_manager", "/personale/runder/syddjurs-tilfredshed-2026-2-halvaar", "runde"),
        ("survey_manager", "/personale/runder/syddjurs-tilfredshed-2026-2-halvaar/luk", "luk-runde"),
        ("survey_manager", "/personale/runder/syddjurs-tilfredshed-2026-2-halvaar/forlaeng", "forlaeng-runde"),
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


def test_a_new_round_that_overlaps_asks_for_the_tick(staff_page, make_round):
    """The round form at desktop size: an overlap is shown with its tick box (axe-clean), then the round is made."""
    make_round()  # open for 30 more days
    page = staff_page("survey_manager")
    page.goto("/personale/runder/ny")
    page.select_option("#questionnaire", index=1)
    page.fill("#label", "Ekstra")
    page.fill("#opens_date", "2040-01-01")  # overlaps nothing
    page.fill("#closes_date", "2040-01-31")
    page.get_by_role("button", name="Opret runde").click()
    page.wait_for_url("**/personale/runder/syddjurs-tilfredshed-ekstra")
    page.goto("/personale/runder/ny")
    page.select_option("#questionnaire", index=1)
    page.fill("#label", "Samtidig")
    page.fill("#opens_date", date.today().isoformat())
    page.fill("#closes_date", (date.today() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Opret runde").click()
    page.wait_for_selector("#overlapping-rounds")
    check(page, "ny-runde-overlap")
    page.get_by_label("Ja, de to runder må overlappe").check()
    page.get_by_role("button", name="Opret runde").click()
    page.wait_for_url("**/personale/runder/syddjurs-tilfredshed-samtidig")
