"""HTTP security headers, caching and cookie flags (OWASP ASVS 5.0 level 2), decided in one place.

One after_request hook sets the headers on every response the app sends (pages, errors, files, exports); the
rules for what is private (no-store, no referrer) are the two small functions below, not spread over the views.
One before_request hook refuses a form posted from another site, on every form of the app (see same_origin_only)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
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
PUBLIC_PAGES = frozenset({"site.index", "site.privacy", "meetings.index", "meetings.meeting"})


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


def fixed_headers() -> dict[str, str]:
    """The headers that do not depend on the request: the app's responses and the static files (survey.kernel.assets,
    which WhiteNoise serves before the app) carry them alike."""
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


def set_security_headers(response: Response) -> Response:
    """Every response: CSP and its companions, the referrer and caching rules, HSTS over HTTPS."""
    headers = response.headers
    headers.update(fixed_headers())
    if url_holds_secret():
        headers["Referrer-Policy"] = "no-referrer"
    if (rule := cache_control(response)) is not None:
        headers["Cache-Control"] = rule
    if request.is_secure:
        # Only over HTTPS: a browser ignores it over http anyway, and a dev server on http must stay reachable.
        headers["Strict-Transport-Security"] = HSTS
    return response


#: requests that change something; each must come from a page of this site
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Fetch Metadata (Sec-Fetch-Site) of a request made by a page of this site, or by the person (reload, bookmark)
OWN_FETCH_SITES = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a URL as browsers write an Origin (lower case, no default port); None if none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != DEFAULT_PORTS[parts.scheme] else "")


def own_origins() -> set[str]:
    """This site: PUBLIC_BASE_URL, and the address the request itself was made to (its scheme after ProxyFix)."""
    found = {origin_of(current_app.config["PUBLIC_BASE_URL"]), origin_of(f"{request.scheme}://{request.host}")}
    return found - {None}


def same_origin_only() -> None:
    """Refuse a form posted from another site (CSRF), with the same page as a bad token, before any view runs.

    This replaces Flask-WTF's Referer check, which cannot work here: pages whose URL holds a key (manage link,
    draft) send no Referer at all (Referrer-Policy: no-referrer). Browsers send Fetch Metadata and Origin even
    then (Chromium sends `Origin: null` from such a page), so: Sec-Fetch-Site, when sent, must be same-origin or
    none; Origin, when sent and not null, must be this site; only a browser that sends neither is judged by its
    Referer. A same-site page on another subdomain is refused too. The token in the form and the SameSite session
    cookie are checked as before (Flask-WTF, or the citizen's own form): this is a second lock, not the only one.
    """
    if request.method not in UNSAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    site = (request.headers.get("Sec-Fetch-Site") or "").strip().lower()
    origin = (request.headers.get("Origin") or "").strip()
    referrer = request.headers.get("Referer") or ""
    if site and site not in OWN_FETCH_SITES:
        refused = f"Sec-Fetch-Site {site}"
    elif origin and origin != "null" and origin_of(origin) not in own_origins():
        refused = f"Origin {origin_of(origin) or 'malformed'}"
    elif not site and not origin and referrer and origin_of(referrer) not in own_origins():
        refused = f"Referer from {origin_of(referrer) or 'malformed'}"
    else:
        return
    # the endpoint, not the path: a path may hold a manage link's key
    current_app.logger.info("cross-site %s to %s refused: %s", request.method, request.endpoint, refused)
    raise CSRFError(f"Cross-site request refused ({refused}).")


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
    """Cookie flags from HTTPS_ONLY (or PUBLIC_BASE_URL), ProxyFix when PROXY_FIX_HOPS says, the same-origin check
    on every unsafe request (the citizen's survey forms too, which Flask-WTF's CSRFProtect leaves out), the header
    hook."""
    https_only = app.config.get("HTTPS_ONLY")
    if https_only is None:
        https_only = app.config["PUBLIC_BASE_URL"].startswith("https://")
    app.config["HTTPS_ONLY"] = bool(https_only)
    app.config.update(cookie_settings(app.config["HTTPS_ONLY"]))
    # Flask-WTF's HTTPS Referer check refuses every post from a no-referrer page: same_origin_only replaces it
    app.config["WTF_CSRF_SSL_STRICT"] = False
    app.session_interface = SessionInterface()
    if hops := int(app.config.get("PROXY_FIX_HOPS") or 0):
        # X-Forwarded-Host and -Prefix stay untrusted: the proxy passes Host on, and links use PUBLIC_BASE_URL.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
    app.before_request(same_origin_only)
    app.after_request(set_security_headers)
