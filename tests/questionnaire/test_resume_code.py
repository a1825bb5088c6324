"""'Dine svar er gemt': the resume code sent once to a mobile number or e-mail address the citizen types, which is
kept nowhere; only the draft's own code can be sent, and the page cannot be used to flood numbers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.kernel.sms import PermanentFailure, SmsMessage, TemporaryFailure
from survey.kernel.sms_text import GSM7, MAX_SEGMENTS, measure
from survey.questionnaire.models import Draft
from tests.pages import csrf_token, error_summary, text_of, title
from tests.privacy.scan import leaks
from tests.questionnaire.walker import Citizen, path_of
from tests.sms import memory_backend


def paused(client, slug: str) -> tuple[str, str]:
    """A citizen who answered the first page and pressed 'Gem og fortsæt senere': (the saved page's path, code)."""
    citizen = Citizen(client, slug)
    citizen.start()
    saved = citizen.post_page(citizen.page_url, {"hjaelp": "faellesskab"}, {"save_later": "1"})
    path = path_of(saved.location)
    code = text_of(client.get(path).doc.find(".//strong[@class='code']"))
    return path, code


def send_to(client, path: str, contact: str, **extra):
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(page), "contact": contact, **extra})


def success(response) -> str:
    alert = response.doc.find(".//div[@class='alert alert-success']")
    return text_of(alert) if alert is not None else ""


def test_the_code_goes_by_sms_and_the_number_is_kept_nowhere(client, make_round, sms_sent, in_app):
    path, code = paused(client, make_round())
    response = send_to(client, path, "20 30 40 50")
    assert response.status_code == 200
    assert success(response) == "Koden er sendt i en sms til 20 30 40 50."
    assert text_of(response.doc.find(".//strong[@class='code']")) == code, "the code is still on the page"
    assert response.doc.find(".//input[@name='contact']").get("value") == "", "the field is emptied"

    [sent] = sms_sent.sent
    assert sent.to == "+4520304050" and sent.encoding == GSM7
    assert f"Din kode til at fortsætte undersøgelsen: {code}" in sent.text
    assert f"Fortsæt her: http://127.0.0.1:5000{path.replace('/gemt', '/side/2')}" in sent.text
    assert measure(sent.text).segments <= MAX_SEGMENTS
    with in_app():
        row = db.session.scalars(select(SmsMessage)).one()
        assert (row.status, row.transient, row.to_number, row.body) == ("sent", True, None, None)
        assert row.topic.startswith("resume:")
        stored = leaks({"number": "20304050", "code": code.replace("-", "")})
        assert stored == [], "no table holds the number or the code"


def test_the_code_goes_by_e_mail_over_smtp_and_the_address_is_kept_nowhere(client, make_round, smtp, in_app):
    path, code = paused(client, make_round())
    response = send_to(client, path, " Karen.Hansen@Example.DK ")
    assert success(response).startswith("Koden er sendt i en e-mail til karen.hansen@example.dk.")

    [mail] = smtp.to("karen.hansen@example.dk")
    assert mail["subject"] == "Din kode til at fortsætte undersøgelsen"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert code in text and f"http://127.0.0.1:5000{path.replace('/gemt', '/side/2')}" in text
    assert "Vi har ikke gemt din e-mailadresse" in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert code in html
    with in_app():
        assert leaks({"address": "karen.hansen", "code": code.replace("-", "")}) == []
        assert db.session.scalars(select(SmsMessage)).all() == []


def test_english_pages_send_the_code_in_english(client, make_round, sms_sent):
    path, code = paused(client, make_round())
    response = send_to(client, path + "?lang=en", "+46 70 123 45 67")
    assert response.status_code == 200, error_summary(response)
    [sent] = sms_sent.sent
    assert sent.to == "+46701234567"
    assert f"Your code to continue the survey: {code}" in sent.text


@pytest.mark.parametrize("failure", [PermanentFailure("nummeret findes ikke"), TemporaryFailure("nede")])
def test_a_refused_sms_is_said_on_the_page_and_keeps_no_number(client, make_round, sms_sent, in_app, failure):
    path, code = paused(client, make_round())
    sms_sent.fail = failure
    response = send_to(client, path, "20304050")
    assert response.status_code == 400 and title(response).startswith("Fejl: ")
    [(target, message)] = error_summary(response)
    assert target == "#contact"
    assert message.startswith("Vi kunne ikke sende koden til 20 30 40 50.")
    assert success(response) == ""
    assert text_of(response.doc.find(".//strong[@class='code']")) == code
    with in_app():
        row = db.session.scalars(select(SmsMessage)).one()
        assert (row.status, row.to_number, row.body) == ("failed", None, None)
        assert leaks({"number": "20304050"}) == []


def test_without_an_sms_channel_a_number_is_said_not_to_have_been_sent(client, app, make_round, monkeypatch):
    from tests.channels import phone_channels_removed

    path, _code = paused(client, make_round())
    phone_channels_removed(app, monkeypatch)
    response = send_to(client, path, "20304050")
    assert response.status_code == 400
    assert error_summary(response)[0][1].startswith("Vi kunne ikke sende koden til 20 30 40 50.")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Skriv dit mobilnummer eller din e-mail"),
        ("   ", "Skriv dit mobilnummer eller din e-mail"),
        ("2030405", "Skriv et mobilnummer med 8 cifre"),
        ("90 12 34 56", "Skriv et mobilnummer med 8 cifre"),  # a premium-rate number
        ("+46 8 123 456 78", "Skriv et mobilnummer med 8 cifre"),  # a Swedish landline takes no SMS
        ("ring mig op", "Skriv et mobilnummer med 8 cifre"),
        ("9" * 5000, "Skriv et mobilnummer med 8 cifre"),
        ("karen@", "Skriv en gyldig e-mailadresse"),
        ("karen@example.dk\nBcc: alle@example.dk", "Skriv en gyldig e-mailadresse"),
    ],
)
def test_bad_input_is_told_next_to_the_field(client, make_round, sms_sent, typed, message):
    path, _code = paused(client, make_round())
    response = send_to(client, path, typed)
    assert response.status_code == 400 and title(response).startswith("Fejl: ")
    [(target, said)] = error_summary(response)
    assert target == "#contact" and said.startswith(message)
    assert response.doc.find(".//input[@name='contact']").get("aria-invalid") == "true"
    assert sms_sent.sent == []


def test_the_form_names_no_draft_and_sends_only_the_code_of_the_page_s_own_draft(client, make_round, sms_sent):
    slug = make_round()
    path, code = paused(client, slug)
    names = {field.get("name") for field in client.get(path).doc.iter("input")}
    assert names == {"csrf_token", "bd_extra", "contact"}, "nothing in the form says whose code to send"

    other_path, other_code = paused(client, slug)
    send_to(client, path, "20304050", token="X", draft_id="1", code=other_code)
    [sent] = sms_sent.sent
    assert code in sent.text and other_code not in sent.text


def test_an_unknown_code_in_the_address_sends_nothing(client, make_round, sms_sent):
    slug = make_round()
    path, _code = paused(client, slug)
    page = client.get(path)
    response = client.post(
        f"/s/{slug}/svar/ABCDEFGHJKMN/gemt", data={"csrf_token": csrf_token(page), "contact": "20304050"}
    )
    assert response.status_code == 404 and sms_sent.sent == []


def test_without_the_form_s_csrf_token_nothing_is_sent(client, make_round, sms_sent):
    path, _code = paused(client, make_round())
    response = client.post(path, data={"contact": "20304050"})
    assert response.status_code == 400 and sms_sent.sent == []


def test_a_closed_round_sends_nothing(client, make_round, sms_sent, in_app):
    slug = make_round()
    path, _code = paused(client, slug)
    page = client.get(path)
    with in_app():
        from survey.kernel.clock import utcnow
        from survey.questionnaire.models import Round

        db.session.scalar(select(Round).where(Round.slug == slug)).closes_at = utcnow()
        db.session.commit()
    response = client.post(path, data={"csrf_token": csrf_token(page), "contact": "20304050"})
    assert response.status_code == 409 and sms_sent.sent == []


# -- the limits


@pytest.fixture
def limited(limited_app):
    return limited_app()


def test_the_default_limits(limited):
    assert limited.config["RATELIMIT_RESUME_SEND_DRAFT"] == "3 per day"
    assert limited.config["RATELIMIT_RESUME_SEND"] == "10 per hour; 30 per day"


def test_one_draft_s_code_is_sent_three_times_at_most_from_any_address(limited, make_round):
    sent = memory_backend(limited)
    client = limited.test_client()
    path, code = paused(client, make_round())
    answers = [send_to(client, path, f"2030405{n}") for n in range(3)]
    assert [r.status_code for r in answers] == [200] * 3
    elsewhere = limited.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    refused = send_to(elsewhere, path, "20304059")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
    assert len(sent.sent) == 3
    [(target, message)] = error_summary(refused)
    assert target == "#contact" and message.startswith("Koden er allerede sendt flere gange. Vent ")
    assert refused.doc.find(".//input[@name='contact']").get("value") == "20304059", "what was typed is kept"
    assert text_of(refused.doc.find(".//strong[@class='code']")) == code

    other_path, _other = paused(client, make_round(label="anden"))
    assert send_to(client, other_path, "20304050").status_code == 200, "another draft"


def test_typing_mistakes_use_up_no_sends_of_the_draft(limited, make_round):
    client = limited.test_client()
    path, _code = paused(client, make_round())
    assert [send_to(client, path, "123").status_code for _ in range(4)] == [400] * 4
    assert [send_to(client, path, "20304050").status_code for _ in range(3)] == [200] * 3


def test_one_address_can_post_only_so_often_whatever_the_draft(limited_app, make_round):
    app = limited_app(RATELIMIT_RESUME_SEND="2 per hour")
    sent = memory_backend(app)
    client = app.test_client()
    slug = make_round()
    drafts = [paused(client, slug)[0] for _ in range(3)]
    statuses = [send_to(client, path, "20304050").status_code for path in drafts]
    assert statuses == [200, 200, 429]
    assert len(sent.sent) == 2
    refused = send_to(client, drafts[2], "20304051")
    assert refused.status_code == 429 and title(refused).startswith("Fejl: ")
    assert refused.doc.find(".//input[@name='contact']").get("value") == "20304051"
    [(target, message)] = error_summary(refused)
    assert target == "#contact" and message.startswith("Du har prøvet for mange gange på kort tid.")


def test_no_draft_is_changed_by_sending(client, make_round, sms_sent, in_app):
    path, _code = paused(client, make_round())
    with in_app():
        before = db.session.scalars(select(Draft)).one().answers
    send_to(client, path, "20304050")
    with in_app():
        assert db.session.scalars(select(Draft)).one().answers == before
