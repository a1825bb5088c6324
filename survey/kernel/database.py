"""SQLite durability settings: WAL, full sync, foreign keys, a busy timeout, and writes that begin IMMEDIATE, one
after the other through a writers' queue; on PostgreSQL, a pooled connection's check before use that costs no round
trip, and pages that only read without a transaction."""

from __future__ import annotations

import fcntl
import importlib
import os
import select
import time

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import Index, MetaData, Table, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.sql.dml import Insert

BUSY_TIMEOUT_MS = 10_000
#: GET requests that write: the gateway's delivery reports (Kannel's dlr-url is a GET; two reports of one message
#: come at once, and a deferred BEGIN would fail the second's write with SQLITE_BUSY instead of letting it wait)
WRITING_GETS = frozenset({"sms_reports.report"})
REQUIRED_PRAGMAS = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "secure_delete": 1}
#: the dialects we run on; each has its own INSERT … ON CONFLICT and its own table and index options
DIALECTS = ("postgresql", "sqlite")
#: where a table or index keeps options for one dialect ({dialect: {option: value}}, in its info) until the engine's
#: dialect is known: naming them as keywords (sqlite_with_rowid=…, postgresql_where=…) would load that dialect
#: into every worker, a SQLite one's PostgreSQL dialect about 2 MiB (issue 18)
DIALECT_OPTIONS = "dialect_options"


def for_dialects(**options_by_dialect: dict) -> dict:
    """A table's or index's info holding options for some dialects: for_dialects(sqlite={"with_rowid": False})."""
    return {DIALECT_OPTIONS: options_by_dialect}


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index over the rows that meet `where` (SQL both dialects understand)."""
    return Index(name, *columns, unique=unique, info=for_dialects(**{d: {"where": text(where)} for d in DIALECTS}))


def use_dialect_options(metadata: MetaData, dialect_name: str) -> None:
    """Hand every table's and index's options for the dialect in use to SQLAlchemy, for the DDL and Alembic's
    comparison with the database (for_dialects). Called once the engine is known; doing it again changes nothing."""
    for table in metadata.tables.values():
        for item in (table, *table.indexes):
            for option, value in item.info.get(DIALECT_OPTIONS, {}).get(dialect_name, {}).items():
                item.dialect_options[dialect_name][option] = value


def dialect_insert(dialect_name: str, table: Table) -> Insert:
    """The dialect's own INSERT (with on_conflict_do_update), from the dialect's module imported only when first
    needed, so that a deployment loads only its own dialect."""
    if dialect_name not in DIALECTS:
        raise ValueError(f"no INSERT … ON CONFLICT for {dialect_name}")
    return importlib.import_module(f"sqlalchemy.dialects.{dialect_name}").insert(table)


def _busy_timeout_ms() -> int:
    """How long a writer waits for the write lock before giving up (config SQLITE_BUSY_TIMEOUT_MS)."""
    return current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS) if has_app_context() else BUSY_TIMEOUT_MS


def _is_read_only_request() -> bool:
    return (
        has_request_context() and request.method in ("GET", "HEAD", "OPTIONS") and request.endpoint not in WRITING_GETS
    )


class WritersQueue:
    """Writers to one SQLite file take their turn through an advisory lock (flock) on a file beside it, held from
    BEGIN IMMEDIATE to COMMIT or ROLLBACK; each pooled connection has its own descriptor of that file.

    SQLite's own wait for its write lock sleeps between tries, longer and longer (1, 2, 5, … up to 100 ms): under
    load a writer that has waited a while sleeps through the moments the lock is free, and a few posts wait many
    times longer than the rest. In this queue a waiting writer looks again every few tenths of a millisecond, so it
    gets its turn right after the writer before it commits. SQLite's lock still guards the data; the queue only
    orders our own writers. A writer that cannot get its turn within the busy timeout tries SQLite's lock once
    without waiting, and is refused as before ("database is locked") when another still writes. A process that
    dies lets go of its turn with its descriptors, so a killed worker never blocks the others."""

    SUFFIX = ".writers"
    FIRST_WAIT_S, LONGEST_WAIT_S = 0.0002, 0.002

    def __init__(self, database: str, timeout_ms: int):
        self.path, self.timeout_s = database + self.SUFFIX, timeout_ms / 1000

    def open(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def take(self, descriptor: int) -> bool:
        """Wait for this connection's turn, at most the busy timeout; False when the turn did not come."""
        deadline, wait = time.monotonic() + self.timeout_s, self.FIRST_WAIT_S
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                time.sleep(min(wait, left))
                wait = min(2 * wait, self.LONGEST_WAIT_S)

    @staticmethod
    def give_up(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


def _queue_writers(engine: Engine, busy_timeout_ms: int):
    """Put the engine's writing transactions through a WritersQueue (not an in-memory database's): returns the
    function that waits for a connection's turn (False when it did not come), or None without a queue."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    queue = WritersQueue(os.path.abspath(database), busy_timeout_ms)
    descriptors: dict[int, int] = {}  # id of a DBAPI connection: its descriptor of the queue's file
    holding: set[int] = set()  # ids of the connections whose turn it is

    @event.listens_for(engine, "connect")
    def _open_queue(dbapi_connection, _record):
        descriptors[id(dbapi_connection)] = queue.open()

    @event.listens_for(engine.pool, "close")
    def _close_queue(dbapi_connection, _record):
        holding.discard(id(dbapi_connection))
        descriptor = descriptors.pop(id(dbapi_connection), None)
        if descriptor is not None:
            os.close(descriptor)  # closing the descriptor also gives up a turn still held

    def turn_taken(connection) -> bool:
        key = id(connection.connection.dbapi_connection)
        if not queue.take(descriptors[key]):
            return False
        holding.add(key)
        return True

    def turn_given_up(pooled) -> None:
        key = id(getattr(pooled, "dbapi_connection", pooled))
        if key in holding:
            holding.remove(key)
            queue.give_up(descriptors[key])

    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(pooled):
        try:
            commit(pooled)
        finally:
            turn_given_up(pooled)

    def do_rollback(pooled):
        try:
            rollback(pooled)
        finally:
            turn_given_up(pooled)

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback
    return turn_taken


def configure_sqlite(engine: Engine) -> None:
    """Set the pragmas on every new connection and take the write lock at BEGIN for writing requests, writers one
    after the other (WritersQueue).

    pysqlite's own implicit BEGIN is switched off so that we choose: a deferred BEGIN would let two writers
    read, then fail to upgrade their locks with SQLITE_BUSY instead of waiting their turn.
    """
    busy_timeout_ms = _busy_timeout_ms()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # a sent draft (which knew its invitation) is overwritten on delete, not left readable in free pages
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    begin_writing = _queue_writers(engine, busy_timeout_ms)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if _is_read_only_request():
            connection.exec_driver_sql("BEGIN")
        elif begin_writing is None or begin_writing(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:  # the queue did not move within the busy timeout: SQLite's lock once, without waiting again
            connection.exec_driver_sql("PRAGMA busy_timeout = 0")
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")


def check_sqlite(engine: Engine) -> None:
    """Refuse to start when the durability settings did not take."""
    with engine.connect() as connection:
        found = {name: connection.execute(text(f"PRAGMA {name}")).scalar() for name in REQUIRED_PRAGMAS}
        busy = connection.execute(text("PRAGMA busy_timeout")).scalar()
    # no pooled connection is left behind: a server that forks after create_app (gunicorn --preload) must not
    # hand one SQLite connection to several worker processes
    engine.dispose()
    wrong = {k: v for k, v in found.items() if str(v).lower() != str(REQUIRED_PRAGMAS[k])}
    if wrong or busy != _busy_timeout_ms():
        raise RuntimeError(f"SQLite durability settings not in effect: {wrong or {'busy_timeout': busy}}")


def idle_connection_alive(dbapi_connection) -> bool:
    """False when a pooled PostgreSQL connection cannot be used: closed, broken, or its socket readable while it is
    idle between requests, which means the server ended it (a restart sends its farewell and closes the socket).

    The pool's check before each use (pool_pre_ping) otherwise sends SELECT 1 and waits for the answer: a round trip
    and its CPU on every request. False makes the pool drop its connections and open new ones, as a failed
    SELECT 1 would."""
    if dbapi_connection.closed or getattr(dbapi_connection, "broken", False):
        return False
    try:
        readable, _writable, _broken = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def configure_postgresql(engine: Engine) -> None:
    """Check a pooled connection before use without a round trip (idle_connection_alive)."""
    engine.dialect.do_ping = idle_connection_alive


def read_without_transaction() -> None:
    """For a request that only reads (a citizen's page): on PostgreSQL its statements run without a transaction,
    which saves a round trip for BEGIN and one for ROLLBACK, half of such a page's trips to the database. SQLite's
    transactions cost no round trip (and a writer's lock is taken at BEGIN): they stay. Call it before the request's
    first statement; once something has been read, the request keeps its transaction."""
    from survey.kernel.extensions import db

    session = db.session()  # the request's Session (the scoped_session proxy has no in_transaction)
    if not session.in_transaction() and db.engine.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
