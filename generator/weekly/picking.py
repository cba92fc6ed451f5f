"""The coming weekly edition's stories as the review page lists them, and the pins and drops made there.

The review app sits below this package (edition), so the CLI hands it a `ReviewWeek`: its stories are
the sections of the nightly drafts of the window `newsletter weekly` would read today (`window_drafts`),
and a pin or drop goes to the same store as `weekly pin|drop` (`memory`), for the same ISO week. A pick
made on the page is worded by the section's title (or the words of it that its transcript says), so
that the build matches it as it matches a pick typed in the CLI; and a pick typed in the CLI shows on
the rows whose transcript text it names, as `rank.select` would judge it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import language
from generator.config import Settings
from generator.errors import InputError
from generator.model import Utterance
from generator.transcript import clean, ingest, max_bytes_of
from generator.weekly.memory import DROP, PIN, add_pick, names_story, picks_for, remove_pick, week_of
from generator.weekly.week import Window, locate, window, window_drafts


def pick_words(title: str, text: str) -> str:
    """The words a pick made on a row stores: its title, or the words of it its transcript says."""
    if not text or names_story(title, text):
        return title
    said = [w for w in title.split() if names_story(w, text)]
    content = [w for w in said if not language.is_stopword(language.fold(w))]
    return " ".join(said) if content else title


def section_text(utterances: Sequence[Utterance], start_s: Any, end_s: Any) -> str:
    """What was said from start_s up to end_s (nothing when the section has no times)."""
    if not isinstance(start_s, int | float):
        return ""
    end = end_s if isinstance(end_s, int | float) else float("inf")
    return " ".join(u.text for u in utterances if u.start_s is not None and start_s <= u.start_s < end)


@dataclass
class ReviewWeek:
    """What the review page's "Semaine" shows and changes (see generator/edition/review_week.py)."""

    settings: Settings
    today: Callable[[], dt.date] = dt.date.today
    # sha256 -> the source's cleaned sentences (a transcript of a given hash never changes)
    _said: dict[str, tuple[Utterance, ...]] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _window(self) -> Window:
        return window(None, None, today=self.today(), days=self.settings.edition.window_days)

    def _utterances(self, source: dict[str, Any]) -> tuple[Utterance, ...]:
        """The cleaned sentences of a source (found as `weekly` finds it, checked by hash), cached."""
        sha = str(source.get("sha256") or "")
        if sha in self._said:
            return self._said[sha]
        found = locate(source, self.settings.paths.inbox)
        try:
            episode = clean(ingest(found, max_bytes=max_bytes_of(self.settings))) if found else None
        except InputError:
            episode = None
        if episode is None:
            return ()  # not found (yet): the row is matched by its title, and looked for again next time
        self._said[sha] = tuple(episode.utterances)
        return self._said[sha]

    def _rows(self, week: Window, picks: dict[str, list[str]]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        for draft in window_drafts(self.settings.paths.outbox, week):
            sources = {str(s.get("sha256")): s for s in draft.doc.get("sources") or [] if isinstance(s, dict)}
            shas = set()
            for i, section in enumerate(draft.doc.get("sections") or []):
                sha = str(section.get("episode") or "") if isinstance(section, dict) else ""
                if sha not in sources or sha in seen:
                    continue  # an episode is the week's material once (its first draft)
                shas.add(sha)
                source = sources[sha]
                title = str(section.get("title") or "")
                text = section_text(self._utterances(source), section.get("start_s"), section.get("end_s"))
                hay = text or title
                pinned = [w for w in picks[PIN] if names_story(w, hay)]
                dropped = [w for w in picks[DROP] if names_story(w, hay)]
                rows.append(
                    {
                        "key": f"{draft.id}:{i}",
                        "show": str(
                            section.get("show") or source.get("show") or Path(str(source.get("path"))).name
                        ),
                        "date": str(source.get("date") or draft.created[:10]),
                        "title": title,
                        "start": section.get("start"),
                        "state": DROP if dropped else PIN if pinned else None,
                        "pinned_by": pinned,
                        "dropped_by": dropped,
                        "words": pick_words(title, text),
                    }
                )
            seen |= shas
        return rows

    def stories(self) -> dict[str, Any]:
        """The week (ISO name, first and last day), its stories with their state, and picks naming none."""
        week = self._window()
        name = week_of(week.until)
        picks = picks_for(self.settings.paths.state, name)
        rows = self._rows(week, picks)
        named = {w for r in rows for w in (*r["pinned_by"], *r["dropped_by"])}
        unmatched = [{"kind": k, "words": w} for k in (PIN, DROP) for w in picks[k] if w not in named]
        return {
            "week": name,
            "since": week.since.isoformat(),
            "until": week.until.isoformat(),
            "stories": rows,
            "unmatched": unmatched,
        }

    def pick(self, key: str, kind: str) -> bool:
        """Pin or drop the story of this row (undoing the other choice on it); False if there is none."""
        with self._lock:
            doc = self.stories()
            row = next((r for r in doc["stories"] if r["key"] == key), None)
            if row is None:
                return False
            state = self.settings.paths.state
            for words in row["dropped_by"] if kind == PIN else row["pinned_by"]:
                remove_pick(state, doc["week"], words)
            add_pick(state, doc["week"], kind, row["words"])
            return True

    def unpick(self, key: str = "", words: str = "") -> bool:
        """Undo every pick naming this row, or the pick of these words; False if there is none."""
        with self._lock:
            doc = self.stories()
            if key:
                row = next((r for r in doc["stories"] if r["key"] == key), None)
                if row is None:
                    return False
                undo = [*row["pinned_by"], *row["dropped_by"]]
            else:
                undo = [u["words"] for u in doc["unmatched"] if u["words"] == words]
                if not undo:
                    return False
            for item in undo:
                remove_pick(self.settings.paths.state, doc["week"], item)
            return True
