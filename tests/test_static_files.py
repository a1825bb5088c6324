"""The app serves its own static files (survey.kernel.assets, WhiteNoise): fingerprinted names in the pages, cached
for a year as immutable, sent brotli- or gzip-compressed as the browser accepts; the favicon; the fonts the build
subsets (scripts/build-assets.mjs); the meta description in the page's language."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
from fontTools.ttLib import TTFont

from survey.kernel.assets import DIST, read_manifest
from survey.kernel.config import ROOT

IMMUTABLE = "public, max-age=31536000, immutable"
FINGERPRINTED = re.compile(r"^/static/dist/[\w/-]+\.[0-9a-f]{12}\.\w+$")


def get(client, path: str, **headers):
    """One response, read and closed (a static file holds its file open until then)."""
    with client.get(path, headers=headers) as response:
        response.get_data()
        return response


def linked(page) -> dict[str, str]:
    head = page.doc.find(".//head")
    return {
        "stylesheet": head.find("link[@rel='stylesheet']").get("href"),
        "script": head.find("script").get("src"),
        "icon": head.find("link[@rel='icon']").get("href"),
    }


def test_pages_link_their_files_by_fingerprinted_names(client, make_round):
    page = client.get(f"/s/{make_round()}/")
    urls = linked(page)
    assert all(FINGERPRINTED.match(url) for url in urls.values()), urls
    manifest = read_manifest()
    assert urls["stylesheet"] == f"/static/{manifest['dist/app.css']}"
    assert urls["script"] == f"/static/{manifest['dist/app.js']}"
    assert urls["icon"] == f"/static/{manifest['dist/favicon.svg']}"


def test_fingerprinted_files_are_immutable_for_a_year(client):
    for page_url in linked(client.get("/moeder/")).values():
        response = get(client, page_url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == IMMUTABLE, page_url


def test_the_stylesheet_refers_to_fingerprinted_fonts_and_images_which_are_served_immutable(client):
    css = get(client, linked(client.get("/moeder/"))["stylesheet"]).get_data(as_text=True)
    urls = re.findall(r'url\("?([^")]+)"?\)', css)
    assert any(url.endswith(".woff2") for url in urls) and any(url.endswith(".svg") for url in urls), urls
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), url
        response = get(client, f"/static/dist/{url}")
        assert response.status_code == 200 and response.headers["Cache-Control"] == IMMUTABLE, url


@pytest.mark.parametrize(
    "accepted, encoding, decompress",
    [("br, gzip", "br", brotli.decompress), ("gzip, deflate", "gzip", gzip.decompress), ("identity", None, None)],
)
def test_text_files_are_sent_compressed_as_the_browser_accepts(client, accepted, encoding, decompress):
    url = f"/static/{read_manifest()['dist/app.css']}"
    response = get(client, url, **{"Accept-Encoding": accepted})
    assert response.status_code == 200 and response.headers.get("Content-Encoding") == encoding
    assert response.headers["Vary"] == "Accept-Encoding" and response.headers["Content-Type"].startswith("text/css")
    body = response.get_data()
    original = (DIST / read_manifest()["dist/app.css"].removeprefix("dist/")).read_bytes()
    assert (decompress(body) if decompress else body) == original
    if encoding:
        assert int(response.headers["Content-Length"]) == len(body) < len(original) / 3


def test_a_font_is_not_compressed_again(client):
    css = get(client, f"/static/{read_manifest()['dist/app.css']}").get_data(as_text=True)
    font = re.search(r'url\("?(fonts/[^")]+)"?\)', css).group(1)
    response = get(client, f"/static/dist/{font}", **{"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.headers["Content-Type"] == "font/woff2"


@pytest.mark.parametrize(
    "path",
    ["/static/dist/app.0123456789ab.css", "/static/dist/fonts/IBMPlexSans-Regular.woff2", "/static/dist/nothing.js"],
)
def test_an_unknown_file_is_not_found(client, path):
    assert get(client, path).status_code == 404


def test_a_plain_name_is_served_with_a_short_cache_for_pages_cached_before_a_deployment(client):
    """dist/app.css as a page from before fingerprinting linked it: served, revalidated after minutes, and its fonts
    are the current fingerprinted ones."""
    response = get(client, "/static/dist/app.css")
    assert response.status_code == 200 and response.headers.get("ETag")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.get_data() == (DIST / read_manifest()["dist/app.css"].removeprefix("dist/")).read_bytes()
    other = get(client, "/static/bilag.css")  # not fingerprinted: short cache as well
    assert other.status_code == 200 and other.headers["Cache-Control"] == "public, max-age=300"


def test_favicon_ico_is_an_icon_cached_for_a_day(client):
    response = get(client, "/favicon.ico")
    assert response.status_code == 200
    assert response.headers["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # the ICO header: reserved 0, type 1 (icon)
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def description(page) -> str:
    return page.doc.find(".//head/meta[@name='description']").get("content")


def test_every_page_has_a_meta_description_in_its_language(client):
    danish = description(client.get("/privatliv"))
    english = description(client.get("/privatliv?lang=en"))
    assert danish.startswith("Svar på kommunens spørgeskemaer") and english.startswith("Answer the municipality's")


def test_staff_pages_behind_the_login_have_no_description(client, login_as):
    page = login_as(client).get("/personale/")
    assert page.status_code == 200 and page.doc.find(".//head/meta[@name='description']") is None


def test_the_meeting_list_and_the_survey_start_describe_themselves(client, make_round):
    assert description(client.get("/moeder/")).startswith("Kom og fortæl kommunen")
    assert description(client.get("/moeder/?lang=en")) != description(client.get("/moeder/?lang=da"))
    start = client.get(f"/s/{make_round()}/")
    intro = start.doc.find(".//main//p[@class='font-lead']").text
    assert description(start) == intro.strip()


def catalogue_characters() -> set[str]:
    texts = "".join(
        (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
        for lang in ("da", "en")
    )
    return {c for c in texts if c.isprintable() and not c.isspace()}


@pytest.mark.parametrize("weight", ["Regular", "SemiBold"])
def test_the_font_subsets_hold_every_character_of_the_danish_and_english_texts(weight):
    (font,) = (DIST / "fonts").glob(f"IBMPlexSans-{weight}.*.woff2")
    cmap = TTFont(font).getBestCmap()
    missing = sorted(c for c in catalogue_characters() | set("æøåÆØÅ") if ord(c) not in cmap)
    assert not missing, missing
    assert len(cmap) < 150  # a subset, not Latin-1 and more


def test_the_fonts_never_hide_text():
    css = (DIST / "app.css").read_text()
    faces = re.findall(r"@font-face\{[^}]*\}", css)
    assert len(faces) == 2 and all("font-display:swap" in face and "unicode-range:" in face for face in faces)
