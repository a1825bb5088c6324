"""The public sign-up form and the manage-page forms."""

from __future__ import annotations

from email_validator import EmailNotValidError
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from survey.kernel.fields import CheckboxesField, options
from survey.kernel.forms import BaseForm, HoneypotForm, MaxLength
from survey.kernel.i18n import local_time_span
from survey.kernel.parsers import parse_danish_phone, parse_email
from survey.meetings.models import MAX_SEATS, NOTIFY_BY
from survey.meetings.vocabulary import NEEDS, ROLES


def needs_field(label, description="") -> CheckboxesField:
    """The needs check boxes, in the words of the form that asks (the person, or staff on their behalf)."""
    return CheckboxesField(label, choices=options(NEEDS), description=description)


def interpreter_language_field(label, description="") -> StringField:
    return StringField(label, description=description, validators=[MaxLength(60, _l("Sproget"))])


def needs_other_field(label, description="") -> TextAreaField:
    return TextAreaField(label, description=description, validators=[MaxLength(500, _l("Det, du har brug for,"))])


class NeedsMixin:
    """What a person needs to take part, its checks and its values: one implementation for the sign-up, the
    manage page and the sign-up staff take by phone (which words the three fields its own way)."""

    needs = needs_field(
        _l("Har du brug for noget for at kunne deltage?"),
        description=_l("Vælg alt, der passer. Du kan også lade det være."),
    )
    interpreter_language = interpreter_language_field(_l("Hvilket sprog skal tolken tale?"))
    needs_other = needs_other_field(_l("Hvad har du brug for?"))
    #: told when "Andet" is ticked and nothing is written
    other_missing = _l("Skriv hvad du har brug for")

    def validate_interpreter_language(self, field):
        if "interpreter" in (self.needs.data or []) and not field.data:
            raise ValidationError(_l("Skriv hvilket sprog tolken skal tale"))

    def validate_needs_other(self, field):
        if "other" in (self.needs.data or []) and not field.data:
            raise ValidationError(self.other_missing)

    def needs_values(self) -> dict:
        """The validated needs as Registration (and Signup) attributes."""
        return {
            "needs": list(self.needs.data or []),
            "interpreter_language": self.interpreter_language.data or "",
            "needs_other": self.needs_other.data or "",
        }


def topic_field() -> TextAreaField:
    return TextAreaField(
        _l("Er der noget, du gerne vil tale om på mødet? (valgfrit)"),
        description=_l("Skriv ikke CPR-nummer eller oplysninger om helbred."),
        validators=[Optional(), MaxLength(1000, _l("Emnet"))],
    )


def topic_focus_area_field() -> SelectField:
    return SelectField(_l("Hvilket emne handler det om?"), validate_choice=False)


class DetailsMixin:
    """Who signs up and how to reach them, with its checks: one implementation for the sign-up and the manage page."""

    # DataRequired looks at the cleaned name: white space or control characters alone are no name
    name = StringField(
        _l("Dit navn"), validators=[DataRequired(message=_l("Skriv dit navn")), MaxLength(120, _l("Navn"))]
    )
    email = StringField(_l("E-mail"), description=_l("Vi sender en bekræftelse og en påmindelse hertil."))
    phone = StringField(_l("Mobilnummer"), description=_l("Har du ikke e-mail, sender vi en sms hertil."))
    notify_by = RadioField(
        _l("Hvordan vil du have besked?"),
        description=_l("Kun hvis du skriver både e-mail og mobilnummer. Vælger du ikke, får du en e-mail."),
        choices=[SelectChoice("email", _l("E-mail")), SelectChoice("sms", _l("Sms"))],
        validate_choice=False,
    )
    role = RadioField(
        _l("Hvem er du?"),
        choices=options(ROLES),
        validate_choice=False,
        validators=[InputRequired(message=_l("Vælg hvem du er"))],
    )
    on_behalf_of = StringField(
        _l("Tilmelder du en anden? Skriv personens fornavn"),
        description=_l("Lad feltet være tomt, hvis du kun tilmelder dig selv."),
        validators=[MaxLength(60, _l("Fornavnet"))],
    )
    behalf_contact = StringField(
        _l("Personens egen e-mail eller mobilnummer (valgfrit)"),
        description=_l(
            "Så sender vi også personen en bekræftelse. Vi bruger det kun til det, og det slettes med tilmeldingen."
        ),
        validators=[MaxLength(254)],
    )
    seats = SelectField(
        _l("Hvor mange kommer I?"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, MAX_SEATS + 1)],
        default="1",
        validate_choice=False,
    )
    topic = topic_field()
    topic_focus_area = topic_focus_area_field()

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

    def validate_notify_by(self, field):
        if not field.data:
            field.data = None
        elif field.data not in NOTIFY_BY:
            raise ValidationError(_l("Vælg e-mail eller sms"))
        elif field.data == "email" and not self.email.data and self.phone.data:
            raise ValidationError(_l("Du har valgt besked på e-mail: skriv din e-mail i feltet E-mail, eller vælg sms"))
        elif field.data == "sms" and not self.phone.data and self.email.data:
            raise ValidationError(
                _l("Du har valgt besked på sms: skriv dit mobilnummer i feltet Mobilnummer, eller vælg e-mail")
            )

    def notify_by_value(self) -> str:
        """Where messages go: the choice when both contacts are given, else the contact that is."""
        if self.email.data and self.phone.data:
            return self.notify_by.data or "email"
        return "email" if self.email.data else "sms"

    def validate_role(self, field):
        if field.data not in ROLES:
            raise ValidationError(_l("Vælg hvem du er"))

    def validate_seats(self, field):
        if field.data not in {str(n) for n in range(1, MAX_SEATS + 1)}:
            raise ValidationError(_l("Vælg mellem 1 og %(max)d pladser", max=MAX_SEATS))

    def validate_topic_focus_area(self, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Vælg et af de viste emner"))

    def validate_behalf_contact(self, field):
        if not field.data:
            field.data = None
            return
        try:
            field.data = (
                parse_email(field.data) if "@" in field.data else parse_danish_phone(field.data, mobile_only=True)
            )
        except (EmailNotValidError, ValueError) as error:
            raise ValidationError(
                _l("Skriv personens e-mail, fx navn@eksempel.dk, eller et dansk mobilnummer, fx 20 30 40 50")
            ) from error

    def signup_values(self) -> dict:
        """The validated details as Signup (and Registration) attributes."""
        return {
            "role": self.role.data,
            "name": self.name.data,
            "email": self.email.data or None,
            "phone": self.phone.data,
            "on_behalf_of": self.on_behalf_of.data or "",
            "behalf_contact": self.behalf_contact.data or None,
            "topic": self.topic.data or "",
            "topic_focus_area_id": int(self.topic_focus_area.data or 0) or None,
            "notify_by": self.notify_by_value(),
        }


class SignupForm(NeedsMixin, DetailsMixin, HoneypotForm):
    # The needs fields, and the topic after them, declared again here so that they (and their errors in the
    # summary) come where the page shows them, after the seats: the mixins' fields would put the needs first
    needs = needs_field(
        _l("Har du brug for noget for at kunne deltage?"),
        description=_l("Vælg alt, der passer. Du kan også lade det være."),
    )
    interpreter_language = interpreter_language_field(_l("Hvilket sprog skal tolken tale?"))
    needs_other = needs_other_field(_l("Hvad har du brug for?"))
    topic = topic_field()
    topic_focus_area = topic_focus_area_field()
    consent = BooleanField(_l("Ja, kommunen må bruge mine oplysninger til mødet"))

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError(_l("Sæt kryds, hvis kommunen må bruge dine oplysninger til mødet"))


class DetailsForm(DetailsMixin, HoneypotForm):
    """Change seats, name, contact, on whose behalf and the topic (manage page)."""


class NeedsForm(NeedsMixin, HoneypotForm):
    """Change what you need (manage page)."""


class MoveForm(HoneypotForm):
    """Move the sign-up to another meeting of the same policy (manage page)."""

    meeting = RadioField(_l("Hvilket møde vil du flytte til?"), validate_choice=False)

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        # the title in the page's language and the time: meetings of one policy often share a title
        self.meeting.choices = [
            SelectChoice(str(m.id), f"{m.shown_title}, {local_time_span(m.starts_at, m.ends_at)}") for m in meetings
        ]

    def validate_meeting(self, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Vælg det møde, du vil flytte til"))


class ConfirmForm(HoneypotForm):
    """A button that needs nothing but the CSRF token (cancel, delete)."""


class MeetingFilterForm(BaseForm):
    """The meeting list's filter: one municipality's meetings, and of those the ones about one of its focus areas
    (a GET form: nothing changes, so no CSRF token)."""

    class Meta(BaseForm.Meta):
        csrf = False

    kommune = SelectField(_l("Kommune"), choices=[])
    fokus = SelectField(_l("Vis møder om"), choices=[])

    @classmethod
    def showing(cls, policies, chosen, areas, focus) -> MeetingFilterForm:
        """The form with the municipalities that have upcoming meetings, the chosen one's focus areas (none before
        one is chosen: the areas of different policies are different things) and the choices made filled in."""
        form = cls(formdata=None, kommune=chosen.slug if chosen else "", fokus=str(focus.id) if focus else "")
        form.kommune.choices = [("", _l("Alle kommuner"))] + [(p.slug, p.municipality) for p in policies]
        form.fokus.choices = [("", _l("Alle emner"))] + [(str(area.id), area.title) for area in areas]
        if len(policies) < 2:
            del form.kommune
        if not areas:
            del form.fokus
        return form
