"""SMS in tests: the app's memory backend (TestConfig's SMS_BACKEND), emptied for each test."""

from __future__ import annotations

from survey.kernel import sms
from survey.kernel.sms import MemoryBackend


def memory_backend(app) -> MemoryBackend:
    backend = app.extensions[sms.BACKENDS]
    assert isinstance(backend, MemoryBackend), "TestConfig sends SMS to memory"
    backend.sent.clear()
    backend.fail = None
    return backend
