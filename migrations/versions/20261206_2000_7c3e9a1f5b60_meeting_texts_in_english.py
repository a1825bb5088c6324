"""meeting texts in english

Revision ID: 7c3e9a1f5b60
Revises: 5d1e7a3c9b42
Create Date: 2026-12-06 20:00:00

A meeting's citizen-facing texts in English beside the Danish (survey.meetings.models.TRANSLATED_TEXTS): shown on
pages, in calendars and in messages that are not in Danish. Empty (all meetings made before) means the Danish text.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c3e9a1f5b60"
down_revision = "5d1e7a3c9b42"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_en", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("description_en", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("accessibility_note_en", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("reminder_note_en", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("reminder_note_en")
        batch_op.drop_column("accessibility_note_en")
        batch_op.drop_column("description_en")
        batch_op.drop_column("title_en")
