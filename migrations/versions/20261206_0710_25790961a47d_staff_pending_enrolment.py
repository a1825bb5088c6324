"""staff pending enrolment: the second-factor secret being set up is kept on the server, not in the session

Revision ID: 25790961a47d
Revises: dca315607def
Create Date: 2026-12-06 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '25790961a47d'
down_revision = 'dca315607def'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_pending_enrolment',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_staff_pending_enrolment_user_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_staff_pending_enrolment'))
    )
    with op.batch_alter_table('staff_pending_enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_pending_enrolment_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_pending_enrolment_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_pending_enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_pending_enrolment_user_id'))
        batch_op.drop_index(batch_op.f('ix_staff_pending_enrolment_created_at'))

    op.drop_table('staff_pending_enrolment')
