"""The app's template globals: Jinja's layering (a template's own over the environment's, later changes to the
environment's seen) with lookups that cost a page no generator or exception per name."""

from __future__ import annotations

import pytest

from survey.kernel.templating import TemplateGlobals


def test_the_app_gives_its_templates_the_cheap_globals(app):
    template = app.jinja_env.get_template("base.html")
    assert isinstance(template.globals, TemplateGlobals)
    assert template.globals["url_for"] is app.jinja_env.globals["url_for"]


def test_template_globals_read_as_jinjas_chain_of_the_templates_own_over_the_environments():
    environment = {"shared": 1, "both": "environment"}
    globals_ = TemplateGlobals({"own": 2, "both": "template"}, environment)
    assert globals_["both"] == "template" and globals_["shared"] == 1 and globals_["own"] == 2
    assert "shared" in globals_ and "own" in globals_ and "missing" not in globals_
    assert globals_.keys() == {"shared", "own", "both"}
    assert {"shared", "page"} - globals_.keys() == {"page"}
    assert dict(globals_) == {"shared": 1, "own": 2, "both": "template"}
    with pytest.raises(KeyError):
        globals_["missing"]
    environment["later"] = 3  # the environment's globals changed after the template was loaded
    assert globals_["later"] == 3 and "later" in globals_
    globals_["own2"] = 4  # written to the template's own layer only
    assert "own2" not in environment
