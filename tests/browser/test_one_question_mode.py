"""A survey with one question per page on a phone (375×667, Chromium): the progress counts questions, each question
is its page's h1, a question passed on purpose is not where the survey resumes, a pause resumes on exactly the
step it was made on (in another browser, with the code), and Back after sending says the answers are sent.

Written against whatever the questionnaire asks: the number of steps is read from the first page. Every page on
the way is axe-clean (WCAG 2.2 AA, plus axe's heading rules); screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.checks import ARTIFACTS, axe_violations, describe_violations, sideways_overflow

SCREENSHOTS = ARTIFACTS / "screenshots"
PROGRESS = re.compile(r"^Spørgsmål (\d+) af (\d+)$")
#: axe's heading rules are best practice, outside the WCAG tags checks.py runs: one h1, no level skipped, none empty
HEADING_RULES = ["page-has-heading-one", "heading-order", "empty-heading"]
RUN_HEADING_RULES = "rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})"


def checked(page: Page, name: str) -> None:
    """axe-clean, headings in order, no sideways scrolling at 375 px, and a screenshot to look at."""
    violations = axe_violations(page)  # injects axe
    violations += page.evaluate(RUN_HEADING_RULES, HEADING_RULES)["violations"]
    assert not violations, describe_violations(violations)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    width, sticking_out = sideways_overflow(page, 375)
    assert width <= 375, sticking_out


def progress(page: Page) -> tuple[int, int]:
    number, total = PROGRESS.match(page.locator("p.progress-text").inner_text().strip()).groups()
    return int(number), int(total)


def the_question(page: Page) -> str:
    """The step's one question, which is the page's only h1."""
    expect(page.locator("main h1")).to_have_count(1)
    return page.locator("main h1").inner_text().strip()


def answer(page: Page) -> None:
    """Answer the step's question: its first option, or a few words."""
    if page.locator("main textarea").count():
        page.locator("main textarea").fill("Det gik fint.")
    else:
        page.locator("main fieldset input[type=radio]").first.check()


def fortsaet(page: Page) -> None:
    page.get_by_role("button", name="Fortsæt", exact=True).click()
    page.wait_for_load_state("load")


def test_one_question_at_a_time_pause_resume_send_and_back(page, new_page, make_round):
    slug = make_round(one_question_per_page=True)
    page.goto(f"/s/{slug}/")
    page.get_by_role("button", name="Start undersøgelsen").click()
    number, total = progress(page)
    assert number == 1 and total > 3
    checked(page, "et-spoergsmaal-1")

    # up to the first question that may be left blank: passed on purpose with 'Fortsæt'
    passed = None
    while passed is None:
        step, question = progress(page)[0], the_question(page)
        fortsaet(page)
        if page.title().startswith("Fejl: "):  # a required question: answered
            answer(page)
            fortsaet(page)
        elif step > 1:
            passed = step
    assert progress(page)[0] == passed + 1

    # one more answered, then a pause on the next step, its question not answered
    answer(page)
    fortsaet(page)
    paused_at, question = progress(page)[0], the_question(page)
    page.get_by_role("button", name="Gem og fortsæt senere").click()
    expect(page).to_have_title(re.compile("^Dine svar er gemt"))
    expect(page.locator("main")).to_contain_text(re.compile(r"til og med den \d+\. \w+ \d{4}"))  # the date kept
    checked(page, "et-spoergsmaal-gemt")
    code = page.locator("strong.code").inner_text()

    # another browser, with the code: exactly the step paused on, not the one passed on purpose
    other = new_page()
    other.goto(f"/s/{slug}/fortsaet")
    other.get_by_label("Kode").fill(code)
    other.get_by_role("button", name="Fortsæt", exact=True).click()
    expect(other).to_have_url(re.compile(rf"/side/{paused_at}$"))
    assert progress(other) == (paused_at, total) and the_question(other) == question
    checked(other, "et-spoergsmaal-genoptaget")

    # the rest, answered; a free-text question on the way is checked too
    while "/side/" in other.url:
        if other.locator("main textarea").count():
            checked(other, "et-spoergsmaal-fritekst")
        answer(other)
        fortsaet(other)
    expect(other).to_have_title(re.compile("^Tjek dine svar"))
    expect(other.locator("main h2").first).to_be_visible()
    checked(other, "et-spoergsmaal-tjek")
    other.get_by_role("button", name="Send svar", exact=True).click()
    expect(other).to_have_title(re.compile("^Tak for dine svar"))

    other.go_back()  # the review page again
    expect(other.locator("main h1")).to_have_text("Dine svar er sendt. Tak")
    checked(other, "et-spoergsmaal-sendt")
