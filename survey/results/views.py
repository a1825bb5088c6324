"""Staff results pages (analysts and admins)."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from survey.extensions import db
from survey.policies.models import Policy
from survey.results import admin_bp
from survey.results.report import policy_rounds, policy_table
from survey.results.suppression import minimum_group
from survey.staff.access import role_required


@admin_bp.get("/")
@role_required("admin", "analyst")
def index():
    """Satisfaction and transparency per focus area and round for one policy."""
    policies = db.session.scalars(select(Policy).order_by(Policy.municipality)).all()
    chosen = next((p for p in policies if p.slug == request.args.get("politik")), policies[0] if policies else None)
    rounds = policy_rounds(chosen) if chosen else []
    wanted = set(request.args.getlist("runde", type=int))
    selected = [r for r in rounds if r.id in wanted] or rounds
    rows = policy_table(chosen, selected) if chosen else []
    return render_template(
        "results/index.html",
        policies=policies,
        policy=chosen,
        rounds=rounds,
        selected=selected,
        rows=rows,
        minimum=minimum_group(),
    )
