"""A real HTTP server on 127.0.0.1 serving podcast feeds, transcripts and audio, with faults on demand.

Each path has a `Route`: a body (bytes, or a callable yielding chunks lazily, for a 200 MB body never
held in memory), headers, an ETag/Last-Modified honoured on conditional requests, gzip, a redirect,
and a queue of one-off statuses (429 with Retry-After, 500...). Every request is recorded.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes | Callable[[], Iterable[bytes]] = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    redirect: tuple[int, str] | None = None  # (301/302/308, target path)
    length: int | None = None  # Content-Length to announce for a lazy body (None: none, read to close)
    faults: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)  # one-off (status, headers)
    status: int = 200
    delay: float = 0.0  # seconds before answering (a slow host)
    ranges: bool = False  # answer `Range: bytes=N-` with 206 (bytes bodies only)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.sent: dict[str, int] = {}  # bytes of body written per path
        self.active: dict[str, int] = {}  # requests in progress per path prefix (for connection bounds)
        self.peak = 0
        self.lock = threading.Lock()
        self.post: Callable[[Request], tuple[int, dict[str, str], bytes]] | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._get(self)

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                req = Request("POST", self.path, dict(self.headers), self.rfile.read(size))
                with server.lock:
                    server.requests.append(req)
                status, headers, body = server.post(req) if server.post else (404, {}, b"")
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def _get(self, h: BaseHTTPRequestHandler) -> None:
        req = Request("GET", h.path, dict(h.headers))
        with self.lock:
            self.requests.append(req)
            self.active[h.path] = self.active.get(h.path, 0) + 1
            self.peak = max(self.peak, sum(self.active.values()))
        try:
            self._answer(h, req)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self.lock:
                self.active[h.path] -= 1

    def _answer(self, h: BaseHTTPRequestHandler, req: Request) -> None:
        route = self.routes.get(h.path.split("?")[0])
        if route is None:
            h.send_error(404)
            return
        if route.delay:
            time.sleep(route.delay)
        if route.faults:
            status, headers = route.faults.popleft()
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        if route.redirect:
            h.send_response(route.redirect[0])
            h.send_header("Location", route.redirect[1])
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        if (route.etag and h.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and h.headers.get("If-Modified-Since") == route.last_modified
        ):
            h.send_response(304)
            h.end_headers()
            return
        wanted = h.headers.get("Range", "")
        if route.ranges and wanted.startswith("bytes=") and wanted.endswith("-"):
            start = int(wanted[6:-1])
            h.send_response(206)
            h.send_header("Content-Range", f"bytes {start}-{len(route.body) - 1}/{len(route.body)}")
            h.send_header("Content-Length", str(len(route.body) - start))
            h.end_headers()
            with self.lock:  # counted before writing: the client may assert before this thread resumes
                self.sent[h.path] = self.sent.get(h.path, 0) + len(route.body) - start
            h.wfile.write(route.body[start:])
            return
        h.send_response(route.status)
        h.send_header("Content-Type", route.content_type)
        if route.etag:
            h.send_header("ETag", route.etag)
        if route.last_modified:
            h.send_header("Last-Modified", route.last_modified)
        if callable(route.body):
            if route.length is not None:
                h.send_header("Content-Length", str(route.length))
            h.end_headers()
            for chunk in route.body():
                h.wfile.write(chunk)
                with self.lock:
                    self.sent[h.path] = self.sent.get(h.path, 0) + len(chunk)
            return
        body = route.body
        if route.gzip and "gzip" in h.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        with self.lock:  # counted before writing: the client may assert before this thread resumes
            self.sent[h.path] = self.sent.get(h.path, 0) + len(body)
        h.wfile.write(body)


def zeros(total: int, chunk: int = 1 << 16) -> Callable[[], Iterable[bytes]]:
    """A lazy body of `total` bytes (never built whole)."""

    def gen() -> Iterable[bytes]:
        block = b"\0" * chunk
        left = total
        while left > 0:
            yield block[: min(chunk, left)]
            left -= chunk

    return gen


def rss(
    title: str, items: list[str], *, language: str = "fr", ns: str = "https://podcastindex.org/namespace/1.0"
) -> bytes:
    """An RSS 2.0 feed shaped like a hosted podcast's (itunes + podcast namespaces)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        f'xmlns:podcast="{ns}" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        f"<channel><title>{title}</title><link>https://exemple.fr/</link><language>{language}</language>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n"
    ).encode("utf-8")


def item(guid: str, title: str, date: str, *, extra: str = "", description: str = "") -> str:
    return (
        f'<item><title>{title}</title><guid isPermaLink="false">{guid}</guid><pubDate>{date}</pubDate>'
        f"<description><![CDATA[{description}]]></description>{extra}</item>"
    )
