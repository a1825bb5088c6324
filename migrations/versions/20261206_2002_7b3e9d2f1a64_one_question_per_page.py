"""one question per page and exact resume

Revision ID: 7b3e9d2f1a64
Revises: 7c4b2e9d1a35
Create Date: 2026-12-06 20:02:00

A round can ask one question per screen (round.one_question_per_page; the rounds made before ask whole pages), and
a draft remembers which questions the citizen left with 'Fortsæt' (draft.passed), so that a paused survey is taken
up at the first question neither answered nor passed on purpose.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7b3e9d2f1a64"
down_revision = "7c4b2e9d1a35"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("one_question_per_page", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("passed", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_column("passed")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("one_question_per_page")
