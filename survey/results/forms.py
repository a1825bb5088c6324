"""The results pages' filters: GET forms (nothing changes, so no CSRF token), rendered by the field macros.

The query parameters (politik, runde, citerbare) are parsed where every results URL needs them (views._choice), so
the downloads and the report take the same choice; these forms show that choice and let staff change it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField

from survey.kernel.fields import CheckboxesField
from survey.kernel.forms import BaseForm
from survey.policies.models import Policy


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
