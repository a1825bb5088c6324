"""A test client that checks every HTML page it fetches: valid HTML, a language, a title, unique ids,
and no form control without a label (the GOV.UK Notify admin habit)."""

from __future__ import annotations

import re
from collections import Counter
from xml.etree.ElementTree import Element

import html5lib
from flask import has_app_context
from flask.testing import FlaskClient

UNLABELLED_OK = {"hidden", "submit", "button"}


def parse(html: str) -> Element:
    """Parse strictly: any HTML5 parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(html)


def check_page(html: str) -> Element:
    doc = parse(html)
    assert re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", doc.get("lang") or ""), "the page must say its language"
    title = doc.find("head/title")
    assert title is not None and (title.text or "").strip(), "every page needs a title"
    ids = Counter(el.get("id") for el in doc.iter() if el.get("id"))
    assert not [i for i, n in ids.items() if n > 1], f"duplicate ids: {[i for i, n in ids.items() if n > 1]}"
    labelled = {label.get("for") for label in doc.iter("label")}
    for control in doc.iter():
        if control.tag in ("input", "select", "textarea") and control.get("type") not in UNLABELLED_OK:
            assert control.get("id") in labelled or control.get("aria-label"), f"unlabelled {control.tag}"
    return doc


class CheckedClient(FlaskClient):
    def open(self, *args, **kwargs):
        # A pushed app context would be reused by every request, sharing one session (and one snapshot).
        assert not has_app_context(), "check the database in `with in_app():` blocks, not around requests"
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html":
            response.doc = check_page(response.get_data(as_text=True))
        return response


def text_of(element: Element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def csrf_token(response) -> str:
    field = response.doc.find(".//input[@name='csrf_token']")
    assert field is not None, "the page has no CSRF token"
    return field.get("value")


def title(response) -> str:
    return text_of(response.doc.find("head/title"))


def error_summary(response) -> list[tuple[str, str]]:
    """(link target, message) pairs of the error summary; [] when there is none."""
    summary = response.doc.find(".//*[@role='alert']")
    if summary is None:
        return []
    return [(a.get("href"), text_of(a)) for a in summary.iter("a")]


def field_error(response, field_id: str) -> str | None:
    message = response.doc.find(f".//*[@id='{field_id}-error']")
    return text_of(message) if message is not None else None
