"""Language choice (Danish first) and the template context every page needs."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from functools import cache
from urllib.parse import urlencode

import babel.core
from babel import Locale, UnknownLocaleError, localedata
from flask import Flask, current_app, has_request_context, request, session, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _


@cache
def language_label(code: str) -> str:
    """A configured language named in itself, for the language switcher: 'Dansk', 'English', 'العربية'."""
    name = Locale.parse(code).get_display_name() or code
    return name[:1].upper() + name[1:]


@cache
def text_direction(code: str) -> str:
    """'rtl' for a language written right to left (Arabic, Persian, Urdu, Hebrew…), else 'ltr'."""
    return Locale.parse(code).text_direction


def html_lang(code: str) -> str:
    """A Babel code as HTML's lang attribute wants it (BCP 47): 'ar_001' → 'ar-001'."""
    return code.replace("_", "-")


def select_locale() -> str:
    """Danish unless the citizen chose another language with ?lang=… (remembered in the session)."""
    if not has_request_context():  # the CLI (mails sent by cron) speaks Danish
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    wanted = request.args.get("lang")
    if wanted in current_app.config["LANGUAGES"]:
        session["lang"] = wanted
    chosen = session.get("lang")
    return chosen if chosen in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def _switch_url(lang: str) -> str:
    if not has_request_context():
        return ""
    if request.endpoint and request.method == "GET":
        # The query is kept as sent, beside url_for rather than through it: a parameter named like one of
        # url_for's own arguments (endpoint, _method, _external…) must not reach it (a 500, or another address).
        query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", lang)]
        return f"{url_for(request.endpoint, **(request.view_args or {}))}?{urlencode(query)}"
    return f"?lang={lang}"


def local_date(moment: datetime) -> str:
    """A stored (naive UTC) moment as a Danish-time date in the page's language, e.g. '31. december 2026'."""
    return format_date(moment, format="long", rebase=True)


def local_time_span(starts: datetime, ends: datetime) -> str:
    """A meeting's time in Danish time and the current language: 'torsdag den 3. december 2026 kl. 17.00–19.00'
    (or '… kl. 22.00 til fredag den 4. december 2026 kl. 02.00' across midnight)."""
    # i18n: a CLDR date pattern (EEEE weekday, d day, MMMM month, y year); text in quotes is literal
    pattern = _("EEEE 'den' d. MMMM y")
    day, end_day = (format_datetime(moment, pattern, rebase=True) for moment in (starts, ends))
    start, end = (format_datetime(moment, "HH.mm", rebase=True) for moment in (starts, ends))
    if day != end_day:
        return _("%(day)s kl. %(start)s til %(end_day)s kl. %(end)s", day=day, start=start, end_day=end_day, end=end)
    return _("%(day)s kl. %(start)s–%(end)s", day=day, start=start, end=end)


def decimal(value: float, digits: int = 1, signed: bool = False) -> str:
    """A number the way the page's language writes it: '3,24' in Danish, '3.24' in English."""
    pattern = ("+" if signed else "") + "#,##0" + ("." + "0" * digits if digits else "")
    if signed:
        pattern += ";-" + pattern[1:]
    return format_decimal(value, format=pattern)


@cache
def _language_codes(spoken: tuple[str, ...]) -> dict[str, str]:
    """Every language's name (in each language the app speaks, and in itself) and code, folded, to its code."""
    names: dict[str, str] = {}
    for code in Locale("en").languages:
        if "_" not in code:
            names[code.casefold()] = code
    for reader in spoken:
        with suppress(ValueError, UnknownLocaleError):
            for code, name in Locale.parse(reader, sep="-").languages.items():
                if "_" not in code:
                    names.setdefault(name.casefold(), code)
    return names


def language_name(typed: str, reader: str | None = None) -> str:
    """A language a person typed ('English', 'arabisk', 'ar') named in the reader's language (default: the page's or
    message's): 'engelsk' in a Danish mail, 'Arabic' in an English one. Text that names no known language is
    shown as typed."""
    reader = reader or str(get_locale() or "da")
    code = _language_codes(tuple(current_app.config["LANGUAGES"])).get(typed.strip().casefold())
    if code is None:
        return typed
    with suppress(ValueError, UnknownLocaleError):
        return Locale.parse(reader, sep="-").languages.get(code) or typed
    return typed


def init_app(app: Flask) -> None:
    app.add_template_filter(local_date)
    app.add_template_filter(decimal)
    app.add_template_global(local_time_span)

    @app.context_processor
    def page_context():
        from flask_babel import get_locale

        current = str(get_locale() or "da")
        others = [code for code in app.config["LANGUAGES"] if code != current]
        return {
            "current_lang": current,
            "html_lang": html_lang(current),
            "text_direction": text_direction(current),
            #: (code as lang attribute, its name in itself, the same page in it) for each other language
            "language_links": [(html_lang(code), language_label(code), _switch_url(code)) for code in others],
            "municipality_name": app.config["MUNICIPALITY_NAME"],
            "accessibility_statement_url": app.config["ACCESSIBILITY_STATEMENT_URL"],
        }


def learn_language_names(app: Flask) -> None:
    """Work out what every page asks of Babel's CLDR data (each language's writing direction and its name in
    itself), then let the data go. A survey page formats no date or number, so a gunicorn worker serving the
    survey never loads it again: about 5 MiB of RSS per worker (each language's data with all it inherits, and
    Babel's global data), issue 18. The first page that formats a date (a meeting's) loads what it needs.
    create_app calls it early, so that the modules it imports afterwards reuse the memory the data leaves."""
    for code in app.config["LANGUAGES"]:
        text_direction(code)
        language_label(code)
    localedata.clear_caches()
    babel.core._global_data = None  # Babel's own cache of global.dat: get_global loads it again when asked
