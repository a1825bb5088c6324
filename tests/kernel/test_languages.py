"""The language list is configuration: a language added in LANGUAGES with its catalogue is offered, served and
written in (right to left where it is), and questionnaire texts may come in it, with no change to the code."""

from __future__ import annotations

import pytest

from survey.kernel.config import Config
from survey.questionnaire.schema import LocalText
from tests.locales import PSEUDO, RTL, language_settings, pseudo, right_to_left, write_catalogues


@pytest.fixture
def languages_app(make_app, tmp_path):
    """An app that speaks Danish, English and the two test languages (tests/locales.py)."""
    return make_app(**language_settings(write_catalogues(tmp_path / "translations")))


def test_the_default_languages_are_danish_and_english_and_the_environment_adds_more(monkeypatch):
    assert Config.LANGUAGES == ("da", "en")
    import importlib

    import survey.kernel.config as config

    monkeypatch.setenv("LANGUAGES", "en, ar,so")
    assert importlib.reload(config).Config.LANGUAGES == ("da", "en", "ar", "so"), "Danish is always first"
    monkeypatch.delenv("LANGUAGES")
    importlib.reload(config)


@pytest.mark.parametrize(
    ("lang", "html_lang", "direction", "word"),
    [
        ("da", "da", None, "Privatlivspolitik"),
        (PSEUDO, "en-001", None, pseudo("Privacy notice")),
        (RTL, "ar-001", "rtl", right_to_left("Privacy notice")),
    ],
)
def test_a_configured_language_is_served_with_its_lang_and_direction(languages_app, lang, html_lang, direction, word):
    page = languages_app.test_client().get(f"/privatliv?lang={lang}")
    assert page.status_code == 200
    assert (page.doc.get("lang"), page.doc.get("dir")) == (html_lang, direction)
    assert word in page.get_data(as_text=True)


def test_the_switcher_offers_every_other_configured_language_in_its_own_name(languages_app):
    page = languages_app.test_client().get("/privatliv?lang=ar_001")
    links = [
        (a.get("lang"), a.get("href"), "".join(a.itertext()))
        for a in page.doc.iter("a")
        if "language-link" in (a.get("class") or "")
    ]
    assert links == [
        ("da", "/privatliv?lang=da", "Dansk"),
        ("en", "/privatliv?lang=en", "English"),
        ("en-001", "/privatliv?lang=en_001", "English (world)"),
    ]


def test_a_language_that_is_not_configured_is_not_served(client):
    page = client.get(f"/privatliv?lang={RTL}")
    assert (page.doc.get("lang"), page.doc.get("dir")) == ("da", None)
    assert [a.get("lang") for a in page.doc.iter("a") if "language-link" in (a.get("class") or "")] == ["en"]


def test_questionnaire_texts_take_any_language_code_and_fall_back_to_danish():
    text = LocalText(da="Hvordan gik det?", en="How did it go?", ar="كيف سارت الأمور؟", **{"so": "  "})
    assert [text.get(lang) for lang in ("da", "en", "ar", "ar_EG", "so", "tr")] == [
        "Hvordan gik det?",
        "How did it go?",
        "كيف سارت الأمور؟",
        "كيف سارت الأمور؟",
        "Hvordan gik det?",
        "Hvordan gik det?",
    ]


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ({"en": "Hi"}, "Field required"),
        ({"da": "Hej", "Arabisk": "x"}, r"Arabisk\n  Extra inputs are not permitted"),
        ({"dansk": "Hej"}, r"(?s)da\n  Field required .*\ndansk\n  Extra inputs are not permitted"),
        ({"da": "Hej", "ar": 3}, r"ar\n  Input should be a valid string"),
        ({"da": "Hej", "ar": "x" * 2001}, r"ar\n  String should have at most 2000 characters"),
    ],
)
def test_questionnaire_texts_still_need_danish_and_a_language_code(texts, message):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        LocalText(**texts)
