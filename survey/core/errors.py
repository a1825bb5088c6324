"""Danish error pages; nothing a user sends may end in a bare 500."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey.extensions import db

#: statuses caused by what the user sent: their page title starts with "Fejl: " like a form with errors
INPUT_ERRORS = (400, 413, 429)


def _page(status: int, title: str, message: str):
    html = render_template(
        "errors/error.html", status=status, title=title, message=message, has_errors=status in INPUT_ERRORS
    )
    return html, status


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
            429: (_("For mange forsøg"), _("Du har prøvet for mange gange på kort tid. Vent et øjeblik og prøv igen.")),
        }
        title, message = texts.get(error.code, (_("Der er sket en fejl"), _("Gå tilbage og prøv igen.")))
        return _page(error.code or 500, title, message)

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return _page(
            500,
            _("Der er sket en fejl hos os"),
            _("Det er ikke din skyld. Dine gemte svar er ikke tabt. Prøv igen om lidt."),
        )
