"""What a command changes in a policy, as the audit log names it (staff.cli_audit writes the events)."""

from __future__ import annotations

from survey.policies.models import FocusArea, Goal, Policy


def _policy_target(policy: Policy | None) -> str:
    return f"policy:{policy.slug}" if policy is not None else "policy:?"


def describe_change(obj, state: str) -> tuple[str, str] | None:
    """(action, target) for a changed policy, focus area or goal, else None."""
    if isinstance(obj, Policy):
        return "policy_changed", _policy_target(obj)
    if isinstance(obj, FocusArea):
        return "policy_changed", _policy_target(obj.policy)
    if isinstance(obj, Goal):
        return "policy_changed", _policy_target(obj.focus_area.policy if obj.focus_area else None)
    return None
