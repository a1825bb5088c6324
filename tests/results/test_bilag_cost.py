"""The committee's report reads what it needs of every answer once, however many focus areas the policy has: the
answer distributions of all areas come from one GROUP BY, and the routing answers (who was asked each open question
for an area, which decides whether its quotes may be printed) are counted once. At 10 M answers each such pass costs
seconds; once per area it took the PDF past a worker's timeout on SQLite."""

from __future__ import annotations

from tests.results.closed_rounds import write_closed_rounds
from tests.results.test_bilag_pdf import ROUNDS
from tests.sql_statements import reads, recorded


def passes_over_answers(sent: list[str]) -> list[str]:
    """The statements that group the answers themselves (not the sums kept at submit)."""
    return [s for s in reads(sent) if "GROUP BY" in s and ("FROM answer" in s or "JOIN answer" in s)]


def test_the_report_counts_the_answers_once_for_all_focus_areas(app, client, login_as, in_app):
    with in_app():
        write_closed_rounds(ROUNDS)
    login_as(client, "analyst")
    with recorded(app) as sent:
        response = client.get("/personale/resultater/bilag?politik=mini")
    assert response.status_code == 200
    assert b"Svarfordeling" in response.data  # the distributions are in the report
    passes = passes_over_answers(sent)
    routing = [s for s in passes if "count(distinct" in s.lower()]
    distributions = [s for s in passes if "answer.choice" in s and s not in routing]
    assert len(distributions) == 1, distributions
    assert len(routing) == 1, routing
