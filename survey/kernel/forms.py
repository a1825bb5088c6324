"""BaseForm: stripped, cleaned input and Danish messages; the honeypot that keeps simple bots out."""

from __future__ import annotations

import re
import unicodedata
from functools import partial

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from flask_wtf.form import SUBMIT_METHODS, _Auto
from markupsafe import escape
from wtforms import StringField
from wtforms.validators import ValidationError

from survey.kernel import wtforms_messages

# Control characters other than newline and tab: PostgreSQL refuses NUL, and none belongs in an answer.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value):
    """NFC-normalised, without control characters or surrounding white space; other values pass through."""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", value).strip()


class _TokenWhenShown:
    """A form's CSRF token, signed only when the page shows it: a post that passes redirects and never needs a new
    one (signing it was a twentieth of such a request's CPU)."""

    __slots__ = ("_make", "_value")

    def __init__(self, make):
        self._make, self._value = make, None

    def __str__(self) -> str:
        if self._value is None:
            self._value = self._make()
        return self._value

    def __html__(self) -> str:
        return str(escape(str(self)))


class _CsrfWhenShown(_FlaskFormCSRF):
    def generate_csrf_token(self, csrf_token_field):
        return _TokenWhenShown(partial(super().generate_csrf_token, csrf_token_field))


HONEYPOT = "bd_extra"
EXPIRED_FORM = _l("Siden har været åben for længe. Tjek dine svar, og send siden igen")


class BaseForm(FlaskForm):
    """Every form of ours: input is cleaned before it is validated."""

    class Meta(FlaskForm.Meta):
        csrf_class = _CsrfWhenShown

        def bind_field(self, form, unbound_field, options):
            filters = [clean_text, *unbound_field.kwargs.get("filters", [])]
            return unbound_field.bind(form=form, filters=filters, **options)

        def wrap_formdata(self, form, formdata):
            # Only the posted text fields. FlaskForm would also read uploaded files and a JSON body, whose
            # numbers, lists and file objects reach filters and validators written for text (a 500).
            if formdata is _Auto:
                return request.form if request.method in SUBMIT_METHODS and request.form else None
            return super().wrap_formdata(form, formdata)

        def get_translations(self, form):
            # WTForms' own messages ("This field is required.") in Danish too (survey.kernel.wtforms_messages)
            return wtforms_messages.translations

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) pairs for the error summary, in field order.

        A missing or expired CSRF token is told in Danish and linked to the first field the citizen sees:
        the page is shown again with what was typed, and the hidden token is nothing anyone can act on."""
        return [
            (self._first_visible_id(), str(EXPIRED_FORM)) if field.type == "CSRFTokenField" else (field.id, str(error))
            for field in self
            for error in field.errors
        ]

    def _first_visible_id(self) -> str:
        hidden = ("CSRFTokenField", "HiddenField")
        return next((f.id for f in self if f.type not in hidden and f.name != HONEYPOT), "main-content")


class HoneypotForm(BaseForm):
    #: people never see this field (named HONEYPOT); a bot that fills it in is turned away
    bd_extra = StringField(_l("Udfyld ikke dette felt"))

    def validate_bd_extra(self, field):
        if field.data:
            raise ValidationError(_l("Formularen kunne ikke sendes. Prøv igen."))


class MaxLength:
    """Length check that tells the citizen how much to cut, naming the field when `name` is given ("Navn må højst
    være 120 tegn"): "Dit svar" only fits a question's answer."""

    def __init__(self, maximum: int, name=None):
        self.maximum = maximum
        self.name = name

    def __call__(self, form, field):
        length = len(field.data or "")
        if length <= self.maximum:
            return
        if self.name is not None:
            # i18n: %(name)s is the field's short name, e.g. "Navn"
            message = _l(
                "%(name)s må højst være %(max)d tegn. Du har skrevet %(length)d tegn.",
                name=self.name,
                max=self.maximum,
                length=length,
            )
        else:
            message = _l(
                "Dit svar må højst være %(max)d tegn. Du har skrevet %(length)d tegn.", max=self.maximum, length=length
            )
        raise ValidationError(message)
