"""Staff forms for a meeting's sign-ups: seats held for people staff invite, and a sign-up taken by phone."""

from __future__ import annotations

from email_validator import EmailNotValidError
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import NumberRange, ValidationError

from survey.kernel.fields import ChoiceField, WholeNumberField
from survey.kernel.forms import BaseForm, MaxLength
from survey.kernel.parsers import parse_danish_phone, parse_email
from survey.meetings.admin.meeting_forms import MAX_CAPACITY, filled, required
from survey.meetings.forms import NeedsMixin, interpreter_language_field, needs_field, needs_other_field
from survey.meetings.models import MAX_SEATS
from survey.meetings.services import Signup
from survey.meetings.vocabulary import ROLES


class ReserveSeatsForm(BaseForm):
    label = StringField(
        _l("Hvem er pladserne til?"),
        description=_l("Fx Borgere inviteret af jobcentret"),
        validators=[filled(_l("Skriv hvem pladserne er til")), MaxLength(120)],
    )
    seats = WholeNumberField(
        _l("Antal pladser"),
        validators=[
            required(_l("Indtast hvor mange pladser du vil reservere")),
            NumberRange(1, MAX_CAPACITY, message=_l("Antal pladser skal være mellem 1 og 1000")),
        ],
    )


class StaffSignupForm(NeedsMixin, BaseForm):
    """A sign-up staff take on someone's behalf, e.g. a citizen who phoned in. The needs and their checks are the
    citizen's own (NeedsMixin); the contact may be a landline, as staff can call back."""

    name = StringField(_l("Navn"), validators=[filled(_l("Indtast personens navn")), MaxLength(120)])
    role = ChoiceField(
        _l("Deltager som"),
        list(ROLES.items()),
        default="borger",
        validators=[required(_l("Vælg hvordan personen deltager"))],
    )
    email = StringField(_l("E-mail (valgfri)"), description=_l("Så får personen en bekræftelse og en påmindelse"))
    phone = StringField(_l("Telefonnummer"), validators=[MaxLength(20)])
    on_behalf_of = StringField(
        _l("Tilmeldt på vegne af (valgfri)"),
        description=_l("Fornavn på den, personen kommer med"),
        validators=[MaxLength(60)],
    )
    seats = WholeNumberField(
        _l("Antal pladser"),
        default=1,
        validators=[
            required(_l("Indtast antal pladser")),
            NumberRange(1, MAX_SEATS, message=_l("Antal pladser skal være mellem 1 og %(max)d", max=MAX_SEATS)),
        ],
    )
    needs = needs_field(_l("Behov for støtte"))
    interpreter_language = interpreter_language_field(
        _l("Tolk på hvilket sprog?"), description=_l("Kun hvis personen har brug for tolk")
    )
    needs_other = needs_other_field(_l("Andre behov"), description=_l("Kun hvis personen har brug for andet"))
    other_missing = _l("Skriv hvad personen har brug for")

    def validate_email(self, field):
        if not field.data:
            return
        try:
            field.data = parse_email(field.data)
        except EmailNotValidError as error:
            raise ValidationError(_l("Indtast en gyldig e-mailadresse, fx navn@eksempel.dk")) from error

    def validate_phone(self, field):
        if not field.data:
            if not self.email.data:
                raise ValidationError(_l("Indtast et telefonnummer eller en e-mailadresse"))
            return
        try:
            field.data = parse_danish_phone(field.data, mobile_only=False)  # a landline will do for staff
        except ValueError as error:
            raise ValidationError(_l("Indtast et gyldigt telefonnummer, fx 20 12 34 56")) from error

    def signup(self) -> Signup:
        """The form as the service's Signup."""
        return Signup(
            role=self.role.data,
            name=self.name.data,
            email=self.email.data or None,
            phone=self.phone.data or None,
            on_behalf_of=self.on_behalf_of.data or "",
            seats=self.seats.data,
            **self.needs_values(),
        )
