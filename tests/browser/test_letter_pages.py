"""The invitation letter pages at a desktop viewport: the list of invitation rounds, a round's letters page empty,
with a wrong number, and with a batch of letters waiting — axe-core finds no WCAG 2.1/2.2 A/AA violations, and the
whole journey works without JavaScript."""

from __future__ import annotations

from tests.browser.staff import DESKTOP, check_staff_page, password_step
from tests.helpers import totp_code


def test_letter_pages_pass_axe(app, staff_page, make_round, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LETTERS_DIR", str(tmp_path / "letters"))
    slug = make_round(access="invitation")
    page = staff_page("survey_manager")
    page.goto("/personale/invitationer")
    check_staff_page(page, "invitationer")
    page.get_by_role("link", name="2026 2. halvår").click()
    page.wait_for_selector("text=Ingen breve venter på at blive hentet.")
    check_staff_page(page, "breve-tom")
    page.fill("#count", "0")
    page.get_by_role("button", name="Lav breve").click()
    page.wait_for_selector("text=Antal breve skal være mellem 1 og 50.000")
    check_staff_page(page, "breve-fejl")
    page.fill("#count", "3")
    page.get_by_role("button", name="Lav breve").click()
    page.wait_for_selector("text=3 breve er klar.")
    check_staff_page(page, "breve")
    with page.expect_download() as download:
        page.get_by_role("link", name="Breve (PDF)").click()
    assert download.value.suggested_filename.startswith(f"breve-{slug}-")
    page.goto(f"/personale/runder/{slug}")  # the round's page, with its letters box (_round_letters.html)
    page.wait_for_selector("text=Breve med koder")
    check_staff_page(page, "runde-med-breve")
    page.get_by_role("link", name="Lav og hent breve").click()
    page.wait_for_url(f"**/personale/runder/{slug}/breve")


def test_letter_pages_work_without_javascript(app, new_page, make_staff, make_round, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LETTERS_DIR", str(tmp_path / "letters"))
    slug = make_round(access="invitation")
    page = new_page(javascript=False)
    page.set_viewport_size(DESKTOP)
    email = make_staff("survey_manager")
    password_step(page, email, "/personale/totrin")
    page.fill("#code", totp_code(app, email))
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/personale/")
    page.goto(f"/personale/runder/{slug}/breve")
    page.fill("#count", "2")
    page.get_by_role("button", name="Lav breve").click()
    page.wait_for_selector("text=2 breve er klar.")
    page.get_by_role("button", name="Slet filerne nu").click()
    page.wait_for_selector("text=Filerne er slettet.")
    assert not any((tmp_path / "letters").rglob("*.pdf"))
