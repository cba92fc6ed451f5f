"""The review app: a local web server over the outbox to read, approve, reject and edit drafts.

Built on the standard library's http.server: a handful of routes, no new dependency, and every security
check (Host, Origin, CSRF token, CSP) written out here where it can be read in one go. It binds 127.0.0.1
only; pages are Jinja2 templates (autoescaped) from templates/review/, with no script at all.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.config import NewsletterSettings
from generator.edition import outbox, rendering, revisions
from generator.edition.review_pages import NOTICES, Pages, Reload, draft_row, draft_view, source_reloader
from generator.errors import NewsletterError, OutboxError
from generator.model import Utterance

HOST = "127.0.0.1"
MAX_BODY = 2 * 1024 * 1024
# The app's own pages: its stylesheet and icon, the draft's HTML in a frame, forms posted to itself.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# The newsletter itself, shown in a sandboxed frame: its CSS is inline (email HTML), nothing else loads.
NEWSLETTER_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)
_DRAFT_PATH = re.compile(r"^/drafts/([a-z0-9-]{1,120})(/newsletter\.html|/approve|/reject|/edit|/send)?$")
ACTIONS = ("/approve", "/reject", "/edit")
SEND = "/send"  # offered only with a sender (generator/delivery, handed in by the CLI)


class HTTPError(Exception):
    """A refusal with its status and a French message for the error page."""

    def __init__(self, status: HTTPStatus, message: str, unsaved: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.unsaved = unsaved  # the editor's text that could not be saved, shown back so it is not lost


@dataclass
class ReviewApp:
    """What every request needs: the outbox, how to re-render an edit, the token, the allowed hosts."""

    outbox_dir: Path
    newsletter: NewsletterSettings
    templates_dir: Path
    reload: Reload | None = None
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    port: int = 0
    context_cache: dict = field(default_factory=dict)
    # delivery.ReviewSender: `label`, `state(draft folder)` -> {text, can_send}, `send(id)` -> French line
    sender: Any = None

    def __post_init__(self) -> None:
        self.pages = Pages(self.templates_dir)

    @property
    def hosts(self) -> tuple[str, ...]:
        return (f"127.0.0.1:{self.port}", f"localhost:{self.port}")

    # ------------------------------------------------------------------------------------ pages

    def index(self) -> str:
        drafts = [draft_row(d) for d in reversed(outbox.list_drafts(self.outbox_dir))]
        return self.pages.render("index.html.j2", drafts=drafts, outbox=str(self.outbox_dir))

    def draft_page(self, draft_id: str, query: str) -> str:
        info = self._load(draft_id)
        notice = NOTICES.get((parse_qs(query).get("fait") or [""])[0])
        view = draft_view(info, self.reload, self.context_cache)
        delivery = self._delivery(info)
        return self.pages.render(
            "draft.html.j2", d=view, csrf_token=self.csrf_token, notice=notice, delivery=delivery
        )

    def _delivery(self, info: outbox.DraftInfo) -> dict[str, Any] | None:
        """The delivery line and button of an approved draft, when a channel is configured."""
        if self.sender is None or info.status != "approved":
            return None
        return {"label": self.sender.label, **self.sender.state(info.path)}

    def send_page(self, draft_id: str) -> str:
        """The confirmation step before sending: what goes out, where; the form that sends it."""
        info = self._load(draft_id)
        delivery = self._delivery(info)
        if delivery is None:
            raise HTTPError(HTTPStatus.CONFLICT, "Seul un brouillon approuvé peut être envoyé.")
        view = draft_row(info)
        return self.pages.render("send.html.j2", d=view, delivery=delivery, csrf_token=self.csrf_token)

    def send(self, draft_id: str, form: dict[str, str]) -> str:
        """The confirmed send; the URL to redirect to."""
        if not hmac.compare_digest(form.get("csrf_token", ""), self.csrf_token):
            raise HTTPError(
                HTTPStatus.FORBIDDEN, "Jeton de formulaire absent ou invalide : rechargez la page."
            )
        if form.get("confirm") != "oui":
            raise HTTPError(HTTPStatus.BAD_REQUEST, "Envoi non confirmé : rien n'a été envoyé.")
        if self.sender is None or self._load(draft_id).status != "approved":
            raise HTTPError(HTTPStatus.CONFLICT, "Seul un brouillon approuvé peut être envoyé.")
        self.sender.send(draft_id)  # NewsletterError: shown as 409 with its French message
        return f"/drafts/{draft_id}?fait=envoye"

    def newsletter_html(self, draft_id: str) -> bytes:
        path = self._load(draft_id).file("html")
        try:
            html = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise HTTPError(HTTPStatus.NOT_FOUND, "Le fichier HTML du brouillon est introuvable.") from exc
        # Links open in a new tab instead of inside the frame.
        return html.replace("<head>", '<head><base target="_blank">', 1).encode("utf-8")

    def error_response(self, status: HTTPStatus, message: str, unsaved: str | None = None) -> Response:
        try:
            page = self.pages.render("error.html.j2", status=int(status), message=message, unsaved=unsaved)
        except NewsletterError:  # a broken template must not hide the original error
            return Response(status, message.encode("utf-8"), "text/plain; charset=utf-8")
        return Response(status, page.encode("utf-8"))

    # ---------------------------------------------------------------------------------- actions

    def act(self, draft_id: str, action: str, form: dict[str, str]) -> str:
        """Run a POSTed action; returns the URL to redirect to (Post/Redirect/Get)."""
        if not hmac.compare_digest(form.get("csrf_token", ""), self.csrf_token):
            raise HTTPError(
                HTTPStatus.FORBIDDEN, "Jeton de formulaire absent ou invalide : rechargez la page."
            )
        status = self._load(draft_id).status
        revision = _int(form.get("revision"))
        if revision is None:  # every decision is about the revision the reviewer read
            raise HTTPError(HTTPStatus.BAD_REQUEST, "Numéro de révision manquant : rechargez la page.")
        if status == "approved":
            raise HTTPError(HTTPStatus.CONFLICT, "Ce brouillon est approuvé : c'est définitif.")
        if status == "rejected" and action == "/reject":
            raise HTTPError(HTTPStatus.CONFLICT, "Ce brouillon est déjà rejeté.")
        try:
            if action == "/approve":
                outbox.approve(self.outbox_dir, draft_id, revision=revision)
                return f"/drafts/{draft_id}?fait=approuve"
            if action == "/reject":
                if not " ".join(form.get("reason", "").split()):
                    raise HTTPError(HTTPStatus.BAD_REQUEST, "Un rejet demande une raison.")
                outbox.reject(self.outbox_dir, draft_id, form["reason"], revision=revision)
                return f"/drafts/{draft_id}?fait=rejete"
            return self._edit(draft_id, form, revision)
        except outbox.RevisionConflict as exc:
            raise HTTPError(
                HTTPStatus.CONFLICT,
                "Ce brouillon a été modifié entre-temps (autre onglet ou commande) : rien n'a été "
                "enregistré. Rechargez la page pour voir la dernière révision.",
                unsaved=form.get("markdown") if action == "/edit" else None,
            ) from exc

    def _edit(self, draft_id: str, form: dict[str, str], revision: int) -> str:
        info = self._load(draft_id)
        markdown = form.get("markdown", "")
        if not markdown.strip():
            raise HTTPError(HTTPStatus.BAD_REQUEST, "Le texte du brouillon ne peut pas être vide.")
        rendered = rendering.render_markdown(
            markdown,
            style=info.style,
            title=info.title,
            extractive=info.extractive,
            newsletter=self.newsletter,
            templates_dir=self.templates_dir,
        )
        revisions.revise(self.outbox_dir, draft_id, rendered, revision=revision)
        return f"/drafts/{draft_id}?fait=enregistre"

    def _load(self, draft_id: str) -> outbox.DraftInfo:
        try:
            return outbox.load_draft(self.outbox_dir, draft_id)
        except OutboxError as exc:
            raise HTTPError(HTTPStatus.NOT_FOUND, "Brouillon introuvable dans la boîte d'envoi.") from exc


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Response:
    """What a route answers; the handler adds the security headers."""

    status: HTTPStatus
    body: bytes = b""
    ctype: str = "text/html; charset=utf-8"
    csp: str = CSP
    location: str | None = None


def _get(app: ReviewApp, target: str) -> Response:
    parts = urlsplit(target)
    if parts.path == "/":
        return Response(HTTPStatus.OK, app.index().encode("utf-8"))
    if parts.path.startswith("/static/"):
        data = app.pages.asset(parts.path.removeprefix("/static/"))
        if data is None:
            raise HTTPError(HTTPStatus.NOT_FOUND, "Fichier introuvable.")
        ctype = "text/css; charset=utf-8" if parts.path.endswith(".css") else "image/svg+xml"
        return Response(HTTPStatus.OK, data, ctype)
    match = _DRAFT_PATH.match(parts.path)
    if match and match.group(2) is None:
        return Response(HTTPStatus.OK, app.draft_page(match.group(1), parts.query).encode("utf-8"))
    if match and match.group(2) == "/newsletter.html":
        return Response(HTTPStatus.OK, app.newsletter_html(match.group(1)), csp=NEWSLETTER_CSP)
    if match and match.group(2) == SEND and app.sender is not None:
        return Response(HTTPStatus.OK, app.send_page(match.group(1)).encode("utf-8"))
    raise HTTPError(HTTPStatus.NOT_FOUND, "Page introuvable.")


def _check_origin(headers: Any) -> None:
    """A form posted from another site is refused, whatever it carries."""
    origin = headers.get("Origin")
    if origin is not None and origin != f"http://{headers.get('Host', '')}":
        raise HTTPError(HTTPStatus.FORBIDDEN, "Requête venue d'un autre site : refusée.")
    if headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise HTTPError(HTTPStatus.FORBIDDEN, "Requête venue d'un autre site : refusée.")


def _read_form(headers: Any, rfile: Any) -> dict[str, str]:
    ctype = headers.get("Content-Type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Formulaire attendu.")
    length = _int(headers.get("Content-Length"))
    if length is None or length < 0:
        raise HTTPError(HTTPStatus.LENGTH_REQUIRED, "Longueur du formulaire absente.")
    if length > MAX_BODY:
        raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Formulaire trop volumineux.")
    raw = rfile.read(length).decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def _post(app: ReviewApp, target: str, headers: Any, rfile: Any) -> Response:
    _check_origin(headers)
    match = _DRAFT_PATH.match(urlsplit(target).path)
    if match and match.group(2) == SEND and app.sender is not None:
        location = app.send(match.group(1), _read_form(headers, rfile))
        return Response(HTTPStatus.SEE_OTHER, ctype="text/plain; charset=utf-8", location=location)
    if not match or match.group(2) not in ACTIONS:
        raise HTTPError(HTTPStatus.NOT_FOUND, "Action inconnue.")
    location = app.act(match.group(1), match.group(2), _read_form(headers, rfile))
    return Response(HTTPStatus.SEE_OTHER, ctype="text/plain; charset=utf-8", location=location)


def _handler(app: ReviewApp) -> type[BaseHTTPRequestHandler]:
    class ReviewHandler(BaseHTTPRequestHandler):
        server_version = "newsletter-review"
        sys_version = ""

        def _send(self, r: Response) -> None:
            self.send_response(r.status)
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
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(r.body)

        def _handle(self, route: Any) -> None:
            try:
                # DNS rebinding: a page of evil.example resolved to 127.0.0.1 still sends Host: evil.example.
                if self.headers.get("Host", "") not in app.hosts:
                    raise HTTPError(
                        HTTPStatus.FORBIDDEN, "Hôte refusé : ouvrez l'adresse affichée par la commande."
                    )
                self._send(route())
            except HTTPError as exc:
                self._send(app.error_response(exc.status, exc.message, exc.unsaved))
            except NewsletterError as exc:  # an approved draft, an unreadable file: say it, keep serving
                self._send(app.error_response(HTTPStatus.CONFLICT, str(exc)))
            except Exception:  # noqa: BLE001 - a damaged draft.json must not drop the connection
                self._send(
                    app.error_response(
                        HTTPStatus.INTERNAL_SERVER_ERROR, "Erreur interne : draft.json illisible ?"
                    )
                )

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            self._handle(lambda: _get(app, self.path))

        def do_HEAD(self) -> None:  # noqa: N802
            self._handle(lambda: _get(app, self.path))

        def do_POST(self) -> None:  # noqa: N802
            self._handle(lambda: _post(app, self.path, self.headers, self.rfile))

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Silent: only cli.py writes to the terminal."""

    return ReviewHandler


def review_server(
    outbox_dir: Path,
    *,
    newsletter: NewsletterSettings,
    templates_dir: Path,
    port: int = 0,
    inbox_dir: Path | None = None,
    load_transcript: Callable[[Path], Sequence[Utterance]] | None = None,
    sender: Any = None,
) -> ThreadingHTTPServer:
    """A review server bound to 127.0.0.1 (a free port when port is 0); `server.app` is its ReviewApp.

    `load_transcript` (file -> cleaned sentences) lets drafts without recorded quote context show it
    anyway, from the source file found at its path or under `inbox_dir`/processed/, if unchanged.
    `sender` (delivery.ReviewSender) adds the "Envoyer" button, with a confirmation step, to approved drafts.
    """
    reload = source_reloader(inbox_dir, load_transcript) if load_transcript else None
    app = ReviewApp(Path(outbox_dir), newsletter, Path(templates_dir), reload, sender=sender)
    try:
        server = ThreadingHTTPServer((HOST, port), _handler(app))
    except OSError as exc:
        raise OutboxError(
            f"cannot listen on {HOST}:{port} ({exc.strerror or exc}); try another --port"
        ) from exc
    server.daemon_threads = True
    app.port = server.server_address[1]
    server.app = app  # type: ignore[attr-defined]
    return server
