"""What the README tells an operator to run must not open a hole the app cannot close itself."""

from __future__ import annotations

import re
import shlex

from survey.kernel.config import ROOT


def test_the_documented_gunicorn_listens_on_a_private_address_only():
    """With PROXY_FIX_HOPS=1 the app trusts X-Forwarded-For from whoever reaches its port: a wildcard bind would let
    anyone name any address and step around every per-address rate limit."""
    readme = (ROOT / "README.md").read_text()
    lines = [line for line in readme.splitlines() if re.match(r"\s*(\S*/)?gunicorn\s", line)]
    assert lines, "the production section shows the gunicorn command"
    for line in lines:
        words = shlex.split(line)
        bind = words[words.index("--bind") + 1]
        host = bind.rpartition(":")[0].strip("[]")
        assert host not in ("0.0.0.0", "::", ""), line
        assert "forwarded-allow-ips" in line, "gunicorn is told which proxy to believe, too"
