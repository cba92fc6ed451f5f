"""SQLite state: processed inputs (by sha256), runs, and the LLM response cache."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from generator.errors import NewsletterError

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
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open the state database: {exc}", path=str(self.path)) from exc

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
                raise LedgerError(f"state database error: {exc}", path=str(self.path)) from exc

    # ------------------------------------------------------------------------------ LLM cache

    def cache_get(self, key: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The cached (response, usage) for a request key, or None."""
        rows = self.execute("SELECT response, usage FROM llm_cache WHERE key = ?", (key,))
        if not rows:
            return None
        return json.loads(rows[0][0]), json.loads(rows[0][1])

    def cache_put(self, key: str, prompt_id: str, model: str, response: dict[str, Any],
                  usage: dict[str, Any]) -> None:
        """Store a successful, validated response. Failures are never cached."""
        self.execute(
            "INSERT OR REPLACE INTO llm_cache (key, prompt_id, model, response, usage, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (key, prompt_id, model, json.dumps(response, ensure_ascii=False), json.dumps(usage), time.time()),
        )
