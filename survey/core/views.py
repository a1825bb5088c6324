from flask import current_app, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from survey.core import bp
from survey.extensions import db


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers, 503 with the reason when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("health check failed: %s", exc)
        return jsonify(status="error", reason="database unavailable"), 503
    return jsonify(status="ok")


@bp.get("/privatliv")
def privacy():
    """The full privacy notice (GDPR art. 13)."""
    return render_template("core/privacy.html", dpo_contact=current_app.config["DPO_CONTACT"])


@bp.get("/")
def index():
    """The front page: the surveys open right now."""
    from survey.questionnaire.rounds import open_rounds

    return render_template("core/index.html", rounds=open_rounds())
