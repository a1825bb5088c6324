"""a quote's redacted text, printed instead of a comment that seems to hold personal data

Revision ID: b7c2d4e9f130
Revises: 4e27985a7d10
Create Date: 2026-12-07 10:00:00

Nullable: quotes picked before keep NULL and are printed as they stand only while the detector finds nothing in
them. On SQLite the column is added and dropped with ALTER TABLE itself (SQLite 3.35+), not by rebuilding the table,
which would lose its WITHOUT ROWID.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7c2d4e9f130"
down_revision = "4e27985a7d10"
branch_labels = None
depends_on = None


def upgrade():
    # batch mode adds a nullable column with ALTER TABLE on SQLite too: no rebuild
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redacted_text", sa.Text(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE quote DROP COLUMN redacted_text")
    else:
        op.drop_column("quote", "redacted_text")
