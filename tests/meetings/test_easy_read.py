"""Easy-read slips on the sign-up form: every message Danish, naming its field, in the page's order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import wtforms
from wtforms import Form, StringField
from wtforms.validators import DataRequired, Length

from survey.kernel.forms import BaseForm
from survey.kernel.wtforms_messages import BUILT_IN
from tests.meetings.signup import sign_up
from tests.pages import error_summary, field_error, text_of, title

POT = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"


def test_every_built_in_wtforms_message_has_our_danish_text():
    singular = re.findall(r'^msgid "(.+)"$', POT.read_text(), re.MULTILINE)
    assert singular and sorted(set(singular) - set(BUILT_IN)) == []


class Plain(BaseForm):
    class Meta(BaseForm.Meta):
        csrf = False

    short = StringField("Kort", validators=[Length(max=60)])
    needed = StringField("Nødvendig", validators=[DataRequired()])


@pytest.mark.parametrize(
    "lang, too_long, required",
    [
        ("da", "Skriv højst 60 tegn.", "Udfyld feltet."),
        ("en", "Write no more than 60 characters.", "Fill in this field."),
    ],
)
def test_wtforms_own_messages_follow_the_page_language(app, lang, too_long, required):
    with app.test_request_context(f"/?lang={lang}", method="POST", data={"short": "x" * 61, "needed": ""}):
        form = Plain()
        assert not form.validate()
        assert (form.short.errors, form.needed.errors) == ([too_long], [required])


def test_a_plain_wtforms_form_would_have_said_it_in_english(app):
    # the slip this guards against: WTForms has no Danish catalogue of its own
    class Bare(Form):
        short = StringField("Kort", validators=[Length(max=60)])

    form = Bare(data={"short": "x" * 61})
    assert not form.validate() and form.short.errors == ["Field cannot be longer than 60 characters."]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "x" * 121, "Navn må højst være 120 tegn. Du har skrevet 121 tegn."),
        ("on_behalf_of", "x" * 61, "Fornavnet må højst være 60 tegn. Du har skrevet 61 tegn."),
        ("topic", "x" * 1001, "Emnet må højst være 1000 tegn. Du har skrevet 1001 tegn."),
    ],
)
def test_a_length_message_names_its_field(client, make_meeting, field, value, message):
    response = sign_up(client, make_meeting(), **{field: value})
    assert field_error(response, field).removeprefix("Fejl: ") == message


def test_the_error_summary_follows_the_order_of_the_page(client, make_meeting):
    response = sign_up(
        client, make_meeting(), name="", email="", needs=["interpreter"], interpreter_language="", consent=None
    )
    ids = [field_id for field_id, _message in error_summary(response)]
    assert ids == ["#name", "#email", "#interpreter_language", "#consent"]


def test_the_sign_up_page_has_no_double_colon(client, make_meeting):
    page = client.get(f"/moeder/{make_meeting(title='Dialogmøde: Job og uddannelse')}/tilmeld")
    heading = text_of(page.doc.find(".//h1"))
    assert "::" not in title(page) and title(page).count(":") == 1 and heading.count(":") == 0
    assert "Dialogmøde: Job og uddannelse" in text_of(page.doc.find(".//main"))


def _first_screen(element) -> str:
    """The text a citizen reads without opening anything: everything outside <details>."""
    for details in list(element.iter("details")):
        details.clear()
    return text_of(element)


@pytest.mark.parametrize("word", ["IP-adresse", "dataansvarlig"])
def test_no_legal_words_on_the_first_screen_of_a_survey(client, make_round, word):
    page = client.get(f"/s/{make_round()}/")
    details = text_of(page.doc.find(".//main//details"))
    assert word in details, "explained behind the details"
    assert word not in _first_screen(page.doc.find(".//main"))


def test_the_sign_up_says_what_happens_instead_of_i_have_read(client, make_meeting):
    page = client.get(f"/moeder/{make_meeting()}/tilmeld")
    main = text_of(page.doc.find(".//main"))
    assert "Jeg har læst" not in main and "privatlivspolitikken" not in main
    assert text_of(page.doc.find(".//label[@for='consent']")) == "Ja, kommunen må bruge mine oplysninger til mødet"
    assert page.doc.find(".//main//a[@href='/privatliv']") is not None
