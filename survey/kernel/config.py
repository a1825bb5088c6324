"""Configuration from environment variables."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

#: the repository: templates/, translations/, migrations/ and the default instance/ sit here
ROOT = Path(__file__).resolve().parent.parent.parent
INSTANCE = Path(os.environ.get("BORGERDIALOG_INSTANCE", ROOT / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/ (development)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    if not os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite"):
        # A server database may be shared by several app servers, each with its own instance/: a key generated
        # per instance would split sessions between them and make stored invitation-code hashes unmatchable.
        raise RuntimeError("SECRET_KEY mangler: sæt den samme hemmelige nøgle i miljøet på alle app-servere")
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        # gunicorn's workers import this at the same moment: the key is written whole under a private name and
        # linked into place only if no other worker got there first, so they all read the same key
        draft = INSTANCE / f"secret_key.{os.getpid()}"
        draft.write_text(secrets.token_urlsafe(48))
        draft.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()


def _flag(name: str) -> bool | None:
    """A yes/no environment variable (1/0, true/false, yes/no, on/off); None when it is not set."""
    value = os.environ.get(name, "").strip().lower()
    return None if not value else value in ("1", "true", "yes", "on")


class Config:
    @classmethod
    def as_dict(cls) -> dict:
        """The settings of this class (its upper-case attributes, inherited ones too) as a dict: for `create_app`."""
        return {name: getattr(cls, name) for name in dir(cls) if name.isupper()}

    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'borgerdialog.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    #: how long a SQLite writer waits for the write lock before the citizen gets the "prøv igen" page
    SQLITE_BUSY_TIMEOUT_MS = 10_000
    #: where `flask backup` puts its copy when no target is given
    BACKUP_DIR = os.environ.get("BACKUP_DIR", str(INSTANCE / "backups"))
    #: a survey page is small; anything larger is refused before it reaches a form (413)
    MAX_CONTENT_LENGTH = 64 * 1024
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    BABEL_DEFAULT_LOCALE = "da"
    BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"
    #: the languages of the pages and messages, comma-separated Babel codes ("da,en,ar,so,tr,uk"), each with its
    #: catalogue in translations/<code>/ (Danish, the source language, always first); see "Sprog" in the README
    LANGUAGES = tuple(
        dict.fromkeys(code.strip() for code in f"da,{os.environ.get('LANGUAGES', 'en')}".split(",") if code.strip())
    )
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    #: no X-RateLimit-* headers: reading the window back for them costs every limited post two more trips to the
    #: store (Redis); a refused request still says how long to wait, in its page and in Retry-After (kernel.errors)
    RATELIMIT_HEADERS_ENABLED = False
    #: when the shared store (Redis) cannot be reached, each process counts for itself until it is back, rather
    #: than answering every limited post (a survey being sent, too) with an error page
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    #: a Redis that hangs must not hang the request (redis-py waits forever by default); seconds
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    #: rate limits on citizen form posts; generous for shared IPs (libraries, care homes) yet stopping floods
    RATELIMIT_SURVEY_POST = os.environ.get("RATELIMIT_SURVEY_POST", "60 per minute; 600 per hour")
    #: per address, on invitation codes (which could be guessed) and resume codes
    RATELIMIT_CODE_ENTRY = os.environ.get("RATELIMIT_CODE_ENTRY", "10 per minute; 50 per hour")
    #: the resume code sent to a number or address the citizen types ("Dine svar er gemt"): per address, every post
    #: (a page that texts any number must not become a way to flood numbers with messages we pay for), and per draft,
    #: from every address together, only the sends that passed the form
    RATELIMIT_RESUME_SEND = os.environ.get("RATELIMIT_RESUME_SEND", "10 per hour; 30 per day")
    RATELIMIT_RESUME_SEND_DRAFT = os.environ.get("RATELIMIT_RESUME_SEND_DRAFT", "3 per day")
    #: per address, on starting an open-link round (nothing to guess): a flood guard that many citizens behind one
    #: address (a Borgerservice tablet, a care home's Wi-Fi, a mobile operator's shared address) never reach
    RATELIMIT_OPEN_START = os.environ.get("RATELIMIT_OPEN_START", "60 per minute; 600 per hour")
    #: an hour of an open-link round with at least this many answers and at least FACTOR times the round's usual rate
    #: per hour is a burst: written in the audit log and shown on the results pages (questionnaire.submit_rate)
    OPEN_ROUND_BURST_MIN = int(os.environ.get("OPEN_ROUND_BURST_MIN", "30"))
    OPEN_ROUND_BURST_FACTOR = float(os.environ.get("OPEN_ROUND_BURST_FACTOR", "5"))
    RATELIMIT_SIGNUP = os.environ.get("RATELIMIT_SIGNUP", "10 per minute; 100 per hour")
    #: sign-ups for one meeting from one address (only those that pass the form): room for a pårørende signing up
    #: a couple of family members, none for a script filling the meeting under made-up e-mail addresses
    RATELIMIT_SIGNUP_MEETING = os.environ.get("RATELIMIT_SIGNUP_MEETING", "3 per hour; 6 per day")
    #: per address, on the short manage links sent by SMS (/m/…): a guard against guessing them
    RATELIMIT_SHORT_LINK = os.environ.get("RATELIMIT_SHORT_LINK", "30 per minute; 300 per hour")
    #: per address; wrong passwords for one account are also counted per account (survey.staff)
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute; 50 per hour")
    #: per address, on the second login step and the password change (wrong codes also count per user)
    RATELIMIT_SECOND_FACTOR = os.environ.get("RATELIMIT_SECOND_FACTOR", "10 per minute; 50 per hour")
    #: staff accounts (survey.staff): shortest password, and how long a session may be idle / last at all
    STAFF_PASSWORD_MIN_LENGTH = int(os.environ.get("STAFF_PASSWORD_MIN_LENGTH", "15"))
    STAFF_IDLE_MINUTES = int(os.environ.get("STAFF_IDLE_MINUTES", "15"))
    STAFF_ABSOLUTE_HOURS = int(os.environ.get("STAFF_ABSOLUTE_HOURS", "8"))
    #: how long the link a new staff user gets by mail to choose their password works (it works once)
    STAFF_PASSWORD_LINK_HOURS = int(os.environ.get("STAFF_PASSWORD_LINK_HOURS", "72"))
    #: the public address used in printed links (CLI output, QR codes)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}")
    MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "")
    #: the contact printed on invitation letters (survey.questionnaire.letters); the defaults are demo values to replace
    CONTACT_PHONE = os.environ.get("CONTACT_PHONE", "70 10 20 30")
    CONTACT_HOURS = os.environ.get("CONTACT_HOURS", "mandag til fredag kl. 10-14")
    #: where the letters' PDF and CSV (plaintext codes) wait for download, and for how many hours at most
    LETTERS_DIR = os.environ.get("LETTERS_DIR", str(INSTANCE / "letters"))
    LETTERS_KEEP_HOURS = int(os.environ.get("LETTERS_KEEP_HOURS", "24"))
    ACCESSIBILITY_STATEMENT_URL = os.environ.get("ACCESSIBILITY_STATEMENT_URL", "https://www.was.digst.dk/")
    DPO_CONTACT = os.environ.get("DPO_CONTACT", "databeskyttelsesraadgiver@kommune.dk")
    #: the data controller named on the privacy page (GDPR art. 13); the defaults are demo values to replace
    CONTROLLER_NAME = os.environ.get("CONTROLLER_NAME") or os.environ.get("MUNICIPALITY_NAME") or "Demo Kommune"
    CONTROLLER_ADDRESS = os.environ.get("CONTROLLER_ADDRESS", "Rådhuspladsen 1, 8000 Demoby")
    CONTROLLER_CVR = os.environ.get("CONTROLLER_CVR", "12345678")
    CONTROLLER_EMAIL = os.environ.get("CONTROLLER_EMAIL", "kommunen@kommune.dk")
    #: the data processors by name, separated by ';' (e.g. the hosting and e-mail providers), for the privacy page
    DATA_PROCESSORS = [p.strip() for p in os.environ.get("DATA_PROCESSORS", "").split(";") if p.strip()]
    #: days the audit log (staff e-mail addresses and what they did) is kept before `flask purge-expired` deletes it
    AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "365"))
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
    # SMS (survey.kernel.sms). SMS_BACKEND=kannel sends through Kannel's sendsms interface at SMS_KANNEL_URL with
    # SMS_KANNEL_USER/SMS_KANNEL_PASSWORD, as SMS_SENDER (at most 11 letters or digits); Kannel reports delivery
    # back to SMS_REPORT_BASE_URL (default PUBLIC_BASE_URL: the address Kannel reaches the app on), signed with
    # SMS_DLR_SECRET. 'file' writes each message to SMS_FILE_PATH, the sink `make run` uses.
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "kannel")
    SMS_KANNEL_URL = os.environ.get("SMS_KANNEL_URL", "http://127.0.0.1:13013/cgi-bin/sendsms")
    SMS_KANNEL_USER = os.environ.get("SMS_KANNEL_USER", "borgerdialog")
    SMS_KANNEL_PASSWORD = os.environ.get("SMS_KANNEL_PASSWORD", "")
    SMS_KANNEL_TIMEOUT = float(os.environ.get("SMS_KANNEL_TIMEOUT", "10"))
    SMS_SENDER = os.environ.get("SMS_SENDER", "Kommunen")
    SMS_REPORT_BASE_URL = os.environ.get("SMS_REPORT_BASE_URL", "")
    SMS_DLR_SECRET = os.environ.get("SMS_DLR_SECRET", "")
    SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(INSTANCE / "sms"))
    #: days a sent or failed SMS's status (and number) is kept for staff before `flask purge-expired` deletes it
    SMS_KEEP_DAYS = int(os.environ.get("SMS_KEEP_DAYS", "30"))
    #: days after a meeting its sign-ups (personal data) are deleted
    REGISTRATION_RETENTION_DAYS = int(os.environ.get("REGISTRATION_RETENTION_DAYS", "30"))
    #: results for fewer respondents are never shown or exported (survey.results.suppression; never below 5)
    RESULTS_MIN_GROUP = int(os.environ.get("RESULTS_MIN_GROUP", "5"))
    #: free-text comments are shown only for groups of at least this many respondents (never below the minimum)
    RESULTS_COMMENTS_MIN = int(os.environ.get("RESULTS_COMMENTS_MIN", "10"))
    #: /healthz answers 503 when the filesystem of a SQLite database has less free space than this (MB): a submit
    #: that needs more room in the WAL file would fail while a small write still fits
    HEALTH_MIN_FREE_MB = int(os.environ.get("HEALTH_MIN_FREE_MB", "64"))
    #: days a started but unsent survey is kept after its round has closed
    DRAFT_RETENTION_DAYS = int(os.environ.get("DRAFT_RETENTION_DAYS", "0"))
    # HTTP security (survey.kernel.security). Production means the site is only reached over HTTPS: HTTPS_ONLY=1/0 says
    # so explicitly; unset, a PUBLIC_BASE_URL starting with https:// means production. In production every cookie
    # is Secure and the session cookie is named __Host-session, which browsers accept only with Secure, Path=/
    # and no Domain, so no other (sub)domain can plant or overwrite it. Outside production (make run on
    # http://127.0.0.1) the cookie is called "session" and is still Secure whenever a request came over HTTPS.
    HTTPS_ONLY = _flag("HTTPS_ONLY")
    #: how many reverse proxies in front of the app set X-Forwarded-For and X-Forwarded-Proto (werkzeug's
    #: ProxyFix): then request.remote_addr (rate limits) and request.is_secure (HSTS, Secure cookies) are the
    #: client's. 0 (the default) trusts no such header, as anyone could send them when no proxy sets them.
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    #: `make bench` only: serve /bench/5k, a fixed 5 KB page, as the ceiling of the web stack (survey.benchmark)
    BENCH_REFERENCE_ROUTE = bool(_flag("BENCH_REFERENCE_ROUTE"))
    #: `make bench` only, with the reference route: a folder where each worker writes the CPU time of each request
    BENCH_CPU_LOG = os.environ.get("BENCH_CPU_LOG", "")


class TestConfig(Config):
    TESTING = True
    RATELIMIT_ENABLED = False
    #: kept in memory unless a test starts a real SMTP server (tests/meetings/conftest.py)
    MAIL_BACKEND = "locmem"
    #: kept in memory unless a test starts a real Kannel (tests/kannel.py)
    SMS_BACKEND = "memory"
    #: fixed, so that links in mails do not depend on the PORT of whoever runs the tests
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    #: tests of production mode and of a proxy switch these on in their own app (tests/security)
    HTTPS_ONLY = False
    PROXY_FIX_HOPS = 0
    #: never the instance's own: purge-expired in a test would delete a developer's letters
    LETTERS_DIR = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"borgerdialog-test-letters-{os.getpid()}")
