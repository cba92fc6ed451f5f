"""SQLite state: processed inputs (by sha256), runs, and the LLM response cache."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import NewsletterError
from generator.i18n import _

SCHEMA = """
CREATE TABLE IF NOT EXISTS llm_cache (
    key TEXT PRIMARY KEY,
    prompt_id TEXT NOT NULL,
    model TEXT NOT NULL,
    response TEXT NOT NULL,
    usage TEXT NOT NULL,
    created REAL NOT NULL
);
"""


# Inputs by content (sha256), runs, and the last (size, mtime) seen of inbox files (issue 7).
RUN_SCHEMA = """
CREATE TABLE IF NOT EXISTS inputs (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    run_id INTEGER,
    draft_id TEXT,
    error TEXT,
    moved_to TEXT,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL,
    finished REAL,
    status TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    trigger TEXT NOT NULL,
    inputs TEXT NOT NULL,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS inbox_seen (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    seen REAL NOT NULL
);
"""

INPUT_PENDING, INPUT_FAILED, INPUT_DRAFTED, INPUT_PROCESSED = "pending", "failed", "drafted", "processed"
RUN_RUNNING, RUN_OK, RUN_PARTIAL, RUN_ERROR, RUN_INTERRUPTED = (
    "running",
    "ok",
    "partial",
    "error",
    "interrupted",
)


@dataclass(frozen=True)
class InputRecord:
    """What the ledger knows about one input content."""

    sha256: str
    name: str
    status: str  # pending | failed | drafted (draft written, file not yet moved) | processed
    run_id: int | None
    draft_id: str | None
    error: str | None
    moved_to: str | None
    updated: float

    @property
    def done(self) -> bool:
        """A draft holds this content: the file must never be summarised again."""
        return self.status in (INPUT_DRAFTED, INPUT_PROCESSED)


@dataclass(frozen=True)
class RunRecord:
    """One `newsletter run`, by hand, cron or the scheduler."""

    id: int
    started: float
    finished: float | None
    status: str  # running | ok | partial | error | interrupted
    pid: int
    host: str
    trigger: str
    inputs: tuple[str, ...]
    summary: dict[str, Any]


class LedgerError(NewsletterError):
    """The state database cannot be opened or written."""


class Ledger:
    """One SQLite file under state/; safe to share between threads of one process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            self._db.executescript(RUN_SCHEMA)
        except sqlite3.Error as exc:
            raise LedgerError(
                _("impossible d'ouvrir la base d'état : {error}", error=exc), path=str(self.path)
            ) from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement under the lock and return all rows (autocommit)."""
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise LedgerError(
                    _("erreur de la base d'état : {error}", error=exc), path=str(self.path)
                ) from exc

    # ------------------------------------------------------------------------------ LLM cache

    def cache_get(self, key: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The cached (response, usage) for a request key, or None."""
        rows = self.execute("SELECT response, usage FROM llm_cache WHERE key = ?", (key,))
        if not rows:
            return None
        return json.loads(rows[0][0]), json.loads(rows[0][1])

    def cache_put(
        self, key: str, prompt_id: str, model: str, response: dict[str, Any], usage: dict[str, Any]
    ) -> None:
        """Store a validated response, or a failed one (`usage["failed"]` says why, the response is empty)."""
        self.execute(
            "INSERT OR REPLACE INTO llm_cache (key, prompt_id, model, response, usage, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (key, prompt_id, model, json.dumps(response, ensure_ascii=False), json.dumps(usage), time.time()),
        )

    # ----------------------------------------------------------------- inputs, runs (issue 7)

    def input_get(self, sha256: str) -> InputRecord | None:
        """The record of one input content, or None if never seen."""
        rows = self.execute(
            "SELECT sha256, name, status, run_id, draft_id, error, moved_to, updated "
            "FROM inputs WHERE sha256 = ?",
            (sha256,),
        )
        return InputRecord(*rows[0]) if rows else None

    def input_set(
        self,
        sha256: str,
        name: str,
        status: str,
        *,
        run_id: int | None = None,
        draft_id: str | None = None,
        error: str | None = None,
        moved_to: str | None = None,
    ) -> None:
        """Create or update the record of one input content (missing fields keep their value)."""
        self.execute(
            "INSERT INTO inputs (sha256, name, status, run_id, draft_id, error, moved_to, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET "
            "name = excluded.name, status = excluded.status, run_id = COALESCE(excluded.run_id, run_id), "
            "draft_id = COALESCE(excluded.draft_id, draft_id), error = excluded.error, "
            "moved_to = COALESCE(excluded.moved_to, moved_to), updated = excluded.updated",
            (sha256, name, status, run_id, draft_id, error, moved_to, time.time()),
        )

    def run_start(self, *, started: float, pid: int, host: str, trigger: str, inputs: list[str]) -> int:
        """Record a run as running and return its id."""
        with self._lock:
            try:
                cur = self._db.execute(
                    "INSERT INTO runs (started, status, pid, host, trigger, inputs) VALUES (?, ?, ?, ?, ?, ?)",
                    (started, RUN_RUNNING, pid, host, trigger, json.dumps(inputs)),
                )
                return int(cur.lastrowid)
            except sqlite3.Error as exc:
                raise LedgerError(
                    _("erreur de la base d'état : {error}", error=exc), path=str(self.path)
                ) from exc

    def run_finish(self, run_id: int, status: str, summary: dict[str, Any], *, finished: float) -> None:
        """Close a run with its outcome and a JSON summary (inputs, drafts, tokens, cost, duration)."""
        self.execute(
            "UPDATE runs SET status = ?, finished = ?, summary = ? WHERE id = ?",
            (status, finished, json.dumps(summary, ensure_ascii=False, default=str), run_id),
        )

    def runs_mark_interrupted(self, *, finished: float) -> list[int]:
        """Close runs left `running` by a process that died (call only while holding the run lock)."""
        ids = [r[0] for r in self.execute("SELECT id FROM runs WHERE status = ?", (RUN_RUNNING,))]
        if ids:
            self.execute(
                "UPDATE runs SET status = ?, finished = ? WHERE status = ?",
                (RUN_INTERRUPTED, finished, RUN_RUNNING),
            )
        return ids

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The most recent runs, newest first."""
        rows = self.execute(
            "SELECT id, started, finished, status, pid, host, trigger, inputs, summary "
            "FROM runs ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [RunRecord(*r[:7], tuple(json.loads(r[7])), json.loads(r[8]) if r[8] else {}) for r in rows]

    def last_success(self) -> float | None:
        """Start time of the latest run that finished (all inputs or some failed), or None."""
        rows = self.execute("SELECT MAX(started) FROM runs WHERE status IN (?, ?)", (RUN_OK, RUN_PARTIAL))
        return rows[0][0] if rows and rows[0][0] is not None else None

    def seen_get(self, path: str) -> tuple[int, int, float] | None:
        """(size, mtime_ns, first seen) of an inbox file as a previous scan recorded it."""
        rows = self.execute("SELECT size, mtime_ns, seen FROM inbox_seen WHERE path = ?", (path,))
        return (rows[0][0], rows[0][1], rows[0][2]) if rows else None

    def seen_put(self, path: str, size: int, mtime_ns: int, when: float) -> None:
        """Remember the size and mtime an inbox file had at `when`."""
        self.execute(
            "INSERT OR REPLACE INTO inbox_seen (path, size, mtime_ns, seen) VALUES (?, ?, ?, ?)",
            (path, size, mtime_ns, when),
        )

    def seen_forget(self, path: str) -> None:
        """Drop the record of an inbox file that has been moved away."""
        self.execute("DELETE FROM inbox_seen WHERE path = ?", (path,))
