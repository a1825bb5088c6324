"""registration sms

Revision ID: 5d1e7a3c9b42
Revises: 5e1f7a9c3b20
Create Date: 2026-12-12 09:00:00

What a sign-up needs to be told by SMS (survey.meetings.notify): its language (the page's at sign-up; those made
before were Danish), the channel chosen when both an e-mail and a mobile number are given (e-mail, the default
until now), and the random key of its short manage link (/m/…), given to the existing sign-ups here.
"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d1e7a3c9b42"
down_revision = "5e1f7a9c3b20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=10), server_default="da", nullable=False))
        batch_op.add_column(sa.Column("notify_by", sa.String(length=10), server_default="email", nullable=False))
        batch_op.add_column(sa.Column("short_key", sa.String(length=16), nullable=True))
    registration = sa.table("registration", sa.column("id", sa.Integer), sa.column("short_key", sa.String))
    connection = op.get_bind()
    for (registration_id,) in connection.execute(sa.select(registration.c.id)).all():
        key = secrets.token_urlsafe(8)[:10]  # as survey.meetings.models.new_short_key
        connection.execute(registration.update().where(registration.c.id == registration_id).values(short_key=key))
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.alter_column("short_key", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_registration_short_key"), ["short_key"])


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_registration_short_key"), type_="unique")
        batch_op.drop_column("short_key")
        batch_op.drop_column("notify_by")
        batch_op.drop_column("language")
