"""The search for a person, the choice of their sign-ups, and the confirmation of erasure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, ValidationError

from survey.kernel.fields import CheckboxesField
from survey.kernel.forms import BaseForm, MaxLength
from survey.privacy.services import parse_query

MIN_NAME_LENGTH = 2


def too_short(typed: str) -> bool:
    """A name needs a few letters: one letter would list nearly everyone."""
    query = parse_query(typed or "")
    return not query.value or (query.kind == "name" and len(query.value) < MIN_NAME_LENGTH)


class PersonSearchForm(BaseForm):
    query = StringField(
        _l("E-mail, mobilnummer eller navn"),
        description=_l(
            "E-mail og mobilnummer skal være dem, personen tilmeldte sig med. Et navn finder alle tilmeldinger, "
            "hvor navnet indeholder de ord, du skriver."
        ),
        validators=[InputRequired(message=_l("Skriv en e-mail, et mobilnummer eller et navn")), MaxLength(254)],
    )

    def validate_query(self, field):
        if too_short(field.data):
            raise ValidationError(_l("Skriv mindst %(n)d tegn af navnet", n=MIN_NAME_LENGTH))


class PersonSelectionForm(BaseForm):
    """The sign-ups found, to choose from; the search is sent along so the list can be shown again."""

    term = HiddenField()
    registrations = CheckboxesField(_l("Vælg de tilmeldinger, der hører til personen"))

    def validate_registrations(self, field):
        if not field.data:
            raise ValidationError(_l("Vælg mindst én tilmelding"))


class EraseForm(BaseForm):
    """Nothing but the CSRF token: the confirmation button."""
