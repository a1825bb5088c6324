"""After the login (password and second factor) the user goes to `next` only when it is a page of this site;
anything else lands on the staff home, never on a 500 and never on another site as a browser reads the header."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from tests.helpers import log_in

#: `next` as it stands in the login page's address (already percent-encoded where a browser would)
HOSTILE = [
    "//x",
    "/\\x",
    "/%5Cx",
    "/%5C/x",
    "%5C%5Cx",
    "/%09/x",
    "/%0A/x",
    "/%0D%0A/x",
    "/%0D/x",
    "%09//x",
    "%20//x",
    "//x%09",
    "/%00/x",
    "https://x",
    "http:/x",
    "https:x",
    "HTTPS://x",
    "/%2F/x",
    "%2F%2Fx",
    "/%252F/x",
    "///x",
    "/.//x",
    "/personale/..//x",
    "/%2e/%2Fx",
    "//x@y",
    "//%09x",
    "/%E2%80%AE/x",
    "/%E3%80%80/x",
    "/%C0%AF/x",
    "javascript:alert(1)",
    "JaVaScRiPt%3Aalert(1)",
    "data:text/html,x",
    "x",
    "/" + "a" * 3000,
]
#: where the test pretends the site is, to read a Location header the way a browser resolves it
SITE = "https://borgerdialog.test/personale/totrin"


def as_browser_reads(location: str) -> str:
    """The URL a browser goes to: C0 controls and spaces trimmed, tabs and line breaks dropped, backslashes as
    slashes (the WHATWG URL parser's forgiveness), resolved against the page that answered."""
    cleaned = location.strip("".join(map(chr, range(0x21))))
    cleaned = "".join(ch for ch in cleaned if ch not in "\t\n\r").replace("\\", "/")
    return urljoin(SITE, cleaned)


def assert_on_site(location: str) -> None:
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location
    assert urlsplit(as_browser_reads(location)).netloc == "borgerdialog.test", location


@pytest.mark.parametrize("next_value", HOSTILE)
def test_a_hostile_next_lands_on_the_staff_home(client, make_staff, next_value):
    response = log_in(client, make_staff("admin"), next_url=f"?next={next_value}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert_on_site(location)
    assert location == "/personale/"


@pytest.mark.parametrize(
    "next_value, lands_on",
    [
        ("/personale/log", "/personale/log"),
        ("/personale/log%3Fhandling%3Dlogin", "/personale/log?handling=login"),
        ("/personale/moeder/", "/personale/moeder/"),
        ("/personale/log%3Fhandling%3D%250A", "/personale/log?handling=%0A"),  # encoded in the query: harmless
        ("/personale/adgangskode", "/personale/adgangskode"),
    ],
)
def test_a_page_of_this_site_is_where_the_login_returns_to(client, make_staff, next_value, lands_on):
    response = log_in(client, make_staff("admin"), next_url=f"?next={next_value}")
    assert response.status_code == 302 and response.headers["Location"] == lands_on
    assert client.get(lands_on).status_code == 200
