"""The sources' state (SQLite, `state/sources.sqlite`): per feed its validators and last check, per item its fate.

An item is known by (feed, key): its GUID, else its enclosure URL. The crash discipline is the
ledger's: a row is written `claimed` with the inbox file name *before* the download, the file is
renamed into the inbox whole, then the row becomes `delivered`. A run that finds a `claimed` row
looks for the file (inbox or processed/): there -> `delivered` (nothing downloaded twice); absent ->
download again (nothing lost). The nightly ledger then knows the file by its sha256 as for any input.
Two processes never deliver at once: the CLI holds `state/sources.lock` around a check.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import SourceError
from generator.i18n import _

STORE_NAME = "sources.sqlite"

PENDING = "pending"  # new, not downloaded yet
OLD = "old"  # back catalogue when the feed was first seen: never taken
CLAIMED = "claimed"  # download under way (or interrupted)
DELIVERED = "delivered"  # the transcript is in the inbox
SKIPPED = "skipped"  # audio only and no transcription backend
FAILED = "failed"  # transcript or audio could not be fetched or transcribed
MAX_ATTEMPTS = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, current_url TEXT, title TEXT, etag TEXT, last_modified TEXT,
    last_check REAL, status TEXT, error TEXT, retry_at REAL, seen INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    feed TEXT NOT NULL, key TEXT NOT NULL, status TEXT NOT NULL, title TEXT, published TEXT,
    file TEXT, transcript_url TEXT, audio_url TEXT, cost REAL, error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0, updated REAL, data TEXT, PRIMARY KEY (feed, key)
);
"""


@dataclass(frozen=True)
class FeedState:
    url: str
    current_url: str | None
    title: str | None
    etag: str | None
    last_modified: str | None
    last_check: float | None
    status: str | None
    error: str | None
    retry_at: float | None
    seen: bool

    @property
    def fetch_url(self) -> str:
        """Where to ask: the address a permanent redirect gave, else the configured one."""
        return self.current_url or self.url


@dataclass(frozen=True)
class ItemState:
    feed: str
    key: str
    status: str
    title: str | None
    published: str | None
    file: str | None
    transcript_url: str | None
    audio_url: str | None
    cost: float | None
    error: str | None
    attempts: int
    updated: float | None
    data: str | None  # the item as the feed gave it (JSON), to deliver it after a 304


_ITEM_COLS = "feed, key, status, title, published, file, transcript_url, audio_url, cost, error, attempts, updated, data"
_FEED_COLS = "url, current_url, title, etag, last_modified, last_check, status, error, retry_at, seen"


class SourceStore:
    """SQLite in autocommit (WAL), one lock for the threads of a check."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise SourceError(
                _("base d'état des sources illisible : {error}", error=exc), path=str(path)
            ) from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SourceStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise SourceError(
                    _("base d'état des sources : {error}", error=exc), path=str(self.path)
                ) from exc

    # ------------------------------------------------------------------ feeds

    def feed(self, url: str) -> FeedState:
        rows = self._run(f"SELECT {_FEED_COLS} FROM feeds WHERE url = ?", (url,))
        if not rows:
            return FeedState(url, None, None, None, None, None, None, None, None, False)
        r = rows[0]
        return FeedState(*r[:9], bool(r[9]))

    def feed_checked(self, url: str, **values: Any) -> None:
        """Record a check of a feed: any of current_url, title, etag, last_modified, status, error, retry_at, seen."""
        allowed = {"current_url", "title", "etag", "last_modified", "status", "error", "retry_at", "seen"}
        assert set(values) <= allowed, set(values) - allowed
        self._run("INSERT OR IGNORE INTO feeds (url) VALUES (?)", (url,))
        values["last_check"] = time.time()
        sets = ", ".join(f"{k} = ?" for k in values)
        self._run(f"UPDATE feeds SET {sets} WHERE url = ?", (*values.values(), url))

    # ------------------------------------------------------------------ items

    def item(self, feed: str, key: str) -> ItemState | None:
        rows = self._run(f"SELECT {_ITEM_COLS} FROM items WHERE feed = ? AND key = ?", (feed, key))
        return ItemState(*rows[0]) if rows else None

    def items(self, feed: str, statuses: tuple[str, ...] = ()) -> list[ItemState]:
        """The items of a feed (in these statuses), oldest publication first."""
        sql = f"SELECT {_ITEM_COLS} FROM items WHERE feed = ?"
        if statuses:
            sql += f" AND status IN ({', '.join('?' * len(statuses))})"
        rows = self._run(sql + " ORDER BY published, updated", (feed, *statuses))
        return [ItemState(*r) for r in rows]

    def item_set(self, feed: str, key: str, status: str, **values: Any) -> None:
        """Create or update an item (fields not given keep their value); `attempts` counts failures."""
        allowed = {"title", "published", "file", "transcript_url", "audio_url", "cost", "error", "data"}
        assert set(values) <= allowed, set(values) - allowed
        self._run(
            "INSERT INTO items (feed, key, status, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(feed, key) DO UPDATE SET status = excluded.status, updated = excluded.updated",
            (feed, key, status, time.time()),
        )
        if status == FAILED:
            self._run("UPDATE items SET attempts = attempts + 1 WHERE feed = ? AND key = ?", (feed, key))
        if values:
            sets = ", ".join(f"{k} = ?" for k in values)
            self._run(f"UPDATE items SET {sets} WHERE feed = ? AND key = ?", (*values.values(), feed, key))
