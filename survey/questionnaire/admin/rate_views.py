"""The response rate on a round's page and the open rounds' progress on the staff home: template globals, so that
the pages that include _round_rate.html and _home_rounds.html need no data of their own from their views."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from markupsafe import Markup

from survey.questionnaire import admin_bp
from survey.questionnaire.models import Round
from survey.questionnaire.rate_chart import completions_chart
from survey.questionnaire.response_rate import RoundRate, open_round_rates, round_rate


@admin_bp.app_template_global("round_rate")
def round_rate_global(round_: Round) -> RoundRate:
    """The round's figures and days (questionnaire_admin/_round_rate.html)."""
    return round_rate(round_)


@admin_bp.app_template_global("round_rate_chart")
def round_rate_chart(rate: RoundRate) -> Markup:
    """The round's completions per day as an SVG bar chart."""
    return completions_chart(rate.days)


@admin_bp.app_template_global("open_round_rates")
def open_round_rates_global() -> list[tuple[Round, RoundRate]]:
    """Every open round and its figures (questionnaire_admin/_home_rounds.html on the staff home)."""
    return open_round_rates()


@admin_bp.app_template_global("rate_day")
def rate_day(day: date) -> str:
    """A day of the curve's table in the page's language, e.g. 'mandag 7. december'."""
    return format_date(day, format="EEEE d. MMMM")
