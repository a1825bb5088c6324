"""The staff form that makes invitation letters for a round."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, NumberRange

from survey.kernel.fields import WholeNumberField
from survey.kernel.forms import BaseForm
from survey.questionnaire.letters import MAX_LETTERS


class LettersForm(BaseForm):
    """How many letters (codes) to make."""

    count = WholeNumberField(
        _l("Antal breve"),
        description=_l("Ét brev pr. borger. Hvert brev får sin egen kode."),
        validators=[
            InputRequired(message=_l("Skriv, hvor mange breve du vil lave")),
            NumberRange(1, MAX_LETTERS, message=_l("Antal breve skal være mellem 1 og 50.000")),
        ],
    )
