"""share of satisfied respondents

"Andel tilfredse" becomes the share of respondents whose own mean over the focus area's items is 4 or more. The
kept sums' columns stay (sat_sum now counts satisfied respondents; sat_sq is the same count), but what they hold
changes, so the kept sums are rebuilt from the answers. No schema change.

Revision ID: 3bfd62b8e290
Revises: b7c2d4e9f130
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3bfd62b8e290'
down_revision = 'b7c2d4e9f130'
branch_labels = None
depends_on = None


def upgrade():
    # The app's own rebuild, as in the migration that made the table: the sums must be exactly what it reads.
    from survey.results.sums import rebuild_sums

    rebuild_sums(op.get_bind())


def downgrade():
    # The older code's definition (the mean of each respondent's share of 4–5 answers) is not in this code base:
    # after downgrading, run that version's `flask --app wsgi results rebuild-sums`.
    pass
