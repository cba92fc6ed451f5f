"""The review app: the pages and actions to read, approve, reject and edit drafts.

The routes and every security check (Host, Origin, CSRF token, CSP) are written out here where they
can be read in one go (the week page's, with the same checks, in `review_week`); the HTTP server itself (timeouts, backlog, low-level errors,
client hang-ups) is in `review`, which serves this app. It binds 127.0.0.1 only; pages are Jinja2 templates (autoescaped)
from templates/review/, with no script at all, in the language of each request (Accept-Language).
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.config import NewsletterSettings
from generator.edition import outbox, rendering, revisions
from generator.edition.review_pages import Pages, Reload, damaged_row, draft_row, draft_view, notice
from generator.errors import NewsletterError, OutboxError
from generator.i18n import Messages

HOST = "127.0.0.1"
MAX_BODY = 2 * 1024 * 1024
# The app's own pages: its stylesheet and icon, forms posted to itself.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# The newsletter itself, as the email will be: its CSS is inline (email HTML), nothing else loads.
NEWSLETTER_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)
_DRAFT_PATH = re.compile(r"^/drafts/([a-z0-9-]{1,120})(/newsletter\.html|/approve|/reject|/edit|/send)?$")
ACTIONS = ("/approve", "/reject", "/edit")
SEND = "/send"  # offered only with a sender (generator/delivery, handed in by the CLI)
_TITLE_LINE = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


class HTTPError(Exception):
    """A refusal with its status and a message for the error page (already in the request's language)."""

    def __init__(self, status: HTTPStatus, message: str, unsaved: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        # What the reviewer typed and could not be saved, shown back beside the current version.
        self.unsaved = unsaved


def title_of(markdown: str, fallback: str) -> str:
    """The text of the first `# ` line: an edited title is the title everywhere (list, page, email)."""
    match = _TITLE_LINE.search(markdown)
    return " ".join(match.group(1).split()) if match else fallback


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
    # weekly.ReviewWeek (handed in by the CLI): the week page's stories, pins and drops (review_week)
    week: Any = None

    def __post_init__(self) -> None:
        self.pages = Pages(self.templates_dir)

    @property
    def hosts(self) -> tuple[str, ...]:
        return (f"127.0.0.1:{self.port}", f"localhost:{self.port}")

    # ------------------------------------------------------------------------------------ pages

    def index(self, t: Messages) -> str:
        drafts = [draft_row(d, t) for d in reversed(outbox.list_drafts(self.outbox_dir))]
        damaged = [damaged_row(d, t) for d in outbox.damaged_drafts(self.outbox_dir)]
        return self.pages.render(
            "index.html.j2", t, drafts=drafts, damaged=damaged, outbox=str(self.outbox_dir)
        )

    def draft_page(self, draft_id: str, query: str, t: Messages) -> str:
        info = self._load(draft_id, t)
        view = draft_view(info, self.reload, self.context_cache, t)
        shown = notice(parse_qs(query), t)
        delivery = self._delivery(info, t)
        return self.pages.render(
            "draft.html.j2", t, d=view, csrf_token=self.csrf_token, notice=shown, delivery=delivery
        )

    def _delivery(self, info: outbox.DraftInfo, t: Messages) -> dict[str, Any] | None:
        """The delivery line and button of an approved draft, when a channel is configured."""
        if self.sender is None or info.status != "approved":
            return None
        return {"label": self.sender.label, **self.sender.state(info.path, t)}

    def send_page(self, draft_id: str, t: Messages) -> str:
        """The confirmation step before sending: what goes out, where; the form that sends it."""
        info = self._load(draft_id, t)
        delivery = self._delivery(info, t)
        if delivery is None:
            raise HTTPError(HTTPStatus.CONFLICT, t._("Seul un brouillon approuvé peut être envoyé."))
        view = draft_row(info, t)
        return self.pages.render("send.html.j2", t, d=view, delivery=delivery, csrf_token=self.csrf_token)

    def send(self, draft_id: str, form: dict[str, str], t: Messages) -> str:
        """The confirmed send; the URL to redirect to."""
        self.check_token(form, t)
        if form.get("confirm") != "oui":
            raise HTTPError(HTTPStatus.BAD_REQUEST, t._("Envoi non confirmé : rien n'a été envoyé."))
        if self.sender is None or self._load(draft_id, t).status != "approved":
            raise HTTPError(HTTPStatus.CONFLICT, t._("Seul un brouillon approuvé peut être envoyé."))
        self.sender.send(draft_id)  # NewsletterError: shown as 409 with its message
        return f"/drafts/{draft_id}?fait=envoye"

    def newsletter_html(self, draft_id: str, t: Messages) -> bytes:
        path = self._load(draft_id, t).file("html")
        try:
            html = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise HTTPError(
                HTTPStatus.NOT_FOUND, t._("Le fichier HTML du brouillon est introuvable.")
            ) from exc
        # Links open in a new tab.
        return html.replace("<head>", '<head><base target="_blank">', 1).encode("utf-8")

    def error_page(self, status: int, message: str, t: Messages, unsaved: dict | None = None) -> bytes:
        context = {"status": status, "message": message, "unsaved": unsaved, "csrf_token": self.csrf_token}
        try:
            return self.pages.render("error.html.j2", t, **context).encode("utf-8")
        except NewsletterError:  # a broken template must not hide the original error
            return f"{status} {message}".encode()

    # ---------------------------------------------------------------------------------- actions

    def check_token(self, form: dict[str, str], t: Messages) -> None:
        """Every POSTed form carries the page's CSRF token, or nothing is done (403)."""
        if not hmac.compare_digest(form.get("csrf_token", ""), self.csrf_token):
            raise HTTPError(
                HTTPStatus.FORBIDDEN, t._("Jeton de formulaire absent ou invalide : rechargez la page.")
            )

    def act(self, draft_id: str, action: str, form: dict[str, str], t: Messages) -> str:
        """Run a POSTed action; returns the URL to redirect to (Post/Redirect/Get)."""
        self.check_token(form, t)
        info = self._load(draft_id, t)
        revision = _int(form.get("revision"))
        if revision is None:  # every decision is about the revision the reviewer read
            raise HTTPError(HTTPStatus.BAD_REQUEST, t._("Numéro de révision manquant : rechargez la page."))
        if info.status == "approved":
            raise self._conflict(info, action, form, t._("Ce brouillon est approuvé : c'est définitif."))
        if info.status == "rejected" and action == "/reject":
            raise self._conflict(info, action, form, t._("Ce brouillon est déjà rejeté."))
        try:
            if action == "/approve":
                outbox.approve(self.outbox_dir, draft_id, revision=revision)
                return f"/drafts/{draft_id}?fait=approuve"
            if action == "/reject":
                if not " ".join(form.get("reason", "").split()):
                    raise HTTPError(HTTPStatus.BAD_REQUEST, t._("Un rejet demande une raison."))
                outbox.reject(self.outbox_dir, draft_id, form["reason"], revision=revision)
                return f"/drafts/{draft_id}?fait=rejete"
            return self._edit(info, form, revision, t)
        except (outbox.RevisionConflict, OutboxError) as exc:
            # Approved, rejected or saved meanwhile (another tab, the CLI): nothing written, text kept.
            current = self._load(draft_id, t)
            if current.status == "draft" and not isinstance(exc, outbox.RevisionConflict):
                raise
            message = t._(
                "Ce brouillon a été modifié entre-temps (autre onglet ou commande) : rien n'a été "
                "enregistré. Votre texte est ci-dessous, à côté de la version actuelle."
            )
            if current.status == "approved":
                message = t._("Ce brouillon a été approuvé entre-temps : rien n'a été enregistré.")
            raise self._conflict(current, action, form, message) from exc

    def _conflict(self, info: outbox.DraftInfo, action: str, form: dict[str, str], message: str) -> HTTPError:
        """A 409 that gives back what was typed, with the draft's current version beside it."""
        md = info.file("md")
        typed = (
            form.get("markdown") if action == "/edit" else form.get("reason") if action == "/reject" else None
        )
        unsaved = {
            "id": info.id,
            "action": action.strip("/"),
            "text": typed,
            "revision": outbox.revision_of(info.doc),
            "status": info.status,
            "current": md.read_text(encoding="utf-8") if md.is_file() else "",
        }
        return HTTPError(HTTPStatus.CONFLICT, message, unsaved=unsaved if typed is not None else None)

    def _edit(self, info: outbox.DraftInfo, form: dict[str, str], revision: int, t: Messages) -> str:
        markdown = form.get("markdown", "")
        if not markdown.strip():
            raise HTTPError(HTTPStatus.BAD_REQUEST, t._("Le texte du brouillon ne peut pas être vide."))
        title = title_of(markdown, info.title)
        rendered = rendering.render_markdown(
            markdown,
            style=info.style,
            title=title,
            extractive=info.extractive,
            newsletter=self.newsletter,
            templates_dir=self.templates_dir,
        )
        revisions.revise(self.outbox_dir, info.id, rendered, revision=revision, title=title)
        removed = rendering.removed_html(markdown)
        counts = "".join(f"&{k}={v}" for k, v in sorted(removed.items()) if v)
        return f"/drafts/{info.id}?fait=enregistre{counts}"

    def _load(self, draft_id: str, t: Messages) -> outbox.DraftInfo:
        try:
            return outbox.load_draft(self.outbox_dir, draft_id)
        except OutboxError as exc:
            if (Path(self.outbox_dir) / draft_id / "draft.json").is_file():
                raise HTTPError(
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                    t._("Ce brouillon est endommagé (draft.json illisible) : {error}", error=str(exc)),
                ) from exc
            raise HTTPError(
                HTTPStatus.NOT_FOUND, t._("Brouillon introuvable dans la boîte d'envoi.")
            ) from exc


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


def get(app: ReviewApp, target: str, t: Messages) -> Response:
    parts = urlsplit(target)
    if parts.path == "/":
        return Response(HTTPStatus.OK, app.index(t).encode("utf-8"))
    if parts.path.startswith("/static/"):
        data = app.pages.asset(parts.path.removeprefix("/static/"))
        if data is None:
            raise HTTPError(HTTPStatus.NOT_FOUND, t._("Fichier introuvable."))
        ctype = "text/css; charset=utf-8" if parts.path.endswith(".css") else "image/svg+xml"
        return Response(HTTPStatus.OK, data, ctype)
    match = _DRAFT_PATH.match(parts.path)
    if match and match.group(2) is None:
        return Response(HTTPStatus.OK, app.draft_page(match.group(1), parts.query, t).encode("utf-8"))
    if match and match.group(2) == "/newsletter.html":
        return Response(HTTPStatus.OK, app.newsletter_html(match.group(1), t), csp=NEWSLETTER_CSP)
    if match and match.group(2) == SEND and app.sender is not None:
        return Response(HTTPStatus.OK, app.send_page(match.group(1), t).encode("utf-8"))
    raise HTTPError(HTTPStatus.NOT_FOUND, t._("Page introuvable."))


def check_origin(headers: Any, t: Messages) -> None:
    """A form posted from another site is refused, whatever it carries."""
    origin = headers.get("Origin")
    if origin is not None and origin != f"http://{headers.get('Host', '')}":
        raise HTTPError(HTTPStatus.FORBIDDEN, t._("Requête venue d'un autre site : refusée."))
    if headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise HTTPError(HTTPStatus.FORBIDDEN, t._("Requête venue d'un autre site : refusée."))


def read_form(headers: Any, rfile: Any, t: Messages) -> dict[str, str]:
    """The urlencoded form, only if all of it arrived: a body cut short is refused and nothing is saved."""
    ctype = headers.get("Content-Type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, t._("Formulaire attendu."))
    length = _int(headers.get("Content-Length"))
    if length is None or length < 0:
        raise HTTPError(HTTPStatus.LENGTH_REQUIRED, t._("Longueur du formulaire absente."))
    if length > MAX_BODY:
        raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, t._("Formulaire trop volumineux."))
    raw = rfile.read(length)
    if len(raw) < length:
        raise HTTPError(
            HTTPStatus.BAD_REQUEST,
            t._("Formulaire incomplet (connexion coupée avant la fin) : rien n'a été enregistré."),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPError(HTTPStatus.BAD_REQUEST, t._("Formulaire illisible (pas en UTF-8).")) from exc
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def post(app: ReviewApp, target: str, handler: Any, t: Messages) -> Response:
    check_origin(handler.headers, t)
    match = _DRAFT_PATH.match(urlsplit(target).path)
    if match and match.group(2) == SEND and app.sender is not None:
        location = app.send(match.group(1), read_form(handler.headers, handler.rfile, t), t)
        return Response(HTTPStatus.SEE_OTHER, ctype="text/plain; charset=utf-8", location=location)
    if not match or match.group(2) not in ACTIONS:
        raise HTTPError(HTTPStatus.NOT_FOUND, t._("Action inconnue."))
    form = read_form(handler.headers, handler.rfile, t)
    location = app.act(match.group(1), match.group(2), form, t)
    return Response(HTTPStatus.SEE_OTHER, ctype="text/plain; charset=utf-8", location=location)
