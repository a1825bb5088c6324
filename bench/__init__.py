"""Benchmarks of the results pages; run `python -m bench.results --help`.

The app's Config reads SECRET_KEY and the instance folder at import time; the benchmark points both away from the
repository, so that running it never writes into instance/ (or reads its database)."""

import os

DATA_ROOT = os.environ.setdefault("BENCH_DATA", "/tmp/bench-data")
os.environ.setdefault("BORGERDIALOG_INSTANCE", os.path.join(DATA_ROOT, "instance"))
os.environ.setdefault("SECRET_KEY", "bench-not-secret")
