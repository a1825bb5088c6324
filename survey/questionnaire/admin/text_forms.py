"""The form with every text of a questionnaire version, in Danish and English: two fields per text of the file
(questionnaire.texts.text_slots), named by the text's place in the file, so that a problem the loader finds at a
place is shown at its field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from survey.kernel.datafiles import DataFileError
from survey.kernel.forms import BaseForm, MaxLength
from survey.questionnaire.texts import TextSlot, field_name

#: as LocalText in schema.py
MAX_TEXT = 2000

#: what each kind of text is called on the page
ROLES = {
    "title": _l("Spørgeskemaets titel"),
    "intro": _l("Spørgeskemaets indledning"),
    "page_title": _l("Sidens titel"),
    "page_intro": _l("Sidens indledning"),
    "question": _l("Spørgsmålet"),
    "hint": _l("Hjælpetekst til spørgsmålet"),
    "short": _l("Kort navn til tabeller"),
    "option": _l("Svarmulighed"),
}


def slot_name(slot: TextSlot) -> str:
    """What a text is, for a legend and an error message, e.g. "Spørgsmålet (tilfreds)"."""
    return f"{ROLES[slot.role]} ({slot.key})" if slot.key else str(ROLES[slot.role])


class TextsForm(BaseForm):
    slots: list[TextSlot] = []

    def texts(self) -> dict[tuple, dict[str, str | None]]:
        """{place: {"da": …, "en": … or None}} as the form has them."""
        return {
            slot.place: {"da": self[slot.field_name("da")].data, "en": self[slot.field_name("en")].data or None}
            for slot in self.slots
        }

    def changed_count(self) -> int:
        """How many texts (one language of one text) differ from the version's."""
        return sum(
            (getattr(slot.text, lang) or "") != (self[slot.field_name(lang)].data or "")
            for slot in self.slots
            for lang in ("da", "en")
        )

    def show_problems(self, error: DataFileError) -> None:
        """Put each problem the loader found at the field of its place (or of the nearest text above it)."""
        for loc, message in error.located or [((), problem) for problem in error.problems]:
            name = self._field_for(loc)
            self[name].errors = [*self[name].errors, message]

    def _field_for(self, loc: tuple) -> str:
        lang = "en" if loc[-1:] == ("en",) else "da"
        for end in range(len(loc), 0, -1):
            for place in (loc[:end], (*loc[:end], "text"), (*loc[:end], "title")):
                if (name := field_name(place, lang)) in self:
                    return name
        return field_name(("title",), "da")


def texts_form(slots: list[TextSlot]) -> TextsForm:
    """A form for these texts, filled in with the version's texts (or with what was posted)."""
    fields = {}
    for slot in slots:
        what = slot_name(slot)
        fields[slot.field_name("da")] = TextAreaField(
            _l("%(what)s på dansk", what=what),
            validators=[DataRequired(message=_l("Skriv teksten på dansk: %(what)s", what=what)), MaxLength(MAX_TEXT)],
        )
        fields[slot.field_name("en")] = TextAreaField(
            _l("%(what)s på engelsk", what=what),
            description=_l("Tom: den danske tekst vises."),
            validators=[MaxLength(MAX_TEXT)],
        )
    form_class = type("TextsForm", (TextsForm,), {**fields, "slots": slots})
    data = {slot.field_name(lang): getattr(slot.text, lang) or "" for slot in slots for lang in ("da", "en")}
    return form_class(data=data)
