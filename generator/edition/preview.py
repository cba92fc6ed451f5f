"""A local HTTP server that shows one draft's HTML, and nothing else, on 127.0.0.1."""

from __future__ import annotations

from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generator.errors import OutboxError
from generator.i18n import _

HOST = "127.0.0.1"
# The page needs nothing but its own inline CSS; anything else a browser might try is refused.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _handler(html_path: Path) -> type[BaseHTTPRequestHandler]:
    class DraftHandler(BaseHTTPRequestHandler):
        server_version = "newsletter-preview"
        sys_version = ""

        def _send(self, head_only: bool) -> None:
            if self.path.split("?", 1)[0] not in ("/", "/index.html", "/newsletter.html"):
                self.send_error(HTTPStatus.NOT_FOUND, "only the draft is served here")
                return
            try:
                body = html_path.read_bytes()  # read per request so edits to the file show on reload
            except OSError:
                self.send_error(HTTPStatus.NOT_FOUND, "the draft's HTML file is gone")
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", CSP)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head_only:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            self._send(head_only=False)

        def do_HEAD(self) -> None:  # noqa: N802
            self._send(head_only=True)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Silent: only cli.py writes to the terminal."""

    return DraftHandler


def preview_server(html_path: Path, port: int = 0) -> ThreadingHTTPServer:
    """A server bound to 127.0.0.1 (a free port when port is 0) serving only html_path."""
    if not Path(html_path).is_file():
        raise OutboxError(_("le brouillon n'a pas de fichier HTML à prévisualiser"), path=str(html_path))
    try:
        server = ThreadingHTTPServer((HOST, port), _handler(Path(html_path)))
    except OSError as exc:
        raise OutboxError(
            _(
                "impossible d'écouter sur {host}:{port} ({error}) ; essayez un autre --port",
                host=HOST,
                port=port,
                error=exc.strerror or exc,
            )
        ) from exc
    server.daemon_threads = True
    return server


def server_url(server: ThreadingHTTPServer) -> str:
    """The URL a browser should open."""
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"
