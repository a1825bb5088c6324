"""The staff form for a dialogue meeting itself (create and edit), and the two checks every staff form here uses."""

from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from survey.kernel.clock import local_to_utc, utc_to_local
from survey.kernel.extensions import db
from survey.kernel.fields import (
    CheckboxesField,
    DropdownField,
    LocalDateField,
    LocalTimeField,
    WholeNumberField,
    options,
)
from survey.kernel.forms import BaseForm, MaxLength
from survey.meetings.models import TRANSLATED_TEXTS, Meeting
from survey.meetings.vocabulary import VENUE_FEATURES
from survey.policies.models import Policy

MAX_CAPACITY = 1000


def required(message):
    """Something was sent (a 0 counts); for numbers, dates and choices."""
    return InputRequired(message=message)


def filled(message):
    """Text that is not empty once stripped."""
    return DataRequired(message=message)


class MeetingForm(BaseForm):
    """Create or edit a meeting. Times are typed in Danish local time and stored as naive UTC."""

    policy = DropdownField(_l("Politik"), coerce=int, validators=[required(_l("Vælg den politik mødet hører under"))])
    focus_areas = CheckboxesField(
        _l("Fokusområder"), coerce=int, description=_l("Vælg de fokusområder i politikken, mødet handler om")
    )
    title = StringField(_l("Titel"), validators=[filled(_l("Indtast mødets titel")), MaxLength(200)])
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), MaxLength(5000)])
    #: the English texts (valgfri): shown to those who read the pages or get their messages in another language
    title_en = StringField(
        _l("Titel på engelsk (valgfri)"),
        description=_l("Tom: den danske titel vises også på engelsk"),
        validators=[Optional(), MaxLength(200)],
    )
    description_en = TextAreaField(_l("Beskrivelse på engelsk (valgfri)"), validators=[Optional(), MaxLength(5000)])
    start_date = LocalDateField(_l("Dato"), validators=[required(_l("Indtast mødets dato"))])
    start_time = LocalTimeField(
        _l("Starttidspunkt"),
        validators=[required(_l("Indtast hvornår mødet starter"))],
    )
    end_date = LocalDateField(
        _l("Slutdato (valgfri)"), description=_l("Kun hvis mødet slutter en anden dag"), validators=[Optional()]
    )
    end_time = LocalTimeField(_l("Sluttidspunkt"), validators=[required(_l("Indtast hvornår mødet slutter"))])
    venue_name = StringField(
        _l("Sted"),
        description=_l("Fx Rådhuset, mødelokale 2"),
        validators=[filled(_l("Indtast stedets navn")), MaxLength(200)],
    )
    venue_address = StringField(_l("Adresse"), validators=[filled(_l("Indtast stedets adresse")), MaxLength(300)])
    accessibility = CheckboxesField(
        _l("Tilgængelighed på stedet"),
        choices=options((code, f.label) for code, f in VENUE_FEATURES.items()),
        description=_l("Vælg alt, hvad stedet har"),
    )
    accessibility_note = TextAreaField(
        _l("Mere om tilgængelighed (valgfri)"),
        description=_l("Fx hvor indgangen uden trin er"),
        validators=[Optional(), MaxLength(1000)],
    )
    accessibility_note_en = TextAreaField(
        _l("Mere om tilgængelighed på engelsk (valgfri)"), validators=[Optional(), MaxLength(1000)]
    )
    capacity = WholeNumberField(
        _l("Antal pladser"),
        validators=[
            required(_l("Indtast hvor mange pladser der er")),
            NumberRange(1, MAX_CAPACITY, message=_l("Antal pladser skal være mellem 1 og 1000")),
        ],
    )
    deadline_date = LocalDateField(
        _l("Tilmeldingsfrist, dato"), validators=[required(_l("Indtast datoen for tilmeldingsfristen"))]
    )
    deadline_time = LocalTimeField(
        _l("Tilmeldingsfrist, tidspunkt"), validators=[required(_l("Indtast tidspunktet for tilmeldingsfristen"))]
    )
    reminder_days = WholeNumberField(
        _l("Påmindelse, antal dage før mødet"),
        description=_l("0 betyder ingen påmindelse"),
        default=2,
        validators=[
            required(_l("Indtast hvor mange dage før mødet påmindelsen sendes")),
            NumberRange(0, 14, message=_l("Påmindelsen kan sendes 0 til 14 dage før mødet")),
        ],
    )
    reminder_note = TextAreaField(
        _l("Personlig hilsen i påmindelsen (valgfri)"), validators=[Optional(), MaxLength(1000)]
    )
    reminder_note_en = TextAreaField(
        _l("Personlig hilsen på engelsk (valgfri)"), validators=[Optional(), MaxLength(1000)]
    )

    def __init__(self, *args, seats_taken: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats_taken = seats_taken
        policies = db.session.scalars(select(Policy).order_by(Policy.municipality, Policy.title)).all()
        self.policy.choose_message = _l("Vælg den politik mødet hører under")
        self.policy.choices = [SelectChoice(p.id, f"{p.municipality}: {p.title}") for p in policies]
        self.areas = {area.id: area for p in policies for area in p.focus_areas}
        self.focus_areas.choices = [SelectChoice(a.id, f"{a.code}. {a.title}") for a in self.areas.values()]
        #: (policy title, [focus area ids]) to show the checkboxes under their policy
        self.area_groups = [(f"{p.municipality}: {p.title}", [a.id for a in p.focus_areas]) for p in policies]
        if self.policy.data is None and len(policies) == 1:
            self.policy.data = policies[0].id

    def validate_focus_areas(self, field):
        if self.policy.data is None:
            return
        if any(self.areas[area_id].policy_id != self.policy.data for area_id in field.data or []):
            raise ValidationError(_l("Vælg kun fokusområder fra den politik, mødet hører under"))

    def validate_capacity(self, field):
        if field.data is not None and field.data < self.seats_taken:
            raise ValidationError(
                _l(
                    "Der er allerede %(taken)d pladser optaget. Antal pladser kan ikke være mindre end %(taken)d",
                    taken=self.seats_taken,
                )
            )

    def validate(self, extra_validators=None) -> bool:
        """The fields one by one, then: end after start, deadline before start."""
        valid = super().validate(extra_validators)
        starts, ends, deadline = self.starts_at_local, self.ends_at_local, self.deadline_local
        if starts and ends and ends <= starts:
            self.end_time.errors.append(_l("Mødet skal slutte efter det starter"))
            valid = False
        if starts and deadline and deadline >= starts:
            self.deadline_date.errors.append(_l("Tilmeldingsfristen skal være før mødet starter"))
            valid = False
        return valid

    @staticmethod
    def _combine(day: date | None, hour: time | None) -> datetime | None:
        return datetime.combine(day, hour) if day and hour else None

    @property
    def starts_at_local(self) -> datetime | None:
        return self._combine(self.start_date.data, self.start_time.data)

    @property
    def ends_at_local(self) -> datetime | None:
        if self.end_date.errors:
            return None
        return self._combine(self.end_date.data or self.start_date.data, self.end_time.data)

    @property
    def deadline_local(self) -> datetime | None:
        return self._combine(self.deadline_date.data, self.deadline_time.data)

    def meeting_values(self) -> dict:
        """The validated form as Meeting attributes (times as naive UTC)."""
        chosen = set(self.accessibility.data or [])
        return {
            "policy": db.session.get(Policy, self.policy.data),
            "focus_areas": [self.areas[i] for i in self.focus_areas.data or []],
            "title": self.title.data,
            "description": self.description.data or "",
            "starts_at": local_to_utc(self.starts_at_local),
            "ends_at": local_to_utc(self.ends_at_local),
            "venue_name": self.venue_name.data,
            "venue_address": self.venue_address.data,
            **{code: code in chosen for code in VENUE_FEATURES},
            "accessibility_note": self.accessibility_note.data or "",
            "capacity": self.capacity.data,
            "registration_deadline": local_to_utc(self.deadline_local),
            "reminder_days": self.reminder_days.data,
            "reminder_note": self.reminder_note.data or "",
            **{f"{name}_en": getattr(self, f"{name}_en").data or "" for name in TRANSLATED_TEXTS},
        }

    @staticmethod
    def data_from(meeting: Meeting) -> dict:
        """A meeting as the form's initial data (times in Danish local time)."""
        starts, ends = utc_to_local(meeting.starts_at), utc_to_local(meeting.ends_at)
        deadline = utc_to_local(meeting.registration_deadline)
        return {
            "policy": meeting.policy_id,
            "focus_areas": [area.id for area in meeting.focus_areas],
            "title": meeting.title,
            "description": meeting.description,
            "start_date": starts.date(),
            "start_time": starts.time(),
            "end_date": ends.date() if ends.date() != starts.date() else None,
            "end_time": ends.time(),
            "venue_name": meeting.venue_name,
            "venue_address": meeting.venue_address,
            "accessibility": [code for code in VENUE_FEATURES if getattr(meeting, code)],
            "accessibility_note": meeting.accessibility_note,
            "capacity": meeting.capacity,
            "deadline_date": deadline.date(),
            "deadline_time": deadline.time(),
            "reminder_days": meeting.reminder_days,
            "reminder_note": meeting.reminder_note,
            **{f"{name}_en": getattr(meeting, f"{name}_en") for name in TRANSLATED_TEXTS},
        }
