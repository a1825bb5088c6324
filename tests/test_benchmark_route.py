"""The benchmark's reference route exists only when switched on, and is the fixed 5 KB page it promises; the CPU
log of each request is written only when asked for."""

import os
import time

from survey import benchmark, create_app
from survey.kernel.config import TestConfig


def test_reference_route_is_off_by_default(client):
    assert client.get("/bench/5k").status_code == 404


def test_reference_route_serves_five_fixed_kilobytes(tmp_path):
    app = create_app({**_settings(tmp_path), "BENCH_REFERENCE_ROUTE": True})
    client = app.test_client()
    first, second = client.get("/bench/5k"), client.get("/bench/5k")
    assert first.status_code == 200 and first.mimetype == "text/html"
    assert len(first.data) == 5 * 1024 and first.data == second.data
    # the same app: its security headers come with it, as on every page
    assert "default-src 'self'" in first.headers["Content-Security-Policy"]


def _settings(tmp_path) -> dict:
    return {**TestConfig.as_dict(), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bench.sqlite3'}"}


def test_the_cpu_log_is_written_only_when_asked_for(tmp_path):
    app = create_app({**_settings(tmp_path), "BENCH_REFERENCE_ROUTE": True})
    assert app.test_client().get("/bench/5k").status_code == 200
    assert not (tmp_path / "cpu").exists()


def test_each_request_leaves_its_cpu_time_in_the_log_of_its_process(tmp_path, monkeypatch):
    monkeypatch.setattr(benchmark, "FLUSH_SECONDS", 0)  # written at once, not every half second
    folder = tmp_path / "cpu"
    app = create_app({**_settings(tmp_path), "BENCH_REFERENCE_ROUTE": True, "BENCH_CPU_LOG": str(folder)})
    client = app.test_client()
    before = time.time()
    client.get("/bench/5k"), client.post("/bench/5k")
    lines = (folder / f"cpu-{os.getpid()}.log").read_text().splitlines()
    assert [line.split(" ", 3)[2:] for line in lines] == [["GET", "/bench/5k"], ["POST", "/bench/5k"]]
    for line in lines:
        stamp, milliseconds = map(float, line.split()[:2])
        assert before <= stamp <= time.time() and milliseconds >= 0
