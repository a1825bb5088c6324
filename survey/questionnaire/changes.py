"""What a command changes in questionnaires, rounds and invitations, as the audit log names it (staff.cli_audit
writes the events)."""

from __future__ import annotations

from survey.questionnaire.models import Invitation, Question, Questionnaire, Round


def _questionnaire_target(questionnaire: Questionnaire | None, fallback_id: int | None) -> str:
    if questionnaire is None:
        return f"questionnaire:#{fallback_id}"
    return f"questionnaire:{questionnaire.slug}:v{questionnaire.version}"


def describe_change(obj, state: str) -> tuple[str, str] | None:
    """(action, target) for a changed questionnaire, question, round or new invitation, else None."""
    if isinstance(obj, Questionnaire):
        return "questionnaire_changed", _questionnaire_target(obj, obj.id)
    if isinstance(obj, Question):
        return "questionnaire_changed", _questionnaire_target(obj.questionnaire, obj.questionnaire_id)
    if isinstance(obj, Round):
        return "round_changed", f"round:{obj.slug}"
    if isinstance(obj, Invitation) and state == "new":
        # codes are only made from the command line; using one (a citizen's request) is not watched here
        return "invitations_created", f"round:{obj.round.slug if obj.round else obj.round_id}"
    return None
