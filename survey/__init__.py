"""Borgerdialog: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_login import current_user

from survey.kernel.config import INSTANCE, ROOT, Config
from survey.kernel.extensions import babel, csrf, db, login_manager, migrate
from survey.kernel.templating import Environment

__all__ = ["ROOT", "create_app"]


def create_app(config: type | dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI, error pages."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(INSTANCE))
    app.jinja_environment = Environment  # before anything makes app.jinja_env
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    from survey.kernel import assets, converters, errors, i18n, outbox, ratelimits, roles, security, translations
    from survey.kernel.mail import EmailChannel
    from survey.kernel.sms import SmsChannel

    converters.init_app(app)  # before the blueprints: `<int:…>` holds only what the database can
    assets.init_app(app)  # WhiteNoise serves the static files; before security's ProxyFix, which wraps it
    security.init_app(app)  # first: cookie flags and ProxyFix before anything reads them; its headers come last
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=i18n.select_locale, default_translation_directories=str(ROOT / "translations"))
    translations.init_app(app)
    i18n.learn_language_names(app)  # early: what it frees is reused by the blueprints imported below
    csrf.init_app(app)
    # the staff user is looked up when a template reads current_user, not for every page (citizens' pages never do)
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    outbox.init_app(app, [EmailChannel(), SmsChannel()])  # the channels that reach a person, by preference
    _prepare_database(app)

    from survey.kernel.sms_reports import bp as sms_reports_bp
    from survey.meetings import admin_bp as meetings_admin_bp
    from survey.meetings import bp as meetings_bp
    from survey.meetings import link_bp as meetings_link_bp
    from survey.policies import admin_bp as policies_admin_bp
    from survey.privacy import admin_bp as privacy_admin_bp
    from survey.questionnaire import admin_bp as questionnaire_admin_bp
    from survey.questionnaire import bp as questionnaire_bp
    from survey.results import admin_bp as results_admin_bp
    from survey.site import bp as site_bp
    from survey.staff import access  # noqa: F401  (registers the user loader)
    from survey.staff import bp as staff_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(sms_reports_bp)
    app.register_blueprint(questionnaire_bp)
    app.register_blueprint(questionnaire_admin_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(meetings_admin_bp)
    app.register_blueprint(meetings_link_bp)
    app.register_blueprint(results_admin_bp)
    app.register_blueprint(privacy_admin_bp)
    app.register_blueprint(policies_admin_bp)
    if app.config["BENCH_REFERENCE_ROUTE"]:
        from survey.benchmark import bp as benchmark_bp
        from survey.benchmark import record_cpu

        app.register_blueprint(benchmark_bp)
        if app.config["BENCH_CPU_LOG"]:
            record_cpu(app, app.config["BENCH_CPU_LOG"])
    # The citizen's forms check their CSRF token themselves (FlaskForm): an expired token then shows the page
    # again with what was typed and a message, instead of an error page that loses a long comment.
    csrf.exempt(questionnaire_bp)

    from survey import meetings, policies, questionnaire, staff
    from survey.cli import register_cli
    from survey.questionnaire.services import on_response_submitted
    from survey.results.sums import add_response
    from survey.staff import cli_audit
    from survey.staff.home import register_panel

    on_response_submitted(app, add_response)  # the results' running sums, in the submit's transaction
    register_panel(app, "questionnaire_admin/_home_rounds.html", roles.SURVEY_MANAGERS)  # open rounds' progress
    register_cli(app)
    cli_audit.watch(policies.describe_change, questionnaire.describe_change)  # what commands change, audited
    ratelimits.init_app(app, {**questionnaire.RATE_LIMITS, **meetings.RATE_LIMITS, **staff.RATE_LIMITS})
    i18n.init_app(app)
    roles.init_app(app)
    errors.init_app(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} text as extracted (babel.cfg)
    return app


def _prepare_database(app: Flask) -> None:
    from survey.kernel import health as _h  # noqa: F401
    from survey.kernel.database import (
        check_sqlite,
        configure_postgresql,
        configure_sqlite,
        use_dialect_options,
    )
    from survey.meetings import models as _m  # noqa: F401
    from survey.policies import models as _p  # noqa: F401
    from survey.questionnaire import models as _q  # noqa: F401
    from survey.results import models as _r  # noqa: F401
    from survey.staff import models as _s  # noqa: F401

    with app.app_context():
        engine = db.engine
        use_dialect_options(db.metadata, engine.dialect.name)
        if engine.dialect.name == "sqlite":
            Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
            configure_sqlite(engine)
            check_sqlite(engine)
        elif engine.dialect.name == "postgresql":
            configure_postgresql(engine)
