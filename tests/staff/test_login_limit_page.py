"""A staff login (or second step) refused by the address's rate limit: the form again, what was typed kept (never
the password), how many minutes to wait; and the short manage link of an SMS says the minutes too."""

from __future__ import annotations

from tests.pages import csrf_token, error_summary, field_error, text_of, title


def test_a_refused_login_keeps_the_email_and_says_the_minutes(limited_app):
    client = limited_app(RATELIMIT_LOGIN="2 per minute").test_client()
    token = csrf_token(client.get("/personale/log-ind"))
    form = {"csrf_token": token, "email": "ukendt@kommune.dk", "password": "forkert-kode-1234"}
    assert [client.post("/personale/log-ind", data=form).status_code for _ in range(2)] == [400, 400]
    refused = client.post("/personale/log-ind", data=form)
    assert refused.status_code == 429 and title(refused).startswith("Fejl: ")
    assert refused.doc.find(".//input[@name='email']").get("value") == "ukendt@kommune.dk"
    assert not refused.doc.find(".//input[@name='password']").get("value"), "a password is never sent back"
    message = "Du har prøvet for mange gange på kort tid. Vent 1 minut og prøv igen."
    assert field_error(refused, "password").removeprefix("Fejl: ") == message
    assert error_summary(refused) == [("#password", message)]


def test_a_refused_short_link_says_the_minutes(limited_app):
    client = limited_app(RATELIMIT_SHORT_LINK="1 per hour").test_client()
    assert client.get("/m/AAAAAAAAAAAAAAAA").status_code == 404
    refused = client.get("/m/AAAAAAAAAAAAAAAA")
    assert refused.status_code == 429
    assert "Vent 60 minutter og prøv igen." in text_of(refused.doc.find(".//main"))


def test_a_wrong_password_is_not_written_back_into_the_page(client):
    token = csrf_token(client.get("/personale/log-ind"))
    form = {"csrf_token": token, "email": "ukendt@kommune.dk", "password": "forkert-kode-1234"}
    page = client.post("/personale/log-ind", data=form)
    assert page.status_code == 400 and "forkert-kode-1234" not in page.get_data(as_text=True)
