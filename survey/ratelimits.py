"""Rate limits on what citizens post and on staff login, declared in one table.

Counted per client address, in RATELIMIT_STORAGE_URI: memory for one process, redis://… when several app servers
must share the count.

A Limiter is made per app (Flask-Limiter keeps its storage and on/off switch on the instance, so a shared
module-level one would let one app's settings leak into another's)."""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

#: endpoint → (config key holding the limit, methods it applies to)
LIMITS = {
    "questionnaire.start": ("RATELIMIT_CODE_ENTRY", ["POST"]),
    "questionnaire.resume": ("RATELIMIT_CODE_ENTRY", ["POST"]),
    "questionnaire.page": ("RATELIMIT_SURVEY_POST", ["POST"]),
    "questionnaire.submit": ("RATELIMIT_SURVEY_POST", ["POST"]),
    "meetings.signup": ("RATELIMIT_SIGNUP", ["POST"]),
    "staff.login": ("RATELIMIT_LOGIN", ["POST"]),
    "staff.second_factor": ("RATELIMIT_SECOND_FACTOR", ["POST"]),
    "staff.enrol": ("RATELIMIT_SECOND_FACTOR", ["POST"]),
    "staff.change_password": ("RATELIMIT_SECOND_FACTOR", ["POST"]),
}


def init_app(app: Flask) -> Limiter:
    limiter = Limiter(key_func=get_remote_address, app=app, default_limits=[])
    for endpoint, (config_key, methods) in LIMITS.items():
        limit = (lambda key: lambda: current_app.config[key])(config_key)
        app.view_functions[endpoint] = limiter.limit(limit, methods=methods)(app.view_functions[endpoint])
    app.extensions["rate_limiter"] = limiter  # Flask-Limiter refers to it only weakly
    return limiter
