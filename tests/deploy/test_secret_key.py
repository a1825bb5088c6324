"""SECRET_KEY: what several app servers must share, and what one server's workers must agree on."""

from __future__ import annotations

import os
import subprocess
import sys

from survey.kernel.config import ROOT

#: survey/config.py run on its own: importing the survey package would cost a second per process
READ_KEY = (
    "import importlib.util as u; spec = u.spec_from_file_location('config', 'survey/kernel/config.py'); "
    "config = u.module_from_spec(spec); spec.loader.exec_module(config); print(config.Config.SECRET_KEY)"
)


def read_key(instance, **env) -> subprocess.CompletedProcess:
    """Import the configuration in a fresh process, as an app server does, with `env` instead of ours."""
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    command = [sys.executable, "-c", READ_KEY]
    return subprocess.run(
        command, cwd=ROOT, env={**base, "BORGERDIALOG_INSTANCE": str(instance), **env}, capture_output=True, text=True
    )


def test_a_server_database_needs_the_key_from_the_environment(tmp_path):
    """Each server would otherwise make its own key in its own instance folder."""
    refused = read_key(tmp_path, DATABASE_URL="postgresql+psycopg://borgerdialog@db.kommune.test/borgerdialog")
    assert refused.returncode != 0 and "SECRET_KEY mangler" in refused.stderr
    assert not (tmp_path / "secret_key").exists()

    given = read_key(tmp_path, DATABASE_URL="postgresql+psycopg://x@db/x", SECRET_KEY="delt-mellem-servere")
    assert given.returncode == 0 and given.stdout.strip() == "delt-mellem-servere"


def test_a_sqlite_installation_makes_its_key_once(tmp_path):
    first, second = read_key(tmp_path), read_key(tmp_path)
    assert first.returncode == 0 and len(first.stdout.strip()) >= 40
    assert second.stdout == first.stdout, "the key is kept in the instance folder"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"], "no draft key file is left behind"
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_workers_starting_together_agree_on_the_key(tmp_path, monkeypatch):
    """gunicorn's workers import the configuration at the same moment: when another worker writes its key while
    this one is making its own, this one must take the other's, or the two would sign cookies differently."""
    from survey.kernel import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(config, "INSTANCE", tmp_path)
    make_key = config.secrets.token_urlsafe

    def while_another_worker_writes_first(n):
        (tmp_path / "secret_key").write_text("the-other-workers-key")
        return make_key(n)

    monkeypatch.setattr(config.secrets, "token_urlsafe", while_another_worker_writes_first)
    assert config._secret_key() == "the-other-workers-key"
    assert (tmp_path / "secret_key").read_text() == "the-other-workers-key"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
