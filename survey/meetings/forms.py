"""The public sign-up form and the manage-page forms."""

from __future__ import annotations

from email_validator import EmailNotValidError
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from survey.kernel.fields import CheckboxesField, options
from survey.kernel.forms import BaseForm, HoneypotForm, MaxLength
from survey.kernel.parsers import parse_danish_phone, parse_email
from survey.meetings.models import MAX_SEATS

ROLE_LABELS = {
    "borger": _l("Borger"),
    "paaroerende": _l("Pårørende"),
    "fagperson": _l("Fagperson"),
    "virksomhed": _l("Virksomhed"),
    "andet": _l("Andet"),
}
NEED_LABELS = {
    "step_free": _l("Trinfri adgang"),
    "interpreter": _l("Tolk"),
    "sign_language": _l("Tegnsprogstolk"),
    "hearing_loop": _l("Teleslynge"),
    "other": _l("Andet"),
}


class NeedsMixin:
    """What a person needs to take part; shared by sign-up and the manage page."""

    needs = CheckboxesField(
        _l("Har du brug for noget for at kunne deltage?"),
        choices=options(NEED_LABELS),
        description=_l("Vælg alt, der passer. Du kan også lade det være."),
    )
    interpreter_language = StringField(_l("Hvilket sprog skal tolken tale?"), validators=[Length(max=60)])
    needs_other = TextAreaField(_l("Hvad har du brug for?"), validators=[MaxLength(500)])

    def validate_interpreter_language(self, field):
        if "interpreter" in (self.needs.data or []) and not field.data:
            raise ValidationError(_l("Skriv hvilket sprog tolken skal tale"))

    def validate_needs_other(self, field):
        if "other" in (self.needs.data or []) and not field.data:
            raise ValidationError(_l("Skriv hvad du har brug for"))


class SignupForm(NeedsMixin, HoneypotForm):
    # DataRequired looks at the cleaned name: white space or control characters alone are no name
    name = StringField(_l("Dit navn"), validators=[DataRequired(message=_l("Skriv dit navn")), MaxLength(120)])
    email = StringField(_l("E-mail"), description=_l("Vi sender en bekræftelse og en påmindelse hertil."))
    phone = StringField(_l("Mobilnummer"), description=_l("Hvis du ikke har e-mail, ringer eller skriver vi hertil."))
    role = RadioField(
        _l("Hvem er du?"),
        choices=options(ROLE_LABELS),
        validate_choice=False,
        validators=[InputRequired(message=_l("Vælg hvem du er"))],
    )
    on_behalf_of = StringField(
        _l("Tilmelder du en anden? Skriv personens fornavn"),
        description=_l("Lad feltet være tomt, hvis du kun tilmelder dig selv."),
        validators=[MaxLength(60)],
    )
    seats = SelectField(
        _l("Hvor mange kommer I?"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, MAX_SEATS + 1)],
        default="1",
        validate_choice=False,
    )
    topic = TextAreaField(
        _l("Er der noget, du gerne vil tale om på mødet? (valgfrit)"),
        description=_l("Skriv ikke CPR-nummer eller oplysninger om helbred."),
        validators=[Optional(), MaxLength(1000)],
    )
    topic_focus_area = SelectField(_l("Hvilket emne handler det om?"), validate_choice=False)
    consent = BooleanField(_l("Jeg har læst, hvordan kommunen behandler mine oplysninger"))

    def __init__(self, *args, focus_areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topic_focus_area.choices = [SelectChoice("", _l("Ved ikke"))] + [
            SelectChoice(str(area.id), area.title) for area in focus_areas
        ]

    def validate_email(self, field):
        if not field.data and not self.phone.data:
            raise ValidationError(_l("Skriv din e-mail eller dit mobilnummer, så vi kan give dig besked"))
        if field.data:
            try:
                field.data = parse_email(field.data)
            except EmailNotValidError as error:
                raise ValidationError(_l("Skriv en gyldig e-mailadresse, fx navn@eksempel.dk")) from error

    def validate_phone(self, field):
        if not field.data:
            field.data = None
            return
        try:
            field.data = parse_danish_phone(field.data, mobile_only=True)
        except ValueError as error:
            raise ValidationError(_l("Skriv et dansk mobilnummer med 8 cifre, fx 20 30 40 50")) from error

    def validate_role(self, field):
        if field.data not in ROLE_LABELS:
            raise ValidationError(_l("Vælg hvem du er"))

    def validate_seats(self, field):
        if field.data not in {str(n) for n in range(1, MAX_SEATS + 1)}:
            raise ValidationError(_l("Vælg mellem 1 og %(max)d pladser", max=MAX_SEATS))

    def validate_topic_focus_area(self, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Vælg et af de viste emner"))

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError(_l("Sæt kryds for at vise, at du har læst, hvordan vi behandler dine oplysninger"))


class NeedsForm(NeedsMixin, HoneypotForm):
    """Change what you need (manage page)."""


class ConfirmForm(HoneypotForm):
    """A button that needs nothing but the CSRF token (cancel, delete)."""


class MeetingFilterForm(BaseForm):
    """The meeting list's filter: meetings about one focus area (a GET form: nothing changes, so no CSRF token)."""

    class Meta(BaseForm.Meta):
        csrf = False

    fokus = SelectField(_l("Vis møder om"), choices=[])

    @classmethod
    def showing(cls, areas, focus: int | None) -> MeetingFilterForm:
        """The form with the focus areas of the upcoming meetings and the one chosen (?fokus=id) filled in."""
        form = cls(formdata=None, fokus=str(focus) if focus else "")
        form.fokus.choices = [("", _l("Alle emner"))] + [(str(area.id), area.title) for area in areas]
        return form
