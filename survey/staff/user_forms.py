"""Forms of the users pages (admins create users and change roles) and of the set-password link."""

from __future__ import annotations

from email_validator import EmailNotValidError
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from survey.kernel import roles
from survey.kernel.fields import ChoiceField
from survey.kernel.forms import BaseForm
from survey.kernel.parsers import parse_email
from survey.staff.passwords import password_problem
from survey.staff.services import find_staff

#: each role in words, in the order of survey.kernel.roles.ROLES
ROLE_LABELS = {
    "admin": _l("Administrator"),
    "survey_manager": _l("Undersøgelsesansvarlig"),
    "meeting_host": _l("Mødevært"),
    "analyst": _l("Analytiker"),
}
assert set(ROLE_LABELS) == set(roles.ROLES), "every role has a name in words"
ROLE_HINT = _l("Rollen bestemmer, hvilke sider medarbejderen kan åbne.")


class NewUserForm(BaseForm):
    """A new staff user: no password here, they choose one from the link they get by mail."""

    email = EmailField(
        _l("E-mail"),
        description=_l("Medarbejderens arbejdsmail. Hertil sender vi linket til at vælge en adgangskode."),
        validators=[
            InputRequired(message=_l("Indtast medarbejderens e-mailadresse")),
            Length(max=254, message=_l("E-mailadressen må højst være på 254 tegn")),
        ],
    )
    name = StringField(
        _l("Navn"),
        validators=[
            InputRequired(message=_l("Indtast medarbejderens navn")),
            Length(max=120, message=_l("Navnet må højst være på 120 tegn")),
        ],
    )
    role = ChoiceField(
        _l("Rolle"),
        list(ROLE_LABELS.items()),
        description=ROLE_HINT,
        validators=[InputRequired(message=_l("Vælg medarbejderens rolle"))],
    )

    def validate_email(self, field):
        try:
            field.data = parse_email(field.data)
        except EmailNotValidError as error:
            raise ValidationError(_l("Skriv en gyldig e-mailadresse, fx navn@kommune.dk")) from error
        if find_staff(field.data) is not None:
            raise ValidationError(_l("Der findes allerede en medarbejder med den e-mailadresse"))


class RoleForm(BaseForm):
    role = ChoiceField(
        _l("Rolle"),
        list(ROLE_LABELS.items()),
        description=ROLE_HINT,
        validators=[InputRequired(message=_l("Vælg en rolle"))],
    )


class SetPasswordForm(BaseForm):
    """The password a new user chooses from their link (the same rules as a password change)."""

    new = PasswordField(
        _l("Adgangskode"),
        description=_l("Mindst 15 tegn. Brug gerne flere tilfældige ord efter hinanden – det er let at huske."),
        validators=[InputRequired(message=_l("Indtast en adgangskode"))],
    )
    repeat = PasswordField(_l("Gentag adgangskoden"), validators=[InputRequired(message=_l("Gentag adgangskoden"))])

    def __init__(self, email: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def validate_new(self, field):
        if problem := password_problem(field.data, self.email):
            raise ValidationError(problem)

    def validate_repeat(self, field):
        if field.data != self.new.data:
            raise ValidationError(_l("De to adgangskoder er ikke ens"))
