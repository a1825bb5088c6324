"""health probe: a row /healthz writes to, so that it proves the database takes a write

Revision ID: dca315607def
Revises: 11cddf4182d9
Create Date: 2026-12-06 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dca315607def'
down_revision = '11cddf4182d9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('health_probe',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('checks', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_probe'))
    )


def downgrade():
    op.drop_table('health_probe')
