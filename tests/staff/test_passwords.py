"""The password rules: 15–128 characters, no composition rules, not common, not guessable, nothing about the
user or the service; the same rules wherever a password is set."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.staff.models import StaffUser
from survey.staff.passwords import common_passwords, password_problem

EMAIL = "jens.hansen@kommune.test"


@pytest.mark.parametrize(
    "password, problem",
    [
        ("fjorden-bager-13", None),  # 16 characters, lower case only: no composition rules
        ("syv grønne cykler på taget", None),
        ("fjorden-bager1", "Adgangskoden skal være på mindst 15 tegn."),  # 14
        ("kort-kodeord-14", None),
        ("kort-kodeord14", "Adgangskoden skal være på mindst 15 tegn."),
        ("ord " * 16, "Adgangskoden er for let at gætte"),  # 64 characters are allowed, repeats are not
        ("mørke skyer over Mols Bjerge og en sti ned til vandet ved Femmøller strand i regnvejr", None),
        ("ølandsbrovej 7, 8400 Ebeltoft; " * 4 + "zzzz", None),  # 128 characters
        ("ølandsbrovej 7, 8400 Ebeltoft; " * 4 + "zzzzz", "Adgangskoden må højst være på 128 tegn."),
        ("mit navn er JENS.HANSEN, hej", "Adgangskoden må ikke indeholde din e-mailadresse eller dit brugernavn."),
        ("min egen Borgerdialog-kode", "Adgangskoden må ikke indeholde ordene »borgerdialog« eller »kommune«."),
        ("kommunens bedste kodeord", "Adgangskoden må ikke indeholde ordene »borgerdialog« eller »kommune«."),
        ("1qaz2wsx3edc4rfv", "Adgangskoden er en af de mest brugte adgangskoder. Vælg en anden."),
        ("Q1W2E3R4T5Y6U7I8", "Adgangskoden er en af de mest brugte adgangskoder. Vælg en anden."),
        ("aaaaaaaaaaaaaaaaaaaa", "Adgangskoden er for let at gætte"),
        ("qwertyuiopasdfghjkl", "Adgangskoden er for let at gætte"),
        ("passwordpassword1", "Adgangskoden er for let at gætte"),
    ],
)
def test_password_rules(app_ctx, password, problem):
    found = password_problem(password, EMAIL)
    assert (found if problem is None else (found or "")[: len(problem)]) == problem, found


def test_the_common_list_is_a_real_one():
    words = common_passwords()
    assert len(words) >= 10_000
    assert {"123456", "password", "qwerty", "iloveyou"} <= words


def test_minimum_length_is_configurable(app, app_ctx):
    app.config["STAFF_PASSWORD_MIN_LENGTH"] = 20
    try:
        assert password_problem("fjorden-bager-13", EMAIL) == "Adgangskoden skal være på mindst 20 tegn."
    finally:
        app.config["STAFF_PASSWORD_MIN_LENGTH"] = 15


@pytest.mark.parametrize(
    "password, message",
    [
        ("kort", "Adgangskoden skal være på mindst 15 tegn."),
        ("1qaz2wsx3edc4rfv", "Adgangskoden er en af de mest brugte adgangskoder."),
        ("ny.medarbejder-og-mere", "Adgangskoden må ikke indeholde din e-mailadresse"),
    ],
)
def test_the_cli_applies_the_same_rules(runner, in_app, password, message):
    args = ["staff", "create", "--email", "Ny.Medarbejder@Kommune.dk", "--role", "analyst", "--password", password]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and message in result.output
    with in_app():
        assert db.session.scalars(select(StaffUser)).all() == []


def test_cli_creates_staff_with_a_good_password(runner, in_app):
    args = ["staff", "create", "--email", "Ny@Kommune.dk", "--role", "analyst", "--password", "et-langt-kodeord-her"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0 and "ny@kommune.dk (analyst)" in result.output
    with in_app():
        user = db.session.scalars(select(StaffUser)).one()
        assert user.email == "ny@kommune.dk" and not user.has_second_factor, "enrols at the first login"


def test_cli_sets_a_new_password_by_the_same_rules(runner, make_staff, in_app):
    email = make_staff("analyst")
    refused = runner.invoke(args=["staff", "set-password", "--email", email, "--password", "password12345678"])
    assert refused.exit_code != 0 and "for let at gætte" in refused.output
    ok = runner.invoke(args=["staff", "set-password", "--email", email, "--password", "fire flade sten i åen"])
    assert ok.exit_code == 0, ok.output
    with in_app():
        assert db.session.scalars(select(StaffUser)).one().check_password("fire flade sten i åen")
