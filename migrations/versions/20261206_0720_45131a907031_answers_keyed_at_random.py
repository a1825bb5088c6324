"""answers keyed at random, never in submit order

Revision ID: 45131a907031
Revises: 25790961a47d
Create Date: 2026-12-06 06:30:00

The tables holding answers (response, answer, quote, result_sum) stop following the order surveys were sent in, so
that the n-th submit in the web server's access log no longer points at a row. On SQLite they are rebuilt WITHOUT
ROWID (a rowid rises with every insert); on PostgreSQL answer.id loses its sequence. The answer table is keyed by
(response_id, id), both random, with id unique on its own (quotes point at it), which makes ix_answer_response_id
redundant. Every answer already stored gets a fresh random id (quote.answer_id follows it), and every row is written
again in the order of its key: on SQLite into the new tables, on PostgreSQL by CLUSTER, after an UPDATE that also
gives each row this migration's transaction id (xmin) instead of its submit's. The downgrade numbers the answers
1…n in the order of their random ids and gives back the sequence, the rowids and the old keys.
"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "45131a907031"
down_revision = "25790961a47d"
branch_labels = None
depends_on = None

#: parents before children: dropped the other way round, so that no drop cascades into a table still in use
TABLES = ("response", "answer", "quote", "result_sum")
INDEXES = {
    "response": {"ix_response_round_id": ["round_id"]},
    "answer": {
        "ix_answer_focus_area_id": ["focus_area_id"],
        "ix_answer_question_area_score": ["question_id", "focus_area_id", "score"],
    },
}
#: the index the old key needed, made redundant by the new one
RESPONSE_INDEX = "ix_answer_response_id"
COLUMNS = {
    "response": "id, round_id, submission_id, receipt, iso_week",
    "answer": "response_id, question_id, focus_area_id, choice, score, text, may_quote",  # and the id
    "quote": "chosen_by_id, chosen_at",  # and the answer's id
    "result_sum": "round_id, focus_area_id, dimension, question, backgrounds, n, mean_sum, mean_sq, sat_sum, sat_sq, "
    "dont_know",
}
KEY_ORDER = {
    "response": "id",
    "answer": "response_id, k.new_id",
    "quote": "k.new_id",
    "result_sum": "round_id, focus_area_id, dimension, question, backgrounds",
}
#: old answer id → new one, for the copy (SQLite) or the update (PostgreSQL)
KEYS = "answer_new_key"
QUOTE_KEY = ("fk_quote_answer_id_answer", "quote", "answer", ["answer_id"], ["id"])


def upgrade():
    bind = op.get_bind()
    _make_keys(bind, renumber=False)
    if bind.dialect.name == "sqlite":
        _rebuild_sqlite(old_schema=False)
    else:
        _drop_sequence(bind)
        op.drop_constraint(QUOTE_KEY[0], "quote", type_="foreignkey")
        op.drop_constraint("pk_answer", "answer", type_="primary")
        op.drop_index(RESPONSE_INDEX, table_name="answer")
        _rekey_postgresql()
        op.create_primary_key("pk_answer", "answer", ["response_id", "id"])
        op.create_unique_constraint("uq_answer_id", "answer", ["id"])
        op.create_foreign_key(*QUOTE_KEY, ondelete="CASCADE")
        _rewrite_postgresql()
    op.execute(f"DROP TABLE {KEYS}")


def downgrade():
    bind = op.get_bind()
    _make_keys(bind, renumber=True)
    if bind.dialect.name == "sqlite":
        _rebuild_sqlite(old_schema=True)
    else:
        op.drop_constraint(QUOTE_KEY[0], "quote", type_="foreignkey")
        op.drop_constraint("uq_answer_id", "answer", type_="unique")
        op.drop_constraint("pk_answer", "answer", type_="primary")
        _rekey_postgresql()
        op.create_primary_key("pk_answer", "answer", ["id"])
        op.create_index(RESPONSE_INDEX, "answer", ["response_id"])
        op.create_foreign_key(*QUOTE_KEY, ondelete="CASCADE")
        count = bind.scalar(sa.text("SELECT count(*) FROM answer"))
        op.execute("CREATE SEQUENCE answer_id_seq OWNED BY answer.id")
        bind.execute(sa.text("SELECT setval('answer_id_seq', :n, :called)"), {"n": max(count, 1), "called": count > 0})
        op.execute("ALTER TABLE answer ALTER COLUMN id SET DEFAULT nextval('answer_id_seq')")
    op.execute(f"DROP TABLE {KEYS}")


def _make_keys(bind, renumber: bool) -> None:
    """Fill the temporary table of new answer ids: random, drawn with the secrets module like the app's
    (questionnaire.models.new_answer_id), or for the downgrade 1…n in the order of the random ones, so that even
    then they do not follow submit order."""
    old = bind.scalars(sa.text("SELECT id FROM answer ORDER BY id")).all()
    if renumber:
        pairs = [{"old": key, "new": number} for number, key in enumerate(old, start=1)]
    else:
        taken: set[int] = set()
        pairs = []
        for key in old:
            while (new := secrets.randbelow(2**63 - 1) + 1) in taken:
                pass
            taken.add(new)
            pairs.append({"old": key, "new": new})
    op.execute(f"CREATE TEMPORARY TABLE {KEYS} (old_id BIGINT PRIMARY KEY, new_id BIGINT NOT NULL UNIQUE)")
    if bind.dialect.name == "postgresql":  # COPY: an INSERT per answer took 20 of 51 s at 1 M answers
        with bind.connection.driver_connection.cursor().copy(f"COPY {KEYS} (old_id, new_id) FROM STDIN") as copy:
            for pair in pairs:
                copy.write_row((pair["old"], pair["new"]))
    elif pairs:
        bind.execute(sa.text(f"INSERT INTO {KEYS} (old_id, new_id) VALUES (:old, :new)"), pairs)


def _answer_keys(old_schema: bool) -> list[sa.Constraint]:
    if old_schema:
        return [sa.PrimaryKeyConstraint("id", name="pk_answer")]
    return [
        sa.PrimaryKeyConstraint("response_id", "id", name="pk_answer"),
        sa.UniqueConstraint("id", name="uq_answer_id"),
    ]


def _create_tables(suffix: str, old_schema: bool) -> None:
    """The four tables named with `suffix` (pointing at each other by those names): WITHOUT ROWID, or as before
    this revision when `old_schema` (answer.id then SQLite's INTEGER PRIMARY KEY again: a rowid)."""
    options = {} if old_schema else {"sqlite_with_rowid": False}
    answer_id = sa.Integer() if old_schema else sa.BigInteger()
    op.create_table(
        f"response{suffix}",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(length=32), nullable=False),
        sa.Column("receipt", sa.String(length=16), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], name="fk_response_round_id_round"),
        sa.PrimaryKeyConstraint("id", name="pk_response"),
        sa.UniqueConstraint("receipt", name="uq_response_receipt"),
        sa.UniqueConstraint("submission_id", name="uq_response_submission_id"),
        **options,
    )
    op.create_table(
        f"answer{suffix}",
        sa.Column("id", answer_id, nullable=False, autoincrement=old_schema),
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("focus_area_id", sa.Integer(), nullable=True),
        sa.Column("choice", sa.String(length=80), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("may_quote", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["focus_area_id"], ["focus_area.id"], name="fk_answer_focus_area_id_focus_area"),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"], name="fk_answer_question_id_question"),
        sa.ForeignKeyConstraint(
            ["response_id"], [f"response{suffix}.id"], name="fk_answer_response_id_response", ondelete="CASCADE"
        ),
        *_answer_keys(old_schema),
        **options,
    )
    op.create_table(
        f"quote{suffix}",
        sa.Column("answer_id", answer_id, nullable=False, autoincrement=False),
        sa.Column("chosen_by_id", sa.Integer(), nullable=True),
        sa.Column("chosen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"], [f"answer{suffix}.id"], name="fk_quote_answer_id_answer", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["chosen_by_id"], ["staff_user.id"], name="fk_quote_chosen_by_id_staff_user", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("answer_id", name="pk_quote"),
        **options,
    )
    op.create_table(
        f"result_sum{suffix}",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("focus_area_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("question", sa.String(length=80), nullable=False),
        sa.Column("backgrounds", sa.Text(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("mean_sum", sa.Double(), nullable=False),
        sa.Column("mean_sq", sa.Double(), nullable=False),
        sa.Column("sat_sum", sa.Double(), nullable=False),
        sa.Column("sat_sq", sa.Double(), nullable=False),
        sa.Column("dont_know", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["focus_area_id"], ["focus_area.id"], name="fk_result_sum_focus_area_id_focus_area"),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], name="fk_result_sum_round_id_round", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "round_id", "focus_area_id", "dimension", "question", "backgrounds", name="pk_result_sum"
        ),
        **options,
    )


def _rebuild_sqlite(old_schema: bool) -> None:
    """Copy the four tables into new ones in the order of their (new) keys, drop the old ones children first (with
    foreign keys on, a dropped parent would empty its children: the new tables point at each other's new names,
    which the renames then carry over), rename, and make the indexes again."""
    _create_tables("_new", old_schema)
    answer = ", ".join(f"a.{column}" for column in COLUMNS["answer"].split(", "))
    copies = {
        "response": f"SELECT {COLUMNS['response']} FROM response",
        "answer": f"SELECT k.new_id, {answer} FROM answer a JOIN {KEYS} k ON k.old_id = a.id",
        "quote": f"SELECT k.new_id, q.chosen_by_id, q.chosen_at FROM quote q JOIN {KEYS} k ON k.old_id = q.answer_id",
        "result_sum": f"SELECT {COLUMNS['result_sum']} FROM result_sum",
    }
    into = {"answer": f"id, {COLUMNS['answer']}", "quote": f"answer_id, {COLUMNS['quote']}"}
    for name in TABLES:
        columns = into.get(name, COLUMNS[name])
        op.execute(f"INSERT INTO {name}_new ({columns}) {copies[name]} ORDER BY {KEY_ORDER[name]}")
    for name in reversed(TABLES):
        op.drop_table(name)
    for name in TABLES:
        op.rename_table(f"{name}_new", name)
    indexes = INDEXES | ({"answer": INDEXES["answer"] | {RESPONSE_INDEX: ["response_id"]}} if old_schema else {})
    for table, made in indexes.items():
        for index, on in made.items():
            op.create_index(index, table, on, unique=False)


def _drop_sequence(bind) -> None:
    """answer.id gets no value from the database any more: the app gives each answer a random key."""
    identity = bind.scalar(
        sa.text(
            "SELECT is_identity FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'answer' AND column_name = 'id'"
        )
    )
    if identity == "YES":
        op.execute("ALTER TABLE answer ALTER COLUMN id DROP IDENTITY")
        return
    sequence = bind.scalar(sa.text("SELECT pg_get_serial_sequence('answer', 'id')"))
    op.execute("ALTER TABLE answer ALTER COLUMN id DROP DEFAULT")
    if sequence:
        op.execute(f"DROP SEQUENCE {sequence}")


def _rekey_postgresql() -> None:
    """Give answers (their key and unique constraint dropped meanwhile) and quotes the new ids; the quotes' ids are
    negated first (ids are positive), so that none meets another's old one on the way through quote's key."""
    op.execute(f"UPDATE answer SET id = k.new_id FROM {KEYS} k WHERE answer.id = k.old_id")
    op.execute("UPDATE quote SET answer_id = -answer_id")
    op.execute(f"UPDATE quote SET answer_id = k.new_id FROM {KEYS} k WHERE quote.answer_id = -k.old_id")


def _rewrite_postgresql() -> None:
    """Write every row again in key order. The UPDATEs give every row this transaction's id (answers and quotes got
    it from their new ids); CLUSTER then writes the live rows out in key order, leaving the heap's insertion order
    behind, and marks the key as the one a later plain CLUSTER sorts by."""
    op.execute("UPDATE response SET iso_week = iso_week")
    op.execute("UPDATE result_sum SET n = n")
    for name in TABLES:
        op.execute(f"CLUSTER {name} USING pk_{name}")
