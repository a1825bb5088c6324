"""Fuzzing the ways into the citizen survey: the start page (open link, invitation code, the feedback code after a
dialogue meeting) and taking up a paused survey by its resume code.

Start: valid is this session's CSRF token, an empty honeypot and — in an invitation round — a code of this round
that has not been used; it begins a draft (or takes up the code's own draft again with a new resume code).
Resume: valid is the token, an empty honeypot and the resume code of a draft in this round; it stores nothing."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import strategies as st
from sqlalchemy import select

from survey.kernel import codes
from survey.kernel.extensions import db
from survey.kernel.forms import clean_text
from survey.questionnaire.models import Draft, Invitation, Round
from survey.questionnaire.services import start_draft
from tests.fuzz.harness import Ledger, csrf_tokens, form_csrf_ok, honeypot_ok, send
from tests.fuzz.strategies import hostile_text, padded, submissions

EXAMPLES = {"test_start_page": 1300, "test_resume_page": 900}

ROUND_KINDS = ["open", "open", "invitation", "invitation", "feedback", "feedback", "closed", "upcoming", "unknown"]
CODE_KINDS = ["fresh", "fresh", "begun", "used", "other_round", "grouped_lower", "resume_code", "malformed"]
symbolic = st.sampled_from(CODE_KINDS).map(lambda kind: f"<{kind}>")


def _drafts_and_used():
    """Every draft (its resume-code hash and invitation), and which invitations are used."""
    rows = db.session.execute(select(Draft.id, Draft.token_hash, Draft.invitation_id)).all()
    return {row.id: (row.token_hash, row.invitation_id) for row in rows}, set(
        db.session.scalars(select(Invitation.id).where(Invitation.used))
    )


class Codes:
    """Real codes for the symbolic kinds, kept up to date as the test begins drafts."""

    def __init__(self, world, resume_code: str):
        self.world, self.resume_code = world, resume_code
        self.begun: dict[str, set[str]] = {kind: set() for kind in world.codes}

    def fresh(self, kind: str, n: int) -> str:
        """A code of the round that has not been used or begun (a begun one once none is left)."""
        unused = [c for c in self.world.codes[kind] if c not in self.world.used[kind] | self.begun[kind]]
        pool = unused or sorted(self.begun[kind])
        return pool[n % len(pool)]

    def real(self, kind: str, symbol: str, n: int) -> str:
        own = kind if self.world.uses_codes(kind) else "invitation"  # an open round gets some code all the same
        other = "feedback" if own == "invitation" else "invitation"
        begun, used = sorted(self.begun[own]), sorted(self.world.used[own])
        return {
            "fresh": lambda: self.fresh(own, n),
            "begun": lambda: begun[n % len(begun)] if begun else self.fresh(own, n),
            "used": lambda: used[n % len(used)],
            "other_round": lambda: self.fresh(other, n),
            "grouped_lower": lambda: codes.grouped(self.fresh(own, n)).lower(),
            "resume_code": lambda: self.resume_code,
            "malformed": lambda: self.fresh(own, n)[:7] + "O",
        }[symbol.strip("<>")]()


def test_start_page(app, raw_client, survey_world, in_app, fuzz):
    client = raw_client()
    tokens = csrf_tokens(app, client, raw_client(), f"/s/{survey_world.slugs['open']}/")
    with in_app():
        round_ = db.session.scalar(select(Round).where(Round.slug == survey_world.slugs["open"]))
        _draft, resume_code = start_draft(round_)
        db.session.commit()
    known = Codes(survey_world, resume_code)
    ledger = Ledger(in_app, _drafts_and_used)

    @fuzz.given(
        st.sampled_from(ROUND_KINDS),
        submissions({"code": st.one_of(symbolic, padded(symbolic)), "bd_extra": st.just("")}),
        st.none() | symbolic | hostile_text(),
        st.integers(0, 10_000),
    )
    def example(kind, sub, query_code, n):
        sub.fields["code"] = [_resolve(known, kind, v, n) for v in sub.fields["code"]]
        query_code = _resolve(known, kind, query_code, n)
        query = f"?kode={quote(query_code, safe='')}" if query_code is not None else ""
        slug = survey_world.slugs[kind]
        drafts, used = ledger.rows
        begun = {invitation for _hash, invitation in drafts.values()}
        response, seen = send(app, client, "POST", f"/s/{slug}/{query}", sub, tokens)

        # a code is spent once it is used and its draft is gone (sent); a begun code takes its draft up again
        status, invitation_id = _start_rule(kind, seen, tokens, survey_world, query_code, used - begun)
        assert response.status_code == status, (status, sub)
        if status != 302:
            old, new = ledger.check()
            assert new == old, "a refused start changed a draft or an invitation"
            fuzz.outcome("refused")
            return
        assert f"/s/{slug}/svar/" in response.location and response.location.endswith("/side/1")
        own = next((d for d, (_hash, invitation) in drafts.items() if invitation and invitation == invitation_id), None)
        (drafts_before, used), (drafts_after, used_after) = ledger.check(draft=0 if own else 1)
        assert used_after - used <= {invitation_id}, "starting may use up its own code, no other"
        if own:  # the same draft, handed out again with a new resume code
            assert set(drafts_after) == set(drafts_before) and drafts_after[own] != drafts_before[own]
        else:
            (new,) = set(drafts_after) - set(drafts_before)
            assert drafts_after[new][1] == invitation_id
        if invitation_id is not None:
            round_codes = survey_world.codes[_code_round(kind)]
            known.begun[_code_round(kind)].add(next(c for c, i in round_codes.items() if i == invitation_id))
        fuzz.outcome("stored")

    example()
    fuzz.check(stored=150, refused=400)


def _code_round(kind: str) -> str:
    return kind if kind in ("invitation", "feedback") else "invitation"


def _resolve(known: Codes, kind: str, value: str | None, n: int) -> str | None:
    if value is None:
        return None
    stripped = value.strip(" \t\n\r\u00a0\x00")
    if stripped.startswith("<") and stripped.endswith(">") and stripped.strip("<>") in CODE_KINDS:
        return value.replace(stripped, known.real(kind, stripped, n))
    return value


def _start_rule(kind, seen, tokens, world, query_code, spent) -> tuple[int, int | None]:
    """The status the start page must answer with, and the invitation a valid code names."""
    if kind == "unknown":
        return 404, None
    if kind in ("closed", "upcoming"):
        return 409, None
    if seen.too_large:
        return 413, None
    if not (form_csrf_ok(seen, tokens) and honeypot_ok(seen)):
        return 400, None
    if not world.uses_codes(kind):
        return 302, None
    code = seen.first("code", default=clean_text(query_code or ""))
    invitation_id = world.codes[kind].get(codes.normalise(code or ""))
    if invitation_id is None or invitation_id in spent:
        return 400, None
    return 302, invitation_id


def test_resume_page(app, raw_client, survey_world, in_app, fuzz):
    client = raw_client()
    tokens = csrf_tokens(app, client, raw_client(), f"/s/{survey_world.slugs['open']}/fortsaet")
    resume = {}
    with in_app():
        for kind in ("open", "closed", "invitation"):
            round_ = db.session.scalar(select(Round).where(Round.slug == survey_world.slugs[kind]))
            draft, token = start_draft(round_)
            draft.answers = {"hjaelp": {"choice": "job"}} if kind == "open" else {}
            resume[kind] = token
        db.session.commit()
    real = {
        "own": lambda kind: resume.get(kind, resume["open"]),
        "own_grouped": lambda kind: codes.grouped(resume.get(kind, resume["open"])).lower(),
        "other_round": lambda kind: resume["invitation" if kind == "open" else "open"],
        "closed_round": lambda kind: resume["closed"],
        "invitation_code": lambda kind: next(iter(survey_world.codes["invitation"])),
        "short": lambda kind: resume["open"][:11],
    }
    symbols = st.sampled_from(sorted(real)).map(lambda s: f"<{s}>")
    ledger = Ledger(in_app, lambda: db.session.execute(select(Draft.id, Draft.token_hash, Draft.answers)).all())

    @fuzz.given(
        st.sampled_from(["open", "open", "open", "invitation", "closed", "unknown"]),
        submissions({"code": st.one_of(symbols, padded(symbols)), "bd_extra": st.just("")}),
    )
    def example(kind, sub):
        values = []
        for v in sub.fields["code"]:
            stripped = v.strip(" \t\n\r\u00a0\x00")
            name = stripped.strip("<>")
            values.append(v.replace(stripped, real[name](kind)) if stripped == f"<{name}>" and name in real else v)
        sub.fields["code"] = values
        slug = survey_world.slugs[kind]
        response, seen = send(app, client, "POST", f"/s/{slug}/fortsaet", sub, tokens)
        old, new = ledger.check()
        assert new == old, "taking up a survey must store nothing"

        if kind == "unknown":
            expected = 404
        elif kind == "closed":
            expected = 409
        elif seen.too_large:
            expected = 413
        else:
            typed = codes.normalise(seen.first("code") or "")
            ok = form_csrf_ok(seen, tokens) and honeypot_ok(seen) and typed == resume.get(kind)
            expected = 302 if ok else 400
        assert response.status_code == expected, (expected, sub)
        if expected == 302:
            assert f"/s/{slug}/svar/{resume[kind]}/side/" in response.location
        fuzz.outcome("resumed" if expected == 302 else "refused")

    example()
    fuzz.check(resumed=25, refused=400)
