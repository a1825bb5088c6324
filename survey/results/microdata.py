"""The anonymised respondent-level export of a closed round, for analysts: one row per response with the score of
each scored question and the answer to each background question — and nothing that points back at a person.

- No free text, no consent answers, no id that exists anywhere else: a row's number is given after the rows are
  shuffled at random, so it says nothing about stored order or time of answering.
- k-anonymity on the background questions: a combination of background answers shared by fewer than
  RESULTS_MIN_GROUP rows is made less precise by blanking its rarest answer, then the next, until the
  combination is shared by enough rows or the row has no background left. A blank is "not answered" or "blanked":
  the file does not say which, since saying so would single out the rare rows again.
- "Not asked" is not "not answered": a question the respondent's route did not ask says NOT_ASKED. Which cells say
  so tells the route, so the k-anonymity is made within each route's rows.
- Only a round that has closed: an open round's rows would change with every new response."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.tables import Column, Sheet
from survey.questionnaire import flow
from survey.questionnaire.kinds import kind_of
from survey.questionnaire.models import Answer, Question, Response, Round
from survey.questionnaire.schema import QuestionSpec
from survey.results.release import is_published
from survey.results.suppression import minimum_group

SCORED = {"satisfaction": _l("Tilfredshed"), "transparency": _l("Gennemsigtighed")}
#: a cell of a question the respondent's route did not ask (a blank is a question asked and not answered); the
#: same code in every language, so that a file reads the same however it was downloaded
NOT_ASKED = "ikke spurgt"


class NotPublishable(Exception):
    """The round may not be exported respondent by respondent (still open, or too few responses)."""


@dataclass(frozen=True)
class Variable:
    """One column of the file: a scored or a background question of the round's questionnaire."""

    key: str
    spec: QuestionSpec
    dimension: str

    @property
    def background(self) -> bool:
        return self.dimension == "background"


def variables(round_: Round) -> list[Variable]:
    """The round's scored questions and its background questions, in the questionnaire's order; never a free
    text, never the consent to quote one (it is about a comment, not about the person)."""
    dimensions = {q.key: q.dimension for q in round_.questionnaire.questions}
    found = []
    for spec in round_.questionnaire.spec.questions():
        dimension = dimensions.get(spec.id)
        kind = kind_of(spec)
        if kind.own_words or spec.quote_consent_for:
            continue
        if (dimension in SCORED and kind.scored) or (dimension == "background" and kind.choices(spec, "da")):
            found.append(Variable(spec.id, spec, dimension))
    return found


def k_anonymous(backgrounds: list[list[str | None]], k: int) -> list[list[str | None]]:
    """The rows' background answers with answers of rare combinations blanked (None), until every combination that
    has an answer left is shared by at least k rows. Rows alike are blanked alike.

    One rare combination at a time, the most detailed (then the smallest) first, loses one answer: the one whose
    blanking lets it join enough rows (the rows that already have the result, and the rare rows that agree with
    it), else the rarest answer of the combination. Works on the combinations and their counts, not on the rows."""
    counts = Counter(tuple(row) for row in backgrounds)
    becomes = {combination: combination for combination in counts}  # each original combination → its result
    while True:
        rare = {c for c, n in counts.items() if n < k and any(v is not None for v in c)}
        if not rare:
            return [list(becomes[tuple(row)]) for row in backgrounds]
        combination = min(rare, key=lambda c: (-sum(v is not None for v in c), counts[c], repr(c)))
        frequency = Counter()
        for c, n in counts.items():
            frequency.update({(i, v): n for i, v in enumerate(c) if v is not None})
        options = [i for i, v in enumerate(combination) if v is not None]
        blanked = {i: (*combination[:i], None, *combination[i + 1 :]) for i in options}
        best = min(options, key=lambda i: (-_joined(blanked[i], counts, rare, k), frequency[(i, combination[i])], -i))
        result = blanked[best]
        counts[result] += counts.pop(combination)
        becomes = {original: result if now == combination else now for original, now in becomes.items()}


def _joined(blanked: tuple, counts: Counter, rare: set, k: int) -> int:
    """How many rows (at most k) would share `blanked`: those that have it, and the rare ones that agree with it."""
    agree = sum(
        n
        for c, n in counts.items()
        if c == blanked or (c in rare and all(b is None or b == v for b, v in zip(blanked, c, strict=True)))
    )
    return min(agree, k)


def _answers(round_: Round) -> dict[str, dict[str, tuple[str | None, int | None]]]:
    """(choice, score) per question key per response, only in memory: the response ids never leave here."""
    query = (
        select(Answer.response_id, Question.key, Answer.choice, Answer.score)
        .join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.round_id == round_.id)
    )
    given: dict[str, dict[str, tuple[str | None, int | None]]] = {}
    # a question asked about several focus areas stores one row per area, all with the same answer
    for response_id, key, choice, score in db.session.execute(query):
        given.setdefault(response_id, {})[key] = (choice, score)
    return given


def respondent_sheet(round_: Round) -> Sheet:
    """One shuffled, numbered row per response: background answers (k-anonymous), then scores 1–5."""
    if not is_published(round_):  # the same rule as every other result: closed, and settled (results.release)
        raise NotPublishable(_("Runden er ikke lukket endnu. Svarene kan hentes, når runden er lukket."))
    minimum = minimum_group()
    responses = list(_answers(round_).values())
    if len(responses) < minimum:
        raise NotPublishable(_("Runden har færre end %(minimum)d besvarelser.", minimum=minimum))
    wanted = variables(round_)
    background = [v for v in wanted if v.background]
    scored = [v for v in wanted if not v.background]
    labels = {v.key: dict(kind_of(v.spec).choices(v.spec, "da")) for v in background}
    asked = [_asked(round_.questionnaire.spec, wanted, given) for given in responses]
    backgrounds = _k_anonymous_per_route(
        [
            [_label(labels[v.key], given.get(v.key)) if asked_here[v.key] else NOT_ASKED for v in background]
            for given, asked_here in zip(responses, asked, strict=True)
        ],
        asked,
        minimum,
    )
    rows = [
        answers + [given.get(v.key, (None, None))[1] if asked_here[v.key] else NOT_ASKED for v in scored]
        for answers, given, asked_here in zip(backgrounds, responses, asked, strict=True)
    ]
    secrets.SystemRandom().shuffle(rows)
    columns = [
        Column(_("Nr."), _("Rækkens nummer, givet efter at rækkerne er blandet tilfældigt; findes ingen andre steder")),
        *(Column(v.key, _codebook_values(v)) for v in background),
        *(Column(v.key, _codebook_values(v)) for v in scored),
    ]
    return Sheet(_("Besvarelser"), columns, [[number, *row] for number, row in enumerate(rows, start=1)])


def _asked(spec, wanted: list[Variable], given: dict[str, tuple[str | None, int | None]]) -> dict[str, bool]:
    """Per column, whether the respondent was asked the question on the route their answers took."""
    answers = {key: {"choice": choice} for key, (choice, _score) in given.items() if choice}
    pages = {question.id: page for page in spec.pages for question in page.questions}
    return {v.key: flow.is_asked(pages[v.key], answers) and flow.is_asked(v.spec, answers) for v in wanted}


def _k_anonymous_per_route(backgrounds: list[list], asked: list[dict[str, bool]], k: int) -> list[list]:
    """k_anonymous within each group of rows asked the same questions: which cells say "ikke spurgt" tells the
    route, so a rare combination must be made common among the rows of its own route."""
    routes: dict[tuple, list[int]] = {}
    for number, asked_here in enumerate(asked):
        routes.setdefault(tuple(asked_here.values()), []).append(number)
    result: list[list] = [[] for _ in backgrounds]
    for numbers in routes.values():
        for number, row in zip(numbers, k_anonymous([backgrounds[n] for n in numbers], k), strict=True):
            result[number] = row
    return result


def _label(labels: dict, given: tuple[str | None, int | None] | None) -> str | None:
    return None if given is None or given[0] is None else str(labels.get(given[0], given[0]))


def _codebook_values(variable: Variable) -> str:
    if variable.background:
        options = "; ".join(str(label) for _value, label in kind_of(variable.spec).choices(variable.spec, "da"))
        return _(
            "%(options)s. Tom: ikke besvaret, eller udeladt af hensyn til anonymiteten. »%(not_asked)s«: "
            "spørgsmålet blev ikke stillet på borgerens vej gennem skemaet",
            options=options,
            not_asked=NOT_ASKED,
        )
    return _(
        "1–5 (1 = laveste, 5 = højeste). Tom: ikke besvaret eller »Ved ikke«. »%(not_asked)s«: spørgsmålet blev "
        "ikke stillet på borgerens vej gennem skemaet",
        not_asked=NOT_ASKED,
    )


def codebook_sheet(round_: Round, sheet: Sheet) -> Sheet:
    """What every column of the respondent sheet is: the question, what it measures, its values."""
    specs = {v.key: v for v in variables(round_)}
    columns = [
        Column(_("Kolonne"), _("Kolonnens navn i arket med besvarelserne")),
        Column(_("Spørgsmål"), _("Spørgsmålet, som borgeren så det")),
        Column(_("Måler"), _("Baggrund, tilfredshed eller gennemsigtighed")),
        Column(_("Værdier"), _("De mulige værdier, og hvad en tom celle betyder")),
    ]
    rows = [[sheet.columns[0].header, "", "", sheet.columns[0].explanation]]
    for column in sheet.columns[1:]:
        variable = specs[column.header]
        measure = _("Baggrund") if variable.background else str(SCORED[variable.dimension])
        rows.append([column.header, variable.spec.text.da, measure, column.explanation])
    return Sheet(_("Kodebog"), columns, rows)


def facts(round_: Round, sheet: Sheet) -> list[tuple[str, str]]:
    """The front sheet: which round, how the file is anonymised."""
    return [
        (_("Runde"), f"{round_.label} ({round_.questionnaire.title})"),
        (_("Besvarelser"), str(len(sheet.rows))),
        (_("Udtrukket"), format_datetime(utcnow(), "d. MMMM y 'kl.' HH.mm")),
        (
            _("Anonymisering"),
            _(
                "Én række pr. besvarelse, i tilfældig rækkefølge og uden id, fritekst eller tidspunkt. En "
                "kombination af baggrundssvar, som færre end %(minimum)d besvarelser deler, er gjort mindre præcis "
                "ved at udelade det sjældneste svar (flere om nødvendigt), så hver kombination deles af mindst "
                "%(minimum)d. Arket »Kodebog« forklarer kolonnerne.",
                minimum=minimum_group(),
            ),
        ),
    ]
