"""Forms of a round's e-mail invitations: the pasted list, its confirmation, and taking one address off."""

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


class ConfirmListForm(BaseForm):
    """The list again, carried in the page (it is stored only when confirmed), and the count staff saw."""

    addresses = HiddenField()
    count = HiddenField()


class RemoveAddressForm(BaseForm):
    email = StringField(_l("E-mailadresse, der skal fjernes"))
