"""The week's material: the episodes of the nightly drafts written in a window of days.

A nightly draft records its sources (path and sha256); the night then moved each input to
`inbox/processed/<day>/`. A source is found at its recorded path, where the ledger says it was moved
(`moved_to`, given by the caller), or by name under `inbox/processed/`, and always checked by hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.edition import DraftInfo, list_drafts
from generator.errors import WeeklyError
from generator.i18n import _

PROCESSED = "processed"


@dataclass(frozen=True)
class Window:
    """The first and last day of the week an edition covers, both included."""

    since: dt.date
    until: dt.date

    def __post_init__(self) -> None:
        if self.since > self.until:
            raise WeeklyError(
                _(
                    "fenêtre vide : --since {since} est après --until {until}",
                    since=self.since.isoformat(),
                    until=self.until.isoformat(),
                )
            )

    def holds(self, day: dt.date) -> bool:
        return self.since <= day <= self.until


def window(since: dt.date | None, until: dt.date | None, *, today: dt.date, days: int = 7) -> Window:
    """The last `days` days up to `until` (default today), or from `since`."""
    until = until or today
    return Window(since or until - dt.timedelta(days=days - 1), until)


def parse_day(text: str, flag: str) -> dt.date:
    """'2026-12-04' -> a date; a WeeklyError naming the flag otherwise."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise WeeklyError(
            _("{flag} {text} : date attendue au format AAAA-MM-JJ", flag=flag, text=repr(text))
        ) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def locate(source: dict, inbox: Path, moved_to: Callable[[str], str | None] | None = None) -> Path | None:
    """Where a draft's source transcript is now (checked by hash), or None."""
    sha = str(source.get("sha256") or "")
    recorded = Path(str(source.get("path") or ""))
    places = [recorded]
    if moved_to is not None and sha:
        where = moved_to(sha)
        if where:
            places.append(Path(where))
    processed = Path(inbox) / PROCESSED
    if recorded.name and processed.is_dir():
        places += sorted(processed.glob(f"*/{recorded.name}")) + sorted(
            processed.glob(f"*/*{recorded.suffix}")
        )
    for place in places:
        try:
            if place.is_file() and (not sha or _sha256(place) == sha):
                return place
        except OSError:
            continue
    return None


def is_weekly(draft: DraftInfo) -> bool:
    """A weekly edition is never the material of another one."""
    return bool((draft.doc.get("extra") or {}).get("weekly"))


def window_drafts(outbox_dir: Path, week: Window) -> list[DraftInfo]:
    """The nightly drafts created in the window, oldest first: the week's material."""
    out = []
    for draft in list_drafts(outbox_dir):
        try:
            created = dt.date.fromisoformat(draft.created[:10])
        except ValueError:
            continue
        if not is_weekly(draft) and week.holds(created):
            out.append(draft)
    return out


def material(
    outbox_dir: Path,
    inbox: Path,
    week: Window,
    moved_to: Callable[[str], str | None] | None = None,
) -> tuple[list[Path], list[str]]:
    """(the transcripts of the nightly drafts created in the window, notes on sources not found)."""
    paths: list[Path] = []
    notes: list[str] = []
    seen: set[str] = set()
    for draft in window_drafts(outbox_dir, week):
        for source in draft.doc.get("sources") or []:
            sha = str(source.get("sha256") or "")
            if sha in seen:
                continue
            seen.add(sha)
            found = locate(source, inbox, moved_to)
            if found is None:
                notes.append(
                    _(
                        "{id} : transcription introuvable ({name})",
                        id=draft.id,
                        name=Path(str(source.get("path"))).name,
                    )
                )
            else:
                paths.append(found)
    return paths, notes
