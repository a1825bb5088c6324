"""gunicorn.conf.py, the one place of the app server's settings (`make run`, production, tests/servers.py): the
workers follow the machine's cores unless WEB_CONCURRENCY says otherwise, and the app is preloaded (issue 18)."""

from __future__ import annotations

import os
import re

import pytest
from gunicorn.config import Config

from survey.kernel.config import ROOT

CONFIG = ROOT / "gunicorn.conf.py"


def settings(monkeypatch, **env) -> Config:
    """The settings gunicorn reads from the file, in an environment with `env` (and without WEB_CONCURRENCY)."""
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace: dict = {"__file__": str(CONFIG)}
    exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), namespace)  # as gunicorn's --config loads it
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_the_workers_follow_the_cores_and_the_app_is_preloaded(monkeypatch):
    config = settings(monkeypatch)
    assert config.workers == 2 * os.cpu_count() + 1
    assert config.preload_app is True
    assert config.bind == ["127.0.0.1:5000"]
    assert callable(config.post_fork) and callable(config.pre_fork)


@pytest.mark.parametrize(
    ("env", "workers", "bind"),
    [({"WEB_CONCURRENCY": "3"}, 3, "127.0.0.1:5000"), ({"PORT": "8123"}, None, "127.0.0.1:8123")],
)
def test_web_concurrency_and_port_are_obeyed(monkeypatch, env, workers, bind):
    config = settings(monkeypatch, **env)
    assert config.workers == (workers or 2 * os.cpu_count() + 1)
    assert config.bind == [bind]


def test_make_run_serves_with_this_file_and_make_dev_with_the_development_server():
    makefile = (ROOT / "Makefile").read_text()
    recipe = {name: body for name, body in re.findall(r"^([\w-]+):[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.M)}
    assert "gunicorn --config gunicorn.conf.py wsgi:app" in recipe["run"]
    assert "$(FLASK) run" not in recipe["run"] and "$(FLASK) run --reload" in recipe["dev"]
