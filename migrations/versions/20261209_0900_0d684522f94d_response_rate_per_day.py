"""response rate per day

Revision ID: 0d684522f94d
Revises: 8c41e5d2a7f3
Create Date: 2026-12-09 09:00:00

A round counts its surveys started and completed per Danish calendar day (round_day: counts only, nothing that
refers to a response). A draft remembers that it was counted as started, so that it is counted once. The days
before this migration were never counted and cannot be recovered: the drafts that already hold answers are marked
as counted (they were started before counting began), and a round's completed total keeps coming from its
responses.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0d684522f94d"
down_revision = "8c41e5d2a7f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "round_day",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_round_day_round_id_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("round_id", "day", name=op.f("pk_round_day")),
    )
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_counted", sa.Boolean(), server_default=sa.false(), nullable=False))
    # a draft with answers was started before the days were counted: it must not be counted again
    op.execute(
        sa.text(
            "UPDATE draft SET started_counted = :counted "
            "WHERE answers IS NOT NULL AND CAST(answers AS TEXT) NOT IN ('{}', 'null')"
        ).bindparams(counted=True)
    )


def downgrade():
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_column("started_counted")
    op.drop_table("round_day")
