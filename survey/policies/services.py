"""Creating and updating a policy from its data file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, exists, select

from survey.kernel.datafiles import DataFileError, load_model
from survey.kernel.extensions import db
from survey.policies.models import FocusArea, Goal, Policy
from survey.policies.schema import PolicySpec


def assign(obj, **values) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


#: ON DELETE actions that let the database take a row along when its focus area goes
TAKEN_ALONG = {"CASCADE", "SET NULL", "SET DEFAULT"}


def _columns_holding_areas() -> list[Column]:
    """Every column, in any capability's table, that points at focus_area.id and would stop the area's deletion
    (no ON DELETE action). Found in the metadata, so the policies name no table of the capabilities above them."""
    target = FocusArea.__table__.c.id
    return [
        key.parent
        for table in db.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column is target and (key.ondelete or "").upper() not in TAKEN_ALONG
    ]


def _area_used_in(area: FocusArea) -> list[str]:
    """The tables with rows that still point at the area."""
    columns = _columns_holding_areas()
    if not columns:
        return []
    used = db.session.execute(select(*(exists().where(column == area.id) for column in columns))).one()
    return [column.table.name for column, found in zip(columns, used, strict=True) if found]


def load_policy(path: str | Path, text: str | None = None) -> tuple[Policy, list[str]]:
    """Create or update the policy in a file (or in `text`, a file uploaded as `path`); returns it and a list of
    what changed. Only flushes."""
    spec, _locator = load_model(path, PolicySpec, text)
    policy = db.session.scalar(select(Policy).where(Policy.slug == spec.slug))
    existing = {area.code: area for area in policy.focus_areas} if policy else {}
    removed = [area for code, area in existing.items() if code not in {a.code for a in spec.focus_areas}]
    # refuse before changing anything, so that no caller is left with half an update in its session
    in_use = {area.code: tables for area in removed if (tables := _area_used_in(area))}
    if in_use:
        raise DataFileError(
            path,
            [f"fokusområde {code} mangler i filen, men det er i brug ({', '.join(t)})" for code, t in in_use.items()],
        )
    changes: list[str] = []
    if policy is None:
        policy = Policy(slug=spec.slug)
        db.session.add(policy)
        changes.append(f"ny politik {spec.slug}")
    if (
        assign(
            policy,
            municipality=spec.municipality,
            title=spec.title,
            period_start=spec.period_start,
            period_end=spec.period_end,
            follow_up=spec.follow_up,
            focus_area_term=spec.focus_area_term,
            description=spec.description,
            **_contact_values(spec, policy),
        )
        and policy.id is not None
    ):
        changes.append("politikkens oplysninger")
    for position, area_spec in enumerate(spec.focus_areas):
        area = existing.get(area_spec.code)
        if area is None:
            area = FocusArea(code=area_spec.code)
            policy.focus_areas.append(area)
            changes.append(f"nyt fokusområde {area_spec.code}")
        elif assign(area, title=area_spec.title, description=area_spec.description, position=position):
            changes.append(f"fokusområde {area_spec.code}")
        assign(area, title=area_spec.title, description=area_spec.description, position=position)
        changes += _sync_goals(area, area_spec)
    for area in removed:
        policy.focus_areas.remove(area)
        changes.append(f"fjernet fokusområde {area.code}")
    db.session.flush()
    return policy, changes


def _contact_values(spec: PolicySpec, policy: Policy) -> dict[str, str]:
    """The policy's contact columns from the file ('' for a file without `contact:`); nothing for a new policy
    without one (the columns' server default is '')."""
    contact = spec.contact
    if contact is None and policy.id is None:
        return {}
    fields = ("unit", "phone", "hours", "address", "email")
    return {f"contact_{name}": getattr(contact, name) if contact else "" for name in fields}


def _sync_goals(area: FocusArea, area_spec) -> list[str]:
    changes = []
    existing = {goal.code: goal for goal in area.goals}
    for position, goal_spec in enumerate(area_spec.goals):
        goal = existing.pop(goal_spec.code, None)
        if goal is None:
            goal = Goal(code=goal_spec.code)
            area.goals.append(goal)
            changes.append(f"ny målsætning {goal_spec.code}")
        changed = assign(goal, text=goal_spec.text, position=position)
        if changed and goal.id is not None:
            changes.append(f"målsætning {goal_spec.code}")
    for code, goal in existing.items():
        area.goals.remove(goal)
        changes.append(f"fjernet målsætning {code}")
    return changes
