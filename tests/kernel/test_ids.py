"""Ids and page numbers in addresses: a number the database cannot hold is an unknown id (404), never a 500
(SQLite's driver raises OverflowError past 2**63 - 1, PostgreSQL refuses an integer past 2**31 - 1)."""

from __future__ import annotations

import pytest

from survey.kernel.converters import MAX_ID, whole_number

HUGE = ["9" * 30, str(2**63), str(2**63 - 1), str(2**31), "1" + "0" * 5000]
STAFF_PATHS = [
    "/personale/moeder/{n}",
    "/personale/moeder/{n}/rediger",
    "/personale/moeder/{n}/aflys",
    "/personale/moeder/{n}/reserver",
    "/personale/moeder/{n}/tilmeld",
    "/personale/moeder/{n}/indtjekning",
    "/personale/moeder/{n}/emner",
    "/personale/moeder/{n}/deltagere.csv",
    "/personale/moeder/{meeting}/tilmeldinger/{n}/afmeld",
    "/personale/personer/slet?id={n}",
    "/personale/post/x/{n}",
]


@pytest.mark.parametrize("number", HUGE)
@pytest.mark.parametrize("path", STAFF_PATHS)
def test_a_huge_id_in_a_staff_address_is_not_found(client, login_as, make_meeting, path, number):
    login_as(client, "admin")
    response = client.get(path.format(n=number, meeting=make_meeting()))
    assert response.status_code == 404


@pytest.mark.parametrize("number", HUGE)
@pytest.mark.parametrize("path", ["/moeder/{n}", "/moeder/{n}/tilmeld"])
def test_a_huge_id_in_a_public_address_is_not_found(client, path, number):
    assert client.get(path.format(n=number)).status_code == 404


def test_a_huge_id_beside_a_readable_one_is_left_out(client, login_as):
    login_as(client, "admin")
    response = client.get(f"/personale/personer/slet?id=1&id={2**64}")
    assert response.status_code == 302 and response.location == "/personale/personer/", "no sign-up 1: back to search"


def test_a_huge_id_posted_to_a_staff_form_is_not_found(client, login_as, make_meeting):
    from tests.pages import csrf_token

    login_as(client, "admin")
    meeting = make_meeting()
    token = csrf_token(client.get(f"/personale/moeder/{meeting}/indtjekning"))
    response = client.post(f"/personale/moeder/{meeting}/indtjekning/{2**64}", data={"csrf_token": token})
    assert response.status_code == 404


@pytest.mark.parametrize("text, number", [("0", 0), ("17", 17), (" 17 ", 17), (str(MAX_ID), MAX_ID)])
def test_whole_number_reads_what_the_database_holds(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize("text", ["", "-1", "+1", "1.0", "1e3", "١٢", "1_000", "0x10", str(MAX_ID + 1), "9" * 5000])
def test_whole_number_refuses_everything_else(text):
    with pytest.raises(ValueError):
        whole_number(text)
