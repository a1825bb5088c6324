"""e-mail invitations: the addresses of an invitation round, kept beside their invitations until the round closes

Revision ID: 8c41e5d2a7f3
Revises: 3bfd62b8e290
Create Date: 2026-12-09 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8c41e5d2a7f3"
down_revision = "3bfd62b8e290"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "email_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
            name=op.f("fk_email_invitation_invitation_id_invitation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_email_invitation_round_id_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_invitation")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_email_invitation_invitation_id")),
        sa.UniqueConstraint("round_id", "address", name=op.f("uq_email_invitation_round_id")),
    )
    with op.batch_alter_table("email_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_invitation_round_id"), ["round_id"], unique=False)


def downgrade():
    with op.batch_alter_table("email_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_invitation_round_id"))
    op.drop_table("email_invitation")
