"""A real browser opens generated drafts: headless Chromium driven over the DevTools protocol (stdlib only)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from render_fixtures import NEWSLETTER, provenance, three_episodes, with_text

from generator.edition import outbox, preview, render

pytestmark = [pytest.mark.slow, pytest.mark.browser]

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
]
TIMEOUT = 30.0


class WebSocket:
    """The client side of RFC 6455, just enough for the DevTools protocol (text frames, no extensions)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        self.buf = bytearray()
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, rest = bytes(self.buf).partition(b"\r\n\r\n")
        assert b" 101 " in head.split(b"\r\n")[0], head
        self.buf = bytearray(rest)

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("DevTools websocket closed")
        self.buf += chunk

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def send(self, text: str) -> None:
        data = text.encode()
        header = bytearray([0x81])
        if len(data) < 126:
            header.append(0x80 | len(data))
        elif len(data) < 1 << 16:
            header.append(0x80 | 126)
            header += len(data).to_bytes(2, "big")
        else:
            header.append(0x80 | 127)
            header += len(data).to_bytes(8, "big")
        mask = os.urandom(4)
        self.sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self) -> str:
        message = bytearray()
        while True:
            b0, b1 = self._take(2)
            size = b1 & 0x7F
            if size == 126:
                size = int.from_bytes(self._take(2), "big")
            elif size == 127:
                size = int.from_bytes(self._take(8), "big")
            mask = self._take(4) if b1 & 0x80 else None
            payload = self._take(size)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise ConnectionError("DevTools websocket closed")
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if b0 & 0x80:
                    return message.decode()

    def close(self) -> None:
        self.sock.close()


class DevTools:
    """Commands and the events that arrive meanwhile."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, event: str) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for i, msg in enumerate(self.events):
                if msg.get("method") == event:
                    return self.events.pop(i)
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(event)

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors (failed loads, CSP violations)."""
        found = []
        for msg in self.events:
            method, params = msg.get("method"), msg.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(json.dumps(params.get("args"))[:300])
            elif method == "Runtime.exceptionThrown":
                found.append(json.dumps(params.get("exceptionDetails"))[:300])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(params["entry"].get("text", "")[:300])
        return found


@pytest.fixture
def browser(tmp_path):
    """A headless Chromium with its own profile; yields a connected DevTools page session."""
    if not CHROMIUM:
        pytest.skip("chromium is not installed (Debian package `chromium`)")
    profile = tmp_path / "profile"
    proc = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ws = None
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while not (active.exists() and len(active.read_text().splitlines()) >= 2):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.skip("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = int(active.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=TIMEOUT) as resp:
            pages = [t for t in json.load(resp) if t.get("type") == "page"]
        ws = WebSocket(pages[0]["webSocketDebuggerUrl"])
        tools = DevTools(ws)
        for domain in ("Page", "Runtime", "Log"):
            tools.call(f"{domain}.enable")
        yield tools
    finally:
        if ws:
            ws.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture
def served_draft(tmp_path):
    """Two drafts (one per style, one stuffed with hostile text) served by the preview server."""

    def serve(style: str, hostile: bool = False):
        edition = three_episodes(style)
        if hostile:
            edition = with_text(
                edition, '<img src=x onerror="alert(1)"> [x](javascript:alert(1)) ' + "é" * 120
            )
        rendered = render.render(edition, provenance(), NEWSLETTER, TEMPLATES)
        draft = outbox.write_draft(tmp_path / "outbox", edition, provenance(), rendered)
        server = preview.preview_server(draft.file("html"))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append(server)
        return preview.server_url(server)

    servers: list = []
    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def _open(tools: DevTools, url: str, width: int, *, dark: bool = False) -> dict:
    tools.call(
        "Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=width < 600
    )
    tools.call(
        "Emulation.setEmulatedMedia",
        features=[{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}],
    )
    tools.events.clear()
    tools.call("Page.navigate", url=url)
    tools.wait_for("Page.loadEventFired")
    result = tools.call(
        "Runtime.evaluate",
        returnByValue=True,
        expression="""JSON.stringify({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            widest: Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right)),
            card: getComputedStyle(document.querySelector('.card')).backgroundColor,
            cardWidth: document.querySelector('.card').getBoundingClientRect().width,
            scripts: document.scripts.length,
            h2: document.querySelectorAll('h2').length,
        })""",
    )
    return json.loads(result["result"]["value"])


def _screenshot(tools: DevTools, path: Path, width: int) -> bytes:
    height = tools.call("Page.getLayoutMetrics")["cssContentSize"]["height"]
    shot = tools.call(
        "Page.captureScreenshot",
        format="png",
        captureBeyondViewport=True,
        clip={"x": 0, "y": 0, "width": width, "height": min(height, 6000), "scale": 1},
    )
    data = base64.b64decode(shot["data"])
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("style", ["cybernetica", "cafetech"])
def test_draft_fits_narrow_and_wide_screens_without_console_errors(browser, served_draft, style, tmp_path):
    url = served_draft(style)
    for width in (375, 1024):
        page = _open(browser, url, width)
        assert page["scrollWidth"] <= page["innerWidth"] == width, page
        assert page["widest"] <= width + 0.5, page
        assert page["scripts"] == 0 and page["h2"] >= 3
        assert page["cardWidth"] <= 640 + 0.5
        assert browser.errors() == []
        png = _screenshot(browser, tmp_path / f"{style}-{width}.png", width)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == width


def test_dark_mode_and_hostile_text(browser, served_draft, tmp_path):
    url = served_draft("cybernetica", hostile=True)
    light = _open(browser, url, 375)
    assert browser.errors() == []  # no blocked image, no script, no CSP violation
    assert light["scrollWidth"] <= light["innerWidth"] and light["scripts"] == 0
    dark = _open(browser, url, 375, dark=True)
    assert browser.errors() == []
    assert light["card"] == "rgb(255, 255, 255)" and dark["card"] == "rgb(30, 30, 30)"
    _screenshot(browser, tmp_path / "cybernetica-375-dark.png", 375)
