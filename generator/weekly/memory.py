"""What earlier weekly editions told, and the editor's pins and drops for a week.

Two JSON files under the state folder, each written atomically (temporary file, fsync, rename):
`weekly/stories.json` holds the stories of every weekly draft, keyed by draft id; only those of
drafts the outbox says are *approved* are remembered (a rejected edition teaches nothing, and a
draft not yet reviewed is not yet published). `weekly/picks.json` holds pins and drops per ISO week.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator import language
from generator.atomic import write_atomic
from generator.errors import WeeklyError
from generator.i18n import _

STORIES = Path("weekly") / "stories.json"
PICKS = Path("weekly") / "picks.json"
PIN, DROP = "pin", "drop"


@dataclass(frozen=True)
class Remembered:
    """A story of an approved edition."""

    draft: str
    date: str  # the edition's date, YYYY-MM-DD
    title: str
    members: tuple[tuple[str, float | None, float | None], ...]  # (sha256, start_s, end_s)
    names: frozenset[str]
    figures: frozenset[float]
    vector: Any


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomic(path, (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    except OSError as exc:
        raise WeeklyError(
            _("{path} : écriture impossible ({error})", path=path, error=exc.strerror or exc)
        ) from exc


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WeeklyError(
            _("{path} : fichier illisible ({error}) ; corrigez-le ou supprimez-le", path=path, error=exc)
        ) from exc
    if not isinstance(doc, dict):
        raise WeeklyError(_("{path} : contenu inattendu ; corrigez-le ou supprimez-le", path=path))
    return doc


# ------------------------------------------------------------------------------------------- stories


def record(state: Path, draft_id: str, date: dt.date, stories: Sequence[dict[str, Any]]) -> None:
    """Keep the stories of a weekly draft (remembered once the draft is approved)."""
    path = Path(state) / STORIES
    doc = _read_json(path)
    editions = doc.setdefault("editions", {})
    editions[draft_id] = {"date": date.isoformat(), "stories": list(stories)}
    doc["version"] = 1
    _write_json(path, doc)


def story_record(
    title: str,
    members: Iterable[tuple[str, float | None, float | None]],
    names: Iterable[str],
    figures: Iterable[float],
    vector: Any,
) -> dict[str, Any]:
    """The JSON form of one story (its vector rounded: four decimals keep cosines to 1e-3)."""
    return {
        "title": title,
        "members": [list(m) for m in members],
        "names": sorted(set(names)),
        "figures": sorted(set(figures)),
        "vector": [round(float(x), 4) for x in np.asarray(vector).ravel()],
    }


def remembered(state: Path, approved: Iterable[str]) -> list[Remembered]:
    """The stories of the approved weekly drafts, oldest edition first."""
    doc = _read_json(Path(state) / STORIES)
    wanted = set(approved)
    out = []
    for draft_id, edition in sorted(
        (doc.get("editions") or {}).items(), key=lambda kv: kv[1].get("date", "")
    ):
        if draft_id not in wanted:
            continue
        for s in edition.get("stories") or []:
            out.append(
                Remembered(
                    draft=draft_id,
                    date=str(edition.get("date", "")),
                    title=str(s.get("title", "")),
                    members=tuple((str(m[0]), m[1], m[2]) for m in s.get("members") or []),
                    names=frozenset(s.get("names") or []),
                    figures=frozenset(float(f) for f in s.get("figures") or []),
                    vector=np.asarray(s.get("vector") or np.zeros(512), dtype=np.float64),
                )
            )
    return out


# --------------------------------------------------------------------------------------------- picks


def week_of(day: dt.date) -> str:
    """'2026-W49': the ISO week a pin or drop applies to."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def add_pick(state: Path, week: str, kind: str, words: str) -> dict[str, list[str]]:
    """Pin or drop the stories these words name, for this week; returns the week's picks."""
    words = " ".join(words.split())
    if kind not in (PIN, DROP):
        raise WeeklyError(_("choix inconnu « {kind} » : pin ou drop", kind=kind))
    if not language.fold(words):
        raise WeeklyError(_("indiquez les mots qui désignent l'histoire (un nom, un titre)"))
    path = Path(state) / PICKS
    doc = _read_json(path)
    weeks = doc.setdefault("weeks", {})
    picks = weeks.setdefault(week, {PIN: [], DROP: []})
    other = DROP if kind == PIN else PIN
    picks[other] = [w for w in picks.get(other, []) if language.fold(w) != language.fold(words)]
    if words not in picks.setdefault(kind, []):
        picks[kind].append(words)
    doc["version"] = 1
    _write_json(path, doc)
    return picks


def remove_pick(state: Path, week: str, words: str) -> dict[str, list[str]]:
    """Undo a pin or drop of these words (accents and case aside), for this week; returns the week's picks."""
    wanted = language.fold(words)
    path = Path(state) / PICKS
    doc = _read_json(path)
    picks = (doc.get("weeks") or {}).get(week)
    if not picks:
        return {PIN: [], DROP: []}
    for kind in (PIN, DROP):
        picks[kind] = [w for w in picks.get(kind) or [] if language.fold(w) != wanted]
    doc["version"] = 1
    _write_json(path, doc)
    return {PIN: list(picks[PIN]), DROP: list(picks[DROP])}


def picks_for(state: Path, week: str) -> dict[str, list[str]]:
    """{"pin": [...], "drop": [...]} for the week (empty lists when none)."""
    picks = (_read_json(Path(state) / PICKS).get("weeks") or {}).get(week) or {}
    return {PIN: list(picks.get(PIN) or []), DROP: list(picks.get(DROP) or [])}


def names_story(words: str, text: str, title: str = "") -> bool:
    """True when every word of the pick is said in the story (accents and case aside)."""
    wanted = language.fold(words).split()
    hay = f" {language.fold(title + ' ' + text)} "
    return bool(wanted) and all(f" {w}" in hay for w in wanted)
