from flask import abort, current_app, jsonify, redirect, render_template

from survey.kernel import health
from survey.questionnaire.rounds import open_rounds
from survey.site import bp

#: the settings the privacy notice shows (controller, DPO, processors, retention periods)
PRIVACY_SETTINGS = (
    "CONTROLLER_NAME",
    "CONTROLLER_ADDRESS",
    "CONTROLLER_CVR",
    "CONTROLLER_EMAIL",
    "DPO_CONTACT",
    "DATA_PROCESSORS",
    "REGISTRATION_RETENTION_DAYS",
    "DRAFT_RETENTION_DAYS",
    "AUDIT_RETENTION_DAYS",
    "RESULTS_MIN_GROUP",
)


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database reads and takes a write, 503 with the reason when it does not."""
    if (problem := health.database_problem()) is not None:
        return jsonify(status="error", reason=problem), 503
    return jsonify(status="ok")


@bp.get("/privatliv")
def privacy():
    """The full privacy notice (GDPR art. 13)."""
    settings = {name.lower(): current_app.config[name] for name in PRIVACY_SETTINGS}
    return render_template("site/privacy.html", **settings)


@bp.get("/was")
def accessibility_statement():
    """The accessibility statement lives at the municipality's WAS address; one stable link for every footer."""
    url = current_app.config["ACCESSIBILITY_STATEMENT_URL"]
    return redirect(url, 302) if url else abort(404)


@bp.get("/")
def index():
    """The front page: the surveys open right now."""
    return render_template("site/index.html", rounds=open_rounds())
