"""answers keyed at random, never in submit order

Revision ID: 45131a907031
Revises: 11cddf4182d9
Create Date: 2026-12-06 06:30:00

The tables holding answers (response, answer, quote, result_sum) stop following the order surveys were sent in, so
that the n-th submit in the web server's access log no longer points at a row. On SQLite they are rebuilt WITHOUT
ROWID (a rowid rises with every insert); on PostgreSQL answer.id loses its sequence. Every answer already stored
gets a fresh random key (quote.answer_id follows it), and every row is written again in the order of its key: on
SQLite into the new tables, on PostgreSQL by CLUSTER after an UPDATE that also gives every row this migration's
transaction id (xmin) instead of its submit's. The downgrade numbers the answers 1…n in the order of their random
keys and gives back the sequence and the rowids.
"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "45131a907031"
down_revision = "11cddf4182d9"
branch_labels = None
depends_on = None

#: parents before children: dropped the other way round, so that no drop cascades into a table still in use
TABLES = ("response", "answer", "quote", "result_sum")
INDEXES = {
    "response": {"ix_response_round_id": ["round_id"]},
    "answer": {
        "ix_answer_focus_area_id": ["focus_area_id"],
        "ix_answer_question_area_score": ["question_id", "focus_area_id", "score"],
        "ix_answer_response_id": ["response_id"],
    },
}
COLUMNS = {
    "response": "id, round_id, submission_id, receipt, iso_week",
    "answer": "id, response_id, question_id, focus_area_id, choice, score, text, may_quote",
    "quote": "answer_id, chosen_by_id, chosen_at",
    "result_sum": "round_id, focus_area_id, dimension, question, backgrounds, n, mean_sum, mean_sq, sat_sum, sat_sq, "
    "dont_know",
}
SUM_KEY = "round_id, focus_area_id, dimension, question, backgrounds"
#: old answer id → new one, for the copy (SQLite) or the update (PostgreSQL)
KEYS = "answer_new_key"


def upgrade():
    bind = op.get_bind()
    _make_keys(bind, renumber=False)
    if bind.dialect.name == "sqlite":
        _rebuild_sqlite(bind, with_rowid=False)
    else:
        _drop_sequence(bind)
        _rekey_postgresql(bind)
        _rewrite_postgresql(bind)
    op.execute(f"DROP TABLE {KEYS}")


def downgrade():
    bind = op.get_bind()
    _make_keys(bind, renumber=True)
    if bind.dialect.name == "sqlite":
        _rebuild_sqlite(bind, with_rowid=True)
    else:
        _rekey_postgresql(bind)
        count = bind.scalar(sa.text("SELECT count(*) FROM answer"))
        op.execute("CREATE SEQUENCE answer_id_seq OWNED BY answer.id")
        bind.execute(sa.text("SELECT setval('answer_id_seq', :n, :called)"), {"n": max(count, 1), "called": count > 0})
        op.execute("ALTER TABLE answer ALTER COLUMN id SET DEFAULT nextval('answer_id_seq')")
    op.execute(f"DROP TABLE {KEYS}")


def _make_keys(bind, renumber: bool) -> None:
    """Fill the temporary table of new answer keys: random (from the secrets module, never counted), or for the
    downgrade 1…n in the order of the random keys, so that even then they do not follow submit order."""
    old = sorted(bind.scalars(sa.text("SELECT id FROM answer")))
    if renumber:
        pairs = [{"old": key, "new": number} for number, key in enumerate(old, start=1)]
    else:
        taken: set[int] = set()
        pairs = []
        for key in old:
            new = secrets.randbelow(2**63 - 1) + 1
            while new in taken:
                new = secrets.randbelow(2**63 - 1) + 1
            taken.add(new)
            pairs.append({"old": key, "new": new})
    op.execute(f"CREATE TEMPORARY TABLE {KEYS} (old_id BIGINT PRIMARY KEY, new_id BIGINT NOT NULL UNIQUE)")
    if pairs:
        bind.execute(sa.text(f"INSERT INTO {KEYS} (old_id, new_id) VALUES (:old, :new)"), pairs)


def _create_tables(suffix: str, with_rowid: bool) -> None:
    """The four tables named with `suffix` (pointing at each other by those names), WITHOUT ROWID unless
    `with_rowid`; then answer.id is SQLite's INTEGER PRIMARY KEY again (a rowid), as before this revision."""
    options = {} if with_rowid else {"sqlite_with_rowid": False}
    answer_id = sa.Integer() if with_rowid else sa.BigInteger()
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
        sa.Column("id", answer_id, nullable=False, autoincrement=with_rowid),
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
        sa.PrimaryKeyConstraint("id", name="pk_answer"),
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


def _rebuild_sqlite(bind, with_rowid: bool) -> None:
    """Copy the four tables into new ones in the order of their (new) keys, drop the old ones children first (with
    foreign keys on, a dropped parent would empty its children: the new tables point at each other's new names,
    which the renames then carry over), rename, and make the indexes again."""
    _create_tables("_new", with_rowid)
    columns = COLUMNS["answer"].replace("id, ", "", 1)
    op.execute(f"INSERT INTO response_new SELECT {COLUMNS['response']} FROM response ORDER BY id")
    op.execute(
        f"INSERT INTO answer_new (id, {columns}) SELECT k.new_id, {', '.join(f'a.{c}' for c in columns.split(', '))} "
        f"FROM answer a JOIN {KEYS} k ON k.old_id = a.id ORDER BY k.new_id"
    )
    op.execute(
        "INSERT INTO quote_new (answer_id, chosen_by_id, chosen_at) SELECT k.new_id, q.chosen_by_id, q.chosen_at "
        f"FROM quote q JOIN {KEYS} k ON k.old_id = q.answer_id ORDER BY k.new_id"
    )
    op.execute(f"INSERT INTO result_sum_new SELECT {COLUMNS['result_sum']} FROM result_sum ORDER BY {SUM_KEY}")
    for name in reversed(TABLES):
        op.drop_table(name)
    for name in TABLES:
        op.rename_table(f"{name}_new", name)
    for table, indexes in INDEXES.items():
        for index, on in indexes.items():
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


def _rekey_postgresql(bind) -> None:
    """Give answers (and their quotes) the new keys. Negated first, so that no new key meets an old one on the way
    (ids are positive); the quotes' foreign key is made again around it."""
    op.drop_constraint("fk_quote_answer_id_answer", "quote", type_="foreignkey")
    op.execute("UPDATE answer SET id = -id")
    op.execute(f"UPDATE answer SET id = k.new_id FROM {KEYS} k WHERE answer.id = -k.old_id")
    op.execute(f"UPDATE quote SET answer_id = k.new_id FROM {KEYS} k WHERE quote.answer_id = k.old_id")
    op.create_foreign_key(
        "fk_quote_answer_id_answer", "quote", "answer", ["answer_id"], ["id"], ondelete="CASCADE"
    )


def _rewrite_postgresql(bind) -> None:
    """Write every row again in key order. The UPDATE gives response and result_sum rows this transaction's id
    (answers and quotes got it from the new keys); CLUSTER then writes the live rows out in key order, leaving the
    heap's insertion order behind, and marks the key as the one a later plain CLUSTER sorts by."""
    op.execute("UPDATE response SET iso_week = iso_week")
    op.execute("UPDATE result_sum SET n = n")
    for name in TABLES:
        op.execute(f"CLUSTER {name} USING pk_{name}")
