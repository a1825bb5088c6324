"""registration changes

Revision ID: 7c4b2e9d1a35
Revises: 7c3e9a1f5b60
Create Date: 2026-12-06 20:01:00

What the manage page lets a sign-up change (survey.meetings.services.change_signup): the contact of the person
signed up on someone's behalf (their own confirmation), extra seats waiting on the waiting list, and since when a
sign-up or its extra seats wait (the waiting list's order; those already waiting keep their sign-up time).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c4b2e9d1a35"
down_revision = "7c3e9a1f5b60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("behalf_contact", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("seats_waiting", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("waiting_since", sa.DateTime(), nullable=True))
    registration = sa.table(
        "registration", sa.column("status", sa.String), sa.column("created_at", sa.DateTime), sa.column("waiting_since")
    )
    op.execute(
        registration.update()
        .where(registration.c.status == "waitlisted")
        .values(waiting_since=registration.c.created_at)
    )


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("waiting_since")
        batch_op.drop_column("seats_waiting")
        batch_op.drop_column("behalf_contact")
