"""Staff forms: the two login steps, the password change and the audit log filters."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from survey.kernel.fields import LocalDateField, within_years
from survey.kernel.forms import BaseForm
from survey.staff.passwords import password_problem


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(message=_l("Indtast din e-mailadresse"))])
    password = PasswordField(_l("Adgangskode"), validators=[InputRequired(message=_l("Indtast din adgangskode"))])


class CodeForm(BaseForm):
    """The second step: the code from the app, or a recovery code."""

    code = StringField(
        _l("Kode"),
        description=_l("Den 6-cifrede kode fra din app. Har du ikke telefonen, så skriv en af dine reservekoder."),
        validators=[InputRequired(message=_l("Indtast koden fra din app"))],
    )


class EnrolForm(BaseForm):
    code = StringField(
        _l("Kode fra appen"),
        description=_l("Skriv den 6-cifrede kode, som appen viser nu."),
        validators=[InputRequired(message=_l("Indtast koden fra din app"))],
    )


class PasswordChangeForm(BaseForm):
    """A new password for oneself; the current one is asked for first."""

    current = PasswordField(
        _l("Nuværende adgangskode"), validators=[InputRequired(message=_l("Indtast din nuværende adgangskode"))]
    )
    new = PasswordField(
        _l("Ny adgangskode"),
        description=_l("Mindst 15 tegn. Brug gerne flere tilfældige ord efter hinanden – det er let at huske."),
        validators=[InputRequired(message=_l("Indtast en ny adgangskode"))],
    )
    repeat = PasswordField(
        _l("Gentag den nye adgangskode"), validators=[InputRequired(message=_l("Gentag den nye adgangskode"))]
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current(self, field):
        if not self.user.check_password(field.data):
            raise ValidationError(_l("Adgangskoden er forkert"))

    def validate_new(self, field):
        if problem := password_problem(field.data, self.user.email):
            raise ValidationError(problem)
        if self.user.check_password(field.data):
            raise ValidationError(_l("Den nye adgangskode skal være en anden end den nuværende."))

    def validate_repeat(self, field):
        if field.data != self.new.data:
            raise ValidationError(_l("De to nye adgangskoder er ikke ens"))


class AuditFilterForm(BaseForm):
    """Filters of the audit log (a GET form: nothing is changed, so no CSRF token)."""

    class Meta(BaseForm.Meta):
        csrf = False

    handling = SelectField(_l("Handling"), choices=[], validate_choice=False)
    email = StringField(_l("E-mail"), description=_l("Hele adressen"))
    fra = LocalDateField(_l("Fra og med dato (UTC)"), validators=[Optional(), within_years])
    til = LocalDateField(_l("Til og med dato (UTC)"), validators=[Optional(), within_years])

    def validate_til(self, field):
        if field.data and self.fra.data and field.data < self.fra.data:
            raise ValidationError(_l("Til-datoen skal være samme dag som fra-datoen eller senere"))
