"""A citizen and a staff member use the site in its production setup — Chromium → nginx (TLS) → gunicorn — and
every form they send works: a survey, a meeting sign-up, then from the manage link in the confirmation e-mail a
change of needs, a cancellation and the deletion of their data; a staff login that sets up the second factor,
logs out and logs in again with a code. Each step is checked on the page and in the database; nginx's log shows
that the browser's posts came with the headers a real browser sends (no Referer from a no-referrer page)."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from survey.meetings.models import Registration
from survey.questionnaire.models import Answer, Response
from survey.staff import totp
from survey.staff.models import AuditEvent, StaffUser
from tests.browser.survey_pages import answer_survey
from tests.helpers import STAFF_PASSWORD
from tests.security.crawl import links_in, mails_in

CITIZEN_EMAIL = "karen@example.dk"


def posts_logged(site) -> list[dict[str, str]]:
    """The POST lines of nginx's log: {'path', 'status', 'origin', 'referer', 'site'}."""
    found = []
    for line in site.access_log.read_text().splitlines():
        method, path, status, *rest = line.split(" ")
        if method == "POST":
            found.append({"path": path, "status": status} | dict(part.split("=", 1) for part in rest))
    return found


def main_text(page: Page) -> str:
    return re.sub(r"\s+", " ", page.inner_text("main"))


def manage_link_from_mail(site) -> str:
    """The link in the confirmation e-mail, as the citizen clicks it."""
    mails = [m for m in mails_in(site.mail_folder) if CITIZEN_EMAIL in str(m["to"])]
    links = [link for m in mails for link in links_in(m, site.base_url) if "/moeder/tilmelding/" in link]
    assert links, f"no manage link in the e-mails to {CITIZEN_EMAIL}: {[str(m['subject']) for m in mails]}"
    return links[0]


def registration(site) -> Registration | None:
    with site.session() as s:
        return s.scalars(select(Registration).where(Registration.email == CITIZEN_EMAIL)).one_or_none()


def test_a_citizen_answers_signs_up_changes_cancels_and_deletes_over_https(phone, site):
    before = len(posts_logged(site))
    page = phone.new_page()
    page.goto("/")
    page.locator(f"a[href='/s/{site.round_slug}/']").click()  # the survey, on the front page
    answer_survey(page)
    with site.session() as s:
        assert s.scalar(select(func.count()).select_from(Response)) == 1
        assert s.scalar(select(func.count()).select_from(Answer)) > 10

    page.goto("/moeder/")
    page.get_by_role("link", name="Dialogmøde om job og uddannelse").click()
    page.get_by_role("link", name="Tilmeld dig").click()
    page.get_by_label("Dit navn").fill("Karen Hansen")
    page.get_by_role("textbox", name="E-mail", exact=True).fill(CITIZEN_EMAIL)
    page.check("input[name='role'][value='borger']")
    page.check("input[name='consent']")
    page.get_by_role("button", name="Tilmeld", exact=True).click()
    assert f"Vi har sendt en bekræftelse til {CITIZEN_EMAIL}" in main_text(page)
    assert registration(site).status == "confirmed"

    page.goto(manage_link_from_mail(site))  # the citizen's mail program opens it
    page.check("input[name='needs'][value='step_free']")
    page.get_by_role("button", name="Gem ændringer").click()
    assert "Dine ændringer er gemt." in main_text(page)
    assert registration(site).needs == ["step_free"]

    page.get_by_role("link", name="Afmeld mig").click()
    page.get_by_role("button", name="Ja, afmeld mig").click()
    assert "Du er afmeldt mødet." in main_text(page)
    assert registration(site).status == "cancelled"

    page.get_by_role("link", name="Slet mine oplysninger nu").click()
    page.get_by_role("button", name="Ja, slet mine oplysninger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dine oplysninger er slettet")
    assert registration(site) is None

    manage_posts = [p for p in posts_logged(site) if p["path"].startswith("/moeder/tilmelding/")]
    assert [p["path"].rsplit("/", 1)[-1] for p in manage_posts] == ["behov", "afmeld", "slet"]
    # what the fix is for: from a no-referrer page the browser sends no Referer (and Origin: null)
    assert all(p["referer"] == "-" and p["site"] == "same-origin" for p in manage_posts), manage_posts
    assert all(p["status"] in ("302", "303", "200") for p in posts_logged(site)[before:]), posts_logged(site)


def next_code(site, key: str) -> str:
    """The code the app shows now, or the next one if this one was used (a code is accepted only once)."""
    with site.session() as s:
        last = s.scalar(select(StaffUser.totp_last_step).where(StaffUser.email == site.staff_email))
    step = int(time.time()) // totp.STEP_SECONDS
    return pyotp.TOTP(key).at(max(step, (last or 0) + 1) * totp.STEP_SECONDS)


def log_in(page: Page, site) -> None:
    page.goto("/personale/log-ind")
    page.get_by_label("E-mail").fill(site.staff_email)
    page.get_by_label("Adgangskode").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def test_a_staff_member_sets_up_the_second_factor_logs_out_and_in_again_over_https(phone, site):
    before = len(posts_logged(site))
    page = phone.new_page()
    log_in(page, site)
    expect(page).to_have_title(re.compile("^Opsæt totrinsbekræftelse"))
    key = "".join(page.inner_text("#secret").split())  # typed into the app instead of scanning the QR code
    page.get_by_label("Kode fra appen").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Bekræft").click()
    expect(page).to_have_title(re.compile("^Dine reservekoder"))
    page.get_by_role("button", name="Log ud").click()
    assert "Du er logget ud." in main_text(page)

    log_in(page, site)
    expect(page).to_have_title(re.compile("^Kode fra din app"))
    page.get_by_label("Kode", exact=True).fill(next_code(site, key))
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()
    assert "/personale/" in page.url and "log-ind" not in page.url
    with site.session() as s:
        done = s.scalars(
            select(AuditEvent.action).where(AuditEvent.target == site.staff_email).order_by(AuditEvent.id)
        ).all()
        assert s.scalar(select(StaffUser.totp_enabled_at).where(StaffUser.email == site.staff_email)) is not None
    assert [a for a in done if a in ("second_factor_enrolled", "logout", "second_factor_ok", "login")] == [
        "second_factor_enrolled",
        "login",
        "logout",
        "second_factor_ok",
        "login",
    ]
    assert all(p["status"] in ("302", "303", "200") for p in posts_logged(site)[before:]), posts_logged(site)
