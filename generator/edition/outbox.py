"""Drafts on disk: written atomically, listed, loaded, approved and rejected."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.edition.draft_json import FILES, draft_document, user_name
from generator.errors import OutboxError
from generator.i18n import _, current
from generator.model import Edition, Provenance, Utterance

DRAFT_JSON = "draft.json"
STATUSES = ("draft", "approved", "rejected")
MAX_SLUG = 60
_ID_RE = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9][a-z0-9-]*$")
# Letters NFKD does not split into ASCII + accent.
_TRANSLIT = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "ð": "d",
    }
)


@dataclass(frozen=True)
class DraftInfo:
    """A draft folder and the summary of its draft.json."""

    id: str
    path: Path
    status: str
    created: str
    title: str
    style: str
    backend: str
    model: str | None
    extractive: bool
    episodes: tuple[str, ...]  # "Show (YYYY-MM-DD)" per source
    source_sha256s: tuple[str, ...]
    quotes_verified: int
    quotes_rejected: int
    warnings: tuple[str, ...]
    doc: dict[str, Any] = field(compare=False, repr=False)

    def file(self, fmt: str) -> Path:
        """Path of the rendered file for "md", "html" or "txt"."""
        if fmt not in FILES:
            raise OutboxError(
                _("format inconnu « {fmt} » ; au choix : {choices}", fmt=fmt, choices=", ".join(FILES))
            )
        return self.path / FILES[fmt]

    def as_json(self) -> dict[str, Any]:
        """The listing entry printed by `newsletter drafts --json`."""
        return {
            "id": self.id,
            "date": self.id[:10],
            "status": self.status,
            "created": self.created,
            "title": self.title,
            "style": self.style,
            "backend": self.backend,
            "model": self.model,
            "extractive": self.extractive,
            "episodes": list(self.episodes),
            "quotes": {"verified": self.quotes_verified, "rejected": self.quotes_rejected},
            "warnings": list(self.warnings),
            "path": str(self.path),
        }


# --------------------------------------------------------------------------------------------- names


def slugify(text: str | None, *, fallback: str = "edition") -> str:
    """Lowercase ASCII letters, digits and single hyphens, whatever the input's script or accents."""
    text = unicodedata.normalize("NFKD", (text or "").translate(_TRANSLIT))
    text = "".join(c for c in text if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] or slug[:MAX_SLUG]
    return slug.strip("-") or fallback


def draft_slug(edition: Edition) -> str:
    """The show name (or names, joined) of the edition; its title when no show is known."""
    shows: list[str] = []
    for source in edition.sources or tuple(s.source for s in edition.sections):
        if source.show and source.show not in shows:
            shows.append(source.show)
    return slugify(" ".join(shows) if shows else edition.title)


# ------------------------------------------------------------------------------------------- writing


def _now(now: dt.datetime | None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _json_bytes(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def write_draft(
    outbox_dir: Path,
    edition: Edition,
    provenance: Provenance,
    rendered: dict[str, str],
    *,
    now: dt.datetime | None = None,
    transcripts: Mapping[str, Sequence[Utterance]] | None = None,
) -> DraftInfo:
    """Write a new draft folder atomically: `<YYYY-MM-DD>-<slug>`, or `-2`, `-3`... if taken. Never overwrites.

    `transcripts` (episode sha256 -> its cleaned sentences) lets draft.json keep each quote's context.
    """
    missing = [k for k in FILES if k not in rendered]
    if missing:
        raise OutboxError(_("il manque à l'édition rendue : {missing}", missing=", ".join(missing)))
    outbox_dir = Path(outbox_dir)
    try:
        outbox_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutboxError(
            _("impossible de créer le dossier outbox : {error}", error=exc.strerror), path=str(outbox_dir)
        ) from exc
    created = _now(now)
    day = (edition.date or created.date()).isoformat()
    base = f"{day}-{draft_slug(edition)}"

    # Readers ignore dot-folders, so a half-written draft is never listed; the rename publishes it whole.
    tmp = outbox_dir / f".tmp-{base}-{secrets.token_hex(4)}"
    try:
        tmp.mkdir()
        for key, name in FILES.items():
            _write_synced(tmp / name, rendered[key].encode("utf-8"))
        n = 1
        while True:
            draft_id = base if n == 1 else f"{base}-{n}"
            final = outbox_dir / draft_id
            if not final.exists():
                doc = draft_document(draft_id, edition, provenance, rendered, created, transcripts)
                json_tmp = tmp / DRAFT_JSON
                json_tmp.unlink(missing_ok=True)
                _write_synced(json_tmp, _json_bytes(doc))
                _fsync_dir(tmp)
                try:
                    # rename() only replaces an *empty* directory; a real draft is never empty, so a
                    # concurrent writer that took this name makes it fail and we try the next suffix.
                    os.rename(tmp, final)
                    break
                except OSError:
                    if not final.exists():
                        raise
            n += 1
        _fsync_dir(outbox_dir)
    except OSError as exc:
        raise OutboxError(
            _("impossible d'écrire le brouillon : {error}", error=exc.strerror or exc), path=str(outbox_dir)
        ) from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return _info(final, doc)


# ------------------------------------------------------------------------------------------- reading


def _info(path: Path, doc: dict[str, Any]) -> DraftInfo:
    sources = [s for s in doc.get("sources") or [] if isinstance(s, dict)]
    quotes = [q for q in doc.get("quotes") or [] if isinstance(q, dict)]
    episodes = tuple(
        f"{s.get('show') or Path(str(s.get('path', '?'))).name}"
        + (f" ({s['date']})" if s.get("date") else "")
        for s in sources
    )
    return DraftInfo(
        id=path.name,
        path=path,
        status=str(doc.get("status", "draft")),
        created=str(doc.get("created", "")),
        title=str(doc.get("title", "")),
        style=str(doc.get("style", "")),
        backend=str(doc.get("backend", "")),
        model=doc.get("model"),
        extractive=bool(doc.get("extractive", False)),
        episodes=episodes,
        source_sha256s=tuple(str(s.get("sha256", "")) for s in sources),
        quotes_verified=sum(1 for q in quotes if q.get("verified")),
        quotes_rejected=len(doc.get("rejected_quotes") or []),
        warnings=tuple(str(w) for w in doc.get("warnings") or []),
        doc=doc,
    )


def _read_doc(folder: Path) -> dict[str, Any]:
    path = folder / DRAFT_JSON
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise OutboxError(_("pas un brouillon (aucun draft.json)"), path=str(folder)) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutboxError(
            _("draft.json illisible ({error}) ; réparez ou retirez ce dossier", error=exc), path=str(path)
        ) from exc
    if not isinstance(doc, dict) or doc.get("status") not in STATUSES:
        raise OutboxError(
            _("draft.json n'a pas de statut valable ; réparez ou retirez ce dossier"), path=str(path)
        )
    return doc


def list_drafts(outbox_dir: Path) -> list[DraftInfo]:
    """Every readable draft, oldest first; dot-folders (writes in progress) and stray files ignored."""
    outbox_dir = Path(outbox_dir)
    if not outbox_dir.is_dir():
        return []
    drafts = []
    for folder in outbox_dir.iterdir():
        if folder.name.startswith(".") or not folder.is_dir() or not (folder / DRAFT_JSON).is_file():
            continue
        try:
            drafts.append(_info(folder, _read_doc(folder)))
        except OutboxError:
            continue  # a damaged folder must not hide the others; load_draft reports it by name
    return sorted(drafts, key=lambda d: (d.created, d.id))


@dataclass(frozen=True)
class DamagedDraft:
    """A folder of the outbox with a draft.json that cannot be read, and why."""

    id: str
    path: Path
    error: str


def damaged_drafts(outbox_dir: Path) -> list[DamagedDraft]:
    """The folders `list_drafts` leaves out because their draft.json is unreadable, by name."""
    outbox_dir = Path(outbox_dir)
    if not outbox_dir.is_dir():
        return []
    found = []
    for folder in sorted(outbox_dir.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir() or not (folder / DRAFT_JSON).is_file():
            continue
        try:
            _info(folder, _read_doc(folder))
        except OutboxError as exc:
            found.append(DamagedDraft(folder.name, folder, str(exc)))
    return found


def load_draft(outbox_dir: Path, draft_id: str) -> DraftInfo:
    """The draft with this id (its folder name); OutboxError if there is none."""
    outbox_dir = Path(outbox_dir)
    draft_id = draft_id.strip().rstrip("/")
    folder = outbox_dir / draft_id
    if not _ID_RE.match(draft_id) or not folder.is_dir():
        raise OutboxError(
            _(
                "brouillon inconnu « {id} » dans {outbox} ; `newsletter drafts` les liste",
                id=draft_id,
                outbox=outbox_dir,
            )
        )
    return _info(folder, _read_doc(folder))


def find_by_sources(outbox_dir: Path, sha256s: Iterable[str]) -> DraftInfo | None:
    """The most recent draft made from exactly this set of inputs (by sha256), or None."""
    wanted = set(sha256s)
    matches = [d for d in list_drafts(outbox_dir) if set(d.source_sha256s) == wanted]
    return matches[-1] if matches else None


# ---------------------------------------------------------------------------------------- transitions


def _replace_doc(folder: Path, doc: dict[str, Any]) -> None:
    tmp = folder / f".{DRAFT_JSON}.{secrets.token_hex(4)}.tmp"
    try:
        _write_synced(tmp, _json_bytes(doc))
        os.replace(tmp, folder / DRAFT_JSON)
        _fsync_dir(folder)
    except OSError as exc:
        raise OutboxError(
            _("impossible de mettre à jour draft.json : {error}", error=exc.strerror or exc), path=str(folder)
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)


class RevisionConflict(OutboxError):
    """The draft changed since the editor loaded it (another tab or command saved a newer revision)."""


def revision_of(doc: dict[str, Any]) -> int:
    """The draft's revision number; drafts written before revisions existed are revision 1."""
    try:
        return max(1, int(doc.get("revision", 1)))
    except (TypeError, ValueError):
        return 1


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the draft folder, so two writers (tabs, commands) take turns."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise OutboxError(
            _("impossible d'ouvrir le dossier du brouillon : {error}", error=exc.strerror), path=str(folder)
        ) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def last_status(doc: dict[str, Any]) -> dict[str, Any]:
    """The last history entry that changed the status (edits do not)."""
    history = doc.get("history") if isinstance(doc.get("history"), list) else []
    return next((h for h in reversed(history) if isinstance(h, dict) and h.get("action") != "edit"), {})


def _check_revision(info: DraftInfo, revision: int | None) -> None:
    current = revision_of(info.doc)
    if revision is not None and revision != current:
        raise RevisionConflict(
            f"draft {info.id} is now at revision {current}, not {revision}: "
            "someone saved it meanwhile; reload it and redo your change"
        )


def _transition(
    outbox_dir: Path,
    draft_id: str,
    status: str,
    *,
    reason: str | None,
    user: str | None,
    now: dt.datetime | None,
    revision: int | None = None,
) -> DraftInfo:
    with _locked(load_draft(outbox_dir, draft_id).path):
        info = load_draft(outbox_dir, draft_id)
        doc = info.doc
        last = last_status(doc)
        when = _(" le {at} par {user}", at=current().datetime(last.get("at")), user=last.get("user", "?"))
        if info.status == "approved":
            raise OutboxError(
                _(
                    "le brouillon {id} a déjà été approuvé{when} ; un brouillon approuvé ne change plus "
                    "(générez-en un nouveau)",
                    id=info.id,
                    when=when,
                )
            )
        if info.status == status:  # only "rejected" can get here
            raise OutboxError(
                _(
                    "le brouillon {id} a déjà été rejeté{when} (raison : {reason})",
                    id=info.id,
                    when=when,
                    reason=last.get("reason"),
                )
            )
        _check_revision(info, revision)
        entry = {
            "status": status,
            "at": _now(now).isoformat(timespec="seconds"),
            "user": user or user_name(),
            "reason": reason,
        }
        if status == "approved":
            # What exactly was approved: the editor may have touched the files since generation.
            entry["files"] = _file_hashes(info.path)
        new = {**doc, "status": status, "history": [*(doc.get("history") or []), entry]}
        _replace_doc(info.path, new)
    return _info(info.path, new)


def _file_hashes(folder: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in FILES.values()
        if (folder / name).is_file()
    }


def approve(
    outbox_dir: Path,
    draft_id: str,
    user: str | None = None,
    *,
    now: dt.datetime | None = None,
    revision: int | None = None,
) -> DraftInfo:
    """Mark a draft (or a previously rejected one) approved; an approved draft is final.

    With `revision`, refuse (RevisionConflict) unless that is still the draft's revision: approve what was read.
    """
    return _transition(outbox_dir, draft_id, "approved", reason=None, user=user, now=now, revision=revision)


def reject(
    outbox_dir: Path,
    draft_id: str,
    reason: str,
    user: str | None = None,
    *,
    now: dt.datetime | None = None,
    revision: int | None = None,
) -> DraftInfo:
    """Mark a draft rejected with a reason; an approved or already rejected draft is refused."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise OutboxError(_('un rejet demande une raison : --reason "..."'))
    return _transition(outbox_dir, draft_id, "rejected", reason=reason, user=user, now=now, revision=revision)
