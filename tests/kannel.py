"""Debian's Kannel for tests: bearerbox and smsbox with a config of their own on free ports of 127.0.0.1, and
Kannel's fake SMSC client (`fakesmsc`, kannel-extras) standing for the operator. What the gateway sends to the
operator arrives at fakesmsc, which prints each message as a line; `received` is those lines parsed.

The fake SMSC connection reports 8 (taken by the SMSC) and 1 (delivered) for every message that asks for them.
`sendsms-user` refuses REFUSED_NUMBER by its black-list, so a test can get a permanent refusal from the real gateway.
stop() and start() take the whole gateway down and bring it back (on the same ports); what arrived is kept.

No pytest here (the fixtures are in tests/conftest.py)."""

from __future__ import annotations

import re
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlencode

from tests.servers import START_TIMEOUT, free_port, stop_processes, wait_for_processes

BEARERBOX, SMSBOX = "/usr/sbin/bearerbox", "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
USER, PASSWORD, SENDER = "borgerdialog", "kannel-test-password", "Kommunen"
#: a number the gateway's black-list refuses (a Danish number: the app sends E.164)
REFUSED_NUMBER = "+4511111111"
#: fakesmsc's line for each message from the gateway: "Got message 3: <sender receiver [udh UDH] kind payload>"
GOT = re.compile(r"Got message \d+: <(\S*) (\S*) (?:udh (\S*) )?(text|data|ucs-2) (.*)>$")


@dataclass(frozen=True)
class Part:
    """One SMS as it reached the SMSC. `udh`: the concatenation header (05 00 03 ref total number) of a part of a
    longer message, else empty. `data`: the payload as Kannel keeps it: GSM-7 text as UTF-8, UCS-2 as UTF-16BE."""

    sender: str
    receiver: str
    udh: bytes
    data: bytes
    #: 'ucs2', 'gsm7', or None: fakesmsc names UCS-2 only for a message in one part
    coding: str | None

    @property
    def reference(self) -> tuple[int, int, int] | None:
        """(reference, parts, number) of a concatenated part."""
        return (self.udh[3], self.udh[4], self.udh[5]) if self.udh[:3] == b"\x05\x00\x03" else None


@dataclass(frozen=True)
class Sms:
    """A whole message: its parts put together."""

    sender: str
    receiver: str
    text: str
    encoding: str
    parts: int
    #: every part has come
    whole: bool


def parse_line(line: str) -> Part | None:
    """A line of fakesmsc's log (read as Latin-1, so that raw bytes come back unchanged), or None."""
    match = GOT.search(line.rstrip("\n"))
    if match is None:
        return None
    sender, receiver, udh, kind, payload = match.groups()
    raw = payload.encode("latin-1") if kind == "text" else unquote_to_bytes(payload.replace("+", " "))
    coding = {"text": "gsm7", "ucs-2": "ucs2"}.get(kind)
    return Part(sender, receiver, unquote_to_bytes(udh.replace("+", " ")) if udh else b"", raw, coding)


def assemble(parts: list[Part]) -> list[Sms]:
    """The messages the parts make, in the order their first parts arrived. A payload whose coding fakesmsc does
    not name is UCS-2 when it has a NUL byte (UTF-16 of any text with a space or a Latin letter has; the UTF-8 that
    Kannel keeps GSM-7 in never has)."""
    whole: dict[object, list[Part]] = {}
    for index, part in enumerate(parts):
        key = (part.receiver, part.reference[0], part.reference[1]) if part.reference else index
        whole.setdefault(key, []).append(part)
    messages = []
    for group in whole.values():
        group.sort(key=lambda p: p.reference[2] if p.reference else 0)
        data = b"".join(p.data for p in group)
        encoding = group[0].coding or ("ucs2" if b"\x00" in data else "gsm7")
        text = data.decode("utf-16-be" if encoding == "ucs2" else "utf-8", "replace")
        whole = group[0].reference is None or len(group) == group[0].reference[1]
        messages.append(Sms(group[0].sender, group[0].receiver, text, encoding, len(group), whole))
    return messages


class Kannel:
    """bearerbox + smsbox + fakesmsc, their config, logs and output in `directory`."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.admin_port, self.smsbox_port, self.sendsms_port, self.smsc_port = (free_port() for _ in range(4))
        self.sendsms_url = f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"
        self.config = directory / "kannel.conf"
        self.received: list[Part] = []
        self._arrived = threading.Condition()
        self._processes: dict[str, subprocess.Popen] = {}
        self._reader: threading.Thread | None = None

    def config_text(self) -> str:
        d = self.directory
        return f"""group = core
admin-port = {self.admin_port}
admin-interface = 127.0.0.1
admin-password = admin-test-password
admin-allow-ip = "127.0.0.1"
smsbox-port = {self.smsbox_port}
box-allow-ip = "127.0.0.1"
log-file = "{d / "bearerbox.log"}"
log-level = 0
access-log = "{d / "access.log"}"
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {self.smsc_port}
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.smsbox_port}
sendsms-port = {self.sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{d / "smsbox.log"}"
log-level = 0
access-log = "{d / "smsbox-access.log"}"

group = sendsms-user
username = {USER}
password = {PASSWORD}
max-messages = 2
concatenation = true
black-list-regex = "^\\{REFUSED_NUMBER}$"

group = sms-service
keyword = default
text = "Denne nummer modtager ikke beskeder"
max-messages = 0
"""

    # -- running ---------------------------------------------------------------------------------------------------

    def start(self) -> Kannel:
        """Start bearerbox, fakesmsc and smsbox; return once sendsms answers and the fake SMSC is connected."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.config.write_text(self.config_text())
        self._spawn("bearerbox", [BEARERBOX, "-v", "1", str(self.config)])
        self._wait_for(lambda: "Status: running" in self.status(), "bearerbox's admin /status")
        fakesmsc = [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc_port), "-m", "0", "-v", "0", "0 0 text unused"]
        self._spawn("fakesmsc", fakesmsc, output=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read, args=(self._processes["fakesmsc"],), daemon=True)
        self._reader.start()
        self._spawn("smsbox", [SMSBOX, "-v", "1", str(self.config)])
        self._wait_for(self._ready, "smsbox's sendsms and the fake SMSC")
        return self

    def stop(self) -> None:
        """Stop the gateway (all three); what arrived stays in `received`."""
        stop_processes(list(self._processes.values()))
        self._processes.clear()
        if self._reader is not None:
            self._reader.join(START_TIMEOUT)

    def _spawn(self, name: str, command: list[str], output=None) -> None:
        log = (self.directory / f"{name}.out").open("ab")
        self._processes[name] = subprocess.Popen(
            command,
            stdout=output or log,
            stderr=subprocess.STDOUT,
            cwd=self.directory,
            start_new_session=True,  # Ctrl+C in the terminal does not reach it before our stop()
        )
        log.close()

    def _read(self, process: subprocess.Popen) -> None:
        """fakesmsc's log lines (on one pipe): every message it gets is appended to `received`."""
        with process.stdout, (self.directory / "fakesmsc.out").open("a", encoding="latin-1") as log:
            for raw in process.stdout:
                line = raw.decode("latin-1")
                log.write(line)
                log.flush()
                part = parse_line(line)
                if part is not None:
                    with self._arrived:
                        self.received.append(part)
                        self._arrived.notify_all()

    def _wait_for(self, condition, what: str) -> None:
        wait_for_processes(condition, self._processes, f"Kannel ({what})", self.logs)

    def _ready(self) -> bool:
        return bool(re.search(r"fake\[fake\].*\(online", self.status())) and self._sendsms_answers()

    def _sendsms_answers(self) -> bool:
        try:
            urllib.request.urlopen(self.sendsms_url, timeout=5)
        except urllib.error.HTTPError:
            return True  # no parameters: refused, but smsbox is listening
        except (urllib.error.URLError, OSError):
            return False
        return True

    def status(self) -> str:
        """bearerbox's admin status page as text ('' when it does not answer)."""
        query = urlencode({"password": "admin-test-password"})
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.admin_port}/status.txt?{query}", timeout=5) as page:
                return page.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError):
            return ""

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-2000:]}"
            for path in sorted(self.directory.glob("*.log"))
        )

    # -- what arrived ----------------------------------------------------------------------------------------------

    def clear(self) -> None:
        with self._arrived:
            self.received.clear()

    def messages(self) -> list[Sms]:
        """What arrived so far, parts put together."""
        with self._arrived:
            return assemble(self.received)

    def wait_for(self, count: int, timeout: float = START_TIMEOUT) -> list[Sms]:
        """Wait until `count` whole messages have arrived at the SMSC (at least); returns all of them."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: sum(m.whole for m in assemble(self.received)) >= count, timeout):
                raise AssertionError(f"{len(assemble(self.received))} of {count} SMS at the SMSC: {self.logs()}")
            return assemble(self.received)

    def __enter__(self) -> Kannel:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def kannel_config(kannel: Kannel, report_base: str) -> dict[str, str]:
    """The app's settings for sending through `kannel`, reports to the app at `report_base` (also as environment
    variables for `flask sms send`)."""
    return {
        "SMS_BACKEND": "kannel",
        "SMS_KANNEL_URL": kannel.sendsms_url,
        "SMS_KANNEL_USER": USER,
        "SMS_KANNEL_PASSWORD": PASSWORD,
        "SMS_SENDER": SENDER,
        "SMS_REPORT_BASE_URL": report_base,
    }


@contextmanager
def over_kannel(app, kannel: Kannel, report_base: str) -> Iterator[Kannel]:
    """The shared app sends its SMS through `kannel` (its fake SMSC emptied first) while the block runs; its
    settings and backend are put back afterwards."""
    from survey.kernel.kannel import KannelBackend
    from survey.kernel.sms import BACKENDS

    settings = kannel_config(kannel, report_base)
    saved, backend = {key: app.config.get(key) for key in settings}, app.extensions[BACKENDS]
    kannel.clear()
    app.config.update(settings)
    app.extensions[BACKENDS] = KannelBackend.from_config(app.config)
    try:
        yield kannel
    finally:
        app.config.update(saved)
        app.extensions[BACKENDS] = backend
