"""No template of a page carries inline style or script: the Content-Security-Policy (style-src 'self', script-src
'self') would make the browser refuse it. The browser tests catch what a page really does; this names the file.
Mail templates are e-mail, read in a mail program, not served as pages: they are left out."""

from __future__ import annotations

import re

import pytest

from survey.kernel.config import ROOT

TEMPLATES = ROOT / "templates"
PAGE_TEMPLATES = sorted(p for p in TEMPLATES.rglob("*.html") if p.relative_to(TEMPLATES).parts[0] != "mail")

INLINE = {
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "inline <script>": re.compile(r"<script(?![^>]*\ssrc\s*=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_there_are_page_templates():
    assert len(PAGE_TEMPLATES) > 20 and TEMPLATES / "base.html" in PAGE_TEMPLATES


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_page_template_has_no_inline_style_or_script(template):
    text = template.read_text(encoding="utf-8")
    found = [f"{kind}: {match.group(0)!r}" for kind, pattern in INLINE.items() for match in pattern.finditer(text)]
    assert not found, found


@pytest.mark.parametrize(
    "snippet, kind",
    [
        ('<pre style="white-space:pre">', "style attribute"),
        ("<style>p{}</style>", "<style> element"),
        ("<script>alert(1)</script>", "inline <script>"),
        ('<button onclick="go()">', "event handler attribute"),
        ('<a href="javascript:go()">', "javascript: URL"),
    ],
)
def test_the_patterns_find_what_they_look_for(snippet, kind):
    assert INLINE[kind].search(snippet)
    assert not INLINE[kind].search('<script src="/static/dist/app.js" defer></script><p class="x">')
