"""Flask-Babel's message domain, finding a request's translations once instead of at every gettext.

Flask-Babel looks the locale up again and rebuilds its name for each translated string (a page has 30 to 60 of
them: labels, hints, buttons); that was a tenth of a citizen page's CPU time. The translations found are kept on
Flask-Babel's own per-context namespace together with the locale object they belong to, so a different locale
(force_locale for a Danish e-mail, refresh(), the next request) is a miss and looked up the ordinary way."""

from __future__ import annotations

from flask import Flask
from flask_babel import Domain, _get_current_context, get_locale

from survey.kernel.extensions import babel

#: the attribute on Flask-Babel's context namespace holding (locale, domain, translations)
KEPT = "borgerdialog_translations"


class RequestDomain(Domain):
    def get_translations(self):
        context = _get_current_context()
        kept = getattr(context, KEPT, None)
        if kept is not None and kept[0] is getattr(context, "babel_locale", None) and kept[1] is self:
            return kept[2]
        translations = super().get_translations()
        if context is not None:
            setattr(context, KEPT, (get_locale(), self, translations))
        return translations


def init_app(app: Flask) -> None:
    """Use RequestDomain as the default domain (Flask-Babel keeps it on the shared Babel object)."""
    domain = app.config.get("BABEL_DOMAIN", "messages")
    current = babel.__dict__.get("domain_instance")
    if not isinstance(current, RequestDomain) or current.domain != domain.split(";"):
        babel.domain_instance = RequestDomain(domain=domain)
