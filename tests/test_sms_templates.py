"""Every SMS we send fits in MAX_SEGMENTS segments, in Danish and English, with the longest realistic values:
each template in templates/sms/ is sent through the code that sends it (tests/sms_samples.py)."""

from __future__ import annotations

import pytest

from survey import ROOT
from survey.kernel.sms_text import MAX_SEGMENTS, measure
from tests.sms_samples import LONGEST_BASE_URL, SAMPLES

TEMPLATES = sorted(path.stem for path in (ROOT / "templates" / "sms").glob("*.txt"))


def test_every_sms_template_has_a_sample():
    assert sorted(SAMPLES) == TEMPLATES, "add the template's longest sample to tests/sms_samples.py"


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_the_longest_sms_fits_in_two_segments(app, template, language):
    """Also: a template that has a link sends it whole (only the meeting's title and place are ever cut)."""
    has_link = "url" in (ROOT / "templates" / "sms" / f"{template}.txt").read_text(encoding="utf-8")
    for sample in SAMPLES.get(template, []):
        texts = sample(app, language)
        assert texts, f"{template}: the sample sent nothing"
        for text in texts:
            size = measure(text)
            assert size.segments <= MAX_SEGMENTS, f"{template} ({language}, {size}):\n{text}"
            links = [word for word in text.split() if word.startswith(LONGEST_BASE_URL)]
            if has_link:
                assert links and not any(link.endswith("...") for link in links), text
