"""What the committee's numbers are and how they came about, said once for every output: the definitions of the
measures, the items each focus area's measure is built on (read from the questionnaires), how each round collected
its answers, and which rounds are still open. The README's "The measures" says the same in English."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.policies.models import FocusArea
from survey.questionnaire import flow
from survey.questionnaire.models import Invitation, Round
from survey.questionnaire.schema import QuestionnaireSpec


def satisfaction_text() -> str:
    return _(
        "Hver svarpersons eget gennemsnit over de tilfredshedsspørgsmål om fokusområdet, som "
        "svarpersonen har besvaret (1 = meget utilfreds, 5 = meget tilfreds), og derefter gennemsnittet over "
        "svarpersonerne. »Ved ikke« og ubesvarede spørgsmål tæller ikke med; »Ved ikke« tælles for sig."
    )


def share_text() -> str:
    return _(
        "Andelen af svarpersonerne, der er tilfredse. En svarperson er tilfreds, når hans eller "
        "hendes eget gennemsnit over tilfredshedsspørgsmålene om fokusområdet er 4 eller derover (4 = tilfreds, "
        "5 = meget tilfreds)."
    )


def transparency_text() -> str:
    return _(
        "Hver svarpersons eget gennemsnit over gennemsigtighedsspørgsmålene om "
        "fokusområdet (1 = helt uenig, 5 = helt enig), gennemsnittet over svarpersonerne omregnet som "
        "(gennemsnit − 1) / 4 × 100, så 1 = 0, 3 = 50 og 5 = 100."
    )


def n_text() -> str:
    return _(
        "Antallet af svarpersoner bag det enkelte tal: for tilfredshed og andel tilfredse dem, der har besvaret "
        "mindst ét tilfredshedsspørgsmål om fokusområdet, for gennemsigtighed dem, der har besvaret mindst ét "
        "gennemsigtighedsspørgsmål. De to n kan være forskellige."
    )


def interval_text() -> str:
    return _(
        "Tal i parentes er 95 %-konfidensintervaller: for gennemsnit og indeks Students t-interval, for andele "
        "Wilsons interval. Har alle svarpersoner i en gruppe samme værdi, er intervallet det, gennemsnittet kunne "
        "have, hvis kun Wilsons nedre grænse for andelen med den værdi havde den, og resten lå yderst på skalaen. "
        "Med få svarpersoner er intervallerne brede."
    )


def change_text(tests: int) -> str:
    """What a change and its flag mean, with the number of tests the report's Holm correction was made over."""
    how = _(
        "Ændring er forskellen til forrige runde med tal og enhed (point på skalaen, procentpoint for andele). "
        "Gennemsnit og indeks testes med Welchs t-test, andele med en test af to andele; begge tosidede. Alle "
        "rapportens test korrigeres samlet med Holms metode, og en ændring kaldes »tydelig«, når den korrigerede "
        "p-værdi er under 5 %. Ellers står der »ingen tydelig ændring«: forskellen kan skyldes tilfældigheder."
    )
    if not tests:
        return how + " " + _("Her er ingen ændringer at teste: der skal være tal for to runder i træk.")
    return how + " " + _("Denne rapport har %(tests)d test.", tests=tests)


def routing_text() -> str:
    return _(
        "Svarpersonen vælger selv i begyndelsen af skemaet, hvilken hjælp det "
        "drejer sig om, og får derefter spørgsmålene om det fokusområde. Hvert fokusområdes svarpersoner er altså "
        "en gruppe, der har valgt sig selv, og fokusområderne kan ikke sammenlignes, som var de stikprøver af samme "
        "befolkning. Spørgsmål, som alle får, tæller med i deres eget fokusområde, så n kan være forskellig fra "
        "måling til måling."
    )


def scored_items(rounds: list[Round], area: FocusArea, dimension: str) -> list[str]:
    """The texts of the items a focus area's measure of `dimension` is built on in the rounds: the questions of that
    dimension that are asked about the area (fixed to it, following the routing choice, or following a dialogue
    meeting of the area), newest text first by key, in the questionnaire's order."""
    texts: dict[str, str] = {}
    for round_ in sorted(rounds, key=lambda r: r.questionnaire_id, reverse=True):
        meeting_area = any(a.id == area.id for a in round_.focus_areas)
        routed = _routed_to(round_.questionnaire.spec, area.code)
        for question in sorted(round_.questionnaire.questions, key=lambda q: q.position):
            if question.dimension != dimension:
                continue
            if (
                question.focus_area_id == area.id
                or (question.follows_routing and question.key in routed)
                or (question.follows_meeting and meeting_area)
            ):
                texts.setdefault(question.key, question.text)
    return list(texts.values())


def _routed_to(spec: QuestionnaireSpec, code: str) -> set[str]:
    """The keys of the questions asked on some route whose routing answer chose the focus area."""
    routing = next((q for q in spec.questions() if q.routing), None)
    areas = {option.value: option.focus_area for option in routing.options or []} if routing else {}
    return {
        question.id
        for question in spec.questions()
        if any(areas.get(value) == code for value in flow.routing_values(spec, question) or ())
    }


@dataclass(frozen=True)
class Collection:
    """How a round collected its answers."""

    round_: Round
    #: the round is still open (or not yet open): its figures can still change
    open: bool
    invitations: int
    #: responses, None when under the minimum (hidden like every other count)
    responses: int | None

    @property
    def response_rate(self) -> float | None:
        """Responses per invitation made; None for an open-link round or a hidden count."""
        if not self.round_.uses_invitations or not self.invitations or self.responses is None:
            return None
        return self.responses / self.invitations


def collections(rounds: list[Round], totals: dict[int, int | None]) -> list[Collection]:
    """Each round's way of collecting answers, with `totals` (round id → shown responses or None)."""
    query = select(Invitation.round_id, func.count()).where(Invitation.round_id.in_([r.id for r in rounds]))
    made = dict(db.session.execute(query.group_by(Invitation.round_id)).all())
    return [Collection(r, r.state() != "closed", made.get(r.id, 0), totals.get(r.id)) for r in rounds]
