"""The policy file format: one YAML file per policy (see data/policies/)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,15}$"
Code = Field(pattern=CODE_PATTERN)
Slug = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,79}$")


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

    @model_validator(mode="after")
    def _unique_goal_codes(self):
        codes = [goal.code for goal in self.goals]
        if len(codes) != len(set(codes)):
            raise ValueError("målsætningernes koder skal være forskellige")
        return self


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
    focus_areas: list[FocusAreaSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        if self.period_end < self.period_start:
            raise ValueError("period_end ligger før period_start")
        codes = [area.code for area in self.focus_areas]
        if len(codes) != len(set(codes)):
            raise ValueError("fokusområdernes koder skal være forskellige")
        return self
