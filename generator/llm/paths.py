"""Which path each model call of a batch night took (batched, synchronous, cached) and what each path cost.

The batch backend logs every call it resolves; the draft (draft.json `calls`) and `run --json` show the
totals per path, the batch ids, for each synchronous call the reason it was allowed, and every call
(`each`: prompt, path, batch, tokens and cost).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.i18n import N_, _
from generator.model import Usage

BATCHED, SYNCHRONOUS, CACHED = "batched", "synchronous", "cached"
PATHS = (BATCHED, SYNCHRONOUS, CACHED)

# Why a call went synchronously (the user allowed it), shown in `show` and `run`; translated where
# recorded (llm/batch.py), in the process's language.
WHY_DEADLINE = N_("après l'heure limite des lots : plus le temps d'attendre un lot")
WHY_FALLBACK = N_("--sync-fallback : {detail}")


@dataclass(frozen=True)
class CallRecord:
    """One model call of the night: its prompt, the path it took, its tokens, its batch, why synchronous."""

    prompt: str
    key: str
    path: str
    usage: Usage = field(default_factory=Usage)
    batch_id: str | None = None
    reason: str | None = None


@dataclass
class CallLog:
    """The calls a batch backend resolved, one record per request key (the latest path wins)."""

    records: dict[str, CallRecord] = field(default_factory=dict)
    deferred: set[str] = field(default_factory=set)  # keys whose answer is still to come
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, record: CallRecord) -> None:
        with self._lock:
            self.records[record.key] = record
            self.deferred.discard(record.key)

    def defer(self, key: str) -> None:
        with self._lock:
            self.deferred.add(key)

    def batch_ids(self) -> list[str]:
        """The batches the answers came from, in first-use order."""
        return [b for b in dict.fromkeys(r.batch_id for r in self.records.values()) if b]

    def summary(self, cost: Callable[[Usage], float]) -> dict[str, Any]:
        """Calls, tokens and cost per path, the batch ids, and each synchronous call with its reason."""
        out: dict[str, Any] = {}
        for path in PATHS:
            chosen = [r for r in self.records.values() if r.path == path]
            usage = sum((r.usage for r in chosen), Usage())
            out[path] = {
                "calls": len(chosen),
                "tokens": {"input": usage.input, "output": usage.output},
                "cost": round(cost(usage), 6),
            }
        out[SYNCHRONOUS]["why"] = [
            {"prompt": r.prompt, "reason": r.reason or ""}
            for r in self.records.values()
            if r.path == SYNCHRONOUS
        ]
        out["deferred"] = len(self.deferred)
        out["batches"] = self.batch_ids()
        out["each"] = [_one_call(r, cost) for r in self.records.values()]
        return out


def _one_call(r: CallRecord, cost: Callable[[Usage], float]) -> dict[str, Any]:
    """One call as the draft records it: prompt, path, batch, tokens and its own cost (batch rate if batched)."""
    one = {
        "prompt": r.prompt,
        "path": r.path,
        "tokens": {"input": r.usage.input, "output": r.usage.output},
        "cost": round(cost(r.usage), 6),
    }
    if r.batch_id:  # a synchronous call may have waited in a batch first (past the deadline, say)
        one["batch_id" if r.path == BATCHED else "left_batch"] = r.batch_id
    if r.reason:
        one["reason"] = r.reason
    return one


def as_batched(usage: Usage) -> Usage:
    """Usage answered through a batch: all of it priced at the batch rate."""
    return Usage(
        usage.input, usage.output, usage.cached, usage.calls, usage.estimated, usage.input, usage.output
    )


def describe_calls(calls: Mapping[str, Any]) -> str:
    """One line for `run` and `show` (in the process's language): calls and cost per path."""
    if not calls:
        return ""
    b, s = calls.get(BATCHED) or {}, calls.get(SYNCHRONOUS) or {}
    c = calls.get(CACHED) or {}
    line = _(
        "appels au modèle : {batched} par lot (${batched_cost}), {sync} synchrone(s) (${sync_cost}), "
        "{cached} en cache",
        batched=b.get("calls", 0),
        batched_cost=format(float(b.get("cost", 0)), ".4f"),
        sync=s.get("calls", 0),
        sync_cost=format(float(s.get("cost", 0)), ".4f"),
        cached=c.get("calls", 0),
    )
    if calls.get("deferred"):
        line += _(", {n} en attente d'un lot", n=calls["deferred"])
    reasons = sorted({w.get("reason", "") for w in s.get("why", []) if w.get("reason")})
    if reasons:
        line += _(" ; synchrones car {reasons}", reasons=" ; ".join(reasons))
    return line
