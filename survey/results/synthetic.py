"""`flask demo generate-responses`: many realistic synthetic responses, for benchmarks and demonstrations.

The rows have the shape a real submit gives them (see questionnaire.services.build_answers): every answer carries
the focus area it addresses, "Ved ikke" has no score, a free text may be quoted only with consent. They are
written in chunks (COPY on PostgreSQL, the driver's executemany on SQLite), never as ORM objects, so a million
answers take about a minute. Being written past submit, each chunk adds its respondents to the results' kept sums
in its own transaction, with the increments their submits would have made, computed from the rows in hand.
"""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import groupby
from operator import itemgetter

import click
from flask.cli import with_appcontext
from sqlalchemy import Connection, select

from survey.kernel.clock import iso_week
from survey.kernel.codes import ALPHABET
from survey.kernel.extensions import db
from survey.questionnaire import flow
from survey.questionnaire.kinds import DraftAnswer, QuestionKind, kind_named
from survey.questionnaire.models import Question, Response, Round, new_answer_id
from survey.questionnaire.schema import PageSpec, QuestionSpec
from survey.questionnaire.services import RECEIPT_LENGTH
from survey.results.sums import Increments, add_increments, breakdown_keys, response_increments

CHUNK_SIZE = 20_000
SKIP = 0.10  # share of optional items left unanswered
DONT_KNOW = 0.07  # share of "Ved ikke" on Likert items that offer it
BACKGROUND_ANSWERED = 0.88
FREE_TEXT = 0.15
QUOTE_CONSENT = 0.5
#: realistic spreads for the demo questionnaires' background questions; other options get falling weights
OPTION_WEIGHTS = {
    "under-18": 4, "18-29": 17, "30-49": 30, "50-64": 26, "65-79": 16, "80-plus": 7,
    "mig-selv": 72, "paaroerende-for-borger": 20, "paaroerende-egen": 8,
}  # fmt: skip
#: routing shares, largest first; handed out to the options in an order that depends on the seed
ROUTING_SHARES = (32, 22, 16, 12, 10, 8, 6, 5, 4, 3)
POSITIVE_TEXTS = (
    "Jeg er blevet mødt med respekt og forståelse hver gang.",
    "Min kontaktperson har været god til at forklare, hvad der skulle ske.",
    "Det har gjort en stor forskel i min hverdag.",
    "Jeg fik hurtigt svar, når jeg ringede.",
    "Det var rart at blive spurgt om, hvad jeg selv synes.",
)
NEGATIVE_TEXTS = (
    "Jeg har ventet længe på svar og ved ikke, hvad der sker nu.",
    "Jeg har haft tre forskellige sagsbehandlere på et år.",
    "Brevene fra kommunen er svære at forstå.",
    "Det er svært at komme igennem på telefonen.",
    "Jeg føler ikke, at der bliver lyttet til mig.",
)
RESPONSE_COLUMNS = ("id", "round_id", "submission_id", "receipt", "iso_week")
ANSWER_COLUMNS = ("id", "response_id", "question_id", "focus_area_id", "choice", "score", "text", "may_quote")


@dataclass
class Item:
    """What the generator needs of one question."""

    question_id: int
    key: str
    kind: QuestionKind
    dimension: str
    #: the area ids its answer rows carry; None stands for the area chosen in the routing question
    areas: list[int | None] | None
    required: bool
    allow_dont_know: bool = True
    dont_know_share: float = DONT_KNOW
    options: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    #: for a routing question: the focus area id of each option
    option_areas: list[int | None] = field(default_factory=list)
    #: for a consent question: the key of the free-text question it gives consent for
    consent_for: str | None = None
    #: how much this item lies above or below its area's level
    shift: float = 0.0
    #: the question in the file: asked only on the routes its conditions allow (flow.is_asked)
    spec: QuestionSpec | None = None
    #: the page it is on, whose condition it shares
    page: PageSpec | None = None


@dataclass
class Plan:
    """A round's questionnaire and the levels the synthetic answers are drawn around."""

    round_id: int
    items: list[Item]
    #: (satisfaction, transparency) mean per focus area id
    levels: dict[int | None, tuple[float, float]]
    weeks: list[str]


def _levels(seed: int, round_: Round) -> dict[int | None, tuple[float, float]]:
    """Per focus area a clearly different level (spread by policy), moved a little per round."""
    areas = list(round_.questionnaire.policy.focus_areas)
    bases = [2.7 + 1.5 * i / max(len(areas) - 1, 1) for i in range(len(areas))]
    random.Random(f"{seed}:{round_.questionnaire.policy.slug}").shuffle(bases)
    levels: dict[int | None, tuple[float, float]] = {None: (3.6, 3.3)}
    for area, base in zip(areas, bases, strict=True):
        level = base + random.Random(f"{seed}:{round_.slug}:{area.code}").uniform(-0.3, 0.3)
        levels[area.id] = (level, level - random.Random(f"{seed}:{area.code}:transparency").uniform(0.1, 0.6))
    return levels


def _weeks(round_: Round) -> list[str]:
    """The ISO week of every day the round is open: drawing from it spreads answers evenly over days."""
    first, last = round_.opens_at.date(), round_.last_moment.date()
    return [iso_week(first + timedelta(days=d)) for d in range((last - first).days + 1)]


def _areas(question: Question, meeting_areas: list[int]) -> list[int | None] | None:
    """The focus areas a real submit gives the question's answer (None in place of the routing choice)."""
    if question.follows_meeting:
        return meeting_areas or [None]
    return None if question.follows_routing else [question.focus_area_id]


def build_plan(round_: Round, seed: int) -> Plan:
    """Read what the generator needs from the round, its questionnaire version and its policy."""
    questionnaire = round_.questionnaire
    rows = questionnaire.question_by_key()
    area_ids = {area.code: area.id for area in questionnaire.policy.focus_areas}
    meeting_areas = [area.id for area in round_.focus_areas]
    items = []
    for page, spec in ((p, q) for p in questionnaire.spec.pages for q in p.questions):
        row = rows[spec.id]
        item = Item(row.id, spec.id, kind_named(spec.kind), spec.dimension, _areas(row, meeting_areas), spec.required)
        item.spec, item.page = spec, page
        item.allow_dont_know = spec.allow_dont_know
        item.consent_for = spec.quote_consent_for
        item.shift = random.Random(f"{seed}:{spec.id}").uniform(-0.3, 0.3)
        item.options = [option.value for option in spec.options or []]
        if spec.routing:
            shares = list(ROUTING_SHARES[: len(item.options)]) + [2] * max(len(item.options) - len(ROUTING_SHARES), 0)
            random.Random(f"{seed}:{round_.slug}:routing").shuffle(shares)
            item.weights = shares
            item.option_areas = [area_ids.get(option.focus_area) for option in spec.options]
        else:
            item.weights = [OPTION_WEIGHTS.get(value, 10 / (i + 1)) for i, value in enumerate(item.options)]
        items.append(item)
    return Plan(round_.id, items, _levels(seed, round_), _weeks(round_))


def respondent(plan: Plan, rng: random.Random) -> list[tuple]:
    """One respondent's answers as (question_id, focus_area_id, choice, score, text, may_quote) rows."""
    person = rng.gauss(0, 0.6)  # some people are more content than others, on every item
    chosen: int | None = None
    consent: dict[str, bool] = {}  # free-text key → consent given, for those who wrote something
    given: dict[str, DraftAnswer] = {}  # the choices so far, which decide the route
    rows = []
    for item in plan.items:
        if not (flow.is_asked(item.page, given) and flow.is_asked(item.spec, given)):
            continue  # not on this respondent's route: not asked, so no answer at all
        areas = item.areas if item.areas is not None else [chosen]
        sat, transp = plan.levels.get(areas[0], plan.levels[None])
        may_quote = False
        if item.kind.own_words:
            if rng.random() >= FREE_TEXT:
                continue
            consent[item.key] = rng.random() < QUOTE_CONSENT
            texts = POSITIVE_TEXTS if rng.gauss(sat + person, 0.7) >= 3.5 else NEGATIVE_TEXTS
            values, may_quote = [(None, None, rng.choice(texts))], consent[item.key]
        elif item.consent_for:
            if item.consent_for not in consent:
                continue
            values = item.kind.stored(item.kind.consent_answer(consent[item.consent_for]))
        elif not item.required and rng.random() < (SKIP if item.dimension != "background" else 1 - BACKGROUND_ANSWERED):
            continue
        else:
            level = sat if item.dimension == "satisfaction" else transp
            drawn = item.kind.draw(rng, item, level, sat, person)
            values, given[item.key] = item.kind.stored(drawn), drawn
            if item.option_areas:  # the routing answer: background itself, it decides the later questions' area
                chosen = item.option_areas[item.options.index(values[0][0])]
        rows += [
            (item.question_id, area_id, choice, score, text, may_quote)
            for choice, score, text in values
            for area_id in areas
        ]
    return rows


def make_chunk(plan: Plan, n: int, rng: random.Random, keys: random.Random, receipts: set[str]):
    """n responses and their answers as tuples in RESPONSE_COLUMNS and ANSWER_COLUMNS order."""
    responses, answers = [], []
    for _ in range(n):
        receipt = "".join(keys.choices(ALPHABET, k=RECEIPT_LENGTH))
        while receipt in receipts:
            receipt = "".join(keys.choices(ALPHABET, k=RECEIPT_LENGTH))
        receipts.add(receipt)
        response_id = f"{keys.getrandbits(128):032x}"
        responses.append((response_id, plan.round_id, f"{keys.getrandbits(128):032x}", receipt, rng.choice(plan.weeks)))
        # keyed like a real submit's answers (questionnaire.models.new_answer_id): at random, never counted
        answers += [(new_answer_id(), response_id, *row) for row in respondent(plan, rng)]
    # written in key order, the random keys land next to each other in the tables and indexes: about 15 % faster
    responses.sort()
    answers.sort(key=itemgetter(1, 0))  # the answer table's key: (response_id, id)
    return responses, answers


def insert_chunk(connection: Connection, responses: list[tuple], answers: list[tuple]) -> None:
    """Write a chunk: COPY on PostgreSQL, one executemany per table on SQLite."""
    if connection.dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor:
            for table, columns, rows in (
                ("response", RESPONSE_COLUMNS, responses),
                ("answer", ANSWER_COLUMNS, answers),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        return
    # the driver's executemany with plain tuples: SQLAlchemy's per-row dicts and processing took half the time
    for table, columns, rows in (("response", RESPONSE_COLUMNS, responses), ("answer", ANSWER_COLUMNS, answers)):
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def chunk_increments(plan: Plan, answers: list[tuple], breakdowns: list[str]) -> Increments:
    """The kept sums' increments of a chunk's respondents, added up: what their submits would have added."""
    facts_of = {item.question_id: (item.key, item.dimension) for item in plan.items}
    total: Increments = {}
    for _response_id, rows in groupby(sorted(answers, key=itemgetter(1)), key=itemgetter(1)):
        facts = [(*facts_of[question], area, choice, score) for _, _, question, area, choice, score, *_ in rows]
        for key, values in response_increments(plan.round_id, facts, breakdowns).items():
            kept = total.setdefault(key, [0] * len(values))
            for i, value in enumerate(values):
                kept[i] += value
    return total


def generate_responses(round_: Round, n: int, seed: int, chunk_size: int = CHUNK_SIZE) -> tuple[int, int]:
    """Add n synthetic responses to a round, one transaction per chunk that also adds them to the round's kept
    sums, as their submits would have; returns (responses, answers) made.

    The seed fixes what is answered; keys and receipts are always fresh, so a second run adds, never collides."""
    plan, slug = build_plan(round_, seed), round_.slug
    breakdowns = breakdown_keys(round_.questionnaire.questions)
    db.session.commit()  # nothing to store: ends the session's read so the chunks can write
    rng, keys = random.Random(f"{seed}:{slug}:answers"), random.Random()
    with db.engine.connect() as connection:
        receipts = set(connection.scalars(select(Response.receipt)))
    made = answered = 0
    while made < n:
        responses, answers = make_chunk(plan, min(chunk_size, n - made), rng, keys, receipts)
        increments = chunk_increments(plan, answers, breakdowns)
        with db.engine.begin() as connection:
            insert_chunk(connection, responses, answers)
            # computed from the rows in hand: a rebuild would read every answer of the round again
            add_increments(connection, increments)
        made, answered = made + len(responses), answered + len(answers)
    return made, answered


@click.command("generate-responses")
@click.option("--round", "round_slug", required=True, help="Rundens slug.")
@click.option("--n", "n", type=click.IntRange(min=1), required=True, help="Antal besvarelser.")
@click.option("--seed", type=int, default=None, help="Samme seed giver de samme svar (standard: tilfældig).")
@with_appcontext
def generate_responses_command(round_slug: str, n: int, seed: int | None):
    """Add N realistic synthetic responses to a round (for benchmarks and demonstrations)."""
    round_ = db.session.scalar(select(Round).where(Round.slug == round_slug))
    if round_ is None:
        raise click.UsageError(f"Runden {round_slug!r} findes ikke.")
    seed = secrets.randbits(32) if seed is None else seed
    started = time.perf_counter()
    responses, answers = generate_responses(round_, n, seed)
    elapsed = time.perf_counter() - started
    click.echo(
        f"{responses} besvarelser med {answers} svar lavet i runden {round_slug} "
        f"på {elapsed:.1f} s ({responses / elapsed:.0f} besvarelser/s, seed {seed})."
    )
