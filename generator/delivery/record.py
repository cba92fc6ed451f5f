"""The delivery record of one draft on one channel, `delivery-<channel>.json` beside draft.json.

Written like the outbox writes draft.json (temporary file, fsync, rename, fsync of the folder): a crash
leaves the previous record or the new one, never half of one. Its states:

- `sending`: written before the server is contacted; still there on the next send means the process
  died before it learnt the outcome;
- `unknown`: the reply to the data was lost, so the server may have accepted it;
- `sent`: the server accepted it (or the platform holds the draft it created);
- `failed`: nothing was accepted; the draft stays approved and a later `send` tries again.

Earlier attempts are kept under `previous`. No address list and no secret is ever written here.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.atomic import write_atomic
from generator.errors import DeliveryError
from generator.i18n import _

SCHEMA = 1
SENDING, UNKNOWN, SENT, FAILED = "sending", "unknown", "sent", "failed"
UNRESOLVED = (SENDING, UNKNOWN)


def record_path(folder: Path, channel: str) -> Path:
    return Path(folder) / f"delivery-{channel}.json"


def read_record(folder: Path, channel: str) -> dict[str, Any] | None:
    """The record, or None when this draft was never sent on this channel."""
    path = record_path(folder, channel)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DeliveryError(
            _(
                "fiche d'envoi illisible ({error}) : vérifiez sur le serveur si l'édition est partie, "
                "puis réparez ou retirez ce fichier",
                error=exc,
            ),
            path=str(path),
        ) from None
    if not isinstance(doc, dict) or doc.get("status") not in (SENDING, UNKNOWN, SENT, FAILED):
        raise DeliveryError(
            _("fiche d'envoi sans état valable : réparez ou retirez ce fichier"), path=str(path)
        )
    return doc


def write_record(folder: Path, channel: str, doc: dict[str, Any]) -> None:
    """Replace the record atomically (temporary file, fsync, rename, fsync of the folder)."""
    path = record_path(folder, channel)
    data = (json.dumps({"schema": SCHEMA, **doc}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    try:
        write_atomic(path, data, sync_dir=True)
    except OSError as exc:
        raise DeliveryError(
            _("impossible d'écrire la fiche d'envoi : {error}", error=exc.strerror or exc), path=str(path)
        ) from None


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """The draft folder's lock (the one the outbox takes): two sends of one draft take turns."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise DeliveryError(
            _("dossier du brouillon inaccessible : {error}", error=exc.strerror), path=str(folder)
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
