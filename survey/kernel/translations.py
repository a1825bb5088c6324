"""Flask-Babel's message domain, finding a request's translations once instead of at every gettext, and the templates'
gettext in one call instead of three.

Flask-Babel looks the locale up again and rebuilds its name for each translated string (a page has 30 to 60 of
them: labels, hints, buttons); that was a tenth of a citizen page's CPU time. The translations found are kept on
Flask-Babel's own per-context namespace together with the locale object they belong to, so a different locale
(force_locale for a Danish e-mail, refresh(), the next request) is a miss and looked up the ordinary way.

In a template, `_()` went through Jinja's alias, Jinja's new-style wrapper and Flask-Babel's lookup of the domain,
each through Jinja's Context.call: about 10 µs a string. `template_gettext` does the same work in one call: the
translated text, marked safe where the template autoescapes, always formatted with its variables (so a literal %
is written %%, as before)."""

from __future__ import annotations

from flask import Flask, g
from flask_babel import Domain, _get_current_context, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup

from survey.kernel.extensions import babel

#: the attribute on Flask-Babel's context namespace holding (locale, domain, translations)
KEPT = "borgerdialog_translations"


def _babel_context():
    """Flask-Babel's per-context namespace in one lookup of g (its own helper takes three), or None before it made one
    or outside an app context."""
    try:
        return getattr(g, "_flask_babel", None)
    except RuntimeError:  # no app context
        return None


def _kept(context, domain) -> object | None:
    kept = getattr(context, KEPT, None)
    if kept is not None and kept[0] is getattr(context, "babel_locale", None) and kept[1] is domain:
        return kept[2]
    return None


class RequestDomain(Domain):
    def get_translations(self):
        translations = _kept(_babel_context(), self)
        if translations is not None:
            return translations
        translations = super().get_translations()
        context = _get_current_context()
        if context is not None:
            setattr(context, KEPT, (get_locale(), self, translations))
        return translations


def current_translations():
    """The translations Flask-Babel's get_translations() would give, found with fewer lookups once kept."""
    context = _babel_context()
    domain = getattr(context, "babel_domain", None)
    translations = _kept(context, domain) if domain is not None else None
    return translations if translations is not None else get_translations()


@pass_context
def template_gettext(context, string: str, **variables) -> str:
    """`_('…')`, `gettext('…')` and `{% trans %}` without a count."""
    translated = current_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)
    return translated % variables


@pass_context
def template_ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    """`{% trans count=… %}…{% pluralize %}…`: `num` is also a variable of the text."""
    variables.setdefault("num", num)
    translated = current_translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)
    return translated % variables


def init_app(app: Flask) -> None:
    """Use RequestDomain as the default domain (Flask-Babel keeps it on the shared Babel object), and the one-call
    gettext in templates (after Flask-Babel installed Jinja's i18n extension)."""
    domain = app.config.get("BABEL_DOMAIN", "messages")
    current = babel.__dict__.get("domain_instance")
    if not isinstance(current, RequestDomain) or current.domain != domain.split(";"):
        babel.domain_instance = RequestDomain(domain=domain)
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext)
