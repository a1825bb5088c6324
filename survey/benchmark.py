"""The benchmark's reference route: a fixed 5 KB page served by the same app, middleware and gunicorn as the
survey, with no database, form or template work. Its requests per second are the ceiling of our web stack on the
machine, against which `make bench` reports the survey's. Registered only when BENCH_REFERENCE_ROUTE is set."""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("benchmark", __name__)

PAGE_BYTES = 5 * 1024


def _page() -> bytes:
    head = b'<!doctype html>\n<html lang="da"><head><meta charset="utf-8"><title>Reference</title></head><body>\n'
    tail = b"</body></html>\n"
    line = b"<p>Borgerdialog reference page: fixed bytes, the same on every request.</p>\n"
    body = (line * (PAGE_BYTES // len(line) + 1))[: PAGE_BYTES - len(head) - len(tail)]
    return head + body + tail


PAGE = _page()


@bp.get("/bench/5k")
def five_kilobytes() -> Response:
    return Response(PAGE, mimetype="text/html")
