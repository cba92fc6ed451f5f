"""Real servers on 127.0.0.1 for the delivery tests: an SMTP server (aiosmtpd) keeping the raw bytes it
accepted, and a fake newsletter platform (http.server) speaking enough of Buttondown, Ghost and listmonk,
recording every request and misbehaving on demand."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes


class _Handler:
    def __init__(self, box: SmtpServer) -> None:
        self.box = box

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.box.refuse:
            return "550 5.1.1 boîte inconnue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        reply = self.box.data_replies.popleft() if self.box.data_replies else None
        if reply == "drop":  # takes the message, then the connection dies before the reply
            self.box.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
            server.transport.close()
            return "250 trop tard"
        if reply:
            return reply
        self.box.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 2.0.0 accepté"


class SmtpServer:
    """aiosmtpd on a free loopback port; `received` holds what it accepted, raw bytes included."""

    def __init__(
        self,
        *,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        tls: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
    ):
        """`tls`: the server's certificate; STARTTLS required before MAIL and AUTH, or TLS from the first
        byte with `implicit_tls` (port-465 style)."""
        self.port = port or free_port()
        self.received: list[Received] = []
        self.refuse: set[str] = set()
        self.data_replies: deque[str] = deque()  # scripted replies to DATA before accepting
        self.logins: list[tuple[str, str]] = []
        kwargs: dict[str, Any] = {}
        if username is not None:

            def authenticator(server, session, envelope, mechanism, auth_data):
                if isinstance(auth_data, LoginPassword):
                    login, pw = auth_data.login.decode(), auth_data.password.decode()
                    self.logins.append((login, pw))
                    return AuthResult(success=(login, pw) == (username, password), handled=False)
                return AuthResult(success=False, handled=False)

            # AUTH only over STARTTLS; with implicit TLS every byte is encrypted already (aiosmtpd does
            # not see that connection as TLS, so it would never offer AUTH there).
            require = tls is not None and not implicit_tls
            kwargs = {"authenticator": authenticator, "auth_require_tls": require, "auth_required": True}
        if tls is not None and implicit_tls:
            kwargs["ssl_context"] = tls
        elif tls is not None:
            kwargs.update(tls_context=tls, require_starttls=True)
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


# ------------------------------------------------------------------------------------- platforms


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakePlatform:
    """Buttondown (/v1/emails), Ghost (/ghost/api/admin/posts) and listmonk (/api/campaigns) in one server.

    `script` holds behaviours for the next POSTs: an HTTP status (int), (status, Retry-After) (a tuple),
    "slow" (answers after the
    client gave up, having created the item: a reply lost), or "drop" (closes without answering,
    after creating the item).
    """

    requests: list[Request] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    script: deque = field(default_factory=deque)
    slow_s: float = 1.5

    def start(self) -> FakePlatform:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _platform_handler(self))
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def posts(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST"]

    def create(self, path: str, body: Any) -> tuple[int, Any]:
        item_id = str(uuid.uuid4())
        if path.startswith("/v1/emails"):
            item = {**body, "id": item_id, "absolute_url": f"{self.url}/archive/{item_id}"}
            self.items.append(item)
            return 201, item
        if path.startswith("/ghost/api/admin/posts"):
            post = {**body["posts"][0], "id": item_id, "url": f"{self.url}/p/{item_id}/"}
            self.items.append(post)
            return 201, {"posts": [post]}
        campaign = {**body, "id": len(self.items) + 1, "status": "draft"}
        self.items.append(campaign)
        return 200, {"data": campaign}

    def lookup(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        if path.startswith("/v1/emails"):
            return 200, {"results": [i for i in reversed(self.items) if i.get("status") == "draft"]}
        if path.startswith("/ghost/api/admin/posts/slug/"):
            slug = path.rstrip("/").rsplit("/", 1)[1]
            posts = [p for p in self.items if p.get("slug") == slug]
            return (200, {"posts": posts}) if posts else (404, {"errors": [{"message": "not found"}]})
        wanted = (query.get("query") or [""])[0]
        return 200, {"data": {"results": [c for c in self.items if wanted in c.get("name", "")]}}


def _platform_handler(platform: FakePlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, status: int, doc: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(doc).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self, body: Any) -> tuple[str, dict[str, list[str]]]:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            headers = {k.lower(): v for k, v in self.headers.items()}
            platform.requests.append(Request(self.command, parts.path, query, headers, body))
            return parts.path, query

        def do_GET(self) -> None:  # noqa: N802
            path, query = self._record(None)
            self._answer(*platform.lookup(path, query))

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            path, _ = self._record(body)
            behaviour = platform.script.popleft() if platform.script else "ok"
            if isinstance(behaviour, int):
                self._answer(behaviour, {"detail": f"erreur {behaviour} simulée"})
                return
            if isinstance(behaviour, tuple):  # (status, Retry-After value)
                status, wait = behaviour
                self._answer(status, {"detail": "trop de requêtes"}, {"Retry-After": wait})
                return
            status, doc = platform.create(path, body)
            if behaviour == "slow":
                time.sleep(platform.slow_s)
            elif behaviour == "drop":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._answer(status, doc)

    return Handler
