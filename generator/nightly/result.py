"""What a nightly run reports: its drafts, each input's outcome, batches waiting, tokens and cost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.errors import NewsletterError
from generator.model import Usage
from generator.nightly.inbox import Skipped
from generator.nightly.ledger import RUN_ERROR, RUN_PARTIAL

# Input outcomes in a RunResult.
PROCESSED, FAILED, DUPLICATE, COMPLETED, NOT_WRITTEN, NEW, WAITING = (
    "processed",
    "failed",
    "duplicate",
    "completed",
    "not_written",
    "new",
    "waiting",  # its answers are in a batch still running: left in the inbox, no draft yet
)
RUN_WAITING = "waiting"


@dataclass(frozen=True)
class WrittenDraft:
    """What a writer reports about the draft it wrote."""

    id: str
    path: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost: float = 0.0


@dataclass(frozen=True)
class InputOutcome:
    """What happened to one inbox file."""

    name: str
    sha256: str
    status: str  # processed | failed | duplicate | completed | not_written | new (dry run) | waiting
    draft_id: str | None = None
    error: str | None = None
    moved_to: str | None = None
    duplicate_of: str | None = None


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run, for the CLI's JSON, the log line and the exit code."""

    run_id: int | None
    status: str  # ok | partial | error | nothing | dry_run | waiting
    started: float
    duration_s: float
    inputs: tuple[InputOutcome, ...] = ()
    drafts: tuple[str, ...] = ()
    settling: tuple[Skipped, ...] = ()
    ignored: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    usage: Usage = field(default_factory=Usage)
    cost: float = 0.0
    estimate: Mapping[str, Any] | None = None
    waiting: tuple[Mapping[str, Any], ...] = ()  # batches still running: id, status, request counts
    calls: Mapping[str, Any] | None = None  # batch mode: calls and cost per path (llm.CallLog.summary)
    failed_deliveries: int = 0  # [delivery] auto: approved editions the night could not send

    @property
    def exit_code(self) -> int:
        """0 when every input went through (or nothing to do), 1 when an input, a draft or a delivery failed."""
        return 1 if self.status in (RUN_PARTIAL, RUN_ERROR) or self.failed_deliveries else 0

    def count(self, status: str) -> int:
        return sum(1 for i in self.inputs if i.status == status)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready document (the `--json` output and the run's ledger summary)."""
        return {
            "run_id": self.run_id,
            "status": self.status,
            "started": dt.datetime.fromtimestamp(self.started).astimezone().isoformat(timespec="seconds"),
            "duration_s": round(self.duration_s, 3),
            "drafts": list(self.drafts),
            "inputs": [{k: v for k, v in vars(i).items() if v is not None} for i in self.inputs],
            "failed": [
                {"name": i.name, "error": i.error} for i in self.inputs if i.status in (FAILED, NOT_WRITTEN)
            ],
            "still_being_written": [{"path": str(s.path), "reason": s.reason} for s in self.settling],
            "ignored": [{"path": str(s.path), "reason": s.reason} for s in self.ignored],
            "notes": list(self.notes),
            "failed_deliveries": self.failed_deliveries,
            "waiting": [dict(w) for w in self.waiting],
            "tokens": {
                "input": self.usage.input,
                "output": self.usage.output,
                "cached": self.usage.cached,
                "calls": self.usage.calls,
                "estimated": self.usage.estimated,
            },
            "cost_estimate": round(self.cost, 6),
            **({"estimate": dict(self.estimate)} if self.estimate is not None else {}),
            **({"calls": dict(self.calls)} if self.calls is not None else {}),
        }

    def log_line(self) -> str:
        """One line for state/ logs and stderr: outcome, inputs, drafts, tokens, cost, duration."""
        parts = [f"run {self.run_id if self.run_id is not None else '-'} {self.status}"]
        counts = [
            f"{self.count(s)} {s}"
            for s in (PROCESSED, FAILED, DUPLICATE, COMPLETED, NOT_WRITTEN, NEW, WAITING)
            if self.count(s)
        ]
        parts.append(f"inputs: {', '.join(counts) if counts else 'none new'}")
        if self.settling:
            parts.append(f"{len(self.settling)} still being written")
        parts.append(f"drafts: {', '.join(self.drafts) if self.drafts else 'none'}")
        if self.waiting:
            parts.append(f"waiting: {', '.join(str(w.get('batch_id')) for w in self.waiting)}")
        parts.append(f"tokens: {self.usage.input} in / {self.usage.output} out ({self.usage.cached} cached)")
        parts.append(f"cost: ${self.cost:.4f}")
        parts.append(f"duration: {self.duration_s:.1f} s")
        if self.failed_deliveries:
            parts.append(f"failed deliveries: {self.failed_deliveries}")
        if self.notes:  # what the night did besides drafts: recoveries, batches, deliveries and their errors
            parts.append("notes: " + " | ".join(" ".join(n.split()) for n in self.notes))
        return "; ".join(parts)


def one_line(exc: BaseException) -> str:
    """An exception as one readable line; errors that are not ours also name their type (bug reports)."""
    text = " ".join(str(exc).split())
    if isinstance(exc, NewsletterError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
