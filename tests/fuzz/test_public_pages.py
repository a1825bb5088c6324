"""Fuzzing what a public page takes from its address: the language switch (?lang=…, remembered in the session),
the other query parameters the pages read (kode, fokus, retur, ny, next…), names that collide with url_for's own
arguments (endpoint, _method, _external, _anchor, _scheme), and hostile path parameters (round slugs, meeting ids,
resume codes, manage links).

Every page answers without a 5xx, in Danish or English only (the language asked for when it is one of them, else
the one chosen before), with a language link that stays on this site; and looking at pages stores nothing."""

from __future__ import annotations

import re
from html import unescape as html_unescape
from urllib.parse import quote, urlencode, urlsplit

from hypothesis import strategies as st
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.meetings.services import Signup, register_for_meeting
from survey.meetings.tokens import manage_token
from survey.questionnaire.models import Round
from survey.questionnaire.services import start_draft
from tests.fuzz.harness import Ledger
from tests.fuzz.strategies import hostile_text, sampled

EXAMPLES = {"test_query_and_path": 1300}

_LANG = re.compile(r'<html lang="([^"]*)"')
_SWITCH = re.compile(r'class="language-link" href="([^"]*)"')
QUERY_NAMES = ("lang", "lang", "lang", "endpoint", "_method", "_external", "_anchor", "_scheme", "kode", "fokus")
QUERY_NAMES += ("retur", "ny", "gemt", "next", "round_slug", "token", "number", "meeting_id", "values", "filename")
PAGES = (
    "/",
    "/privatliv",
    "/moeder/",
    "/moeder/{meeting}",
    "/moeder/{meeting}/tilmeld",
    "/moeder/syddjurs.ics",
    "/s/{round}/",
    "/s/{round}/fortsaet",
    "/s/{round}/kvittering",
    "/s/{round}/svar/{draft}/side/1",
    "/s/{round}/svar/{draft}/side/6",
    "/s/{round}/svar/{draft}/tjek",
    "/s/{round}/svar/{draft}/gemt",
    "/moeder/tilmelding/{manage}",
    "/moeder/tilmelding/{manage}/afmeld",
    "/personale/log-ind",
)
HOSTILE_PATHS = (
    "/s/{x}/",
    "/s/{x}/kvittering",
    "/moeder/{x}.ics",
    "/moeder/tilmelding/{x}",
    "/s/{round}/svar/{x}/side/1",
    "/moeder/{n}",
    "/moeder/{n}/tilmeld",
    "/moeder/?fokus={n}",
)
QUERY_VALUE = st.one_of(sampled(("da", "en", "DA", "en-GB", "fr", "1", "tjek", "POST", "javascript")), hostile_text())
#: path segments sent as bytes: not UTF-8, or UTF-8 for what must not exist (surrogates, overlong forms)
RAW_SEGMENTS = ("%FF", "%ED%A0%80", "%C0%80", "%00", "%E2%80%AE", "%F4%90%80%80", "%2e%2e", "%2F", "%25", "a%00b")
GETS = st.tuples(
    st.one_of(sampled(PAGES), sampled(PAGES), sampled(HOSTILE_PATHS)),
    st.lists(st.tuples(sampled(QUERY_NAMES), QUERY_VALUE), max_size=4),
    st.one_of(hostile_text().map(lambda text: quote(text, safe="")), sampled(RAW_SEGMENTS)),
    st.one_of(st.integers(), sampled((10**19, 10**30, -1, 0, 2**31, 2**63))),
)


def test_query_and_path(app, raw_client, survey_world, meeting_world, in_app, fuzz):
    client = raw_client()
    with in_app():
        round_ = db.session.scalar(select(Round).where(Round.slug == survey_world.slugs["open"]))
        _draft, draft_token = start_draft(round_)
        signup = Signup(role="borger", name="Karen Hansen", email="karen@example.dk")
        manage = manage_token(register_for_meeting(meeting_world.ids["open"], signup))
        db.session.commit()
    values = {"round": survey_world.slugs["open"], "meeting": meeting_world.ids["open"], "draft": draft_token}
    values["manage"] = manage
    ledger = Ledger(in_app)
    chosen = {"lang": "da"}

    @fuzz.given(GETS)
    def example(case):
        page, query, hostile, number = case
        path = page.format(**values, x=hostile, n=number)
        url = path + ("&" if "?" in path else "?") + urlencode(query) if query else path
        response = client.get(url)
        assert response.status_code < 500, (response.status_code, url)
        ledger.check()  # nothing stored by looking
        if response.mimetype != "text/html" or response.status_code in (301, 302, 303, 307, 308):
            fuzz.outcome("other")
            return
        asked = next((v for k, v in query if k == "lang"), None)
        if asked in ("da", "en"):  # chosen when a page is rendered, and remembered in the session
            chosen["lang"] = asked
        html = response.get_data(as_text=True)
        assert _LANG.search(html).group(1) == chosen["lang"], url
        switch = _SWITCH.search(html)
        if switch:
            target = urlsplit(html_unescape(switch.group(1)))
            assert not target.scheme and not target.netloc, f"the language link leaves the site: {switch.group(1)}"
            assert f"lang={'en' if chosen['lang'] == 'da' else 'da'}" in target.query
        fuzz.outcome(str(response.status_code))

    example()
    fuzz.check(**{"200": 300, "404": 200})
