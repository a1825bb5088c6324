"""Staff pages at a desktop viewport: axe-core finds no WCAG 2.1/2.2 A/AA violations, the staff bar is in a
landmark, and a page of several forms names each of them (what an independent checker found on staff pages)."""

from __future__ import annotations

from datetime import date, timedelta

import pyotp
import pytest
from sqlalchemy import select

from survey.kernel.extensions import db
from tests.browser.checks import outside_landmarks
from tests.browser.staff import STAFF_BAR, check, check_staff_page, password_step

#: (the form's accessible name, the text of the comment it is for) for each "Vælg som citat" form
QUOTE_FORM_NAMES = """() => [...document.querySelectorAll("form[action*='/citat']")].map(form => [
  form.getAttribute('aria-label') || '',
  form.closest('li').querySelector('blockquote').textContent.trim().replace(/\\s+/g, ' ')])"""


@pytest.mark.parametrize(
    "role, path, name",
    [
        ("analyst", "/personale/resultater/", "resultater"),
        ("analyst", "/personale/resultater/omraade/3?politik=syddjurs", "resultater-omraade"),
        ("analyst", "/personale/resultater/bilag?politik=syddjurs", "bilag"),
        ("admin", "/personale/", "personale"),
        ("admin", "/personale/log", "revisionslog"),
        ("admin", "/personale/post", "post"),
        ("admin", "/personale/sms", "sms"),
        ("admin", "/personale/adgangskode", "adgangskode-skift"),
        ("admin", "/personale/brugere", "brugere"),
        ("admin", "/personale/brugere/ny", "ny-bruger"),
        ("meeting_host", "/personale/moeder/", "moeder-admin"),
        ("meeting_host", "/personale/moeder/ny", "nyt-moede"),
        ("meeting_host", "/personale/moeder/{meeting}", "moede"),
        ("meeting_host", "/personale/moeder/{meeting}/indtjekning", "indtjekning"),
        ("meeting_host", "/personale/moeder/{meeting}/emner", "emner"),
        ("survey_manager", "/personale/runder", "runder"),
        ("survey_manager", "/personale/runder/ny", "ny-runde"),
        ("survey_manager", "/personale/runder/syddjurs-tilfredshed-2026-2-halvaar", "runde"),
        ("survey_manager", "/personale/runder/syddjurs-tilfredshed-2026-2-halvaar/luk", "luk-runde"),
        ("survey_manager", "/personale/runder/syddjurs-tilfredshed-2026-2-halvaar/forlaeng", "forlaeng-runde"),
    ],
)
def test_staff_pages_pass_axe_at_desktop_size(staff_page, make_meeting, results, role, path, name):
    meeting = make_meeting()
    page = staff_page(role)
    page.goto(path.format(meeting=meeting))
    check_staff_page(page, name)


def test_results_comments_name_each_quote_form(staff_page, results):
    """The comments of a focus area: one "Vælg som citat" form per comment, each named by the comment's start."""
    page = staff_page("analyst")
    page.goto("/personale/resultater/omraade/3?politik=syddjurs#kommentarer")
    named = page.evaluate(QUOTE_FORM_NAMES)
    assert len(named) >= 2, "the page shows several comments to choose from"
    for name, comment in named:
        start = name.removeprefix("Vælg som citat: ").removeprefix("Fravælg som citat: ").removesuffix("…")
        assert start != name and comment.startswith(start), (name, comment)
    assert page.locator(STAFF_BAR).count() == 1 and outside_landmarks(page, STAFF_BAR) == []


def test_the_users_pages_pass_axe_at_desktop_size(app, staff_page, make_staff):
    """The list, a user's page and its confirmations, a new user with errors; and the public set-password page."""
    from survey.staff.models import StaffUser

    make_staff("analyst", email="kollega@kommune.test")
    with app.app_context():
        colleague = db.session.scalar(select(StaffUser.id).where(StaffUser.email == "kollega@kommune.test"))
    page = staff_page("admin")
    page.goto("/personale/brugere/ny")
    page.get_by_role("button", name="Opret og send link").click()
    page.wait_for_selector("text=Indtast medarbejderens e-mailadresse")
    check_staff_page(page, "ny-bruger-fejl")
    page.fill("#email", "ny.kollega@kommune.dk")
    page.fill("#name", "Ny Kollega")
    page.get_by_label("Analytiker").check()
    page.get_by_role("button", name="Opret og send link").click()
    page.wait_for_selector("text=har fået en e-mail med et link")
    check_staff_page(page, "bruger-uden-adgangskode")
    for path, name in [
        (f"/personale/brugere/{colleague}", "bruger"),
        (f"/personale/brugere/{colleague}/deaktiver", "bruger-deaktiver"),
        (f"/personale/brugere/{colleague}/nulstil-totrin", "bruger-nulstil-totrin"),
    ]:
        page.goto(path)
        check_staff_page(page, name)
    page.goto(f"/personale/brugere/{colleague}/deaktiver")
    page.get_by_role("button", name="Ja, deaktiver brugeren").click()
    page.wait_for_selector("text=er deaktiveret")
    check_staff_page(page, "bruger-deaktiveret")


def test_the_set_password_pages_pass_axe(app, page, make_staff):
    """The page a new user's link opens (with an error), and the page of a link that no longer works."""
    from survey.staff import password_links, services
    from survey.staff.models import StaffUser

    make_staff("admin")
    with app.test_request_context():
        admin = services.find_staff("admin@kommune.test")
        user = services.invite_staff("ny.kollega@kommune.dk", "analyst", "Ny Kollega", by=admin)
        token = password_links.token(user)
        db.session.commit()
    page.goto(f"/personale/adgangskode/vaelg/{token}")
    check(page, "vaelg-adgangskode")
    page.fill("#new", "kort")
    page.get_by_role("button", name="Gem adgangskoden").click()
    page.wait_for_selector("text=Adgangskoden skal være på mindst")
    check(page, "vaelg-adgangskode-fejl")
    page.goto("/personale/adgangskode/vaelg/ikke-et-link")
    check(page, "link-virker-ikke")
    with app.app_context():
        assert db.session.scalar(select(StaffUser.id).where(StaffUser.email == "ny.kollega@kommune.dk"))


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
