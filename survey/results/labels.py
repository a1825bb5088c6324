"""What every output says in place of a hidden figure, and why it is hidden (results.suppression's reasons).

Two labels, not three. "færre end 5 svar" (FEW) says only what was already the rule: the cell has 1–4 respondents.
A group hidden because all its members answered alike (ALIKE) and a figure hidden so that another hidden one cannot
be worked out by subtraction (LINKED) share one neutral label, because a label of its own for ALIKE would say that
every member of that group gave the same answer: a member who knows their own answer, or anyone who knows one
member's answer, would then know all of theirs — the very thing the rule hides. Under the shared label nobody can
tell whether a given cell is uniform, and the label never names the cell it protects."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.results.suppression import FEW, LINKED, UNIFORM_MINIMUM

#: the measures as named mid-sentence, for a row in which both are hidden
DIMENSION_NAMES = {"satisfaction": _l("tilfredshed"), "transparency": _l("gennemsigtighed")}


def hidden_label(reason: str | None, minimum: int) -> str:
    """The text in place of a hidden figure. `reason` None: a cell with no respondents at all (nothing to hide,
    nothing in the model) — fewer than the minimum, truthfully."""
    if reason in (None, FEW):
        return _("færre end %(minimum)d svar", minimum=minimum)
    return _("skjult for at beskytte svarpersonerne")


def hidden_legend(minimum: int) -> str:
    """The one explanation of the labels: the results pages, the bilag and the exports' "Små grupper"."""
    return _(
        "Tal for færre end %(minimum)d svarpersoner vises ikke (»%(few)s«). Heller ikke tal for en gruppe under "
        "%(alike)d, hvor alle har svaret ens, eller tal, der er skjult, fordi et andet skjult tal ellers kunne regnes "
        "ud fra en total og de viste tal (»%(protect)s«). Der står ikke, hvilken af de to grunde det er, for det ville "
        "i sig selv sige noget om svarene.",
        minimum=minimum,
        few=hidden_label(FEW, minimum),
        alike=max(UNIFORM_MINIMUM, minimum),
        protect=hidden_label(LINKED, minimum),
    )


def row_hidden_label(reasons: dict[str, str], minimum: int) -> str:
    """The text for a focus area's row in which both measures are hidden: one label if both say the same, else
    each measure's own (`reasons`: dimension → reason, a dimension with no cell at all left out)."""
    said = {dimension: hidden_label(reasons.get(dimension), minimum) for dimension in DIMENSION_NAMES}
    if len(set(said.values())) == 1:
        return next(iter(said.values()))
    return "; ".join(f"{DIMENSION_NAMES[dimension]}: {label}" for dimension, label in said.items())
