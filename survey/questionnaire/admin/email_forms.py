"""Forms of a round's invitations by e-mail or SMS: the pasted list, its confirmation, and taking one address (or
number) off. The views reach a list form's field as `entries` and a removal form's as `entry`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from survey.kernel.forms import BaseForm


class AddressListForm(BaseForm):
    """The list as pasted; a chosen file (.txt or .csv) is read by the view, since BaseForm reads text only."""

    addresses = TextAreaField(
        _l("E-mailadresser"),
        description=_l("Én adresse pr. linje. Du kan også vælge en fil nedenfor (.txt eller .csv)."),
    )
    missing = _l("Indsæt e-mailadresser, eller vælg en fil med dem.")

    @property
    def entries(self):
        return self.addresses


class NumberListForm(BaseForm):
    """A list of mobile numbers, as AddressListForm."""

    numbers = TextAreaField(
        _l("Mobilnumre"),
        description=_l(
            "Ét nummer pr. linje. Danske numre uden +45, andre med landekode (+46 …). "
            "Du kan også vælge en fil nedenfor (.txt eller .csv)."
        ),
    )
    missing = _l("Indsæt mobilnumre, eller vælg en fil med dem.")

    @property
    def entries(self):
        return self.numbers


class ConfirmListForm(BaseForm):
    """The list again, carried in the page (it is stored only when confirmed), and the count staff saw."""

    addresses = HiddenField()
    count = HiddenField()


class RemoveAddressForm(BaseForm):
    email = StringField(_l("E-mailadresse, der skal fjernes"))
    missing = _l("Indtast den e-mailadresse, der skal fjernes.")
    removed = _l("Adressen er fjernet fra listen. Den får ingen flere e-mails om undersøgelsen.")
    not_found = _l("Adressen står ikke på listen til denne runde.")

    @property
    def entry(self):
        return self.email


class RemoveNumberForm(BaseForm):
    number = StringField(_l("Mobilnummer, der skal fjernes"))
    missing = _l("Indtast det mobilnummer, der skal fjernes.")
    removed = _l("Nummeret er fjernet fra listen. Det får ingen flere SMS om undersøgelsen.")
    not_found = _l("Nummeret står ikke på listen til denne runde.")

    @property
    def entry(self):
        return self.number
