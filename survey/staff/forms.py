from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from survey.forms import BaseForm


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(message=_l("Indtast din e-mailadresse"))])
    password = PasswordField(_l("Adgangskode"), validators=[InputRequired(message=_l("Indtast din adgangskode"))])
