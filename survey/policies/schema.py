"""The policy file format: one YAML file per policy (see data/policies/)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,15}$"
Code = Field(pattern=CODE_PATTERN)
Slug = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,79}$")


#: (location in the file, message)
Problem = tuple[tuple, str]


def duplicates(located_values: list[tuple[tuple, str]]) -> Iterator[Problem]:
    """A problem at every repeat of a value that must be unique."""
    seen = set()
    for location, value in located_values:
        if value in seen:
            yield location, f"{value!r} er brugt før; værdien skal være unik"
        seen.add(value)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class GoalSpec(Strict):
    code: str = Code
    text: str = Field(min_length=1)


class FocusAreaSpec(Strict):
    code: str = Code
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    goals: list[GoalSpec] = []


class ContactSpec(Strict):
    """A human to call: shown on the policy's citizen pages, in its mails and on error pages."""

    #: the unit that answers, e.g. "Borgerservice, Social og Beskæftigelse"
    unit: str = Field(min_length=1, max_length=200)
    phone: str = Field(pattern=r"^\+?[0-9 ]{8,20}$")
    #: opening hours as one line of plain Danish, e.g. "Mandag-fredag kl. 10-14"
    hours: str = Field(min_length=1, max_length=300)
    address: str = Field(default="", max_length=300)
    email: str = Field(default="", max_length=254)


class PolicySpec(Strict):
    slug: str = Slug
    municipality: str = Field(min_length=1, max_length=120)
    title: str = Field(min_length=1, max_length=200)
    period_start: int = Field(ge=2000, le=2100)
    period_end: int = Field(ge=2000, le=2100)
    follow_up: Literal["yearly", "half-yearly"]
    #: what the policy calls its focus areas ("fokusområde", "pejlemærke")
    focus_area_term: str = "fokusområde"
    description: str = ""
    contact: ContactSpec | None = None
    focus_areas: list[FocusAreaSpec] = Field(min_length=1)

    def problems(self) -> Iterator[Problem]:
        """Rules across fields, each reported at the key that breaks it."""
        if self.period_end < self.period_start:
            yield ("period_end",), "ligger før period_start"
        yield from duplicates([(("focus_areas", i, "code"), a.code) for i, a in enumerate(self.focus_areas)])
        for i, area in enumerate(self.focus_areas):
            yield from duplicates([(("focus_areas", i, "goals", j, "code"), g.code) for j, g in enumerate(area.goals)])
