"""Staff forms for rounds: a new round, and a later closing time. Times are typed in Danish local time and kept
as naive UTC."""

from __future__ import annotations

from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from survey.kernel.clock import local_to_utc, utcnow
from survey.kernel.extensions import db
from survey.kernel.fields import ChoiceField, DropdownField, LocalDateField, LocalTimeField, within_years
from survey.kernel.forms import BaseForm, MaxLength
from survey.questionnaire.models import Questionnaire, Round
from survey.questionnaire.round_admin import questionnaire_versions
from survey.questionnaire.rounds import overlapping_rounds, round_slug

ACCESS_CHOICES = [
    ("open", _l("Åbent link: alle, der har adressen, kan svare")),
    ("invitation", _l("Invitationer: man skal have en personlig kode")),
]


def _combine(day: LocalDateField, hour: LocalTimeField) -> datetime | None:
    """A typed date and time (Danish local time) as naive UTC, or None while either is missing or refused."""
    if day.data and hour.data and not (day.errors or hour.errors):
        return local_to_utc(datetime.combine(day.data, hour.data))
    return None


def _version_name(questionnaire: Questionnaire) -> str:
    return _l("%(title)s (version %(version)d)", title=questionnaire.title, version=questionnaire.version)


class NewRoundForm(BaseForm):
    """A new round of a questionnaire version. An overlap with an open or upcoming round of the same questionnaire
    is refused until staff tick `allow_overlap`."""

    questionnaire = DropdownField(
        _l("Spørgeskema og version"), coerce=int, validators=[InputRequired(_l("Vælg spørgeskemaets version"))]
    )
    label = StringField(
        _l("Rundens navn"),
        description=_l("Fx 2026 1. halvår. Navnet indgår i rundens adresse."),
        validators=[DataRequired(_l("Indtast rundens navn")), MaxLength(80)],
    )
    opens_date = LocalDateField(
        _l("Åbner, dato"), validators=[InputRequired(_l("Indtast datoen runden åbner")), within_years]
    )
    opens_time = LocalTimeField(
        _l("Åbner, tidspunkt"), default=time(0, 0), validators=[InputRequired(_l("Indtast tidspunktet runden åbner"))]
    )
    closes_date = LocalDateField(
        _l("Lukker, dato"), validators=[InputRequired(_l("Indtast datoen runden lukker")), within_years]
    )
    closes_time = LocalTimeField(
        _l("Lukker, tidspunkt"),
        description=_l("Svar tages imod indtil dette tidspunkt. Fx 23:59 for hele dagen."),
        default=time(23, 59),
        validators=[InputRequired(_l("Indtast tidspunktet runden lukker"))],
    )
    access = ChoiceField(
        _l("Hvem kan svare?"), choices=ACCESS_CHOICES, default="open", validators=[InputRequired(_l("Vælg adgang"))]
    )
    one_question_per_page = BooleanField(
        _l("Ét spørgsmål ad gangen"),
        description=_l("Hvert spørgsmål får sin egen side. Det er lettere at læse og svare på en mobil."),
    )
    allow_overlap = BooleanField(_l("Ja, de to runder må overlappe"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        versions = questionnaire_versions()
        self.questionnaire.choose_message = _l("Vælg spørgeskemaets version")
        self.questionnaire.choices = [SelectChoice(q.id, _version_name(q)) for q in versions]
        #: open or upcoming rounds of the same questionnaire whose period meets the new one (after validate)
        self.overlaps: list[Round] = []

    @property
    def opens_at(self) -> datetime | None:
        return _combine(self.opens_date, self.opens_time)

    @property
    def closes_at(self) -> datetime | None:
        return _combine(self.closes_date, self.closes_time)

    @property
    def chosen(self) -> Questionnaire | None:
        """The version chosen, once the field took it (an id not among the choices is refused, never looked up)."""
        if not self.questionnaire.data or self.questionnaire.errors:
            return None
        return db.session.get(Questionnaire, self.questionnaire.data)

    def validate(self, extra_validators=None) -> bool:
        """The fields one by one, then: closes after it opens and in the future, a free address, no overlap
        without the tick."""
        valid = super().validate(extra_validators)
        opens, closes, questionnaire = self.opens_at, self.closes_at, self.chosen
        if opens and closes and closes <= opens:
            self.closes_date.errors.append(_l("Runden skal lukke efter den åbner"))
            return False
        if closes and closes <= utcnow():
            self.closes_date.errors.append(_l("Runden skal lukke et tidspunkt i fremtiden"))
            return False
        if not (valid and opens and closes and questionnaire):
            return False
        slug = round_slug(questionnaire, self.label.data)
        if not slug or db.session.scalar(select(Round.id).where(Round.slug == slug)) is not None:
            self.label.errors.append(_l("Der findes allerede en runde af spørgeskemaet med det navn. Vælg et andet"))
            return False
        self.overlaps = overlapping_rounds(questionnaire, opens, closes)
        if self.overlaps and not self.allow_overlap.data:
            self.allow_overlap.errors.append(
                _l("Runden overlapper en anden runde. Sæt kryds, hvis de to runder må overlappe")
            )
            return False
        return True


class ExtendForm(BaseForm):
    """A later closing time for an upcoming or open round."""

    closes_date = LocalDateField(
        _l("Ny lukkedato"), validators=[InputRequired(_l("Indtast den nye lukkedato")), within_years]
    )
    closes_time = LocalTimeField(
        _l("Nyt lukketidspunkt"), validators=[InputRequired(_l("Indtast det nye lukketidspunkt"))]
    )

    @property
    def closes_at(self) -> datetime | None:
        return _combine(self.closes_date, self.closes_time)
