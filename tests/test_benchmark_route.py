"""The benchmark's reference route exists only when switched on, and is the fixed 5 KB page it promises."""

from survey import create_app
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
