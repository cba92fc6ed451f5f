"""The edition that goes out: an approved draft's files, exactly as they were when it was approved."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.edition import FILES, load_draft, revision_of
from generator.errors import DeliveryError, OutboxError
from generator.i18n import N_, _

STATUS_FR = {
    "draft": N_("à relire"),
    "approved": N_("approuvé"),
    "rejected": N_("rejeté"),
}  # translated where used
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---\s*\n.*?\n(?:---|\.\.\.)\s*(?:\n|\Z)", re.S)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)


@dataclass(frozen=True)
class ApprovedEdition:
    """What every channel sends: the approved revision's three files and what to call it."""

    id: str
    path: Path
    title: str
    revision: int
    approved_at: str
    approved_by: str
    md: str
    html: str
    txt: str
    files: dict[str, str]  # file name -> sha256, as approved
    link: str | None  # the show's page, for platforms that keep a link back

    @property
    def markdown_body(self) -> str:
        """The Markdown without any front matter (platforms would print it as text)."""
        return _FRONT_MATTER.sub("", self.md, count=1).lstrip("\n")

    @property
    def html_body(self) -> str:
        """The inside of <body> of the inlined HTML page (a post or campaign body, not a whole page)."""
        match = _BODY.search(self.html)
        return (match.group(1) if match else self.html).strip()


def _approval(doc: dict[str, Any]) -> dict[str, Any]:
    entries = [h for h in doc.get("history") or [] if isinstance(h, dict) and h.get("status") == "approved"]
    return next((h for h in reversed(entries) if h.get("action") != "edit"), {})


def load_approved(outbox_dir: Path, draft_id: str) -> ApprovedEdition:
    """The draft if it is approved and its files are still those approved; DeliveryError otherwise."""
    try:
        info = load_draft(outbox_dir, draft_id)
    except OutboxError as exc:
        raise DeliveryError(_("brouillon introuvable : {error}", error=exc)) from None
    if info.status != "approved":
        status = _(STATUS_FR[info.status]) if info.status in STATUS_FR else info.status
        raise DeliveryError(
            _(
                "le brouillon {id} n'est pas approuvé (état : {status}) ; rien n'a été envoyé. "
                "Relisez-le puis approuvez-le (`newsletter approve {id}` ou la page de relecture)",
                id=info.id,
                status=status,
            )
        )
    doc = info.doc
    approval = _approval(doc)
    expected = approval.get("files") or doc.get("files") or {}
    texts: dict[str, str] = {}
    files: dict[str, str] = {}
    for key, name in FILES.items():
        path = info.path / name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DeliveryError(
                _("fichier du brouillon illisible ({error}) ; rien n'a été envoyé", error=exc.strerror),
                path=str(path),
            ) from None
        digest = hashlib.sha256(data).hexdigest()
        if name in expected and expected[name] != digest:
            raise DeliveryError(
                _(
                    "{name} a changé depuis l'approbation du {at} : ce n'est plus la révision approuvée, "
                    "rien n'a été envoyé. Remettez le fichier approuvé ou générez un nouveau brouillon",
                    name=name,
                    at=approval.get("at", "?"),
                ),
                path=str(path),
            )
        texts[key], files[name] = data.decode("utf-8", errors="replace"), digest
    sources = [s for s in doc.get("sources") or [] if isinstance(s, dict)]
    link = next((str(s["source_url"]) for s in sources if s.get("source_url")), None)
    return ApprovedEdition(
        id=info.id,
        path=info.path,
        title=info.title,
        revision=revision_of(doc),
        approved_at=str(approval.get("at", "")),
        approved_by=str(approval.get("user", "")),
        md=texts["md"],
        html=texts["html"],
        txt=texts["txt"],
        files=files,
        link=link,
    )
