"""Answers per hour to an open-link round, counted in the rate-limit store, so that ballot stuffing is seen.

Only a number per round and clock hour is kept, in the store Flask-Limiter uses (Redis shared by the app servers,
or the process's memory), for 8 days; nothing goes into the database and nothing is kept per response, so no time
is stored with an answer. After a submit is committed its round's count for the hour goes up by one, and when that
count is far above the round's usual rate an audit event is written (once per round and hour; actor "system",
round id and counts only), which the results pages show as a warning.

- usual rate: the mean count per hour over the hours of the 7 days before the current hour in which the round was
  open (0 for a round that opened this hour). An earlier burst raises it by its size / 168 at most.
- far above: at least OPEN_ROUND_BURST_MIN answers in the hour and at least OPEN_ROUND_BURST_FACTOR times the
  usual rate; the minimum keeps a quiet round's first answers, or a normal busy hour, from being called a burst.

Counting never fails a submit: the answers are stored before it starts. While the store does not answer, this
process counts in its own memory and tries the store again after a minute."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from sqlalchemy.exc import SQLAlchemyError

from survey.kernel import clock
from survey.kernel.extensions import db
from survey.staff import audit

HISTORY_HOURS = 7 * 24
#: an hour's count is kept a day longer than it is looked back at
KEPT_SECONDS = (HISTORY_HOURS + 24) * 3600
AUDIT_ACTION = "open_round_burst"
#: seconds this process counts in memory after the shared store failed, before it tries the store again
RETRY_STORE_SECONDS = 60


@dataclass
class Burst:
    """What the audit event of a burst holds: the hour's count, the usual rate and the threshold it passed."""

    round_id: int
    count: int
    usual: float
    threshold: float

    def detail(self) -> dict:
        return {"round": self.round_id, "count": self.count, "usual": round(self.usual, 2), "threshold": self.threshold}


@dataclass
class _Counter:
    shared: Storage
    #: where this process counts for a while after the shared store failed
    memory: MemoryStorage | None = None
    failed_at: float | None = None
    #: usual rates worked out this hour, by (round id, hour): past hours do not change
    usual: dict[tuple[int, int], float] = field(default_factory=dict)
    #: (round id, hour) whose burst is already written
    noted: set[tuple[int, int]] = field(default_factory=set)

    def store(self) -> Storage:
        if self.failed_at is not None and time.monotonic() - self.failed_at < RETRY_STORE_SECONDS:
            return self.fallback()
        return self.shared

    def fallback(self) -> MemoryStorage:
        if self.memory is None:
            self.memory = MemoryStorage()
        return self.memory


def _counter() -> _Counter:
    """The app's counter, on the rate limiter's storage (or, while rate limits are off, one made the same way)."""
    counter = current_app.extensions.get("submit_rate")
    if counter is None:
        limiter = current_app.extensions.get("rate_limiter")
        if limiter is not None and limiter.enabled:
            shared = limiter.storage
        else:
            config = current_app.config
            shared = storage_from_string(config["RATELIMIT_STORAGE_URI"], **config["RATELIMIT_STORAGE_OPTIONS"])
        counter = current_app.extensions["submit_rate"] = _Counter(shared)
    return counter


def _key(*parts) -> str:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")  # one store shared by several installations
    return "/".join(["borgerdialog", *([prefix] if prefix else []), *map(str, parts)])


def hour_of(moment: datetime) -> int:
    """Hours since the epoch; a naive moment is UTC, as the database keeps it."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() // 3600)


def note_submit(round_id: int, opens_at: datetime) -> None:
    """Count one committed submit of an open-link round; write the audit event if its hour is a burst. Never
    raises: the answers are already stored."""
    try:
        burst = _count_somewhere(_counter(), round_id, opens_at)
        if burst is not None:
            _audit(burst)
    except Exception:  # a fault in counting must not turn the citizen's receipt into an error page
        current_app.logger.exception("submit counter: a submit of round %s was not counted", round_id)


def _count_somewhere(counter: _Counter, round_id: int, opens_at: datetime) -> Burst | None:
    """Count in the shared store; when it fails, in this process's memory."""
    store = counter.store()
    try:
        return _count(counter, store, round_id, opens_at)
    except (StorageError, *_as_tuple(counter.shared.base_exceptions)):
        if store is not counter.shared:
            raise
        current_app.logger.warning("submit counter: the rate-limit store failed; counting in memory for a while")
        counter.failed_at = time.monotonic()
        return _count(counter, counter.fallback(), round_id, opens_at)


def _as_tuple(exceptions) -> tuple:
    return exceptions if isinstance(exceptions, tuple) else (exceptions,)


def _count(counter: _Counter, store: Storage, round_id: int, opens_at: datetime) -> Burst | None:
    """Add one to the hour's count; the burst to write when this count is the first one far above the usual."""

    hour = hour_of(clock.now())
    count = store.incr(_key("submits", round_id, hour), KEPT_SECONDS)
    config = current_app.config
    minimum, factor = config["OPEN_ROUND_BURST_MIN"], config["OPEN_ROUND_BURST_FACTOR"]
    if count < minimum or (round_id, hour) in counter.noted:
        return None
    usual = _usual(counter, store, round_id, hour, hour_of(opens_at))
    threshold = max(minimum, factor * usual)
    if count < threshold:
        return None
    counter.noted.add((round_id, hour))
    # one process of all that share the store writes the event for this hour
    if store.incr(_key("burst", round_id, hour), 2 * 3600) != 1:
        return None
    return Burst(round_id, count, usual, threshold)


def _usual(counter: _Counter, store: Storage, round_id: int, hour: int, opening_hour: int) -> float:
    """The mean count per hour over the round's open hours of the last 7 days before `hour`."""
    if any(key[1] != hour for key in counter.usual):
        counter.usual.clear()  # a new hour: the kept rates and notes are about hours gone by
        counter.noted = {key for key in counter.noted if key[1] == hour}
    if (round_id, hour) not in counter.usual:
        hours = range(max(hour - HISTORY_HOURS, opening_hour), hour)
        total = sum(store.get(_key("submits", round_id, h)) for h in hours)
        counter.usual[(round_id, hour)] = total / len(hours) if hours else 0.0
    return counter.usual[(round_id, hour)]


def _audit(burst: Burst) -> None:
    """The audit event of a burst, in a transaction of its own after the submit's."""

    try:
        audit.audit_system(AUDIT_ACTION, target=f"round:{burst.round_id}", **burst.detail())
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        raise


@dataclass(frozen=True)
class BurstSeen:
    """A burst as the results pages show it: the clock hour (naive UTC) and its figures."""

    round_id: int
    starts: datetime
    count: int
    usual: float
    threshold: float

    @property
    def ends(self) -> datetime:
        return self.starts + timedelta(hours=1)


def bursts(round_ids: list[int]) -> dict[int, list[BurstSeen]]:
    """The bursts written in the audit log for these rounds, oldest first, by round id. The count is the hour's
    count now when the store still has it (the event holds the count that crossed the threshold)."""

    if not round_ids:
        return {}
    targets = {f"round:{round_id}": round_id for round_id in round_ids}
    found: dict[int, list[BurstSeen]] = {}
    for event in audit.events(AUDIT_ACTION, list(targets)):
        round_id, detail = targets[event.target], event.detail
        count = max(detail["count"], _hour_count(round_id, hour_of(event.at)))
        starts = event.at.replace(minute=0, second=0, microsecond=0)
        found.setdefault(round_id, []).append(BurstSeen(round_id, starts, count, detail["usual"], detail["threshold"]))
    return found


def _hour_count(round_id: int, hour: int) -> int:
    """An hour's count as the shared store has it now; 0 when it is gone or the store does not answer."""
    counter = _counter()
    try:
        return counter.store().get(_key("submits", round_id, hour))
    except (StorageError, *_as_tuple(counter.shared.base_exceptions)):
        current_app.logger.warning("submit counter: the rate-limit store failed while showing a burst")
        return 0
