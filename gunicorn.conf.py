"""gunicorn's settings for Borgerdialog, in one place: `make run`, production (README, "Drift") and the servers of the
tests and benchmarks (tests/servers.py) all start `gunicorn --config gunicorn.conf.py wsgi:app`. Options given on
the command line override these: production binds to its private address, a test picks its port and workers."""

import gc
import os

#: `make run`'s address; production passes `--bind` with the app server's private address
bind = [f"127.0.0.1:{os.environ.get('PORT', '5000')}"]
#: gunicorn's rule of thumb for sync workers, 2 × cores + 1 (5 on 2 cores), unless WEB_CONCURRENCY says otherwise
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
#: the app is built once, in the master, and the workers are forked from it: they share its memory (the code, the
#: compiled templates, the catalogues) instead of each building its own. create_app opens no database connection,
#: socket, thread or file that the workers would then share (tests/test_lean_worker.py); post_fork makes sure.
preload_app = True


def pre_fork(server, worker):
    """Move what the master has built out of the garbage collector's reach: a collection in a worker would otherwise
    write to every shared object's header, and so copy the pages the workers share."""
    gc.freeze()


def post_fork(server, worker):
    """Forget, without closing, any pooled database connection the master made: each worker opens its own."""
    app = server.app.callable  # the Flask app, built by the master (preload_app)
    if app is None:
        return
    from survey.kernel.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
