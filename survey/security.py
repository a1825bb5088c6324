"""HTTP security headers, caching and cookie flags (OWASP ASVS 5.0 level 2), decided in one place.

One after_request hook sets the headers on every response the app sends (pages, errors, files, exports); the
rules for what is private (no-store, no referrer) are the two small functions below, not spread over the views."""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

#: Only our own files; no inline script or style anywhere (the pages and the SVG charts carry none), so the
#: policy needs no 'unsafe-inline', nonce or hash. No data: images either: app.css refers to files in dist/img.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

#: Browser features no page of ours uses, switched off for the page and anything it could embed.
#: Only features Chromium knows: an unknown one makes it log an error on every page (the browser tests fail on it).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

HSTS = "max-age=31536000; includeSubDomains"

#: a URL holding one of these view arguments or query parameters is a key (resume code, manage link, invitation
#: code from a letter's QR code): it must not leak through the Referer header, caches or the browser's history cache
SECRET_VIEW_ARGS = frozenset({"token"})
SECRET_QUERY_ARGS = frozenset({"kode"})

STAFF_PREFIX = "/personale"

#: public pages with neither personal data nor a form: the browser may keep them (back button), revalidating
#: before reuse so seat counts stay fresh; never a shared cache, as the language chosen rides in the session
PUBLIC_PAGES = frozenset({"core.index", "core.privacy", "meetings.index", "meetings.meeting"})


def url_holds_secret() -> bool:
    """Whether the current URL carries a token or an invitation code."""
    return bool(SECRET_VIEW_ARGS & set(request.view_args or ())) or bool(SECRET_QUERY_ARGS & set(request.args))


def cache_control(response: Response) -> str | None:
    """The caching rule for every response; None keeps what the response already has.

    Staff pages and URLs with a secret are never stored, even if a view asked otherwise. A response that chose its
    own caching keeps it: static files (Flask's, revalidated by ETag) and the public calendar feed. A public page
    may be kept privately. Everything else (forms, drafts, the receipt, sign-up and manage pages, errors, exports)
    is no-store: it may show what a citizen typed or answered, on a shared PC as well."""
    if request.path == STAFF_PREFIX or request.path.startswith(STAFF_PREFIX + "/") or url_holds_secret():
        return "no-store"
    if "Cache-Control" in response.headers:
        return None
    if request.method in ("GET", "HEAD") and request.endpoint in PUBLIC_PAGES and response.status_code == 200:
        return "private, no-cache"
    return "no-store"


def set_security_headers(response: Response) -> Response:
    """Every response: CSP and its companions, the referrer and caching rules, HSTS over HTTPS."""
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"  # frame-ancestors for browsers that predate it
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Referrer-Policy"] = "no-referrer" if url_holds_secret() else "strict-origin-when-cross-origin"
    if (rule := cache_control(response)) is not None:
        headers["Cache-Control"] = rule
    if request.is_secure:
        # Only over HTTPS: a browser ignores it over http anyway, and a dev server on http must stay reachable.
        headers["Strict-Transport-Security"] = HSTS
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its cookie also Secure whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def cookie_settings(https_only: bool) -> dict:
    """Flags of every cookie the app sets: the session (which also holds the CSRF secret and the language
    chosen) and Flask-Login's remember-me cookie. HttpOnly and SameSite=Lax always; Secure and __Host- names
    in production."""
    prefix = "__Host-" if https_only else ""
    return {
        "SESSION_COOKIE_NAME": f"{prefix}session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https_only,
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "REMEMBER_COOKIE_NAME": f"{prefix}remember_token",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https_only,
        "REMEMBER_COOKIE_PATH": "/",
        "REMEMBER_COOKIE_DOMAIN": None,
    }


def init_app(app: Flask) -> None:
    """Cookie flags from HTTPS_ONLY (or PUBLIC_BASE_URL), ProxyFix when PROXY_FIX_HOPS says, the header hook."""
    https_only = app.config.get("HTTPS_ONLY")
    if https_only is None:
        https_only = app.config["PUBLIC_BASE_URL"].startswith("https://")
    app.config["HTTPS_ONLY"] = bool(https_only)
    app.config.update(cookie_settings(app.config["HTTPS_ONLY"]))
    app.session_interface = SessionInterface()
    if hops := int(app.config.get("PROXY_FIX_HOPS") or 0):
        # X-Forwarded-Host and -Prefix stay untrusted: the proxy passes Host on, and links use PUBLIC_BASE_URL.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
    app.after_request(set_security_headers)
