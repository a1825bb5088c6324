"""The survey walked in WebKit, Safari's engine (tests/webkit.py: Debian's WebKitWebDriver under Xvfb), on a phone's
viewport (375×667): start, every question page, a pause with 'Gem og fortsæt senere' and the way back with the
code, 'Tjek dine svar', send, the receipt; no page scrolls sideways, and the answers given are what is stored.

The walk answers whatever a page asks (the first option of every group of radio buttons, a text in every text box)
and presses 'Fortsæt' until 'Tjek dine svar' comes: it knows neither the number of pages nor the questions, which
follow the questionnaire's routing and its pages. Screenshots in test-artifacts/screenshots/webkit-*.png."""

from __future__ import annotations

from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from tests.browser.checks import ARTIFACTS
from tests.servers import START_TIMEOUT

SCREENSHOTS = ARTIFACTS / "screenshots"
TEXT = "Skrevet i WebKit: sagsbehandleren ringede tilbage."
#: more pages than any questionnaire has: a walk that gets no further stops here instead of going round for ever
MOST_PAGES = 100


def press(driver, name: str) -> None:
    """Press the button (or follow the link) named `name` and wait until the next page has loaded."""
    path = f"//button[normalize-space()='{name}'] | //a[normalize-space()='{name}']"
    try:
        target = driver.find_element(By.XPATH, path)
    except NoSuchElementException:
        raise AssertionError(f"no {name!r} on {driver.title!r} ({driver.current_url})") from None
    old = driver.find_element(By.TAG_NAME, "html")
    target.click()
    wait = WebDriverWait(driver, START_TIMEOUT)
    wait.until(expected_conditions.staleness_of(old))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def no_sideways_scroll(driver) -> None:
    width, viewport = driver.execute_script("return [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{driver.title!r} scrolls sideways: {width} CSS px in a viewport of {viewport}"


def answer_page(driver) -> dict[str, str]:
    """Answer what the question page asks: the first option of each fieldset's radio buttons (by its label, as a
    finger does), a text in each text box a person sees. Returns {field name: value given}."""
    given = {}
    form = driver.find_element(By.CSS_SELECTOR, "main form")
    for fieldset in form.find_elements(By.TAG_NAME, "fieldset"):
        radios = fieldset.find_elements(By.CSS_SELECTOR, "input[type='radio']")
        if radios:
            first = radios[0]
            form.find_element(By.CSS_SELECTOR, f"label[for='{first.get_attribute('id')}']").click()
            assert first.is_selected(), f"tapping the label of {first.get_attribute('id')} chose it"
            given[first.get_attribute("name")] = first.get_attribute("value")
    for box in form.find_elements(By.CSS_SELECTOR, "textarea, input[type='text']"):
        if not box.is_displayed():
            continue  # the trap for robots, out of sight: a person never fills it in
        box.clear()
        box.send_keys(TEXT)
        given[box.get_attribute("name")] = TEXT
    assert given, f"a question page with nothing to answer: {driver.title!r}"
    return given


def screenshot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.find_element(By.TAG_NAME, "body").screenshot(str(SCREENSHOTS / f"webkit-{name}.png"))


def test_a_survey_walked_in_webkit_with_a_pause_is_stored_with_its_answers(webkit, live_server, make_round, in_app):
    from survey.kernel.codes import normalise
    from survey.questionnaire.models import Answer, Question, Response

    driver, slug = webkit, make_round()
    start = f"{live_server.url}/s/{slug}/"
    driver.get(start)
    no_sideways_scroll(driver)
    press(driver, "Start undersøgelsen")

    given: dict[str, str] = {}
    answered: list[str] = []  # the titles of the pages answered, "… (side n af m)"
    pages, paused, code = 0, False, None
    while not driver.title.startswith("Tjek dine svar"):
        assert pages < MOST_PAGES and not driver.title.startswith("Fejl"), (driver.title, driver.current_url)
        assert "side" in driver.title, f"a question page: {driver.title!r}"
        no_sideways_scroll(driver)
        given |= answer_page(driver)
        answered.append(driver.title)
        pages += 1
        if pages == 1:
            screenshot(driver, "question-page")
        if pages == 2 and not paused:
            press(driver, "Gem og fortsæt senere")
            assert driver.title.startswith("Dine svar er gemt"), driver.title
            no_sideways_scroll(driver)
            code = driver.find_element(By.CSS_SELECTOR, "strong.code").text
            paused = True
            driver.delete_all_cookies()  # back another day: nothing of the session is left
            driver.get(start)
            press(driver, "Har du holdt pause? Fortsæt med din kode")
            assert driver.title.startswith("Fortsæt hvor du slap"), driver.title
            driver.find_element(By.NAME, "code").send_keys(code)
            press(driver, "Fortsæt")
            assert driver.title not in answered, f"resumed after the pages answered, not on {driver.title!r}"
            continue
        press(driver, "Fortsæt")
    assert paused and code, f"the walk had {pages} page(s): too few to pause midway"

    no_sideways_scroll(driver)
    press(driver, "Send svar")
    assert driver.title.startswith("Tak for dine svar"), driver.title
    no_sideways_scroll(driver)
    receipt = driver.find_element(By.CSS_SELECTOR, "strong.code").text
    screenshot(driver, "receipt")

    with in_app() as session:
        response = session.scalar(select(Response).where(Response.receipt == normalise(receipt)))
        assert response is not None, f"no response with the receipt {receipt!r}"
        stored = {
            key: answer.text if answer.text is not None else answer.choice
            for answer, key in session.execute(
                select(Answer, Question.key).join(Question).where(Answer.response_id == response.id)
            )
        }
    assert stored == given
