"""sms invitations

Revision ID: 5e1f7a9c3b20
Revises: 0a602cbdcacf
Create Date: 2026-12-11 09:00:00

A round's invitation list holds mobile numbers beside e-mail addresses: each row says by which channel its code
goes ('email' or 'sms'); the rows there are all e-mail addresses.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e1f7a9c3b20"
down_revision = "0a602cbdcacf"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("email_invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=5), server_default="email", nullable=False))


def downgrade():
    op.execute(sa.text("DELETE FROM email_invitation WHERE channel = 'sms'"))
    with op.batch_alter_table("email_invitation", schema=None) as batch_op:
        batch_op.drop_column("channel")
