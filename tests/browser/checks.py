"""What the page tests measure in the browser: axe-core's WCAG rules, tap targets, sideways overflow, and every
report of a Content-Security-Policy violation (survey.kernel.security) on the pages the tests open."""

from __future__ import annotations

from functools import cache

from playwright.sync_api import BrowserContext, ConsoleMessage, Page

from survey.kernel.config import ROOT

#: screenshots and reports of the browser tests, kept after the run
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules/axe-core/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MIN_TARGET = 24  # WCAG 2.2 SC 2.5.8 (AA)
COMFORTABLE_TARGET = 44  # SC 2.5.5 (AAA) and the platform guidelines; reported, not required

RUN_AXE = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"

# The box a finger can hit for each visible interactive element. A radio or checkbox is hidden by DKFDS and
# drawn on its label, so the label is the target. An inline element that wraps is hit on its line boxes, not on
# the gaps between them, so its best line box counts. Elements off-screen (skip link, honeypot) are no targets.
# `inSentence`: a link with other text around it in its block, which WCAG 2.5.8 exempts ("inline" exception).
MEASURE_TARGETS = """() => {
  const controls = 'a[href], button, input:not([type=hidden]), textarea, select, summary';
  const targets = [];
  for (const el of document.querySelectorAll(controls)) {
    const box = el.matches('input[type=radio], input[type=checkbox]') && el.labels.length ? el.labels[0] : el;
    const rect = box.getBoundingClientRect();
    const onPage = rect.right + window.scrollX > 0 && rect.bottom + window.scrollY > 0;
    if (!box.checkVisibility({visibilityProperty: true}) || !rect.width || !rect.height || !onPage
        || el.closest('[aria-hidden=true]')) continue;
    const inline = getComputedStyle(box).display === 'inline';
    const best = inline ? [...box.getClientRects()].sort((a, b) =>
        Math.min(b.width, b.height) - Math.min(a.width, a.height))[0] : rect;
    const around = el.tagName === 'A' && inline
        ? el.parentElement.textContent.replace(el.textContent, '').replace(/\\s+/g, '') : '';
    const name = (el.innerText || el.value || box.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    const ident = el.id ? '#' + el.id : (el.className ? '.' + String(el.className).split(' ')[0] : '');
    targets.push({element: el.tagName.toLowerCase() + ident, name, inSentence: around.length > 0,
                  width: Math.round(best.width * 10) / 10, height: Math.round(best.height * 10) / 10});
  }
  return targets;
}"""

# Elements that stick out past the right edge of the viewport, to name the culprit when a page scrolls sideways.
WIDER_THAN_VIEWPORT = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .slice(0, 8)
  .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).replace(/ /g, '.') : '')
             + ' right=' + Math.round(el.getBoundingClientRect().right))"""


# What axe's WCAG rules leave out (its "region" rule is best practice only) and an independent checker found on staff
# pages: content outside every landmark, and a page of several forms that a screen reader's list of forms shows
# without names. A form is named by aria-label, by aria-labelledby pointing at text, or by title.
LANDMARKS = ("header, nav, main, footer, aside, [role=banner], [role=navigation], [role=main], [role=contentinfo], "
             "[role=region][aria-label], [role=region][aria-labelledby]")  # fmt: skip
OUTSIDE_LANDMARKS = f"""selector => [...document.querySelectorAll(selector)]
  .filter(el => !el.closest('{LANDMARKS}'))
  .map(el => el.outerHTML.slice(0, 120))"""
UNNAMED_FORMS = """() => {
  const text = id => (document.getElementById(id)?.textContent || '').trim();
  const named = form => (form.getAttribute('aria-label') || '').trim()
      || (form.getAttribute('aria-labelledby') || '').split(/\\s+/).some(id => id && text(id))
      || (form.getAttribute('title') || '').trim();
  const forms = [...document.forms];
  return forms.length < 2 ? [] : forms.filter(form => !named(form)).map(form => form.outerHTML.slice(0, 160));
}"""


# A table's scrolling box that the keyboard cannot reach or that has no name (on a narrower screen, or with a
# larger text, any table may scroll sideways: axe sees only the ones that scroll at the size it is run at).
UNREACHABLE_TABLES = """() => [...document.querySelectorAll('table')].map(table => table.closest('.table-scroll'))
  .filter(box => !box || box.getAttribute('tabindex') !== '0'
          || !((box.getAttribute('aria-label') || '').trim() || box.getAttribute('aria-labelledby')))
  .map(box => box ? box.outerHTML.slice(0, 120) : 'a table outside a scrolling box')"""


def unreachable_tables(page: Page) -> list[str]:
    """Tables whose scrolling box the keyboard cannot reach or that has no name."""
    return page.evaluate(UNREACHABLE_TABLES)


def outside_landmarks(page: Page, selector: str) -> list[str]:
    """The elements matching `selector` that are in no landmark (the start of each one's HTML)."""
    return page.evaluate(OUTSIDE_LANDMARKS, selector)


def unnamed_forms(page: Page) -> list[str]:
    """The forms without an accessible name, on a page that has more than one (the start of each one's HTML)."""
    return page.evaluate(UNNAMED_FORMS)


# The browser reports a violation twice: as a console error (also with JavaScript off) and, when scripts run, as
# a `securitypolicyviolation` event, which names the directive, the blocked resource and where it came from.
# The console also carries the browser's complaints about a malformed policy header.
POLICY_MESSAGES = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")
REPORT_BINDING = "__reportPolicyViolation"
LISTEN_FOR_VIOLATIONS = f"""document.addEventListener('securitypolicyviolation', e => window.{REPORT_BINDING}(
  `${{e.effectiveDirective}} blocked ${{e.blockedURI || 'inline'}}`
  + ` at ${{e.sourceFile || e.documentURI}}:${{e.lineNumber}}` + (e.sample ? ` (${{e.sample}})` : '')), true);"""

_reports: dict[Page, list[str]] = {}


def watch_policy_violations(context: BrowserContext) -> None:
    """Record, for every page of the context, each policy violation the browser reports (see csp_violations)."""

    def from_event(source, text: str) -> None:
        _reports.setdefault(source["page"], []).append(f"securitypolicyviolation: {text}")

    def from_console(message: ConsoleMessage) -> None:
        if any(marker in message.text for marker in POLICY_MESSAGES):
            where = message.location.get("url") or (message.page.url if message.page else "")
            _reports.setdefault(message.page, []).append(f"console {message.type} on {where}: {message.text}")

    context.expose_binding(REPORT_BINDING, from_event)
    context.add_init_script(script=LISTEN_FOR_VIOLATIONS)
    context.on("console", from_console)


def csp_violations(page: Page) -> list[str]:
    """The violations reported on `page` so far (a live list: clear it after provoking one on purpose)."""
    return _reports.setdefault(page, [])


def forget(page: Page) -> None:
    _reports.pop(page, None)


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """axe-core's findings on the page; fails if the page broke its security policy.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern
    (a <script> tag with axe inline would be refused by script-src 'self'); no bypass_csp is needed, so the
    policy stays in force for everything the page itself loads."""
    page.evaluate(_axe_source())
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)["violations"]
    # Checked after axe's round trips, by which time the page's own reports have arrived (the new_page fixture
    # checks again when the test ends, for anything later).
    reported = list(csp_violations(page))
    csp_violations(page).clear()  # told here, so not again when the test ends
    assert not reported, f"{page.url} breaks its security policy:\n" + "\n".join(reported)
    return violations


def describe_violations(violations: list[dict]) -> str:
    """axe's findings as text a person can act on: rule, impact, what to do, and every element with its fix."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            lines.extend(f"        {line}" for line in node["failureSummary"].splitlines())
    return "\n".join(lines)


def tap_targets(page: Page) -> list[dict]:
    return page.evaluate(MEASURE_TARGETS)


def sideways_overflow(page: Page, width: int) -> tuple[int, list[str]]:
    """(scrollWidth, elements past the right edge) with the viewport `width` CSS px wide."""
    page.set_viewport_size({"width": width, "height": 667})
    return page.evaluate("() => document.documentElement.scrollWidth"), page.evaluate(WIDER_THAN_VIEWPORT)
