"""The results pages' filters: GET forms (nothing changes, so no CSRF token), rendered by the field macros.

The query parameters (politik, runde, citerbare) are parsed where every results URL needs them (views._choice), so
the downloads and the report take the same choice; these forms show that choice and let staff change it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from survey.kernel.fields import CheckboxesField
from survey.kernel.forms import BaseForm, MaxLength
from survey.policies.models import Policy
from survey.results.personal_data import find_personal_data, kinds_found

#: a redacted quote is no longer than the longest comment a questionnaire may ask for
REDACTED_MAX = 5000


class ResultsFilterForm(BaseForm):
    """Which policy, and which of its rounds (all when none is ticked)."""

    class Meta(BaseForm.Meta):
        csrf = False

    politik = SelectField(_l("Politik"), choices=[])
    runde = CheckboxesField(_l("Runder"), choices=[], coerce=int)

    @classmethod
    def showing(cls, policies: list[Policy], policy: Policy | None, rounds: list, selected: list) -> ResultsFilterForm:
        """The form with the page's current choice filled in."""
        form = cls(formdata=None, politik=policy.slug if policy else None, runde=[r.id for r in selected])
        form.politik.choices = [(p.slug, f"{p.municipality}: {p.title}") for p in policies]
        form.runde.choices = [(r.id, r.label) for r in rounds]
        return form


class CommentFilterForm(BaseForm):
    """Only the comments whose writers allowed quoting."""

    class Meta(BaseForm.Meta):
        csrf = False

    #: the page's own links say citerbare=1; the checkbox sends citerbare=y
    citerbare = BooleanField(_l("Vis kun kommentarer, der må citeres"), false_values=("", "0", "false"))


class RedactionForm(BaseForm):
    """The text of a quote as the report prints it, without the personal data staff were shown (CSRF checked)."""

    tekst = TextAreaField(
        _l("Anonymiseret tekst til bilaget"),
        description=_l("Erstat navne, alder, adresser og numre med fx [navn], [alder] eller [by]."),
        validators=[DataRequired(message=_l("Skriv den anonymiserede tekst")), MaxLength(REDACTED_MAX)],
    )

    def validate_tekst(self, field) -> None:
        if kinds := kinds_found(find_personal_data(field.data)):
            raise ValidationError(
                _l(
                    "Teksten indeholder stadig noget, der ligner personoplysninger (%(found)s). Ret det, før citatet "
                    "kan gemmes.",
                    found=", ".join(kinds),
                )
            )
