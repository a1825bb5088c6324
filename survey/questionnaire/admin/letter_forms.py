"""The staff form that makes invitation letters for a round."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, NumberRange, StopValidation

from survey.kernel.fields import WholeNumberField
from survey.kernel.forms import BaseForm
from survey.questionnaire.letters import MAX_LETTERS


def parsed(form, field):
    """Stop when the field could not read the number: its own message says what to type, a range is beside it."""
    if field.process_errors:
        raise StopValidation()


class LettersForm(BaseForm):
    """How many letters (codes) to make."""

    count = WholeNumberField(
        _l("Antal breve"),
        description=_l("Ét brev pr. borger. Hvert brev får sin egen kode."),
        validators=[
            InputRequired(message=_l("Skriv, hvor mange breve du vil lave")),
            parsed,
            NumberRange(1, MAX_LETTERS, message=_l("Antal breve skal være mellem 1 og 50.000")),
        ],
    )
