"""policy contact

Revision ID: 7c2d4e6f8a10
Revises: 7b3e9d2f1a64
Create Date: 2026-12-06 20:03:00

A human to call: each policy's (municipality's) contact, shown on its citizen pages, in its mails and on error
pages (survey.policies.models.Policy.contact). Empty until the policy file is loaded again with a `contact:`.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c2d4e6f8a10"
down_revision = "7b3e9d2f1a64"
branch_labels = None
depends_on = None

COLUMNS = (
    ("contact_unit", 200),
    ("contact_phone", 40),
    ("contact_hours", 300),
    ("contact_address", 300),
    ("contact_email", 254),
)


def upgrade():
    with op.batch_alter_table("policy", schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("policy", schema=None) as batch_op:
        for name, _length in reversed(COLUMNS):
            batch_op.drop_column(name)
