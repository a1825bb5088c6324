"""routing answer background

Revision ID: 7c2b4e1d9a05
Revises: 7c2d4e6f8a10
Create Date: 2026-12-06 20:04:00

The routing answer is a background answer and addresses no focus area (README, "What is stored"): until now its
question followed the routing and its answer rows carried the area the option stands for. Data only: the routing
questions stop following the routing, and their answers lose the area (results read the choice instead,
survey.results.comments). No column changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c2b4e1d9a05"
down_revision = "7c2d4e6f8a10"
branch_labels = None
depends_on = None

question = sa.table(
    "question", sa.column("id", sa.Integer), sa.column("routing", sa.Boolean), sa.column("follows_routing", sa.Boolean)
)
answer = sa.table("answer", sa.column("question_id", sa.Integer), sa.column("focus_area_id", sa.Integer))


def upgrade():
    routing = sa.select(question.c.id).where(question.c.routing.is_(True))
    op.execute(answer.update().where(answer.c.question_id.in_(routing)).values(focus_area_id=None))
    op.execute(question.update().where(question.c.routing.is_(True)).values(follows_routing=False))


def downgrade():
    # the areas the answers carried follow from their choices and the questionnaire files, not kept here
    op.execute(question.update().where(question.c.routing.is_(True)).values(follows_routing=True))
