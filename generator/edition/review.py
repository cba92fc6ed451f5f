"""The review app's HTTP server: the standard library's, made robust for a browser left open all day.

Why not a framework: werkzeug's server is a development server built on this same http.server, and a
production WSGI server (waitress) answers its own low-level errors (bad request line, oversized
headers) with English pages we cannot give our CSP; the few things needed are small and written here:
- idle connections time out (`IDLE_TIMEOUT`), the listen backlog is `BACKLOG`;
- every status, the server's own included (garbage request line 400, 70 kB header 431, PUT 405,
  unknown method 501), is the app's French page with the same CSP and headers;
- a client that hangs up is one log line (`review.disconnected`), never a traceback;
- the language of each page comes from the request's Accept-Language (else the server's locale).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from generator.config import NewsletterSettings
from generator.edition.review_app import CSP, HOST, HTTPError, Response, ReviewApp
from generator.edition.review_pages import source_reloader
from generator.edition.review_week import get, post
from generator.errors import NewsletterError, OutboxError
from generator.i18n import Messages, accept_language, current, messages
from generator.model import Utterance

log = logging.getLogger("newsletter.review")
IDLE_TIMEOUT = 15.0  # seconds a connection may stay silent before it is closed
BACKLOG = 128
ALLOWED = "GET, HEAD, POST"
_HANGUPS = (ConnectionError, TimeoutError, socket.timeout)


def _security_headers(r: Response) -> dict[str, str]:
    headers = {
        "Content-Type": r.ctype,
        "Content-Length": str(len(r.body)),
        "Content-Security-Policy": r.csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",  # "no-referrer" would make Chromium post `Origin: null`
        "Cache-Control": "no-store",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if r.csp == CSP:
        headers["X-Frame-Options"] = "DENY"
    if r.location:
        headers["Location"] = r.location
    return headers


def _low_level_text(code: int, t: Messages) -> str:
    """The page's sentence for a refusal of http.server itself."""
    texts = {
        400: t._("Requête mal formée."),
        405: t._("Méthode non autorisée : cette application n'accepte que GET, HEAD et POST."),
        408: t._("Requête trop lente : délai dépassé."),
        414: t._("Adresse trop longue."),
        431: t._("En-têtes de la requête trop volumineux."),
        501: t._("Méthode inconnue : cette application n'accepte que GET, HEAD et POST."),
        505: t._("Version HTTP non prise en charge."),
    }
    return texts.get(code, t._("Requête refusée."))


def _handler(app: ReviewApp, server_lang: str) -> type[BaseHTTPRequestHandler]:
    class ReviewHandler(BaseHTTPRequestHandler):
        server_version = "newsletter-review"
        sys_version = ""
        timeout = IDLE_TIMEOUT

        def _messages(self) -> Messages:
            headers = getattr(self, "headers", None)
            header = headers.get("Accept-Language") if headers is not None else None
            return messages(accept_language(header, server_lang))

        def _send(self, r: Response, extra: dict[str, str] | None = None) -> None:
            self.send_response(r.status)
            for name, value in {**_security_headers(r), **(extra or {})}.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(r.body)

        def _error(self, status: int, message: str, unsaved: dict | None = None, **extra: str) -> None:
            body = app.error_page(status, message, self._messages(), unsaved)
            self._send(Response(HTTPStatus(status), body), extra)

        def _handle(self, route: Callable[[Messages], Response]) -> None:
            t = self._messages()
            try:
                # DNS rebinding: a page of evil.example resolved to 127.0.0.1 still sends Host: evil.example.
                if self.headers.get("Host", "") not in app.hosts:
                    raise HTTPError(
                        HTTPStatus.FORBIDDEN, t._("Hôte refusé : ouvrez l'adresse affichée par la commande.")
                    )
                response = route(t)
            except HTTPError as exc:
                if exc.status == HTTPStatus.BAD_REQUEST and self.command == "POST":
                    self.close_connection = True  # the rest of a cut body must not be read as a request
                self._error(exc.status, exc.message, exc.unsaved)
                return
            except NewsletterError as exc:  # an approved draft, an unreadable file: say it, keep serving
                self._error(HTTPStatus.CONFLICT, str(exc))
                return
            except Exception as exc:  # noqa: BLE001 - one broken draft must not drop the connection
                if isinstance(exc, _HANGUPS):
                    raise  # the client went away: one line from handle_error
                log.exception("review.internal_error path=%s", self.path)
                self._error(HTTPStatus.INTERNAL_SERVER_ERROR, t._("Erreur interne : draft.json illisible ?"))
                return
            self._send(response)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """The server's own refusals (request line, headers, methods) as the app's page."""
            t = self._messages()
            log.debug("review.refused status=%s reason=%s", int(code), message or explain)
            self.close_connection = True
            extra = {"Connection": "close"}
            if code in (405, 501):
                extra["Allow"] = ALLOWED
            if not getattr(self, "command", None):
                self.command = "GET"  # a garbage request line: answer with a body
            if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
                self.request_version = "HTTP/1.0"  # else http.server would send the page without headers
            body = app.error_page(code, _low_level_text(int(code), t), t)
            self._send(Response(HTTPStatus(code), body), extra)

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            self._handle(lambda t: get(app, self.path, t))

        do_HEAD = do_GET  # noqa: N815

        def do_POST(self) -> None:  # noqa: N802
            self._handle(lambda t: post(app, self.path, self, t))

        def _not_allowed(self) -> None:
            self.send_error(HTTPStatus.METHOD_NOT_ALLOWED)

        do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _not_allowed  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Nothing per request: only the CLI writes; hang-ups are logged once below."""

    return ReviewHandler


class ReviewServer(ThreadingHTTPServer):
    """Threads per connection, a larger backlog, and one log line for a client that went away."""

    request_queue_size = BACKLOG
    daemon_threads = True
    app: ReviewApp

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        error = sys.exc_info()[1]
        kind = "disconnected" if isinstance(error, _HANGUPS) else "error"
        log.warning("review.%s client=%s:%s error=%s", kind, *client_address[:2], type(error).__name__)


def review_server(
    outbox_dir: Path,
    *,
    newsletter: NewsletterSettings,
    templates_dir: Path,
    port: int = 0,
    inbox_dir: Path | None = None,
    load_transcript: Callable[[Path], Sequence[Utterance]] | None = None,
    sender: Any = None,
    week: Any = None,
) -> ReviewServer:
    """A review server bound to 127.0.0.1 (a free port when port is 0); `server.app` is its ReviewApp.

    `load_transcript` (file -> cleaned sentences) lets drafts without recorded quote context show it
    anyway, from the source file found at its path or under `inbox_dir`/processed/, if unchanged.
    `sender` (delivery.ReviewSender) adds the "Envoyer" button, with a confirmation step, to approved drafts.
    `week` (weekly.ReviewWeek) fills the week page: the stories of the coming weekly edition, to pin or drop.
    """
    reload = source_reloader(inbox_dir, load_transcript) if load_transcript else None
    app = ReviewApp(Path(outbox_dir), newsletter, Path(templates_dir), reload, sender=sender, week=week)
    try:
        server = ReviewServer((HOST, port), _handler(app, current().lang))
    except OSError as exc:
        raise OutboxError(
            current()._(
                "impossible d'écouter sur {host}:{port} ({error}) ; essayez un autre --port",
                host=HOST,
                port=port,
                error=exc.strerror or exc,
            )
        ) from exc
    app.port = server.server_address[1]
    server.app = app
    return server
