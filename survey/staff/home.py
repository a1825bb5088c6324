"""Panels on the staff front page, registered by the capabilities above staff (which staff must not import): each is
a template included by staff/home.html for the roles it names; its data comes from the capability's own template
globals. Registered in create_app: `register_panel(app, "questionnaire_admin/_home_rounds.html", SURVEY_MANAGERS)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask, current_app

#: the app.extensions key of the registered panels
PANELS = "staff.home_panels"


@dataclass(frozen=True)
class Panel:
    template: str
    roles: tuple[str, ...]


def register_panel(app: Flask, template: str, roles: Iterable[str]) -> None:
    """Show `template` on the staff front page to users with one of `roles`, in the order registered."""
    app.extensions.setdefault(PANELS, []).append(Panel(template, tuple(roles)))


def panels_for(user) -> list[str]:
    """The templates of the panels this user sees."""
    return [panel.template for panel in current_app.extensions.get(PANELS, ()) if user.has_role(*panel.roles)]
