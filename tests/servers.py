"""Throw-away servers on 127.0.0.1, each started and stopped by its owner: a PostgreSQL 15 cluster (which a test may
stop and restart mid-test), a Redis without persistence, gunicorn serving wsgi:app and nginx terminating TLS in
front of it.

No pytest here, so that the benchmarks (bench.databases, bench.load) start their servers with the same code."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
#: how long a server may take to come up on a busy 2-core machine before we give up (not a measurement)
START_TIMEOUT = 120


def free_port() -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(*command: str | Path) -> list[str]:
    # initdb and postgres refuse to run as root
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return prefix + [str(part) for part in command]


class Postgres:
    """A PostgreSQL 15 cluster in `directory`/pgdata on 127.0.0.1:`port`, made by initdb on the first start (a
    cluster already there is reused). start(), stop() and restart() as often as the owner likes; `with` starts it
    and stops it on the way out. `settings` are extra `-c name=value` server settings; `url` and connect() are for
    `database`, which create_database() makes when missing."""

    def __init__(self, directory: Path, port: int, settings: tuple[str, ...] = (), database: str = "postgres"):
        self.directory, self.port, self.settings, self.database = directory, port, settings, database
        self.cluster = directory / "pgdata"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"

    def _initdb(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        initdb = [PG_BIN / "initdb", "-D", self.cluster, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        initdb += ["--locale=C.UTF-8", "--no-sync"]  # a throw-away cluster: a crash loses nothing worth the fsync
        subprocess.run(_as_postgres(*initdb), check=True, stdout=subprocess.DEVNULL)

    def pg_ctl(self, *args: str, check: bool = True) -> None:
        options = " ".join(
            [f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1", *(f"-c {s}" for s in self.settings)]
        )
        command = [PG_BIN / "pg_ctl", "-D", self.cluster, "-l", self.directory / "server.log", "-w", "-o", options]
        quiet = {} if check else {"stderr": subprocess.DEVNULL}  # e.g. stopping a server the test already stopped
        subprocess.run(_as_postgres(*command, *args), check=check, stdout=subprocess.DEVNULL, **quiet)

    def start(self) -> Postgres:
        if not self.cluster.exists():
            self._initdb()
        self.pg_ctl("start")
        return self

    def stop(self, check: bool = True, mode: str = "fast") -> None:
        """fast: every session is ended (their transactions roll back), as in a failover or a restart; immediate:
        every process quits at once without cleaning up, as in a crash (the next start recovers)."""
        self.pg_ctl("-m", mode, "stop", check=check)

    def restart(self) -> None:
        self.pg_ctl("-m", "fast", "restart")

    def connect(self):
        """An autocommit psycopg connection to `database`."""
        import psycopg

        return psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname={self.database}", autocommit=True)

    def create_database(self) -> None:
        import psycopg

        admin = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{self.database}"')

    def __enter__(self) -> Postgres:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop(check=False)


@contextmanager
def postgres_database(server_url: str, name: str) -> Iterator[str]:
    """A new, empty database `name` on the server of `server_url`; dropped (connections and all) afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    admin = f"host={url.host} port={url.port} user={url.username} dbname=postgres"
    if url.password:
        admin += f" password={url.password}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Redis:
    """redis-server on 127.0.0.1 with nothing written to disk; stop() and start() again keep its port."""

    def __init__(self, directory: Path, port: int | None = None):
        self.directory, self.port = directory, port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> Redis:
        from redis.exceptions import ConnectionError as NotYet

        self.directory.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                self.client().ping()
                return self
            except NotYet as error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server on port {self.port} did not start") from error
                time.sleep(0.1)

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None


class Gunicorn:
    """`gunicorn --config gunicorn.conf.py wsgi:app` on 127.0.0.1:`port` with `env` on top of ours; its output goes to
    `log`. start() may be called again after stop() or kill(), on the same port. It runs in a process group of its
    own, so that kill() reaches the master and every worker at once."""

    def __init__(
        self,
        port: int,
        env: dict[str, str],
        log: Path,
        workers: int = 1,
        threads: int = 1,
        extra: tuple[str, ...] = (),
    ):
        self.port, self.env, self.log = port, env, log
        self.base_url = f"http://127.0.0.1:{port}"
        # the settings make run and production use (the app preloaded, hooks for the fork); the rest overridden
        self.command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")]
        self.command += ["--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}"]
        # SIGTERM gives requests in flight this long, and gunicorn 27's master waits it out even when its workers
        # have gone; a test or benchmark has nothing in flight when it stops us. No control socket: every instance
        # would take the same one (~/.gunicorn/gunicorn.ctl), and stopping it costs seconds more.
        self.command += ["--graceful-timeout", "1", "--no-control-socket", *extra, "wsgi:app"]
        self.process: subprocess.Popen | None = None

    def start(self) -> Gunicorn:
        """Launch it (without waiting: see wait_until_ready)."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_until_ready(self) -> Gunicorn:
        """Poll /healthz until it answers 200 (the app imported, the database reachable)."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn on port {self.port} exited: {self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn on port {self.port} did not answer: {self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        stop_process(self.process)

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once (their process group), as a crash of the machine."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Nginx:
    """Debian's nginx on 127.0.0.1:`port` terminating TLS with `certificate` and `key`, passing every request to
    `upstream` (gunicorn's http://127.0.0.1:…) with the headers the README's production proxy sets: Host,
    X-Forwarded-For, X-Forwarded-Proto. Its config, pid, logs and temporary files are all in `directory`,
    so it needs no system nginx and touches none; it runs in the foreground as our child, which stop() ends."""

    def __init__(self, directory: Path, port: int, upstream: str, certificate: Path, key: Path):
        self.directory, self.port, self.upstream = directory, port, upstream
        self.certificate, self.key = certificate, key
        self.base_url = f"https://127.0.0.1:{port}"
        self.config = directory / "nginx.conf"
        #: one line per request: method, path, status, and the Origin, Referer and Sec-Fetch-Site it came with
        self.access_log = directory / "access.log"
        self.process: subprocess.Popen | None = None

    def config_text(self) -> str:
        d = self.directory
        # as root, nginx would run its workers as nobody, who may not enter the test's private temporary folders
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp_paths = "".join(
            f"  {kind}_temp_path {d / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        return f"""{user}daemon off;
worker_processes 1;
pid {d / "nginx.pid"};
error_log {d / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
  # what a test may check about each request: what the browser said about where it came from
  log_format browser '$request_method $uri $status origin=$http_origin referer=$http_referer site=$http_sec_fetch_site';
  access_log {d / "access.log"} browser;
{temp_paths}  server {{
    listen 127.0.0.1:{self.port} ssl;
    ssl_certificate {self.certificate};
    ssl_certificate_key {self.key};
    location / {{
      proxy_pass {self.upstream};
      # the name and port the browser used, as `Host $host` passes it on port 443 in production (README)
      proxy_set_header Host $host:$server_port;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""

    def start(self) -> Nginx:
        """Write the config and launch nginx (without waiting: see wait_until_ready)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.config.write_text(self.config_text())
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        # -e: the log for what goes wrong before the config is read (else /var/log/nginx, which may not exist)
        command = [binary, "-p", str(self.directory), "-c", str(self.config), "-e", str(self.directory / "error.log")]
        with (self.directory / "nginx.out").open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        return self

    def wait_until_ready(self) -> Nginx:
        """Poll /healthz through TLS (the test's own certificate: not verified) until the app answers 200."""
        import ssl

        unverified = ssl._create_unverified_context()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.directory / 'error.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5, context=unverified) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx on port {self.port} did not answer")
            time.sleep(0.2)

    def stop(self) -> None:
        # SIGTERM is nginx's fast shutdown: the master ends its workers and exits
        stop_process(self.process)


def self_signed_certificate(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate for `host` (an IP address), valid two days, made with openssl; returns (certificate, key)."""
    certificate, key = directory / "cert.pem", directory / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    command += ["-keyout", str(key), "-out", str(certificate), "-days", "2", "-subj", f"/CN={host}"]
    command += ["-addext", f"subjectAltName=IP:{host}"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return certificate, key


def wait_for_processes(
    condition: Callable[[], bool], processes: dict[str, subprocess.Popen], what: str, logs: Callable[[], str]
) -> None:
    """Return once `condition()` holds; raise with the `logs()` when one of the named `processes` exits first or
    START_TIMEOUT passes (`what` names what was awaited)."""
    deadline = time.monotonic() + START_TIMEOUT
    while not condition():
        for name, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited: {logs()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer: {logs()}")
        time.sleep(0.1)


def stop_process(process: subprocess.Popen | None, timeout: float = 15) -> None:
    stop_processes([process], timeout)


def stop_processes(processes: list[subprocess.Popen | None], timeout: float = 15) -> None:
    """SIGTERM to all at once, then SIGKILL to any that has not exited after `timeout` seconds."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
