"""rounds ask about focus areas; a meeting knows its feedback round

Revision ID: 4e27985a7d10
Revises: 45131a907031
Create Date: 2026-12-07 08:00:00

A round no longer points at a dialogue meeting (round.meeting_id): the questionnaire only needs the focus areas its
meeting-following questions address, so a round now has a set of focus areas (round_focus_area), and the meeting
keeps the link to its feedback round (meeting.feedback_round_id). Every feedback round gets its meeting's focus areas
as they are now, which is what its next answers would have addressed. The downgrade gives the meeting back to its
round; the focus areas of a round without a meeting have no place in the old schema and are dropped.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4e27985a7d10"
down_revision = "45131a907031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "round_focus_area",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("focus_area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["focus_area_id"],
            ["focus_area.id"],
            name=op.f("fk_round_focus_area_focus_area_id_focus_area"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_round_focus_area_round_id_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("round_id", "focus_area_id", name=op.f("pk_round_focus_area")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feedback_round_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_meeting_feedback_round_id"), ["feedback_round_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_feedback_round_id_round"), "round", ["feedback_round_id"], ["id"], ondelete="SET NULL"
        )

    op.execute(
        "INSERT INTO round_focus_area (round_id, focus_area_id) "
        "SELECT r.id, m.focus_area_id FROM round r JOIN meeting_focus_area m ON m.meeting_id = r.meeting_id"
    )
    op.execute("UPDATE meeting SET feedback_round_id = (SELECT r.id FROM round r WHERE r.meeting_id = meeting.id)")

    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_round_meeting_id_meeting"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_round_meeting_id"), type_="unique")
        batch_op.drop_column("meeting_id")


def downgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_round_meeting_id"), ["meeting_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_round_meeting_id_meeting"), "meeting", ["meeting_id"], ["id"], ondelete="SET NULL"
        )

    op.execute("UPDATE round SET meeting_id = (SELECT m.id FROM meeting m WHERE m.feedback_round_id = round.id)")

    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_meeting_feedback_round_id_round"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_meeting_feedback_round_id"), type_="unique")
        batch_op.drop_column("feedback_round_id")
    op.drop_table("round_focus_area")
