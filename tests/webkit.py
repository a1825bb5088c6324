"""WebKit, Safari's engine, for tests: Debian's WebKitGTK WebDriver (`WebKitWebDriver`, webkit2gtk-driver), which
starts WebKit's MiniBrowser, driven by Selenium. WebKitGTK has no headless mode, so it gets an X display of its own
from Xvfb: the display number Xvfb picks itself (`-displayfd`), the driver on a free port of 127.0.0.1. `make webkit`
installs both.

`with WebKit(directory) as webkit:` starts Xvfb and the driver; `webkit.session()` opens a browser with a phone's
viewport (375×667 CSS px, as the Chromium tests'); leaving the block ends the sessions and stops both.

No pytest here (the fixture is in tests/conftest.py)."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import select
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.servers import START_TIMEOUT, free_port, stop_processes, wait_for_processes

XVFB = "/usr/bin/Xvfb"
WEBKIT_WEBDRIVER = "/usr/bin/WebKitWebDriver"
#: the browser WebKitWebDriver starts (libwebkit2gtk-4.1-0, in the directory of the machine's architecture)
MINIBROWSER_GLOB = "/usr/lib/*/webkit2gtk-4.1/MiniBrowser"
#: full screen hides MiniBrowser's toolbar, which keeps a window at least 447 px wide; without a window manager the
#: window stays where WebDriver puts it, so that the page gets the whole window (--automation: as the driver's own)
MINIBROWSER_ARGS = ["--automation", "--full-screen"]
#: the viewport the survey is walked in: an iPhone SE's, as tests/chromium.py's PHONE
PHONE_VIEWPORT = (375, 667)


class WebKit:
    """Xvfb and WebKitWebDriver, their output in `directory`, and the browser sessions opened through them."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.display: str | None = None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._processes: dict[str, subprocess.Popen] = {}
        self._sessions: list = []

    # -- running ---------------------------------------------------------------------------------------------------

    def start(self) -> WebKit:
        """Start Xvfb, then the driver on its display; return once the driver says it can open a session."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.display = f":{self._start_xvfb()}"
        environment = {**os.environ, "DISPLAY": self.display}
        self._spawn("webkitwebdriver", [WEBKIT_WEBDRIVER, f"--port={self.port}", "--host=127.0.0.1"], environment)
        self._wait_for(self._driver_ready, "WebKitWebDriver's /status")
        return self

    def stop(self) -> None:
        for session in self._sessions:
            with contextlib.suppress(Exception):  # a session the driver has lost already: stopping goes on
                session.quit()
        self._sessions.clear()
        stop_processes(list(self._processes.values()))
        self._processes.clear()

    def _start_xvfb(self) -> int:
        """Xvfb on a display it picks; it writes the number to our pipe once it takes connections."""
        reading, writing = os.pipe()
        try:
            command = [XVFB, "-displayfd", str(writing), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"]
            self._spawn("xvfb", command, os.environ, pass_fds=(writing,))
        finally:
            os.close(writing)
        with os.fdopen(reading, "rb") as pipe:
            written = b""
            deadline = time.monotonic() + START_TIMEOUT
            while not written.endswith(b"\n"):
                ready, _, _ = select.select([pipe], [], [], 0.1)
                chunk = os.read(pipe.fileno(), 16) if ready else b""
                if ready and not chunk or self._processes["xvfb"].poll() is not None:
                    raise RuntimeError(f"Xvfb exited: {self.logs()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Xvfb did not give its display number: {self.logs()}")
                written += chunk
        return int(written)

    def _spawn(self, name: str, command: list[str], environment, pass_fds=()) -> None:
        log = (self.directory / f"{name}.out").open("ab")
        self._processes[name] = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
            pass_fds=pass_fds,
            cwd=self.directory,
            start_new_session=True,  # Ctrl+C in the terminal does not reach it before our stop()
        )
        log.close()

    def _wait_for(self, condition, what: str) -> None:
        wait_for_processes(condition, self._processes, f"WebKit ({what})", self.logs)

    def _driver_ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/status", timeout=5) as answer:
                return bool(json.load(answer)["value"]["ready"])
        except (urllib.error.URLError, OSError, ValueError, KeyError):
            return False

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-2000:]}"
            for path in sorted(self.directory.glob("*.out"))
        )

    # -- browsing --------------------------------------------------------------------------------------------------

    def session(self, viewport: tuple[int, int] = PHONE_VIEWPORT):
        """A new MiniBrowser window whose page is `viewport` CSS px (width, height); ended by stop()."""
        from selenium import webdriver
        from selenium.webdriver.remote.client_config import ClientConfig
        from selenium.webdriver.remote.remote_connection import RemoteConnection
        from selenium.webdriver.webkitgtk.options import Options

        options = Options()
        options.binary_location = minibrowser()
        for argument in MINIBROWSER_ARGS:
            options.add_argument(argument)
        # a connection of our own: given the address alone, Selenium makes one in a way it warns is deprecated
        connection = RemoteConnection(client_config=ClientConfig(remote_server_addr=self.url))
        driver = webdriver.Remote(command_executor=connection, options=options)
        self._sessions.append(driver)
        size_viewport(driver, viewport)
        return driver

    def __enter__(self) -> WebKit:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def minibrowser() -> str:
    found = sorted(glob.glob(MINIBROWSER_GLOB))
    if not found:
        raise RuntimeError(f"no MiniBrowser at {MINIBROWSER_GLOB}: `make webkit` installs webkit2gtk-driver")
    return found[0]


def size_viewport(driver, viewport: tuple[int, int]) -> None:
    """Size the window so that the page inside it is `viewport` CSS px: WebDriver sizes the window, and anything
    around the page would take its share; a window that cannot be sized so is an error, not a smaller test."""
    driver.set_window_rect(width=viewport[0], height=viewport[1])
    inner = tuple(driver.execute_script("return [window.innerWidth, window.innerHeight]"))
    if inner != viewport:
        raise RuntimeError(f"WebKit's page is {inner[0]}×{inner[1]} in a window of {viewport[0]}×{viewport[1]}")
