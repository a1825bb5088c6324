"""The app serves its own static files (WhiteNoise), so a deployment without a caching, compressing proxy, and
`make run`, are fast too.

scripts/build-assets.mjs writes survey/static/dist/ with fingerprinted names (app.3f9c0a1b2d4e.css), a manifest
mapping each plain name to its fingerprinted one, and a .gz and a .br beside every text file. Here:
- `asset_url("dist/app.css")` (a template global, the one place that knows the manifest) gives the fingerprinted URL;
- a fingerprinted file is sent with `Cache-Control: public, max-age=31536000, immutable`: its name changes whenever
  its bytes do, so a repeat visit fetches nothing but the document; any other static file (a plain name kept for a
  page cached before a deployment, bilag.css, poster.css) with a short cache of its own;
- WhiteNoise sends the brotli or gzip file when the browser accepts it (Content-Encoding, Vary: Accept-Encoding);
- /favicon.ico is the build's icon, cached a day (browsers ask for it whatever the page says);
- an SVG carries the security headers the app's pages carry (survey.kernel.security): a browser can show it as a
  document; a stylesheet, script or font only nosniff (and HSTS over HTTPS)."""

from __future__ import annotations

import json
import re

from flask import Flask, url_for
from whitenoise import WhiteNoise

from survey.kernel.config import ROOT
from survey.kernel.security import HSTS, fixed_headers

STATIC = ROOT / "survey" / "static"
DIST = STATIC / "dist"
#: a name the build fingerprinted: the first 12 hex digits of the file's SHA-256 before the extension
FINGERPRINTED = re.compile(r"\.[0-9a-f]{12}\.[a-z0-9]+$")
YEAR = 365 * 24 * 60 * 60
#: static files without a fingerprint: a browser may use its copy for a few minutes, then revalidates (ETag)
SHORT = 300
FAVICON_AGE = 24 * 60 * 60


def read_manifest() -> dict[str, str]:
    """{"dist/app.css": "dist/app.3f9c0a1b2d4e.css", …}; empty when the assets were not built (plain names then)."""
    path = DIST / "manifest.json"
    if not path.exists():
        return {}
    return {f"dist/{plain}": f"dist/{hashed}" for plain, hashed in json.loads(path.read_text()).items()}


class StaticFiles(WhiteNoise):
    """WhiteNoise with our caching rules and security headers."""

    def add_cache_headers(self, headers, path, url):
        if FINGERPRINTED.search(url):
            headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        elif url == "/favicon.ico":
            headers["Cache-Control"] = f"public, max-age={FAVICON_AGE}"
        else:
            headers["Cache-Control"] = f"public, max-age={SHORT}"

    def serve(self, static_file, environ, start_response):
        def start(status, headers, exc_info=None):
            if any(v.startswith("image/svg") for k, v in headers if k == "Content-Type"):
                headers.extend(fixed_headers().items())  # a browser shows an SVG as a document (it may hold script)
            else:  # CSS, JavaScript, fonts: the documents' policies do nothing here, and cost bytes on every file
                headers.append(("X-Content-Type-Options", "nosniff"))
            if environ.get("wsgi.url_scheme") == "https":
                headers.append(("Strict-Transport-Security", HSTS))
            return start_response(status, headers, exc_info)

        return WhiteNoise.serve(static_file, environ, start)


def init_app(app: Flask) -> None:
    """The template global asset_url and WhiteNoise in front of the app (inside ProxyFix: call before
    security.init_app, so that a static file over HTTPS behind the proxy gets HSTS too)."""
    manifest = read_manifest()

    def asset_url(filename: str) -> str:
        return url_for("static", filename=manifest.get(filename, filename))

    app.jinja_env.globals["asset_url"] = asset_url
    static_url = (app.static_url_path or "/static").strip("/")
    # the files are listed once, at start, as the manifest is read: a new build is served after a restart
    files = StaticFiles(app.wsgi_app, root=STATIC, prefix=static_url, allow_all_origins=False)
    if (DIST / "favicon.ico").exists():
        files.add_file_to_dictionary("/favicon.ico", str(DIST / "favicon.ico"))
    app.wsgi_app = files
