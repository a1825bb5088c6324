"""A citizen who uses only the keyboard: Tab to move, arrow keys and Space in a radio group, Enter to press."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

FOCUSED = """() => {
  const el = document.activeElement;
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'), type: el.getAttribute('type'),
          value: el.value ?? null, href: el.getAttribute('href'), checked: !!el.checked,
          text: (el.innerText || '').trim()};
}"""
# More Tab presses than any of our pages has stops (the review page has one "Ændr" link per question).
MAX_TABS = 80


def focused(page: Page) -> dict:
    """What has keyboard focus now."""
    return page.evaluate(FOCUSED)


def tab_until(page: Page, wanted: Callable[[dict], bool], what: str) -> dict:
    """Press Tab until the focused element is the one wanted; fail naming it if Tab never gets there."""
    trail = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        if wanted(now):
            return now
        trail.append(now["id"] or now["name"] or now["text"][:30] or now["tag"])
    raise AssertionError(f"Tab never reached {what}; it went through {trail}")


def press_button(page: Page, text: str) -> None:
    """Tab to the button (or button-styled link) with this text and press Enter."""
    tab_until(page, lambda el: el["tag"] in ("button", "a") and el["text"] == text, f"the button {text!r}")
    page.keyboard.press("Enter")


def choose_radio(page: Page, name: str, value: str) -> None:
    """Tab into the radio group and choose an option with the arrow keys (Space for the first one)."""
    now = tab_until(page, lambda el: el["type"] == "radio" and el["name"] == name, f"the radio group {name!r}")
    for _ in range(20):
        if now["value"] == value:
            break
        page.keyboard.press("ArrowDown")  # moves focus to the next option and selects it
        now = focused(page)
    else:
        raise AssertionError(f"the arrow keys never reached {value!r} in {name!r}")
    if not now["checked"]:
        page.keyboard.press("Space")  # the group's first option is focused but not yet chosen
    assert focused(page)["checked"], f"{name}={value} is not chosen"


def type_into(page: Page, name: str, text: str) -> None:
    """Tab to the text field and type."""
    tab_until(page, lambda el: el["name"] == name, f"the field {name!r}")
    page.keyboard.type(text)
