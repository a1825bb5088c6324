"""Issue 17's done-when: someone who reads the meeting pages in English signs up on a phone and gets the
confirmation in English, over a real SMTP server: the meeting's own English title, the interpreter's language named
in English, no Danish sentence. Every page on the way is axe-clean."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.checks import ARTIFACTS, axe_violations, describe_violations

TITLE_DA, TITLE_EN = "Dialogmøde om job og uddannelse", "Dialogue meeting on jobs and education"
DESCRIPTION_EN = "We would like to hear how the help has worked for you."
#: Danish words of the confirmation mail's fixed text: none of them may reach an English reader
DANISH = ("Du er tilmeldt", "Hvornår", "Tolk på", "Kommer du ikke", "afmeld", TITLE_DA)


def assert_accessible(page, name: str) -> None:
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / f"english-{name}.png", full_page=True)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_an_english_sign_up_gets_english_pages_and_an_english_mail(page, make_meeting, smtp):
    meeting_id = make_meeting(title=TITLE_DA, title_en=TITLE_EN, description_en=DESCRIPTION_EN)

    page.goto(f"/moeder/{meeting_id}?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_EN)
    expect(page.locator("main")).to_contain_text(DESCRIPTION_EN)
    assert_accessible(page, "meeting")

    page.get_by_role("link", name=re.compile("^Sign up")).first.click()
    expect(page.locator("main")).to_contain_text(TITLE_EN)
    assert TITLE_DA not in page.inner_text("main")
    page.fill("#name", "Karen Hansen")
    page.fill("#email", "karen@example.dk")
    page.locator("label[for=role]").click()  # the first role: a citizen
    page.locator("input[name=needs][value=interpreter]").check()
    page.fill("#interpreter_language", "arabisk")
    page.locator("label[for=consent]").click()
    assert_accessible(page, "signup")
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_title(re.compile("^Thank you"))
    assert_accessible(page, "thanks")

    [mail] = smtp.to("karen@example.dk")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["Subject"] == f"You are signed up: {TITLE_EN}"
    assert TITLE_EN in text and "Interpreter in Arabic" in text
    assert not [word for word in DANISH if word in text or word in str(mail["Subject"])], text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="en"' in html
