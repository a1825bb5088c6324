"""Admins manage staff users in the browser: a new user gets a single-use link by mail (a real SMTP server) to
choose a password, then logs in and sets up the second factor; roles, deactivation, reactivation and second
factor resets are audited, follow the same rules as `flask staff …`, and are for admins only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import select

from survey.kernel import clock
from survey.kernel.extensions import db
from survey.staff import services
from survey.staff.models import AuditEvent, StaffUser
from tests.helpers import STAFF_PASSWORD, log_in
from tests.pages import csrf_token, error_summary, text_of

NEW = "ny.kollega@kommune.dk"
NEW_PASSWORD = "blå cykler under fire gamle lindetræer"
LINK = re.compile(r"http://127\.0\.0\.1:5000(/personale/adgangskode/vaelg/[\w.-]+)")


@pytest.fixture
def clock_at(monkeypatch):
    """The app's clock, moved by hand: returns a function that moves it on by a timedelta."""
    moment = [datetime.now(UTC)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move(by: timedelta) -> None:
        moment[0] += by

    return move


@pytest.fixture
def admin(app, login_as):
    return login_as(app.test_client(), "admin")


def post(client, path: str, data: dict | None = None, page: str | None = None):
    """POST with the CSRF token of `page` (default: the path itself, for a form page)."""
    token = csrf_token(client.get(page or path))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def create(admin, email: str = NEW, role: str = "analyst", name: str = "Ny Kollega"):
    return post(admin, "/personale/brugere/ny", {"email": email, "name": name, "role": role})


def user_id(in_app, email: str) -> int:
    with in_app():
        return db.session.scalar(select(StaffUser.id).where(StaffUser.email == email))


def link_in(message) -> str:
    """The path of the set-password link in the mail's text part (also in the HTML part)."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    (path,) = LINK.findall(text)
    assert f'href="http://127.0.0.1:5000{path}"' in html
    return path


def mailed_link(smtp, email: str = NEW) -> str:
    *_, message = smtp.to(email)
    return link_in(message)


def events(in_app, *actions: str) -> list[tuple[str, str, str]]:
    with in_app():
        query = select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
        return [(e.actor_email, e.action, e.target) for e in db.session.scalars(query)]


def password_step(client, email: str, password: str = STAFF_PASSWORD):
    page = client.get("/personale/log-ind")
    return client.post(
        "/personale/log-ind", data={"csrf_token": csrf_token(page), "email": email, "password": password}
    )


def choose_password(client, path: str, password: str = NEW_PASSWORD, repeat: str | None = None):
    """POST to a set-password link (with the session's CSRF token, from a page that has one even when the link's
    own page does not)."""
    return post(client, path, {"new": password, "repeat": repeat or password}, page="/personale/log-ind")


def test_a_new_user_chooses_a_password_from_the_mailed_link_once_then_enrols(app, admin, smtp, in_app):
    response = create(admin)
    assert response.status_code == 302
    page = admin.get(response.location)
    assert "har fået en e-mail med et link" in text_of(page.doc)

    (message,) = smtp.to(NEW)
    assert message["subject"].strip() == "Vælg din adgangskode til Borgerdialog"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hej Ny Kollega" in text and "Linket virker én gang og i 72 timer." in text
    path = link_in(message)
    with in_app():
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == NEW))
        assert (user.role, user.name, user.has_password, user.has_second_factor) == (
            "analyst",
            "Ny Kollega",
            False,
            False,
        )

    weak = choose_password(app.test_client(), path, "kort")
    assert weak.status_code == 400 and error_summary(weak)[0][0] == "#new"
    mismatch = choose_password(app.test_client(), path, NEW_PASSWORD, "noget andet helt andet her")
    assert mismatch.status_code == 400 and error_summary(mismatch)[0][0] == "#repeat"

    newcomer = app.test_client()
    chosen = choose_password(newcomer, path)
    assert chosen.status_code == 302 and chosen.location.endswith("/personale/log-ind")

    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "Linket er allerede brugt" in text_of(again.doc)
    assert choose_password(app.test_client(), path, "en anden lang og god adgangskode").status_code == 410

    first = password_step(newcomer, NEW, NEW_PASSWORD)
    assert first.location.endswith("/personale/totrin/opsaet"), "the first login sets up the second factor"
    enrol = newcomer.get("/personale/totrin/opsaet")
    secret = text_of(enrol.doc.find(".//*[@id='secret']")).replace(" ", "")
    done = newcomer.post(
        "/personale/totrin/opsaet", data={"csrf_token": csrf_token(enrol), "code": pyotp.TOTP(secret).now()}
    )
    assert done.status_code == 200 and "reservekoder" in done.get_data(as_text=True)
    assert newcomer.get("/personale/").status_code == 200

    admin_email = "admin@kommune.test"
    assert events(in_app, "user_created", "password_link_sent", "password_set_from_link") == [
        (admin_email, "user_created", NEW),
        (admin_email, "password_link_sent", NEW),
        (NEW, "password_set_from_link", NEW),
    ]
    listing = admin.get("/personale/brugere")
    row = next(tr for tr in listing.doc.iter("tr") if NEW in text_of(tr))
    cells = [text_of(td) for td in row.iter("td")]
    assert cells[:5] == [NEW, "Ny Kollega", "Analytiker", "Aktiv", "Sat op"]
    assert cells[5] != "Ikke kendt", "the login just made is the last one"


def test_the_link_expires_after_72_hours(app, admin, smtp, clock_at):
    create(admin)
    path = mailed_link(smtp)
    clock_at(timedelta(hours=71, minutes=59))
    assert app.test_client().get(path).status_code == 200
    clock_at(timedelta(minutes=1, seconds=1))
    expired = app.test_client().get(path)
    assert expired.status_code == 410 and "Linket er udløbet" in text_of(expired.doc)
    assert choose_password(app.test_client(), path).status_code == 410


def test_a_new_link_replaces_the_old_one_and_only_while_no_password_is_chosen(app, admin, smtp, in_app):
    create(admin)
    old = mailed_link(smtp)
    page = f"/personale/brugere/{user_id(in_app, NEW)}"
    sent = post(admin, f"{page}/send-link", page=page)
    assert sent.status_code == 302
    new = mailed_link(smtp)
    assert len(smtp.to(NEW)) == 2 and new != old
    replaced = app.test_client().get(old)
    assert replaced.status_code == 410 and "Du har fået et nyere link" in text_of(replaced.doc)
    assert choose_password(app.test_client(), new).status_code == 302

    refused = post(admin, f"{page}/send-link", page=page)
    assert "allerede valgt en adgangskode" in text_of(admin.get(refused.location).doc)
    assert len(smtp.to(NEW)) == 2


@pytest.mark.parametrize("token", ["1", "eyJhbGciOiJIUzI1NiJ9.e30.abc", "x" * 300])
def test_a_made_up_link_is_not_found(client, token):
    response = client.get(f"/personale/adgangskode/vaelg/{token}")
    assert response.status_code == 404 and "Linket er ikke gyldigt" in text_of(response.doc)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"email": "", "name": "A", "role": "analyst"}, "#email"),
        ({"email": "ikke en adresse", "name": "A", "role": "analyst"}, "#email"),
        ({"email": "admin@kommune.test", "name": "A", "role": "analyst"}, "#email"),
        ({"email": NEW, "name": "", "role": "analyst"}, "#name"),
        ({"email": NEW, "name": "A", "role": "superuser"}, "#role"),
        ({"email": NEW, "name": "A"}, "#role"),
    ],
)
def test_a_new_user_needs_a_new_valid_email_a_name_and_a_role(admin, data, field, in_app):
    response = post(admin, "/personale/brugere/ny", data)
    assert response.status_code == 400 and error_summary(response)[0][0] == field
    with in_app():
        assert db.session.scalar(select(StaffUser).where(StaffUser.email == NEW)) is None


def test_role_change_deactivation_reactivation_and_second_factor_reset(app, admin, make_staff, in_app):
    email = make_staff("analyst", email="kollega@kommune.test")
    page = f"/personale/brugere/{user_id(in_app, email)}"
    colleague = app.test_client()
    assert log_in(colleague, email).status_code == 302

    assert post(admin, f"{page}/rolle", {"role": "meeting_host"}, page=page).status_code == 302
    assert colleague.get("/personale/moeder/").status_code == 200, "the new role counts at once"

    confirm = admin.get(f"{page}/deaktiver")
    assert confirm.status_code == 200 and "Er du sikker?" in text_of(confirm.doc)
    assert post(admin, f"{page}/deaktiver", page=page).status_code == 302
    assert colleague.get("/personale/").status_code == 302, "the session ended"
    assert password_step(app.test_client(), email).status_code == 400, "login refused"
    assert "Deaktiveret" in text_of(admin.get(page).doc)

    assert post(admin, f"{page}/aktiver", page=page).status_code == 302
    assert log_in(app.test_client(), email).status_code == 302

    assert post(admin, f"{page}/nulstil-totrin", page=page).status_code == 302
    assert password_step(app.test_client(), email).location.endswith("/personale/totrin/opsaet")

    admin_email = "admin@kommune.test"
    actions = ("role_changed", "user_deactivated", "user_reactivated", "second_factor_reset")
    assert events(in_app, *actions) == [(admin_email, action, email) for action in actions]


def test_no_admin_deactivates_demotes_or_resets_themself_nor_the_last_admin(app, admin, runner, in_app):
    page = f"/personale/brugere/{user_id(in_app, 'admin@kommune.test')}"
    me = admin.get(page)
    assert "Det er dig" in text_of(me.doc) and "Deaktiver brugeren" not in text_of(me.doc)
    for action, data in (("deaktiver", {}), ("rolle", {"role": "analyst"}), ("nulstil-totrin", {})):
        refused = post(admin, f"{page}/{action}", data, page=page)
        assert refused.status_code == 302
        assert "Du kan ikke" in text_of(admin.get(refused.location).doc)
    with in_app():
        user = services.find_staff("admin@kommune.test")
        assert (user.role, user.active, user.has_second_factor) == ("admin", True, True)
    assert events(in_app, "user_deactivated", "role_changed", "second_factor_reset") == []

    # the command line keeps the same rules: the last active admin stays one
    for args in (["deactivate"], ["set-role", "--role", "analyst"]):
        result = runner.invoke(args=["staff", *args, "--email", "admin@kommune.test"])
        assert result.exit_code != 0 and "mindst én aktiv administrator" in result.output


@pytest.mark.parametrize("role", ["survey_manager", "meeting_host", "analyst"])
def test_only_admins_manage_users(app, login_as, make_staff, role, in_app):
    client = login_as(app.test_client(), role)
    target = user_id(in_app, make_staff("analyst", email="kollega@kommune.test"))
    token = csrf_token(client.get("/personale/"))
    page = f"/personale/brugere/{target}"
    for path in ("/personale/brugere", "/personale/brugere/ny", page, f"{page}/deaktiver", f"{page}/nulstil-totrin"):
        assert client.get(path).status_code == 403, path
    for action in ("rolle", "deaktiver", "aktiver", "nulstil-totrin", "send-link"):
        data = {"csrf_token": token, "role": "admin"}
        assert client.post(f"{page}/{action}", data=data).status_code == 403, action
    assert (
        client.post("/personale/brugere/ny", data={"csrf_token": token, "email": NEW, "name": "A"}).status_code == 403
    )
    with in_app():
        assert services.find_staff("kollega@kommune.test").role == "analyst"


def test_the_set_password_page_is_rate_limited(limited_app):
    app = limited_app(RATELIMIT_LOGIN="2 per minute")
    client = app.test_client()
    token = csrf_token(client.get("/personale/log-ind"))
    statuses = [client.post("/personale/adgangskode/vaelg/1", data={"csrf_token": token}).status_code for _ in "123"]
    assert statuses[-1] == 429, statuses


def test_the_link_mail_names_the_public_address(app, admin, smtp):
    create(admin)
    text = smtp.to(NEW)[0].get_body(preferencelist=("plain",)).get_content()
    assert urlsplit(app.config["PUBLIC_BASE_URL"]).netloc in text and "/personale/log-ind" in text
