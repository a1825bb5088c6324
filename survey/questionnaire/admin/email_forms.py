"""Forms of a round's invitations by e-mail or SMS: the pasted list, its confirmation, and taking one address (or
number) off. The views reach a form's field through `field` (its name is `field_name`) and its messages as
attributes, whichever the channel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from survey.kernel.forms import BaseForm


class _OneFieldForm(BaseForm):
    field_name: str
    #: the error when the field is left empty
    missing: str

    @property
    def field(self):
        return self[self.field_name]


class AddressListForm(_OneFieldForm):
    """The list as pasted; a chosen file (.txt or .csv) is read by the view, since BaseForm reads text only."""

    field_name, missing = "addresses", _l("Indsæt e-mailadresser, eller vælg en fil med dem.")
    addresses = TextAreaField(
        _l("E-mailadresser"),
        description=_l("Én adresse pr. linje. Du kan også vælge en fil nedenfor (.txt eller .csv)."),
    )


class NumberListForm(_OneFieldForm):
    """A list of mobile numbers, as AddressListForm."""

    field_name, missing = "numbers", _l("Indsæt mobilnumre, eller vælg en fil med dem.")
    numbers = TextAreaField(
        _l("Mobilnumre"),
        description=_l(
            "Ét nummer pr. linje. Danske numre uden +45, andre med landekode (+46 …). "
            "Du kan også vælge en fil nedenfor (.txt eller .csv)."
        ),
    )


class ConfirmListForm(BaseForm):
    """The list again, carried in the page (it is stored only when confirmed), and the count staff saw."""

    addresses = HiddenField()
    count = HiddenField()


class RemoveAddressForm(_OneFieldForm):
    field_name, missing = "email", _l("Indtast den e-mailadresse, der skal fjernes.")
    email = StringField(_l("E-mailadresse, der skal fjernes"))
    removed = _l("Adressen er fjernet fra listen. Den får ingen flere e-mails om undersøgelsen.")
    not_found = _l("Adressen står ikke på listen til denne runde.")


class RemoveNumberForm(_OneFieldForm):
    field_name, missing = "number", _l("Indtast det mobilnummer, der skal fjernes.")
    number = StringField(_l("Mobilnummer, der skal fjernes"))
    removed = _l("Nummeret er fjernet fra listen. Det får ingen flere SMS om undersøgelsen.")
    not_found = _l("Nummeret står ikke på listen til denne runde.")
