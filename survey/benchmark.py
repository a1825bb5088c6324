"""The benchmark's reference route: a fixed 5 KB page served by the same app, middleware and gunicorn as the
survey, with no database, form or template work. Its requests per second are the ceiling of our web stack on the
machine, against which `make bench` reports the survey's. Registered only when BENCH_REFERENCE_ROUTE is set.

With BENCH_CPU_LOG (a folder) too, each worker process also writes down the CPU time of every request it serves
(record_cpu), for bench.load to report per request: its median over the load run's mix."""

from __future__ import annotations

import os
import time
from pathlib import Path

from flask import Blueprint, Flask, Response

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


#: how often a worker appends what it noted to its CPU log: opening the file for every request would cost more CPU
#: than some requests it times
FLUSH_SECONDS = 0.5


def record_cpu(app: Flask, folder: str) -> None:
    """Time every request's call of the app in CPU seconds of this process (time.process_time: a gunicorn sync
    worker serves one request at a time) and note it, with the wall clock, method and path, for a file of this
    process in `folder`: "<unix time> <CPU ms> <method> <path>", appended at most every FLUSH_SECONDS (a worker's
    last half second may stay unwritten). The noting and writing are outside the time."""
    inner = app.wsgi_app
    Path(folder).mkdir(parents=True, exist_ok=True)
    noted: list[str] = []
    written = [time.monotonic()]

    def timed(environ, start_response):
        started = time.process_time()
        try:
            return inner(environ, start_response)
        finally:
            spent = time.process_time() - started
            method, path = environ.get("REQUEST_METHOD", "?"), environ.get("PATH_INFO", "?")
            noted.append(f"{time.time():.4f} {1000 * spent:.4f} {method} {path}\n")
            if time.monotonic() - written[0] >= FLUSH_SECONDS:
                # per process: gunicorn forks its workers from one that may have loaded the app already
                with open(Path(folder) / f"cpu-{os.getpid()}.log", "a") as out:
                    out.writelines(noted)
                noted.clear()
                written[0] = time.monotonic()

    app.wsgi_app = timed
