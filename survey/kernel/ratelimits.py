"""Rate limits on what citizens post and on staff login, declared in one table.

Counted per client address, in RATELIMIT_STORAGE_URI: memory for one process, redis://… when several app servers
must share the count.

A Limiter is made per app (Flask-Limiter keeps its storage and on/off switch on the instance, so a shared
module-level one would let one app's settings leak into another's)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

#: endpoint → (config key holding the limit, or a function of the request that names that key; methods it applies to).
#: Each capability declares its own in its package (`RATE_LIMITS`); create_app hands them all to init_app.
Limits = dict[str, tuple[str | Callable[[], str], list[str]]]


def init_app(app: Flask, limits: Limits) -> Limiter:
    limiter = Limiter(key_func=get_remote_address, app=app, default_limits=[])
    for endpoint, (config_key, methods) in limits.items():
        limit, scope = _limit_and_scope(config_key)
        app.view_functions[endpoint] = limiter.limit(limit, methods=methods, scope=scope)(app.view_functions[endpoint])
    app.extensions["rate_limiter"] = limiter  # Flask-Limiter refers to it only weakly
    declared = {endpoint: {method.upper() for method in methods} for endpoint, (_key, methods) in limits.items()}

    @limiter.request_filter
    def undeclared() -> bool:
        """True for a request no declared limit applies to (every page a citizen only reads): Flask-Limiter then
        skips looking its limits up, twice a request. Limits a view applies itself (wait_for) still count."""
        return request.method not in declared.get(request.endpoint, ())

    return limiter


def _limit_and_scope(config_key: str | Callable[[], str]):
    """The limit read from the config key, and (for a key chosen per request) a scope named after that key, so that
    two keys holding the same limit still count apart."""
    if callable(config_key):
        return (lambda: current_app.config[config_key()]), (lambda _endpoint: config_key())
    return (lambda: current_app.config[config_key]), None


def wait_for(config_key: str, *scope: str, per_client: bool = True) -> int:
    """Count one use by this client address of what `scope` names against the limit in `config_key`; 0 when it may
    go ahead, else the seconds until one may. `per_client=False` counts the uses from every address together (a
    limit on the thing itself, which a client changing its address must not escape).

    For a limit a view applies itself, once it knows what is being asked for (e.g. the sign-ups for one meeting).
    `hit` adds and compares in one step in the store, so requests sent at the same moment cannot all slip under
    the limit."""
    limiter: Limiter = current_app.extensions["rate_limiter"]
    if not limiter.enabled:
        return 0
    keys = (*scope, get_remote_address()) if per_client else scope
    waits = [0]
    try:
        for item in parse_many(current_app.config[config_key]):
            # limiter.limiter: the shared store, or this process's memory while the store is unreachable
            if not limiter.limiter.hit(item, *keys):
                reset_at, _left = limiter.limiter.get_window_stats(item, *keys)
                waits.append(max(math.ceil(reset_at - time.time()), 1))
    except Exception:  # the store went away during this request: its next request counts in memory
        current_app.logger.warning(
            "rate-limit store unreachable: a use of %s was not counted", config_key, exc_info=True
        )
    return max(waits)
