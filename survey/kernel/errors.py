"""Danish error pages; nothing a user sends may end in a bare 500.

When the database does not answer (PostgreSQL restarting or down, SQLite locked past its busy timeout, a full
disk), the citizen gets the page they were on again, with what they typed still in the fields and a message at
the top (HTTP 503): one handler for every such view, each of which says how its page is shown without the
database (`form_again`). A rate limit that refuses a post says how many minutes to wait, on the form page again
with what was typed where the view says how (`form_again_when_limited`)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from survey.kernel.extensions import db

#: statuses caused by what the user sent: their page title starts with "Fejl: " like a form with errors
INPUT_ERRORS = (400, 413, 429)
#: what the DB-API drivers raise when the database is gone, restarting, locked past the timeout or out of space
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
#: a hint to proxies and monitoring; the page itself tells the citizen to try again in a little while
RETRY_AFTER_SECONDS = "30"


def _page(status: int, title: str, message: str):
    html = render_template(
        "errors/error.html", status=status, title=title, message=message, has_errors=status in INPUT_ERRORS
    )
    return html, status


def form_again(render: Callable[..., str | None]):
    """Mark a view whose page can be shown again without the database when a POST to it fails there, and (unless
    it says otherwise with `form_again_when_limited`) when a rate limit refuses the POST.

    `render(message=None, **view_args)` builds the page from the posted form with `message` (its own "prøv igen"
    when None) at the top (`unavailable_summary`) and returns its HTML, or None when it cannot (then a general page
    is shown)."""

    def mark(view):
        view.form_again = render
        return view

    return mark


def form_again_when_limited(render: Callable[..., str | None]):
    """Mark a view whose form is shown again when a rate limit refuses a POST to it (HTTP 429).

    `render(message, **view_args)` builds the page from the posted form with `message` (how long to wait) in its
    error summary and returns its HTML, or None when it cannot (then the general 429 page is shown)."""

    def mark(view):
        view.form_again_when_limited = render
        return view

    return mark


def wait_seconds() -> float | None:
    """Seconds until the limit this request broke lets the next try through, or None when unknown."""
    limiter = current_app.extensions.get("rate_limiter")
    breached = limiter.current_limit if limiter is not None else None
    if breached is None:
        return None
    try:
        # the window's own reset time: RequestLimit.reset_at adds a second for the Retry-After header
        return breached.window.reset_time - time.time()
    except Exception:  # the store failed while answering (Redis errors have no common base): the whole window
        return breached.limit.get_expiry()


def wait_in_words(seconds: float) -> str:
    """'1 minut', '12 minutter', '3 timer': rounded up (at least a minute), so waiting that long is always enough."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes <= 90:
        return ngettext("%(num)d minut", "%(num)d minutter", minutes)
    return ngettext("%(num)d time", "%(num)d timer", math.ceil(minutes / 60))


def too_many_message(seconds: float | None) -> str:
    """What a citizen or staff member reads when a rate limit stops them: how long to wait."""
    if seconds is None:
        return _("Du har prøvet for mange gange på kort tid. Vent et øjeblik og prøv igen.")
    return _("Du har prøvet for mange gange på kort tid. Vent %(wait)s og prøv igen.", wait=wait_in_words(seconds))


def _limited_render(view) -> Callable[..., str | None] | None:
    """How a view's form is shown again under a rate limit: its own renderer, else its `form_again` one."""
    if render := getattr(view, "form_again_when_limited", None):
        return render
    if again := getattr(view, "form_again", None):
        return lambda message, **view_args: again(message=message, **view_args)
    return None


def unavailable_summary(field_id: str, message: str) -> dict:
    """Template context for a form shown again: the message in the error summary, linked to `field_id`."""
    return {"errors": [(field_id, message)], "has_errors": True}


def _rollback_quietly() -> None:
    # the connection may be gone; the request's session is thrown away at teardown either way
    try:
        db.session.rollback()
    except SQLAlchemyError:
        current_app.logger.debug("rollback after a database error failed too", exc_info=True)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def expired_form(_error):
        return _page(
            400,
            _("Siden er udløbet"),
            _(
                "Siden har været åben for længe, eller formularen var ikke udfyldt helt. "
                "Dine tidligere gemte svar er ikke tabt: gå tilbage, genindlæs siden og prøv igen."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        texts = {
            403: (_("Du har ikke adgang til siden"), _("Siden kræver en anden rolle. Kontakt en administrator.")),
            404: (_("Siden findes ikke"), _("Tjek at webadressen er skrevet rigtigt.")),
            405: (_("Siden kan ikke åbnes på den måde"), _("Gå tilbage og prøv igen.")),
            413: (_("Dit svar er for langt"), _("Dit svar var for langt. Gør teksten kortere, og prøv igen.")),
        }
        title, message = texts.get(error.code, (_("Der er sket en fejl"), _("Gå tilbage og prøv igen.")))
        return _page(error.code or 500, title, message)

    @app.errorhandler(429)
    def too_many_requests(_error):
        seconds = wait_seconds()
        message = too_many_message(seconds)
        view = current_app.view_functions.get(request.endpoint or "")
        render = _limited_render(view) if request.method == "POST" else None
        html = render(message, **(request.view_args or {})) if render else None
        if html is None:
            html, _status = _page(429, _("For mange forsøg"), message)
        # said here, not by Flask-Limiter's headers, which cost every limited post two more trips to the store
        return html, 429, {"Retry-After": str(max(1, math.ceil(seconds)))} if seconds is not None else {}

    def database_unavailable(error: SQLAlchemyError):
        _rollback_quietly()
        # the endpoint, not the path (it may hold a resume code), and the driver's message, not SQLAlchemy's (whose
        # text includes the statement's parameters: a citizen's answers)
        reason = getattr(error, "orig", None) or type(error).__name__
        current_app.logger.warning("database unavailable on %s %s: %s", request.method, request.endpoint, reason)
        view = current_app.view_functions.get(request.endpoint or "")
        render = getattr(view, "form_again", None) if request.method == "POST" else None
        html = render(**(request.view_args or {})) if render else None
        if html is None:
            if request.method == "POST":
                title, message = (
                    _("Vi kunne ikke gemme det lige nu"),
                    _("Det er ikke din skyld. Gå tilbage, og prøv igen om lidt."),
                )
            else:
                title, message = _("Siden kan ikke vises lige nu"), _("Det er ikke din skyld. Prøv igen om lidt.")
            html, _status = _page(503, title, message)
        return html, 503, {"Retry-After": RETRY_AFTER_SECONDS}

    for unavailable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unavailable, database_unavailable)

    @app.errorhandler(500)
    def server_error(_error):
        _rollback_quietly()
        return _page(
            500,
            _("Der er sket en fejl hos os"),
            _("Det er ikke din skyld. Dine gemte svar er ikke tabt. Prøv igen om lidt."),
        )
