"""The words of dialogue meetings, each list once: who signs up (roles), what a person may need to take part, and
what a venue offers. The codes are what is stored; the labels are Danish source text, translated when shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    from flask_babel import LazyString

    from survey.meetings.models import Meeting

#: who a person takes part as (Registration.role)
ROLES = {
    "borger": _l("Borger"),
    "paaroerende": _l("Pårørende"),
    "fagperson": _l("Fagperson"),
    "virksomhed": _l("Virksomhed"),
    "andet": _l("Andet"),
}

#: what a person may ask for to take part (Registration.needs); 'interpreter' goes with a language
NEEDS = {
    "step_free": _l("Trinfri adgang"),
    "interpreter": _l("Tolk"),
    "sign_language": _l("Tegnsprogstolk"),
    "hearing_loop": _l("Teleslynge"),
    "other": _l("Andet"),
}

#: the same needs inside a sentence, as the staff page counts them: "3 har brug for trinfri adgang"
NEED_PHRASES = {
    "step_free": _l("trinfri adgang"),
    "interpreter": _l("tolk"),
    "sign_language": _l("tegnsprogstolk"),
    "hearing_loop": _l("teleslynge"),
    "other": _l("andet (se listen)"),
}


class VenueFeature(NamedTuple):
    #: the check box staff tick
    label: LazyString
    #: what the public meeting page says when the venue has it, and when it has not
    present: LazyString
    absent: LazyString


#: what a venue may offer; each code is a yes/no column of Meeting
VENUE_FEATURES = {
    "step_free": VenueFeature(_l("Trinfri adgang"), _l("Trinfri adgang"), _l("Ikke trinfri adgang")),
    "hearing_loop": VenueFeature(_l("Teleslynge"), _l("Teleslynge"), _l("Ingen teleslynge")),
    "accessible_toilet": VenueFeature(_l("Handicaptoilet"), _l("Handicaptoilet"), _l("Intet handicaptoilet")),
    "parking": VenueFeature(_l("Parkering"), _l("Parkering ved stedet"), _l("Ingen parkering ved stedet")),
}


#: what the municipality does when someone needs what the venue has not (survey.meetings.changes.unmet_needs)
UNMET_NEEDS = {
    "step_free": _l(
        "Mødestedet er ikke trinfrit. Mødets vært har fået besked og ringer eller skriver til dig inden mødet, så I "
        "sammen kan finde en løsning, fx et andet lokale."
    ),
    "hearing_loop": _l(
        "Mødestedet har ingen teleslynge. Mødets vært har fået besked og sørger for en mobil teleslynge, eller "
        "kontakter dig inden mødet."
    ),
}


def unmet_need_text(code: str) -> LazyString:
    return UNMET_NEEDS[code]


def venue_facts(meeting: Meeting) -> list[LazyString]:
    """What the venue offers and what it does not, one line each: someone who needs it must know either way."""
    return [feature.present if getattr(meeting, code) else feature.absent for code, feature in VENUE_FEATURES.items()]
