"""Form fields whose parse errors are told in Danish (WTForms' own are English and say nothing about what to do)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, SelectMultipleField
from wtforms import TimeField as _TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs, or a {value: label} dict, as WTForms choices."""
    return [SelectChoice(value, label) for value, label in (pairs.items() if isinstance(pairs, dict) else pairs)]


class ChoiceField(RadioField):
    """A radio group whose unknown values get a Danish message instead of WTForms' English one."""

    def __init__(self, label, choices: list[tuple[str, str]], **kwargs):
        super().__init__(label, choices=options(choices), validate_choice=False, **kwargs)

    def pre_validate(self, form):
        if self.data is not None and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(_l("Vælg et af svarene på listen"))


class DanishParseError:
    """Mixin: a value the field cannot parse is told with `parse_message` (Danish, saying what to type)."""

    parse_message: str  # set by each field

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.parse_message) from error


class CheckboxesField(DanishParseError, SelectMultipleField):
    """Several checkboxes (rendered by components/fields.html `checkboxes`); unknown values told in Danish."""

    parse_message = _l("Vælg kun mellem punkterne på listen")

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = list(dict.fromkeys(self.data))  # a value sent twice is one choice, not two

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise StopValidation(self.parse_message)


class LocalDateField(DanishParseError, DateField):
    """A date as <input type=date> sends it (2026-05-04) or as people type it (4-5-2026, 4.5.2026)."""

    parse_message = _l("Indtast datoen som dd-mm-åååå, fx 24-09-2026")

    def __init__(self, label, **kwargs):
        super().__init__(label, format=["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"], **kwargs)


#: the dates staff can give: nothing happens before the app existed, and the end leaves room for the day after
#: and for a time zone (a date near 9999-12-31 has no next day, and 0001-01-01 no UTC before it)
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def within_years(form, field) -> None:
    """A LocalDateField's validator: a date from FIRST_DAY to LAST_DAY."""
    if field.data and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(_l("Indtast en dato mellem 01-01-2000 og 31-12-2099"))


class LocalTimeField(DanishParseError, _TimeField):
    parse_message = _l("Indtast tidspunktet som tt:mm, fx 17:00")

    def __init__(self, label, **kwargs):
        super().__init__(label, format=["%H:%M", "%H.%M"], **kwargs)


class WholeNumberField(DanishParseError, IntegerField):
    parse_message = _l("Indtast et helt tal, fx 20")


class DropdownField(SelectField):
    choose_message = _l("Vælg en af mulighederne på listen")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None  # told by pre_validate

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise StopValidation(self.choose_message)
