"""Configuration from environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

INSTANCE = Path(os.environ.get("BORGERDIALOG_INSTANCE", Path(__file__).resolve().parent.parent / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/ (development)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'borgerdialog.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    #: a survey page is small; anything larger is refused before it reaches a form (413)
    MAX_CONTENT_LENGTH = 64 * 1024
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    BABEL_DEFAULT_LOCALE = "da"
    BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"
    LANGUAGES = ("da", "en")
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    #: rate limits on citizen form posts; generous for shared IPs (libraries, care homes) yet stopping floods
    RATELIMIT_SURVEY_POST = os.environ.get("RATELIMIT_SURVEY_POST", "60 per minute; 600 per hour")
    RATELIMIT_CODE_ENTRY = os.environ.get("RATELIMIT_CODE_ENTRY", "10 per minute; 50 per hour")
    RATELIMIT_SIGNUP = os.environ.get("RATELIMIT_SIGNUP", "10 per minute; 100 per hour")
    #: per address; wrong passwords for one account are also counted per account (survey.staff)
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute; 50 per hour")
    #: the public address used in printed links (CLI output, QR codes)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}")
    MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "")
    ACCESSIBILITY_STATEMENT_URL = os.environ.get("ACCESSIBILITY_STATEMENT_URL", "https://www.was.digst.dk/")
    DPO_CONTACT = os.environ.get("DPO_CONTACT", "databeskyttelsesraadgiver@kommune.dk")
    # E-mail (Flask-Mailman). MAIL_BACKEND=smtp sends through MAIL_SERVER; 'file' writes .eml files to
    # MAIL_FILE_PATH, the sink `make run` uses so the demo works without an SMTP server.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Borgerdialog <noreply@borgerdialog.test>")
    MAIL_FILE_PATH = os.environ.get("MAIL_FILE_PATH", str(INSTANCE / "mail"))
    #: days after a meeting its sign-ups (personal data) are deleted
    REGISTRATION_RETENTION_DAYS = int(os.environ.get("REGISTRATION_RETENTION_DAYS", "30"))
    #: results for fewer respondents are never shown or exported (survey.results.suppression; never below 5)
    RESULTS_MIN_GROUP = int(os.environ.get("RESULTS_MIN_GROUP", "5"))
    #: free-text comments are shown only for groups of at least this many respondents (never below the minimum)
    RESULTS_COMMENTS_MIN = int(os.environ.get("RESULTS_COMMENTS_MIN", "10"))
    #: days a started but unsent survey is kept after its round has closed
    DRAFT_RETENTION_DAYS = int(os.environ.get("DRAFT_RETENTION_DAYS", "0"))


class TestConfig(Config):
    TESTING = True
    RATELIMIT_ENABLED = False
    #: kept in memory unless a test starts a real SMTP server (tests/meetings/conftest.py)
    MAIL_BACKEND = "locmem"
    #: fixed, so that links in mails do not depend on the PORT of whoever runs the tests
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
