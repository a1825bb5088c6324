"""Every form of the app works in production: over HTTPS behind a proxy, posted with the headers a real browser
sends from the page the form is on — and every one of them refuses a post without its token or from another site.

The forms are found, not listed: a citizen, a staff member and a new staff member read every page they can reach
by links and e-mails (tests/security/crawl.py), and every post route in the URL map must have been reached."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.kernel.forms import EXPIRED_FORM
from survey.meetings.services import Signup, register_for_meeting
from survey.questionnaire import email_invitations
from survey.questionnaire.models import Round
from survey.results.sums import rebuild_sums
from survey.staff.models import StaffUser
from tests.helpers import STAFF_PASSWORD, totp_code
from tests.pages import csrf_token, text_of, title
from tests.questionnaire.walker import SYDDJURS_ANSWERS
from tests.results.small_set import answer
from tests.security.browsing import BASE, HttpsBrowser
from tests.security.crawl import Crawl

CITIZEN = {"name": "Karen Hansen", "email": "karen@example.dk", "interpreter_language": "arabisk"}
#: someone signed up earlier, whom staff look up and erase (Karen signs up herself, with her own address)
EARLIER = Signup(role="borger", name="Jens Jensen", email="jens@example.dk")
#: someone signed up, whom a meeting host checks in and cancels
ATTENDEE = Signup(role="paaroerende", name="Hanne Holm", email="hanne@example.dk", on_behalf_of="Ole Holm")
#: two more public sign-ups within minutes of the two above: a burst (three or more), which a host may cancel at
#: once, and which stays one when staff have erased Jens
BURST = [
    Signup(role="borger", name="Per Poulsen", email="per@example.dk"),
    Signup(role="borger", name="Ida Iversen", email="ida@example.dk"),
]
ADMIN, NEWCOMER = "admin@kommune.test", "ny@kommune.test"
#: staff the admin manages on the users pages (resets the second factor of; sends a set-password link to)
COLLEAGUE, WAITING = "kollega@kommune.test", "venter@kommune.test"
#: the forms sent last, in this order: closing a round hides its invitation pages' forms; logging out ends the
#: staff member's session
LAST = ("questionnaire_admin.close_now", "staff.logout")


def production(make_app, tmp_path):
    """The app as in production behind one proxy (PUBLIC_BASE_URL https, HTTPS_ONLY, PROXY_FIX_HOPS=1); mail to
    files, as a citizen reads it; comments shown from 5 respondents, so that five make a quotable group."""
    return make_app(
        PUBLIC_BASE_URL=BASE,
        HTTPS_ONLY=True,
        PROXY_FIX_HOPS=1,
        MAIL_BACKEND="file",
        MAIL_FILE_PATH=str(tmp_path / "mail"),
        RESULTS_COMMENTS_MIN=5,
    )


@pytest.fixture
def world(app, make_round, make_meeting, make_staff):
    """An open survey round (for the citizen's forms), a closed one with five quotable comments (results are shown
    once a round has closed; one comment looks like personal data, so the redaction form is there too), a published
    meeting with four sign-ups (and one to move to), a draft meeting, a staff admin with the second factor and a new
    admin who has yet to set it up; for the survey managers' pages an upcoming round (to open now) and an invitation
    round of a questionnaire without answers (its texts can be edited) with two addresses and two mobile numbers, one
    of each sent its code (so that both the next batch and a reminder are offered)."""
    slug = make_round()
    closed = make_round(state="closed", label="Lukket runde")
    make_round(state="upcoming", label="Kommende runde")
    invited = make_round(questionnaire=ROOT / "data/questionnaires/syddjurs-dialogmoede.yaml", access="invitation")
    meeting_id = make_meeting(capacity=10)
    make_meeting(status="draft", title="Dialogmøde i planlægning", starts_in=timedelta(days=30))
    make_meeting(title="Dialogmøde om bostøtte", starts_in=timedelta(days=14))  # a sign-up can move there
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.slug == closed))
        given = {k: v for page in SYDDJURS_ANSWERS.values() for k, v in page.items() if k != "hjaelp"}
        personal = given | {"kommentar": "Ring til mig på 20 30 40 50, så fortæller jeg mere."}
        db.session.add_all(answer(round_.questionnaire, round_, "job", given) for _ in range(4))
        db.session.add(answer(round_.questionnaire, round_, "job", personal))
        db.session.flush()
        rebuild_sums(db.session.connection())
        invitation_round = db.session.scalar(select(Round).where(Round.slug == invited))
        email_invitations.add_addresses(invitation_round, ["inviteret@example.dk", "ogsaa.inviteret@example.dk"])
        email_invitations.send_invitations(invitation_round, limit=1)
        email_invitations.add_addresses(invitation_round, ["+4520304050", "+4521304050"], email_invitations.SMS)
        email_invitations.send_invitations(invitation_round, limit=1, channel=email_invitations.SMS)
        register_for_meeting(meeting_id, EARLIER)
        register_for_meeting(meeting_id, ATTENDEE)
        for signup in BURST:
            register_for_meeting(meeting_id, signup)
        db.session.commit()
    make_staff("admin", ADMIN)
    make_staff("admin", NEWCOMER, second_factor=False)
    make_staff("analyst", COLLEAGUE)  # whose second factor the admin resets
    with app.app_context():  # a user who has not chosen a password yet: the admin sends a link, which the mail brings
        waiting = StaffUser(email=WAITING, role="analyst", name="Venter Endnu")
        waiting.clear_password()
        db.session.add(waiting)
        db.session.commit()
    return slug


def key_on_page(page) -> str:
    """The enrolment key as a person reads it off the page (when the QR code cannot be scanned)."""
    return "".join(text_of(page.doc.find(".//*[@id='secret']")).split())


def public_entry_pages(app) -> list[str]:
    """Where citizens come in from outside (the municipality's site, a letter): every public page of the URL map
    that needs no argument. Staff come in through the login page."""
    rules = app.url_map.iter_rules()
    found = [r.rule for r in rules if "GET" in r.methods and not r.arguments and r.endpoint != "static"]
    return [BASE + path for path in sorted(found) if not path.startswith("/personale")]


def walk_everything(app, crawl: Crawl, mail_folder) -> None:
    citizen = HttpsBrowser(app.test_client())
    public = public_entry_pages(app)
    crawl.walk(citizen, public, CITIZEN, lambda url: "/personale" not in url, mail_folder=mail_folder)
    admin_typed = {
        "email": ADMIN,
        "password": STAFF_PASSWORD,
        "code": lambda _page: totp_code(app, ADMIN),
        "query": EARLIER.email,  # a citizen asking to see or erase their data
        "name": "Ny Kollega",  # a new staff user (whose e-mail is taken: the form is sent, and refused)
        "new": "grønne cykler ved syv gamle lindetræer",  # the password chosen from a mailed link
        "repeat": "grønne cykler ved syv gamle lindetræer",
        "count": "2",  # invitation letters
        "addresses": "ny.inviteret@example.dk\nikke en adresse",  # e-mail invitations: one good line, one bad
        "numbers": "22 30 40 50\nikke et nummer",  # SMS invitations: one good line, one bad
        "number": "20 30 40 50",  # an invited number taken off the list
    }
    staff = HttpsBrowser(app.test_client())
    staff_pages = lambda url: "/personale" in url  # noqa: E731
    crawl.walk(staff, [f"{BASE}/personale/log-ind"], admin_typed, staff_pages, mail_folder=mail_folder, last=LAST)
    newcomer_typed = {
        "email": NEWCOMER,
        "password": STAFF_PASSWORD,
        "code": lambda page: pyotp.TOTP(key_on_page(page)).now(),
    }
    newcomer = HttpsBrowser(app.test_client())
    crawl.walk(newcomer, [f"{BASE}/personale/log-ind"], newcomer_typed, lambda url: "/personale" in url, last=LAST)


def test_every_form_works_over_https_with_a_browsers_headers_and_refuses_forgery(make_app, tmp_path, world):
    app = production(make_app, tmp_path)
    with app.test_request_context():
        expired = str(EXPIRED_FORM)
    crawl = Crawl(app, expired)
    walk_everything(app, crawl, tmp_path / "mail")

    refused = [f"{s.endpoint} from {s.path} ({s.referrer_policy})" for s in crawl.submissions if s.refused]
    assert not refused, "refused as cross-site request forgery although a browser sent it:\n" + "\n".join(refused)
    unprotected = [f"{s.endpoint}: {', '.join(s.unprotected)}" for s in crawl.submissions if s.unprotected]
    assert not unprotected, "accepted an attack:\n" + "\n".join(unprotected)
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    reached = {s.endpoint for s in crawl.submissions}
    assert posts <= reached, f"forms no page led to (make the test's data show them): {sorted(posts - reached)}"
    policies = {s.referrer_policy for s in crawl.submissions}
    assert policies == {"no-referrer", "strict-origin-when-cross-origin"}, policies


def test_the_logout_button_on_the_recovery_codes_page_works(client, make_staff):
    """The page after enrolment is drawn in the request that began the logged-in session: its forms must carry
    that session's CSRF token, not the one of the half-login before it."""
    make_staff("admin", NEWCOMER, second_factor=False)
    page = client.get("/personale/log-ind")
    client.post(
        "/personale/log-ind", data={"csrf_token": csrf_token(page), "email": NEWCOMER, "password": STAFF_PASSWORD}
    )
    enrol = client.get("/personale/totrin/opsaet")
    code = pyotp.TOTP(key_on_page(enrol)).now()
    codes = client.post("/personale/totrin/opsaet", data={"csrf_token": csrf_token(enrol), "code": code})
    assert "reservekoder" in title(codes)
    logout = client.post("/personale/log-ud", data={"csrf_token": csrf_token(codes)})
    assert logout.status_code == 302 and logout.location.endswith("/personale/log-ind")
