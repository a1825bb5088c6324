"""Fuzzing the question pages (every question type: Likert with "Ved ikke", single choice, yes/no, free text,
background) and the review page's submit, in an open round and in the invitation-only feedback round after a
dialogue meeting.

A page is valid with this session's CSRF token, an empty honeypot and, for each question, an answer from its own
options (a required question must be answered; a free text within its length); it then replaces that page's
answers in the draft. A submit is valid with the token, an empty honeypot and every required question answered;
it stores one response with its answers (one per focus area of the meeting for a feedback question), uses up the
invitation and deletes the draft. Everything else stores nothing."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import yaml
from hypothesis import strategies as st
from sqlalchemy import select

from survey.kernel import codes
from survey.kernel.config import ROOT
from survey.kernel.converters import MAX_ID
from survey.kernel.extensions import db
from survey.kernel.forms import clean_text
from survey.questionnaire import flow
from survey.questionnaire import sent as sent_codes
from survey.questionnaire.models import Draft, Invitation, Response, Round
from survey.questionnaire.rounds import create_invitations, find_invitation
from survey.questionnaire.schema import QuestionnaireSpec, QuestionSpec
from survey.questionnaire.services import start_draft
from tests.fuzz.harness import Ledger, csrf_tokens, form_csrf_ok, honeypot_ok, send
from tests.fuzz.strategies import hostile_text, sampled, submissions
from tests.questionnaire.walker import SYDDJURS_ANSWERS

EXAMPLES = {"test_question_pages": 2300, "test_submit": 800}


def _spec(name: str) -> QuestionnaireSpec:
    return QuestionnaireSpec.model_validate(yaml.safe_load(Path(ROOT / "data/questionnaires" / name).read_text()))


SPECS = {"open": _spec("syddjurs-tilfredshed.yaml"), "feedback": _spec("syddjurs-dialogmoede.yaml")}
LIKERT = ("1", "2", "3", "4", "5")
FREE_TEXT = st.one_of(
    st.text(max_size=80),
    sampled(("Sagsbehandleren ringede altid tilbage.", "Ærlig snak 👍", "\u202bمرحبا\u202c", "e\u0301" * 30)),
)


def options(question: QuestionSpec) -> tuple[str, ...]:
    """The answers a question takes, from its own definition."""
    if question.kind == "single_choice":
        return tuple(o.value for o in question.options)
    if question.kind == "yes_no":
        return ("yes", "no")
    return LIKERT + (("dont_know",) if question.allow_dont_know else ())


def _valid(question: QuestionSpec):
    return FREE_TEXT if question.kind == "free_text" else sampled(options(question))


PAGE_SUBMISSIONS = {
    # the questions of the file's page n; which page a number shows depends on the route the draft has taken
    (kind, n): submissions({**{q.id: _valid(q) for q in page.questions}, "bd_extra": st.just("")})
    for kind, spec in SPECS.items()
    for n, page in enumerate(spec.pages, start=1)
}


#: page numbers to post to: mostly real pages, sometimes none (0, one past the last, a huge number)
PAGE_NUMBERS = {
    kind: st.one_of(*[st.integers(1, len(spec.pages))] * 3, sampled((0, len(spec.pages) + 1, 10**20)))
    for kind, spec in SPECS.items()
}
TOKEN_KINDS = ("own", "own", "own", "own", "own_grouped", "other_round", "gone", "hostile")


@st.composite
def page_posts(draw):
    """(round kind, page number, submission, kind of resume code, a hostile code, which draft, ?retur=tjek)"""
    kind = draw(sampled(("open", "open", "open", "feedback", "feedback", "closed", "unknown")))
    questionnaire = "feedback" if kind == "feedback" else "open"
    number = draw(PAGE_NUMBERS[questionnaire])
    page = min(max(number, 1), len(SPECS[questionnaire].pages))
    sub = draw(PAGE_SUBMISSIONS[(questionnaire, page)])
    token_kind = draw(sampled(TOKEN_KINDS))
    hostile_token = draw(hostile_text()) if token_kind == "hostile" else ""
    return kind, number, sub, token_kind, hostile_token, draw(st.integers(0, 1)), draw(st.booleans())


PAGE_POSTS = page_posts()


def answer_rule(question: QuestionSpec, raw: list[str]) -> tuple[bool, dict | None]:
    """Whether the values sent for a question are acceptable, and the answer kept (None: no answer).

    WTForms takes the first value; "required" looks at it as sent, the options at it cleaned; a blank value of
    an optional question is no answer."""
    first = raw[0] if raw else None
    cleaned = clean_text(first) if first is not None else None
    if question.kind == "free_text":
        if first is None or not first.strip():
            return True, None
        return len(cleaned) <= question.max_length, ({"text": cleaned} if cleaned else None)
    if question.required and not first:
        return False, None
    if not question.required and (first is None or not first.strip()):
        return True, None
    return cleaned in options(question), {"choice": cleaned}


def _drafts():
    return dict(db.session.execute(select(Draft.id, Draft.answers)).all())


def _make_draft(kind_slug: str, answers: dict, with_invitation: bool) -> tuple[int, str]:
    round_ = db.session.scalar(select(Round).where(Round.slug == kind_slug))
    invitation = find_invitation(round_, create_invitations(round_, 1)[0]) if with_invitation else None
    draft, token = start_draft(round_, invitation)
    draft.answers = answers
    db.session.flush()
    return draft.id, token


def test_question_pages(app, raw_client, survey_world, in_app, fuzz):
    client = raw_client()
    tokens = csrf_tokens(app, client, raw_client(), f"/s/{survey_world.slugs['open']}/")
    drafts: dict[str, list[tuple[int, str]]] = {}
    with in_app():
        for kind in ("open", "feedback", "closed"):
            slug = survey_world.slugs[kind]
            drafts[kind] = [_make_draft(slug, {}, kind == "feedback") for _ in range(2)]
        gone_id, gone = _make_draft(survey_world.slugs["open"], {}, False)
        db.session.delete(db.session.get(Draft, gone_id))
        db.session.commit()
    ledger = Ledger(in_app, _drafts)

    @fuzz.given(PAGE_POSTS, st.booleans())
    def example(post, save_later):
        kind, number, sub, token_kind, hostile_token, which, retur = post
        own_id, own = drafts.get(kind, drafts["open"])[which]
        token = {
            "own": own,
            "own_grouped": codes.grouped(own).lower(),
            "other_round": drafts["feedback" if kind == "open" else "open"][which][1],
            "gone": gone,
            "hostile": hostile_token,
        }[token_kind]
        if save_later:
            sub.extras.append(("save_later", ""))
        spec = SPECS["feedback" if kind == "feedback" else "open"]
        shown = flow.steps(spec, ledger.rows.get(own_id) or {})  # the pages of the route the draft has taken
        slug = survey_world.slugs[kind]
        url = f"/s/{slug}/svar/{quote(token, safe='')}/side/{number}" + ("?retur=tjek" if retur else "")
        response, seen = send(app, client, "POST", url, sub, tokens)

        finds_own = token_kind in ("own", "own_grouped") or (
            token_kind == "hostile" and codes.normalise(hostile_token) == own
        )
        if token_kind == "hostile" and (not hostile_token or "/" in hostile_token):
            # no such route (an empty segment is merged away, which leaves a GET-only route: 405)
            expected = response.status_code if response.status_code in (404, 405) else 404
        elif number > MAX_ID:
            expected = 404  # no route takes a number the database cannot hold (survey.kernel.converters)
        elif kind == "unknown" or not finds_own or not 1 <= number <= len(shown):
            expected = 404 if kind != "closed" else 409
        elif kind == "closed":
            expected = 409
        elif seen.too_large:
            expected = 413
        else:
            page = shown[number - 1]
            rules = {q.id: answer_rule(q, seen.raw(q.id)) for q in page.questions}
            ok = form_csrf_ok(seen, tokens) and honeypot_ok(seen) and all(valid for valid, _ in rules.values())
            expected = 302 if ok else 400
        assert response.status_code == expected, (expected, url, sub)
        old, new = ledger.check(counted=expected == 302)
        if expected != 302:
            assert new == old, "a refused page changed a draft"
            fuzz.outcome("refused")
            return
        merged = {k: v for k, v in old[own_id].items() if k not in rules}
        merged.update({qid: answer for qid, (_, answer) in rules.items() if answer})
        assert new == {**old, own_id: merged}, "the draft must hold exactly this page's answers"
        if "save_later" in seen.form:
            assert response.location.endswith(f"/svar/{token}/gemt")
        elif retur or number == len(flow.steps(spec, merged)):
            assert response.location.endswith(f"/svar/{token}/tjek")
        else:
            assert response.location.endswith(f"/svar/{token}/side/{number + 1}")
        fuzz.outcome("stored")

    example()
    fuzz.check(stored=90, refused=1000)


SUBMIT_FORM = submissions(
    {"submission_id": sampled(("<own>", "<own>", "<sent>", "<other>", "0" * 32, "")), "bd_extra": st.just("")}
)
COMPLETE = {
    "open": {
        qid: {"text": v} if qid == "kommentar" else {"choice": v}
        for p in SYDDJURS_ANSWERS.values()
        for qid, v in p.items()
    },
    "feedback": {
        "moede-tilfreds": {"choice": "4"},
        "moede-information": {"choice": "dont_know"},
        "kommentar": {"text": "Godt at blive hørt."},
        "maa-citere": {"choice": "yes"},
        "hvem-svarer": {"choice": "paaroerende"},
    },
}


def _submit_state():
    drafts = set(db.session.scalars(select(Draft.id)))
    used = set(db.session.scalars(select(Invitation.id).where(Invitation.used)))
    return drafts, used, set(db.session.scalars(select(Response.id)))


def test_submit(app, raw_client, survey_world, in_app, fuzz, monkeypatch):
    # the fuzzer sends surveys to one open round far faster than citizens do: the burst warning it would rightly
    # write to the audit log is tested in tests/questionnaire/test_submit_rate.py, not here
    monkeypatch.setitem(app.config, "OPEN_ROUND_BURST_MIN", 10**9)
    client = raw_client()
    tokens = csrf_tokens(app, client, raw_client(), f"/s/{survey_world.slugs['open']}/")
    pools: dict[tuple[str, str], tuple[int, str, str]] = {}  # (round kind, complete|incomplete) → draft
    sent: list[tuple[str, str]] = []  # (token, submission id) of drafts already sent
    #: the codes this browser's session remembers as sent (survey.questionnaire.sent): each submit answered with a
    #: receipt, the newest first, at most sent.KEPT
    remembered: list[str] = []

    def remember(token: str) -> None:
        remembered[:] = [codes.normalise(token), *(kept for kept in remembered if kept != codes.normalise(token))]
        del remembered[sent_codes.KEPT :]

    invitation_of: dict[int, int | None] = {}

    def draft(kind: str, state: str) -> tuple[int, str, str]:
        if (kind, state) not in pools:
            answers = dict(COMPLETE["feedback" if kind == "feedback" else "open"])
            if state == "incomplete":
                answers.pop("hjaelp", None)
            with in_app():
                draft_id, token = _make_draft(survey_world.slugs[kind], answers, kind == "feedback")
                submission_id = db.session.get(Draft, draft_id).submission_id
                invitation_of[draft_id] = db.session.get(Draft, draft_id).invitation_id
                db.session.commit()
            pools[(kind, state)] = (draft_id, token, submission_id)
            ledger.resync()
        return pools[(kind, state)]

    ledger = Ledger(in_app, _submit_state)

    @fuzz.given(
        sampled(("open", "open", "feedback", "feedback", "closed", "unknown")),
        sampled(("complete", "complete", "complete", "incomplete", "sent", "other_round", "garbage")),
        SUBMIT_FORM,
    )
    def example(kind, token_kind, sub):
        state = "incomplete" if token_kind == "incomplete" and kind == "open" else "complete"
        own_id, own, own_submission = draft(kind if kind != "unknown" else "open", state)
        other = draft("feedback" if kind == "open" else "open", "complete")
        token = {"sent": sent[-1][0] if sent else "AAAA-BBBB-CCCC", "other_round": other[1], "garbage": "x\x00"}.get(
            token_kind, own
        )
        earlier = sent[-1][1] if sent else "f" * 32
        symbols = {"<own>": own_submission, "<sent>": earlier, "<other>": other[2]}
        sub.fields["submission_id"] = [symbols.get(v.strip(), v) for v in sub.fields["submission_id"]]
        slug = survey_world.slugs[kind]
        response, seen = send(app, client, "POST", f"/s/{slug}/svar/{quote(token, safe='')}/tjek", sub, tokens)

        opens_draft = token == own
        if kind == "unknown":
            expected = 404
        elif kind == "closed":
            expected = 409
        elif seen.too_large:
            expected = 413
        elif not opens_draft and seen.first("submission_id") in {s for _, s in sent}:
            expected = 302
        elif not opens_draft:
            # the code of answers this browser sent: "Dine svar er sendt" (its session remembers the code's hash)
            expected = 200 if codes.normalise(token) in remembered else 404
        else:
            complete = state == "complete"
            expected = 302 if form_csrf_ok(seen, tokens) and honeypot_ok(seen) and complete else 400
        assert response.status_code == expected, (expected, kind, token_kind, sub)
        if expected != 302 or not opens_draft:
            old, new = ledger.check()
            assert new == old, "a refused or repeated submit stored something"
            if expected == 302:
                assert response.location.endswith(f"/s/{slug}/kvittering")
                remember(token)
            fuzz.outcome("repeated" if expected == 302 else "refused")
            return
        assert response.location.endswith(f"/s/{slug}/kvittering")
        answers = COMPLETE["feedback" if kind == "feedback" else "open"]
        spec = SPECS["feedback" if kind == "feedback" else "open"]
        rows = sum(
            survey_world.meeting_areas if q.focus_area == "meeting" else 1 for q in spec.questions() if q.id in answers
        )
        (old_drafts, old_used, old_responses), (new_drafts, new_used, new_responses) = ledger.check(
            response=1, answer=rows, draft=-1
        )
        assert new_drafts == old_drafts - {own_id}
        assert len(new_responses - old_responses) == 1 and old_responses < new_responses
        assert new_used - old_used <= {invitation_of[own_id]}, "sending may use up its own code, no other"
        assert kind != "feedback" or invitation_of[own_id] in new_used, "a sent code is used up"
        sent.append((own, own_submission))
        remember(own)
        del pools[(kind, state)]
        fuzz.outcome("stored")

    example()
    fuzz.check(stored=40, refused=300, repeated=10)
