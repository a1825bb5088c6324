"""The citizen's way through a questionnaire: drafts saved page by page, and the one-transaction submit."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

from flask import Flask, current_app
from sqlalchemy import bindparam, delete, select

from survey.kernel import codes
from survey.kernel.clock import iso_week, utcnow
from survey.kernel.extensions import db
from survey.questionnaire import email_invitations, flow, response_rate
from survey.questionnaire.flow import Step
from survey.questionnaire.kinds import DraftAnswer
from survey.questionnaire.models import Answer, Draft, Invitation, Questionnaire, Response, Round
from survey.questionnaire.schema import PageSpec, QuestionnaireSpec, QuestionSpec
from survey.questionnaire.shown import ShownDraft, ShownRound, copy_of

RESUME_CODE_LENGTH = 12
RESUME_PURPOSE = "resume"
RECEIPT_LENGTH = 8
#: the app.extensions key of the handlers run at every submit (on_response_submitted)
RESPONSE_SUBMITTED = "questionnaire.response_submitted"
LIKERT_SCORES = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}


def _new_token(draft: Draft) -> str:
    token = codes.new_code(RESUME_CODE_LENGTH)
    draft.token_hash = codes.keyed_hash(token, RESUME_PURPOSE)
    return token


def remember_round(round_: ShownRound | Round, refresh: bool) -> None:
    """Keep what the round's pages need to be shown without the database; `refresh` replaces an older copy.

    Only rounds found in the database get here, so the number kept is the number of rounds, not of URLs."""
    seen = _seen_rounds()
    if not refresh and round_.slug in seen:
        return
    seen[round_.slug] = round_ if isinstance(round_, ShownRound) else copy_of(round_)


def seen_round(slug: str) -> ShownRound | None:
    """The round as this process last saw it in the database, or None."""
    return _seen_rounds().get(slug)


def _seen_rounds() -> dict[str, ShownRound]:
    return current_app.extensions.setdefault("seen_rounds", {})


def start_draft(round_: ShownRound, invitation: Invitation | None = None) -> tuple[Draft, str]:
    """Begin (or, for an invitation already begun, take up again) a draft; returns it and its resume code.

    The resume code is replaced each time it is handed out again, so an old link stops working."""
    draft = _draft_of(invitation) if invitation is not None else None
    if draft is None:
        draft = Draft(round_id=round_.id, submission_id=secrets.token_hex(16), invitation=invitation, answers={})
        db.session.add(draft)
        if invitation is not None:
            # used up when the survey is begun, not when it is sent: marked in the submit's transaction, the
            # invitation row would carry the same PostgreSQL transaction id (xmin) as the response it unlocked
            invitation.used = True
            email_invitations.code_used(invitation)  # its address, if mailed, forgets which invitation it had
    token = _new_token(draft)
    db.session.flush()
    return draft, token


def _draft_of(invitation: Invitation) -> Draft | None:
    return db.session.scalar(select(Draft).where(Draft.invitation_id == invitation.id))


def invitation_spent(invitation: Invitation) -> bool:
    """True once the answers begun with the code are sent: it was used and its draft is gone. A code whose draft
    is still open takes that draft up again."""
    return invitation.used and _draft_of(invitation) is None


def find_draft(round_: Round | ShownRound, typed_token: str, for_update: bool = False) -> Draft | None:
    """The draft a resume code opens in this round, or None."""
    found = _draft_key(round_, typed_token)
    return db.session.scalar(_draft_by_token(for_update), found) if found else None


def read_draft(round_: ShownRound, typed_token: str) -> ShownDraft | None:
    """As find_draft, for a page that only shows the draft: a plain copy, no model to build and track."""
    found = _draft_key(round_, typed_token)
    row = db.session.connection().execute(_shown_draft_by_token(), found).first() if found else None
    return ShownDraft(row.answers, row.passed, row.submission_id) if row else None


def _draft_key(round_: Round | ShownRound, typed_token: str) -> dict | None:
    token = codes.normalise(typed_token)
    if not codes.is_well_formed(token, RESUME_CODE_LENGTH):
        return None
    return {"round_id": round_.id, "token_hash": codes.keyed_hash(token, RESUME_PURPOSE)}


@cache
def _draft_by_token(for_update: bool):
    """Built once: SQLAlchemy then reuses its compiled SQL without working out the statement's cache key again."""
    query = select(Draft).where(Draft.round_id == bindparam("round_id"), Draft.token_hash == bindparam("token_hash"))
    return query.with_for_update() if for_update else query


@cache
def _shown_draft_by_token():
    by_token = (Draft.round_id == bindparam("round_id"), Draft.token_hash == bindparam("token_hash"))
    return select(Draft.answers, Draft.passed, Draft.submission_id).where(*by_token)


def save_page(draft: Draft, page: PageSpec | Step, answers: dict[str, DraftAnswer], passed: bool = False) -> None:
    """Keep the answers of one page; an emptied answer is removed. `passed`: the citizen left it with 'Fortsæt', its
    blanks on purpose (not with 'Gem og fortsæt senere'). The first answer kept counts the survey as started
    (response_rate). Only flushes."""
    draft.answers = with_page(draft.answers or {}, page, answers)  # a new dict: the JSON column is seen as changed
    if passed:
        draft.passed = sorted({*(draft.passed or ()), *(question.id for question in page.questions)})
    if draft.answers and not draft.started_counted:
        draft.started_counted = True
        response_rate.count_started(draft.round_id)
    db.session.flush()


def with_page(
    kept: dict[str, DraftAnswer], page: PageSpec | Step, answers: dict[str, DraftAnswer]
) -> dict[str, DraftAnswer]:
    """The kept answers with one page's (or step's) answers put in (a new dict); an emptied answer is removed."""
    merged = dict(kept)
    for question in page.questions:
        if answers.get(question.id):
            merged[question.id] = answers[question.id]
        else:
            merged.pop(question.id, None)
    return merged


def steps_of(round_: Round | ShownRound, answers: dict[str, DraftAnswer]) -> list[Step]:
    """The screens of the round's survey for someone who has given `answers` (whole pages or one question each)."""
    return flow.steps(round_.questionnaire.spec, answers, round_.one_question_per_page)


def expected_total(round_: Round | ShownRound, answers: dict[str, DraftAnswer]) -> int:
    """The number of steps the progress line announces (flow.expected_steps)."""
    return flow.expected_steps(round_.questionnaire.spec, answers, round_.one_question_per_page)


def resume_page(round_: Round | ShownRound, draft: Draft | ShownDraft) -> int | None:
    """The step to take up a paused survey at (1-based): the first with a question neither answered nor passed on
    purpose with 'Fortsæt'; None when there is none, and the review is next."""
    answers, passed = draft.answers or {}, set(draft.passed or ())
    shown = steps_of(round_, answers)
    open_steps = (
        number
        for number, step in enumerate(shown, start=1)
        if any(not answers.get(q.id) and q.id not in passed for q in step.questions)
    )
    return next(open_steps, None)


def missing_required(questionnaire: Questionnaire, answers: dict[str, DraftAnswer]) -> list[QuestionSpec]:
    """The required questions asked of this citizen and not answered."""
    return [q for q in flow.asked_questions(questionnaire.spec, answers) if q.required and not answers.get(q.id)]


def chosen_area_code(spec: QuestionnaireSpec, answers: dict[str, DraftAnswer]) -> str | None:
    """The code of the focus area chosen in the routing question, which questions with focus_area "chosen" follow."""
    routing = next((q for q in spec.questions() if q.routing), None)
    if routing is None:
        return None
    choice = answers.get(routing.id, {}).get("choice")
    return next((o.focus_area for o in routing.options or [] if o.value == choice), None)


def _chosen_area_id(questionnaire: Questionnaire, answers: dict[str, DraftAnswer]) -> int | None:
    code = chosen_area_code(questionnaire.spec, answers)
    return next((area.id for area in questionnaire.policy.focus_areas if area.code == code), None)


def build_answers(
    questionnaire: Questionnaire, answers: dict[str, DraftAnswer], meeting_area_ids: list[int] | None = None
) -> list[Answer]:
    """Turn draft answers into Answer rows (the ones each question's kind stores), each carrying the focus area it
    addresses. Only the questions asked on the citizen's route are stored: an answer given before the routing
    answer was changed is not (flow.asked_questions).

    A question about a dialogue meeting addresses every focus area of that meeting: one row per area, so
    each area's results count the answer (a total across areas must count respondents, not rows)."""
    rows = questionnaire.question_by_key()
    chosen_area_id = _chosen_area_id(questionnaire, answers)
    asked = flow.asked_questions(questionnaire.spec, answers)
    quotable = {
        q.quote_consent_for for q in asked if q.quote_consent_for and q.question_kind.consents(answers.get(q.id, {}))
    }
    built = []
    for spec in asked:
        value = answers.get(spec.id)
        if not value:
            continue
        row = rows[spec.id]
        if row.follows_meeting:
            area_ids = meeting_area_ids or [None]
        else:
            area_ids = [chosen_area_id if row.follows_routing else row.focus_area_id]
        built += [
            Answer(
                question=row,
                focus_area_id=area_id,
                choice=choice,
                score=score,
                text=text,
                may_quote=bool(text) and spec.id in quotable,
            )
            for choice, score, text in spec.question_kind.stored(value)
            for area_id in area_ids
        ]
    return built


def _meeting_area_ids(round_: Round) -> list[int]:
    if not any(question.follows_meeting for question in round_.questionnaire.questions):
        return []  # an ordinary submit asks nothing more of the database
    return [area.id for area in round_.focus_areas]


def submit_response(draft: Draft) -> Response:
    """Store the draft as an anonymous response in the caller's transaction and delete the draft (its invitation
    was used up when the draft began). Only flushes: the view commits once."""
    questionnaire = draft.round.questionnaire
    response = Response(
        id=secrets.token_hex(16),
        round=draft.round,
        submission_id=submission_key(draft.submission_id),
        receipt=codes.new_code(RECEIPT_LENGTH),
        iso_week=iso_week(utcnow()),
        answers=build_answers(questionnaire, draft.answers or {}, _meeting_area_ids(draft.round)),
    )
    db.session.add(response)
    db.session.delete(draft)
    db.session.flush()
    response_rate.count_completed(response.round_id)  # a count of the day, nothing that points at the response
    for handler in current_app.extensions.get(RESPONSE_SUBMITTED, ()):
        handler(response)  # in the same transaction: a handler that fails rolls the submit back with it
    return response


def on_response_submitted(app: Flask, handler: Callable[[Response], None]) -> None:
    """Have `handler` called with every new response, after its flush and before the caller's commit.

    For capabilities above this one (the results' running sums): they register in create_app instead of being
    imported from here. A handler only flushes or executes; an error in it undoes the submit."""
    app.extensions.setdefault(RESPONSE_SUBMITTED, []).append(handler)


def submission_key(submission_id: str) -> str:
    """What the response keeps of the draft's submission id: a keyed hash. The draft (which knows its invitation)
    and the response never share a value, so a backup taken before the submit cannot be joined to the answers
    without the app's SECRET_KEY; a repeated submit still finds its response."""
    return codes.keyed_hash(submission_id, "submission")[:32]


def response_for_submission(submission_id: str | None) -> Response | None:
    """The response an earlier submit of the same form made, if any."""
    if not submission_id:
        return None
    return db.session.scalar(select(Response).where(Response.submission_id == submission_key(submission_id)))


def resume_address(round_: Round | ShownRound, draft: Draft | ShownDraft) -> tuple[str, dict]:
    """The endpoint and its arguments (besides round_slug and token) that take a paused survey up (resume_page)."""
    number = resume_page(round_, draft)
    return ("questionnaire.page", {"number": number}) if number else ("questionnaire.review", {})


def draft_kept_until(round_: Round | ShownRound) -> datetime:
    """The last moment a draft of the round is kept: purge_expired_drafts deletes it once the round has been closed
    for DRAFT_RETENTION_DAYS."""
    return round_.closes_at + timedelta(days=current_app.config["DRAFT_RETENTION_DAYS"]) - timedelta(seconds=1)


def purge_expired_drafts(now: datetime | None = None, retention_days: int = 0) -> int:
    """Delete unsent drafts of rounds that closed more than `retention_days` ago; returns how many. Only flushes."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    closed = select(Round.id).where(Round.closes_at <= cutoff)
    result = db.session.execute(delete(Draft).where(Draft.round_id.in_(closed)))
    db.session.flush()
    return result.rowcount
