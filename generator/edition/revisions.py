"""Edits made in the review app: a draft's files saved as its next revision, the previous ones kept."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import secrets
import shutil
from pathlib import Path

from generator.atomic import write_atomic
from generator.edition.draft_json import FILES, user_name
from generator.edition.outbox import (
    DraftInfo,
    _check_revision,
    _file_hashes,
    _info,
    _locked,
    _now,
    _replace_doc,
    _write_synced,
    load_draft,
)
from generator.errors import OutboxError
from generator.i18n import _

MAX_DIFF_CHARS = 20000


def _replace_file(path: Path, data: bytes) -> None:
    write_atomic(path, data)


def _archive(folder: Path, revision: int) -> None:
    """Keep the files of `revision` under revisions/<n>/ before they are replaced (once)."""
    target = folder / "revisions" / str(revision)
    if target.is_dir():
        return
    tmp = folder / "revisions" / f".tmp-{revision}-{secrets.token_hex(4)}"
    tmp.mkdir(parents=True)
    try:
        for name in FILES.values():
            if (folder / name).is_file():
                _write_synced(tmp / name, (folder / name).read_bytes())
        os.rename(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def revise(
    outbox_dir: Path,
    draft_id: str,
    rendered: dict[str, str],
    *,
    revision: int,
    user: str | None = None,
    now: dt.datetime | None = None,
    title: str | None = None,
) -> DraftInfo:
    """Save edited files as the next revision of a draft, keeping the previous ones under revisions/<n>/.

    `revision` is the revision the editor started from; if the draft moved on since, RevisionConflict.
    An approved draft is final. History records who, when, the new revision and the Markdown diff.
    `title` (the edited `# ` line) becomes the draft's title in draft.json, so lists show it.
    """
    missing = [k for k in FILES if k not in rendered]
    if missing:
        raise OutboxError(_("il manque à l'édition rendue : {missing}", missing=", ".join(missing)))
    with _locked(load_draft(outbox_dir, draft_id).path):
        info = load_draft(outbox_dir, draft_id)
        if info.status == "approved":
            raise OutboxError(
                _("le brouillon {id} est approuvé : un brouillon approuvé ne change plus", id=info.id)
            )
        _check_revision(info, revision)
        before = info.file("md").read_text(encoding="utf-8") if info.file("md").is_file() else ""
        diff = "".join(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                rendered["md"].splitlines(keepends=True),
                _("révision {n}", n=revision),
                _("révision {n}", n=revision + 1),
                n=1,
            )
        )
        try:
            _archive(info.path, revision)
            for key, name in FILES.items():
                _replace_file(info.path / name, rendered[key].encode("utf-8"))
        except OSError as exc:
            raise OutboxError(
                _("impossible d'enregistrer le brouillon ({error})", error=exc.strerror or exc),
                path=str(info.path),
            ) from exc
        entry = {
            "status": info.status,
            "action": "edit",
            "at": _now(now).isoformat(timespec="seconds"),
            "user": user or user_name(),
            "reason": None,
            "revision": revision + 1,
            "diff": diff if len(diff) <= MAX_DIFF_CHARS else diff[:MAX_DIFF_CHARS] + "\n[…]\n",
        }
        files = _file_hashes(info.path)
        new = {**info.doc, "revision": revision + 1, "files": files, "history": [*info.doc["history"], entry]}
        if title:
            new["title"] = title
        _replace_doc(info.path, new)
    return _info(info.path, new)
