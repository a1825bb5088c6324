"""On a phone (375×667), with and without JavaScript: pause a survey, have the resume code sent by SMS or e-mail,
come back with it. axe-core finds nothing on the pages on the way; screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.checks import ARTIFACTS, axe_violations, describe_violations, sideways_overflow
from tests.questionnaire.walker import SYDDJURS_ANSWERS

SCREENSHOTS = ARTIFACTS / "screenshots"


def pause(page: Page, slug: str) -> None:
    """Start, answer the first page and press 'Gem og fortsæt senere'."""
    page.goto(f"/s/{slug}/")
    page.get_by_role("button", name="Start undersøgelsen").click()
    for name, value in SYDDJURS_ANSWERS["din-sag"].items():
        page.check(f"input[name='{name}'][value='{value}']")
    page.get_by_role("button", name="Gem og fortsæt senere").click()
    expect(page).to_have_title(re.compile("^Dine svar er gemt"))


def send(page: Page, contact: str) -> None:
    page.get_by_label("Mobilnummer eller e-mail").fill(contact)
    page.get_by_role("button", name="Send koden", exact=True).click()
    page.wait_for_load_state("load")


def checked(page: Page, name: str) -> None:
    """No axe findings, no sideways scrolling at 375 px, and a screenshot to look at."""
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    width, sticking_out = sideways_overflow(page, 375)
    assert width <= 375, sticking_out


def test_the_code_sent_by_sms_brings_the_citizen_back(page, make_round, sms_sent):
    slug = make_round()
    pause(page, slug)
    code = page.locator("strong.code").inner_text()

    send(page, "2030")
    expect(page).to_have_title(re.compile("^Fejl: "))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Skriv et mobilnummer med 8 cifre")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Mobilnummer eller e-mail")).to_be_focused()
    checked(page, "gemt-sms-fejl")

    send(page, "20 30 40 50")
    expect(page.get_by_role("status")).to_have_text("Koden er sendt i en sms til 20 30 40 50.")
    expect(page.locator("strong.code")).to_have_text(code)
    expect(page.get_by_label("Mobilnummer eller e-mail")).to_have_value("")
    checked(page, "gemt-sms-sendt")

    [sms] = sms_sent.sent
    assert sms.to == "+4520304050" and code in sms.text
    link = re.search(r"Fortsæt her: (\S+)", sms.text).group(1)
    page.goto(link.replace("http://127.0.0.1:5000", ""))
    expect(page).to_have_title(re.compile(r"\(side 2 af \d+\)"))


def test_without_javascript_the_code_goes_by_e_mail(page_no_js, make_round, smtp):
    page = page_no_js
    pause(page, make_round())
    code = page.locator("strong.code").inner_text()
    send(page, "karen@example.dk")
    expect(page.get_by_role("status")).to_contain_text("Koden er sendt i en e-mail til karen@example.dk.")
    # no axe here: a page without JavaScript runs no script, not even the test's (the same HTML is checked above)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "gemt-email-sendt.png", full_page=True)
    [mail] = smtp.to("karen@example.dk")
    assert code in mail.get_body(preferencelist=("plain",)).get_content()
