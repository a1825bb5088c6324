"""The translations a request finds once (survey.kernel.translations) follow every change of its language."""

from __future__ import annotations

from flask import render_template_string, session
from flask_babel import force_locale, gettext, lazy_gettext, refresh


def test_a_forced_language_inside_a_request_is_honoured_and_then_undone(app):
    back = lazy_gettext("Tilbage")
    with app.test_request_context("/?lang=en"):
        assert (gettext("Tilbage"), str(back), render_template_string("{{ _('Tilbage') }}")) == ("Back",) * 3
        with force_locale("da"):  # e.g. the Danish e-mail sent while an English page is answered
            assert (gettext("Tilbage"), str(back), render_template_string("{{ _('Tilbage') }}")) == ("Tilbage",) * 3
        assert (gettext("Tilbage"), str(back), render_template_string("{{ _('Tilbage') }}")) == ("Back",) * 3


def test_a_language_chosen_during_a_request_takes_effect_after_refresh(app):
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert gettext("Tilbage") == "Back"
        session["lang"] = "da"
        assert gettext("Tilbage") == "Back", "the request keeps the language it began with"
        refresh()
        assert gettext("Tilbage") == "Tilbage"


def test_each_request_gets_its_own_language(client):
    english = client.get("/privatliv?lang=en")
    danish = client.get("/privatliv?lang=da")
    assert english.doc.get("lang") == "en" and danish.doc.get("lang") == "da"
    assert "Privacy" in english.get_data(as_text=True) and "Privatlivspolitik" in danish.get_data(as_text=True)


def test_a_trans_block_is_looked_up_trimmed_as_babel_extracts_it(app):
    """A {% trans %} block broken over lines finds its translation (babel.cfg extracts it trimmed)."""
    with app.test_request_context("/?lang=en"):
        assert render_template_string("<p>{% trans %}\n  Log\n  ud\n{% endtrans %}</p>") == "<p>Log out</p>"
