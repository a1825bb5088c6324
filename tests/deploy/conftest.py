"""Fixtures for tests of a deployment: one PostgreSQL database, one Redis and two gunicorn app servers sharing
them on 127.0.0.1, as several app servers behind a load balancer would. Started once per module, stopped in
finalizers.

The database is a new one on TEST_DATABASE_URL's server in the PostgreSQL run, else on a throw-away PostgreSQL 15
cluster of our own: several app servers cannot share a SQLite file, so this test always needs PostgreSQL."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from tests.servers import Gunicorn, Postgres, Redis, free_port, postgres_database, stop_processes
from tests.site_data import migrate_and_load

#: small enough that a test reaches it in a few requests
CODE_ENTRY_LIMIT = "4 per minute"


@dataclass
class Deployment:
    servers: list[str]  #: the app servers' base URLs
    round_slug: str
    meeting_id: int
    engine: Engine
    mail_dirs: tuple[Path, ...] = ()  #: each server's mail sink (MAIL_BACKEND=file), in the order of `servers`

    def session(self) -> Session:
        """`with deployment.session() as s:` — for checking what the servers stored."""
        return Session(self.engine)


@pytest.fixture(scope="module")
def deploy_database_url() -> str:
    shared = os.environ.get("TEST_DATABASE_URL", "")
    with ExitStack() as stack:
        if shared.startswith("postgresql"):
            server = shared
        else:
            # not under pytest's tmp_path: its parents are private to root, and PostgreSQL runs as postgres
            directory = Path(tempfile.mkdtemp(prefix="borgerdialog-deploy-pg."))
            stack.callback(shutil.rmtree, directory, True)
            server = stack.enter_context(Postgres(directory, free_port(), ("fsync=off",))).url
        yield stack.enter_context(postgres_database(server, f"borgerdialog_deploy_{os.getpid()}"))


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = Redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def deployment(deploy_database_url, redis_server, tmp_path_factory) -> Deployment:
    """Two gunicorn app servers, each with an instance folder of its own (as on two machines), sharing the
    database, the SECRET_KEY and the rate-limit store. While they start, the database is migrated by
    `flask db upgrade`, as an operator does it, and gets an open round and a meeting."""
    key = secrets.token_urlsafe(32)
    started, mail_dirs = [], []
    try:
        for name in ("a", "b"):
            instance = tmp_path_factory.mktemp(f"server-{name}")
            port = free_port()
            env = {
                "DATABASE_URL": deploy_database_url,
                "SECRET_KEY": key,
                "RATELIMIT_STORAGE_URI": redis_server.url,
                "RATELIMIT_CODE_ENTRY": CODE_ENTRY_LIMIT,
                "BORGERDIALOG_INSTANCE": str(instance),
                "MAIL_BACKEND": "file",
                "MAIL_FILE_PATH": str(instance / "mail"),
                "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                "HTTPS_ONLY": "0",  # plain HTTP on 127.0.0.1: no Secure cookies, which a client would not send back
            }
            started.append(Gunicorn(port, env, instance / "gunicorn.log").start())
            mail_dirs.append(instance / "mail")
        round_slug, meeting_id = migrate_and_load(deploy_database_url, key)
        for server in started:
            server.wait_until_ready()
        engine = create_engine(deploy_database_url)
        yield Deployment([server.base_url for server in started], round_slug, meeting_id, engine, tuple(mail_dirs))
        engine.dispose()
    finally:
        stop_processes([server.process for server in started])
