"""Questionnaire staff pages in a browser: the list, a version's page and the preview are axe-clean at desktop size,
and the preview can be walked to its end without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.checks import ARTIFACTS, axe_violations, describe_violations
from tests.browser.staff import DESKTOP, password_step
from tests.helpers import totp_code
from tests.questionnaire.walker import SYDDJURS_ANSWERS

PHONE_SIZE = {"width": 375, "height": 667}


def check(page, name: str) -> None:
    """axe-core finds nothing on the page; a screenshot is kept. (axe runs in the page: JavaScript pages only.)"""
    violations = axe_violations(page)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / f"staff-{name}.png", full_page=True)
    assert not violations, f"axe-core on {page.url}:\n{describe_violations(violations)}"


@pytest.fixture
def version_path(app, make_round):
    from sqlalchemy import select

    from survey.kernel.extensions import db
    from survey.questionnaire.models import Questionnaire

    make_round()
    with app.app_context():
        return f"/personale/spoergeskemaer/{db.session.scalar(select(Questionnaire.id))}"


def test_questionnaire_pages_and_the_preview_pass_axe_at_desktop_size(staff_page, version_path):
    page = staff_page("survey_manager")
    page.goto("/personale/spoergeskemaer")
    check(page, "spoergeskemaer")
    page.get_by_role("link", name="Version 1").click()
    page.wait_for_url(f"**{version_path}")
    check(page, "spoergeskema-version")
    page.get_by_role("link", name="Forhåndsvis", exact=True).click()
    page.get_by_role("link", name="Start undersøgelsen").click()
    page.get_by_role("button", name="Fortsæt", exact=True).click()
    page.wait_for_selector("text=Der er et problem")
    check(page, "forhaandsvisning-fejl")
    page.get_by_label("Hjælp som ung", exact=False).check()
    page.get_by_role("button", name="Fortsæt", exact=True).click()
    expect(page).to_have_title(re.compile(r"\(side 2 af \d+\)"))  # the young people's own block comes next
    assert page.get_by_text("Forhåndsvisning — intet bliver gemt").is_visible()
    check(page, "forhaandsvisning")
    page.set_viewport_size(PHONE_SIZE)
    page.screenshot(path=ARTIFACTS / "screenshots" / "staff-forhaandsvisning-telefon.png", full_page=True)


def test_the_preview_works_without_javascript(app, new_page, make_staff, version_path):
    page = new_page(javascript=False)
    page.set_viewport_size(DESKTOP)
    email = make_staff("analyst")  # any member of staff may preview
    password_step(page, email, "/personale/totrin")
    page.fill("#code", totp_code(app, email))
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/personale/")
    page.goto(f"{version_path}/forhaandsvisning/din-sag")
    # the pages the preview shows, each answered as on the job route (a page of another route left unanswered)
    while not page.locator("h1:has-text('Tjek dine svar')").count():
        action = page.locator("main form:not(:has([name='preview_show']))").last.get_attribute("action")
        for name, value in SYDDJURS_ANSWERS.get(action.split("?")[0].rsplit("/", 1)[1], {}).items():
            field = page.locator(f"[name='{name}']")
            if field.first.get_attribute("type") == "radio":
                page.locator(f"[name='{name}'][value='{value}']").check()
            else:
                field.fill(value)
        page.get_by_role("button", name="Fortsæt", exact=True).click()
        page.wait_for_load_state()
    page.screenshot(path=ARTIFACTS / "screenshots" / "staff-forhaandsvisning-tjek-uden-js.png", full_page=True)
    # "Ændr" posts the answers so far to its page and comes back to the review
    page.locator("#change-hjaelp").click()
    page.wait_for_selector("h1:has-text('Din sag')")
    assert page.locator("[name='hjaelp'][value='job']").is_checked()
    page.locator("[name='hjaelp'][value='hverdag']").check()
    page.get_by_role("button", name="Fortsæt", exact=True).click()
    page.wait_for_selector("h1:has-text('Tjek dine svar')")
    page.get_by_role("button", name="Send svar").click()
    page.wait_for_selector("h1:has-text('Forhåndsvisningen er slut')")
    assert "3 Helhedsorienterede indsatser" in page.inner_text("main")
    page.screenshot(path=ARTIFACTS / "screenshots" / "staff-forhaandsvisning-slut-uden-js.png", full_page=True)
