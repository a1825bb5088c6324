"""The Content-Security-Policy in a real Chromium: the browser refuses inline style and script under the app's
policy and the tests' watch (tests/browser/checks.py) reports it, with JavaScript on and off; the staff results
page and the committee's bilag, with their SVG charts, render with their stylesheets and break nothing.

Every other page the browser tests open is watched the same way (tests/browser/conftest.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.checks import axe_violations, csp_violations
from tests.browser.staff import DESKTOP

#: a page with every kind of inline code the policy forbids
INLINE_CODE = """<!doctype html><html lang="da"><head><title>Inline</title><style>p { color: red }</style></head>
<body><p style="color: blue">Inline</p><script>window.inlineScriptRan = true</script></body></html>"""


def reports_after(page, minimum: int = 1, rounds: int = 50) -> list[str]:
    """The page's reports once at least `minimum` have arrived (they come asynchronously) or after `rounds` waits."""
    for _ in range(rounds):
        if len(csp_violations(page)) >= minimum:
            break
        page.wait_for_timeout(20)
    return csp_violations(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_inline_style_and_script_are_refused_and_reported(new_page, client, javascript):
    """A page served with the app's own policy header, but with inline code: the browser must refuse it all."""
    policy = client.get("/").headers["Content-Security-Policy"]
    page = new_page(javascript=javascript)
    page.route(
        "**/inline-code",
        lambda route: route.fulfill(
            body=INLINE_CODE, content_type="text/html", headers={"Content-Security-Policy": policy}
        ),
    )
    page.goto("/inline-code")
    reported = "\n".join(reports_after(page, minimum=3 if javascript else 2))
    assert "style-src" in reported, reported
    if javascript:  # without JavaScript no script runs anyway, so the browser has nothing to refuse
        assert "script-src" in reported, reported
        assert page.evaluate("window.inlineScriptRan") is None
        assert page.evaluate("getComputedStyle(document.querySelector('p')).color") == "rgb(0, 0, 0)"
    csp_violations(page).clear()  # provoked on purpose; the fixture fails any test whose pages leave reports


def test_inline_style_added_by_a_script_is_reported(new_page):
    page = new_page()
    page.goto("/")
    assert csp_violations(page) == []
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">Indsat</p>')")
    reported = reports_after(page, minimum=2)  # the console message and the securitypolicyviolation event
    assert any(r.startswith("securitypolicyviolation: style-src") for r in reported), reported
    csp_violations(page).clear()


@pytest.fixture
def staff_browser(new_page, live_server, client, login_as):
    """A desktop-sized page logged in as an analyst: the test client logs in (with the browser's User-Agent, as
    the browser would) and hands its session cookie to the browser, whatever the login steps are."""
    page = new_page()
    page.set_viewport_size(DESKTOP)
    client.environ_base["HTTP_USER_AGENT"] = page.evaluate("navigator.userAgent")
    login_as(client, "analyst")
    name = client.application.config["SESSION_COOKIE_NAME"]
    page.context.add_cookies([{"name": name, "value": client.get_cookie(name).value, "url": live_server.url}])
    return page


@pytest.fixture
def answered_round(app, make_round):
    from survey.kernel.extensions import db
    from survey.questionnaire.models import Round
    from survey.results.synthetic import generate_responses

    slug = make_round(state="closed")  # results are shown once a round has closed (results.release)
    with app.app_context():
        generate_responses(db.session.scalar(select(Round).where(Round.slug == slug)), 120, seed=1)


CHART_SIZES = """selector => [...document.querySelectorAll(selector)].map(svg => {
  const box = svg.getBoundingClientRect();
  const drawn = [...svg.querySelectorAll('line, path, polyline, circle, rect, polygon, text')]
    .filter(mark => mark.getBoundingClientRect().width > 0 || mark.getBoundingClientRect().height > 0);
  return {width: box.width, height: box.height, marks: drawn.length};
})"""


def test_results_charts_and_the_bilag_render_under_the_policy(staff_browser, answered_round):
    page = staff_browser
    assert page.goto("/personale/resultater/?politik=syddjurs").status == 200
    charts = page.evaluate(CHART_SIZES, ".results-chart .chart-wide svg")
    assert charts and all(c["width"] > 300 and c["height"] > 100 and c["marks"] > 10 for c in charts), charts
    # app.css is in force: at desktop width it hides the narrow drawing of each chart
    assert page.evaluate("getComputedStyle(document.querySelector('.chart-narrow')).display") == "none"
    assert not axe_violations(page)  # axe runs under the policy; it first asserts the page broke none of it

    assert page.goto("/personale/resultater/bilag?politik=syddjurs").status == 200
    charts = page.evaluate(CHART_SIZES, "figure.chart svg")
    assert charts and all(c["width"] > 300 and c["height"] > 100 and c["marks"] > 10 for c in charts), charts
    # bilag.css is in force: the key figures sit in a grid
    assert page.evaluate("getComputedStyle(document.querySelector('.key-figures')).display") == "grid"
    assert reports_after(page, minimum=1, rounds=5) == []
