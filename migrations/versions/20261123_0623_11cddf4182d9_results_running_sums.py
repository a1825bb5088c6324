"""results running sums

Revision ID: 11cddf4182d9
Revises: 1e5df0f8de1c
Create Date: 2026-11-23 06:23:54.729713

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '11cddf4182d9'
down_revision = '1e5df0f8de1c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('result_sum',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('focus_area_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('question', sa.String(length=80), nullable=False),
    sa.Column('backgrounds', sa.Text(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('mean_sum', sa.Double(), nullable=False),
    sa.Column('mean_sq', sa.Double(), nullable=False),
    sa.Column('sat_sum', sa.Double(), nullable=False),
    sa.Column('sat_sq', sa.Double(), nullable=False),
    sa.Column('dont_know', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['focus_area_id'], ['focus_area.id'], name=op.f('fk_result_sum_focus_area_id_focus_area')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_result_sum_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'focus_area_id', 'dimension', 'question', 'backgrounds', name=op.f('pk_result_sum'))
    )
    # The answers already given are summed from the answers themselves (the GROUP BY the app rebuilds with), so an
    # upgraded database shows the same results as before. The app's own code is used on purpose: the sums must be
    # exactly what it reads; with no responses yet (a new database) it only reads the empty round table.
    from survey.results.sums import rebuild_sums

    rebuild_sums(op.get_bind())


def downgrade():
    op.drop_table('result_sum')
