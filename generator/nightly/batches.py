"""Batches of the nightly run: submit crash-safely, find them again, poll, cancel at the deadline.

The ledger is the rendezvous. A run collects every summarise (then compose) request without an
answer, submits them as one batch and leaves its inputs in the inbox; later runs poll, store each
line's raw answer by custom_id, and re-run the stages, whose backend (llm.BatchBackend) validates
the stored answers like synchronous ones. Submission order, so that a kill anywhere never submits
the same requests twice:

1. record the job (its run-scoped idempotency key) and its lines as `waiting`;
2. upload the JSONL file, record the file id;
3. create the batch with the key in its metadata, record the batch id.

A job left without a batch id is resolved by the next run: the provider's batch list is searched for
its key (adopted if found), else the batch is created from the uploaded file, else (nothing was
uploaded) the job is dropped and its requests are collected again.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from generator import crashpoint
from generator.config import Settings
from generator.errors import LLMError
from generator.llm import (
    ANSWERED,
    FAILED,
    IDEMPOTENCY_KEY,
    MAX_REFUSALS,
    REPAIR,
    SYNC,
    SYNCHRONOUS,
    WAITING,
    BatchBackend,
    BatchClient,
    BatchStatus,
    CallLog,
    CallRecord,
    LineRecord,
    LineResult,
    PendingLine,
    cost,
    idempotency_key,
    refused_option,
)
from generator.model import Usage
from generator.nightly.ledger import Ledger

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS batch_jobs (
    idem TEXT PRIMARY KEY,
    run_id INTEGER,
    created REAL NOT NULL,
    deadline REAL NOT NULL,
    inputs TEXT NOT NULL,
    file_id TEXT,
    batch_id TEXT,
    status TEXT NOT NULL,
    total INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    read INTEGER NOT NULL DEFAULT 0
)""",
    """CREATE TABLE IF NOT EXISTS batch_lines (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idem TEXT NOT NULL,
    custom_id TEXT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    content TEXT,
    finish TEXT,
    usage TEXT,
    model TEXT,
    error TEXT
)""",
    "CREATE INDEX IF NOT EXISTS batch_lines_key ON batch_lines (key)",
    # The request options (response-format mode, seed) a job's lines were sent with (scope = its idem),
    # and those the server is known to accept (scope = "server:<host>/<model>").
    """CREATE TABLE IF NOT EXISTS batch_wire (
    scope TEXT PRIMARY KEY,
    mode TEXT NOT NULL,
    seed INTEGER NOT NULL
)""",
    # Synchronous calls of a batch night (past the deadline, --sync-fallback), so that the draft of a
    # later run still reports them when their answers come back from the cache.
    """CREATE TABLE IF NOT EXISTS batch_sync (
    key TEXT PRIMARY KEY,
    prompt TEXT NOT NULL,
    reason TEXT,
    usage TEXT NOT NULL,
    batch_id TEXT,
    state TEXT NOT NULL
)""",
)
INTENT, UPLOADED = "intent", "uploaded"  # before the provider knows the batch
USED = "used"  # a line whose answer went into a written draft


def _hhmm(text: str) -> tuple[int, int]:
    hour, _, minute = text.strip().partition(":")
    return int(hour), int(minute)


def deadline_time(settings: Settings) -> tuple[int, int]:
    """[llm] batch_deadline, else one hour before the scheduled send time."""
    if settings.llm.batch_deadline:
        return _hhmm(settings.llm.batch_deadline)
    hour, minute = _hhmm(settings.schedule.time)
    total = (hour * 60 + minute - 60) % (24 * 60)
    return total // 60, total % 60


def _at(day: dt.date, hhmm: tuple[int, int], tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(*hhmm), tzinfo=tz)


def deadline_after(when: float, settings: Settings) -> float:
    """The first deadline strictly after `when` (local time of [schedule] timezone)."""
    tz = ZoneInfo(settings.schedule.timezone)
    today = dt.datetime.fromtimestamp(when, tz).date()
    for days in range(3):
        at = _at(today + dt.timedelta(days=days), deadline_time(settings), tz)
        if at.timestamp() > when:
            return at.timestamp()
    raise AssertionError("a deadline always falls within two days")


def too_late(now: float, settings: Settings) -> bool:
    """Between the deadline and the send time: no batch could answer in time, so call synchronously."""
    tz = ZoneInfo(settings.schedule.timezone)
    last = deadline_after(now - 86400 - 1, settings)
    while deadline_after(last, settings) <= now:
        last = deadline_after(last, settings)
    send = _hhmm(settings.schedule.time)
    day = dt.datetime.fromtimestamp(last, tz).date()
    next_send = next(
        t for d in range(3) if (t := _at(day + dt.timedelta(days=d), send, tz).timestamp()) > last
    )
    return last <= now < next_send


@dataclass(frozen=True)
class Job:
    """One submitted (or about to be submitted) batch, as the ledger records it."""

    idem: str
    run_id: int | None
    created: float
    deadline: float
    inputs: tuple[str, ...]
    file_id: str | None
    batch_id: str | None
    status: str
    total: int
    completed: int
    failed: int
    read: bool

    def to_json(self) -> dict[str, Any]:
        """The `waiting` entry of `run --json`."""
        return {
            "batch_id": self.batch_id,
            "status": self.status,
            "requests": {"total": self.total, "completed": self.completed, "failed": self.failed},
            "run_id": self.run_id,
            "created": dt.datetime.fromtimestamp(self.created).astimezone().isoformat(timespec="seconds"),
            "deadline": dt.datetime.fromtimestamp(self.deadline).astimezone().isoformat(timespec="seconds"),
            "inputs": list(self.inputs),
        }


_JOB_COLUMNS = (
    "idem, run_id, created, deadline, inputs, file_id, batch_id, status, total, completed, failed, read"
)


class BatchStore:
    """The batch tables of the ledger: jobs and their lines."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        for statement in SCHEMA:
            ledger.execute(statement)

    def jobs(self, *, unread_only: bool = True) -> list[Job]:
        rows = self.ledger.execute(
            f"SELECT {_JOB_COLUMNS} FROM batch_jobs {'WHERE read = 0' if unread_only else ''} ORDER BY created"
        )
        return [Job(*r[:4], tuple(json.loads(r[4])), *r[5:11], bool(r[11])) for r in rows]

    def add_job(self, job: Job, lines: Sequence[PendingLine]) -> None:
        """Step 1: the job and its lines, before anything leaves this machine."""
        self.ledger.execute(
            f"INSERT INTO batch_jobs ({_JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (job.idem, job.run_id, job.created, job.deadline, json.dumps(job.inputs), None, None, INTENT)
            + (len(lines), 0, 0, 0),
        )
        for line in lines:
            self.ledger.execute(
                "INSERT INTO batch_lines (idem, custom_id, key, kind, state) VALUES (?, ?, ?, ?, ?)",
                (job.idem, line.custom_id, line.key, line.kind, WAITING),
            )

    def set_job(self, idem: str, **values: Any) -> None:
        names = ", ".join(f"{k} = ?" for k in values)
        self.ledger.execute(f"UPDATE batch_jobs SET {names} WHERE idem = ?", (*values.values(), idem))

    def drop_job(self, idem: str) -> None:
        """A job that never reached the provider: its requests will simply be collected again."""
        self.ledger.execute("DELETE FROM batch_wire WHERE scope = ?", (idem,))
        self.ledger.execute("DELETE FROM batch_lines WHERE idem = ?", (idem,))
        self.ledger.execute("DELETE FROM batch_jobs WHERE idem = ?", (idem,))

    def store_results(self, job: Job, status: BatchStatus, results: dict[str, LineResult]) -> tuple[int, int]:
        """Each waiting line of the job -> answered, failed (retry) or sync; (answered, not answered)."""
        rows = self.ledger.execute(
            "SELECT seq, custom_id FROM batch_lines WHERE idem = ? AND state = ?", (job.idem, WAITING)
        )
        answered = 0
        for seq, cid in rows:
            line = results.get(cid)
            if line is not None and line.content is not None:
                answered += 1
                self.ledger.execute(
                    "UPDATE batch_lines SET state = ?, content = ?, finish = ?, usage = ?, model = ? WHERE seq = ?",
                    (ANSWERED, line.content, line.finish, json.dumps(vars(line.usage)), line.model, seq),
                )
                continue
            # A line the batch failed is retried alone; one a dead batch never ran goes synchronously.
            state = FAILED if (line is not None or status.status == "completed") else SYNC
            error = line.error if line is not None else f"no answer (batch {status.status})"
            self.ledger.execute(
                "UPDATE batch_lines SET state = ?, error = ? WHERE seq = ?", (state, error, seq)
            )
        self.set_job(
            job.idem,
            status=status.status,
            total=status.total or job.total,
            completed=status.completed,
            failed=status.failed,
            read=1,
        )
        return answered, len(rows) - answered

    def wire(self, scope: str) -> tuple[str, bool] | None:
        """The request options recorded for a job (its idem) or a server."""
        rows = self.ledger.execute("SELECT mode, seed FROM batch_wire WHERE scope = ?", (scope,))
        return (str(rows[0][0]), bool(rows[0][1])) if rows else None

    def set_wire(self, scope: str, wire: tuple[str, bool]) -> None:
        self.ledger.execute(
            "INSERT OR REPLACE INTO batch_wire (scope, mode, seed) VALUES (?, ?, ?)",
            (scope, wire[0], int(wire[1])),
        )

    def lookup(self, key: str) -> LineRecord | None:
        """The latest line of a request key not yet used in a draft (see llm.LineRecord)."""
        rows = self.ledger.execute(
            "SELECT l.kind, l.state, l.content, l.finish, l.usage, l.model, l.error, j.batch_id "
            "FROM batch_lines l JOIN batch_jobs j ON j.idem = l.idem "
            "WHERE l.key = ? AND l.state != ? ORDER BY l.seq",
            (key, USED),
        )
        if not rows:
            return None
        kind, state, content, finish, _, model, error, batch_id = rows[-1]
        usage = sum((Usage(**json.loads(r[4])) for r in rows if r[4]), Usage())
        if kind == REPAIR and content is None:
            # The repair is not answered yet: keep the first answer, which the repair messages quote.
            first = [r for r in rows if r[0] != REPAIR and r[2] is not None]
            content, finish = (first[-1][2], first[-1][3]) if first else (None, None)
        sent = sum(1 for r in rows if r[0] == kind)
        # A line refused for a request option goes again without it: no attempt spent (bounded).
        refused = sum(1 for r in rows if r[0] == kind and r[1] == FAILED and refused_option(r[6]))
        attempts = sent - min(refused, MAX_REFUSALS)
        return LineRecord(key, state, kind, batch_id, content, finish, usage, model, error, attempts, sent)

    def consume(self, keys: Collection[str]) -> None:
        """Answers now in a draft: later runs read them from the cache, at no cost."""
        for key in keys:
            self.ledger.execute(
                "UPDATE batch_lines SET state = ? WHERE key = ? AND state = ?", (USED, key, ANSWERED)
            )
            self.ledger.execute("UPDATE batch_sync SET state = ? WHERE key = ?", (USED, key))

    def get(self, key: str) -> CallRecord | None:
        """A synchronous call of this night not yet in a draft (see llm.BatchBackend)."""
        rows = self.ledger.execute(
            "SELECT prompt, reason, usage, batch_id FROM batch_sync WHERE key = ? AND state != ?", (key, USED)
        )
        if not rows:
            return None
        prompt, reason, usage, batch_id = rows[0]
        return CallRecord(prompt, key, SYNCHRONOUS, Usage(**json.loads(usage)), batch_id, reason)

    def put(self, call: CallRecord) -> None:
        self.ledger.execute(
            "INSERT OR REPLACE INTO batch_sync (key, prompt, reason, usage, batch_id, state) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (call.key, call.prompt, call.reason, json.dumps(vars(call.usage)), call.batch_id, SYNC),
        )


@dataclass
class BatchNight:
    """The nightly run's batch hooks around one synchronous backend (see the module docstring)."""

    settings: Settings
    ledger: Ledger
    inner: Any  # llm.OpenAIBackend
    clock: Callable[[], float] = time.time
    client: BatchClient | None = None
    sync_fallback: bool = False  # --sync-fallback: lines a batch failed may go synchronously
    store: BatchStore = field(init=False)
    backend: BatchBackend = field(init=False)
    drafted: dict[str, CallRecord] = field(default_factory=dict)  # calls of the drafts written this run

    def __post_init__(self) -> None:
        self.client = self.client or BatchClient(self.inner.client, self.inner.endpoint)
        self.store = BatchStore(self.ledger)
        self.backend = BatchBackend(
            self.inner,
            self.store.lookup,
            lambda: too_late(self.clock(), self.settings),
            sync_fallback=self.sync_fallback,
            sync_store=self.store,
        )
        self.scope = f"server:{self.inner.host}/{self.inner.model}"
        known = self.store.wire(self.scope)
        if known is not None:  # what an earlier batch taught about this server (see _learn)
            self.backend.set_wire(*known)

    def poll(self, progress: Callable[[str], None], crash: crashpoint.Crash = crashpoint.never) -> list[str]:
        """Resolve jobs a crash left unsent, poll the running ones, cancel those past their deadline."""
        notes: list[str] = []
        for job in self.store.jobs():
            if job.batch_id is None:
                notes += self._resolve(job)
        for job in self.store.jobs():
            if job.batch_id is not None:
                notes += self._poll_one(job)
        for note in notes:
            progress(note)
        crash("batches_polled")
        return notes

    def _resolve(self, job: Job) -> list[str]:
        assert self.client is not None
        found = self.client.find(job.idem)
        if found is None and job.file_id:
            found = self.client.create(job.file_id, self._metadata(job.idem, job.run_id, job.total))
        if found is None:
            self.store.drop_job(job.idem)
            return [f"a batch of run {job.run_id} was never sent (the run died first); its requests go again"]
        self.store.set_job(job.idem, batch_id=found.id, status=found.status)
        return [
            f"batch {found.id} of run {job.run_id} found again at the provider (the run died before recording it)"
        ]

    def _poll_one(self, job: Job) -> list[str]:
        assert self.client is not None and job.batch_id is not None
        status = self.client.retrieve(job.batch_id)
        note = ""
        if not status.done and self.clock() >= job.deadline:
            status = self.client.cancel(job.batch_id)
            note = f"batch {job.batch_id} passed its deadline: cancelled; what it has not answered goes synchronously"
        if not status.done and not note:
            self.store.set_job(
                job.idem,
                status=status.status,
                total=status.total or job.total,
                completed=status.completed,
                failed=status.failed,
            )
            return []
        results = self.client.results(status) if (status.output_file_id or status.error_file_id) else {}
        answered, missing = self.store.store_results(job, status, results)
        why = f": {status.errors}" if status.errors else ""
        learnt = self._learn(job, results)
        return [
            note or f"batch {job.batch_id} {status.status}{why}: {answered} answered, {missing} to redo"
        ] + learnt

    def _learn(self, job: Job, results: dict[str, LineResult]) -> list[str]:
        """Lines refused for a request option (a response format, a seed): later lines go without it."""
        sent_with = self.store.wire(job.idem)
        errors = [r.error for r in results.values() if r.error and refused_option(r.error)]
        if sent_with is None or not errors:
            return []
        mode, what = self.backend.wire()[0], refused_option(errors[0])
        if not self.backend.downgrade(errors[0], sent_with):
            return []
        self.store.set_wire(self.scope, self.backend.wire())
        refused = "the seed" if what == "seed" else f"response format {mode}"
        again = "without a seed" if what == "seed" else f"with response format {self.backend.wire()[0]}"
        return [
            f"batch {job.batch_id}: the server refused {refused} ({errors[0][:120]}); "
            f"its lines go again in a batch {again}"
        ]

    def _metadata(self, idem: str, run_id: int | None, count: int) -> dict[str, str]:
        return {IDEMPOTENCY_KEY: idem, "newsletter_run": str(run_id), "newsletter_requests": str(count)}

    def holding(self, shas: Collection[str]) -> bool:
        """Whether these inputs only wait for batches still running (then the run does nothing more)."""
        running = [j for j in self.store.jobs() if j.batch_id is not None]
        covered = {s for j in running for s in j.inputs}
        return bool(running) and set(shas) <= covered

    def flush(self, run_id: int, shas: Sequence[str], crash: crashpoint.Crash = crashpoint.never) -> bool:
        """Submit what the stages deferred; True when some answer is still to come."""
        deferred = self.backend.deferred
        lines = self.backend.take_pending()
        self.backend.waiting.clear()
        if lines:
            self.submit(lines, run_id, shas, crash)
        return deferred

    def submit(
        self, lines: Sequence[PendingLine], run_id: int, shas: Sequence[str], crash: crashpoint.Crash
    ) -> str:
        """Steps 1-3 of the module docstring; returns the batch id."""
        assert self.client is not None
        now = self.clock()
        idem = idempotency_key(run_id, [line.custom_id for line in lines])
        job = Job(
            idem,
            run_id,
            now,
            deadline_after(now, self.settings),
            tuple(shas),
            None,
            None,
            INTENT,
            0,
            0,
            0,
            False,
        )
        self.store.set_wire(idem, self.backend.wire())  # what its lines are built with (see _learn)
        self.store.add_job(job, lines)
        crash("batch_intent")
        try:
            file_id = self.client.upload(lines)
        except LLMError:
            self.store.drop_job(idem)  # nothing left this machine: the next run collects them again
            raise
        self.store.set_job(idem, file_id=file_id, status=UPLOADED)
        crash("batch_uploaded")
        status = self.client.create(file_id, self._metadata(idem, run_id, len(lines)))
        crash("batch_created")
        self.store.set_job(idem, batch_id=status.id, status=status.status, total=status.total or len(lines))
        crash("batch_recorded")
        return status.id

    def waiting(self) -> tuple[dict[str, Any], ...]:
        """The batches still running, for `run --json`."""
        return tuple(j.to_json() for j in self.store.jobs() if j.batch_id is not None)

    def consume(self) -> list[str]:
        """After a draft is written: its batch answers are used; returns the batch ids they came from."""
        ids = self.backend.batch_ids()
        log = self.backend.log
        self.store.consume(list(self.backend.served) + list(log.records))
        # The next draft of this run (one edition per episode) reports only its own calls.
        self.drafted.update(log.records)
        log.records.clear()
        self.backend.served.clear()
        return ids

    def calls(self) -> dict[str, Any]:
        """This run's model calls per path (batched, synchronous, cached) with their cost, for `run --json`."""
        prices, batch_prices = self.settings.prices, self.settings.batch_prices
        log = CallLog({**self.drafted, **self.backend.log.records}, set(self.backend.log.deferred))
        return log.summary(lambda u: cost(u, self.inner.model, prices, batch_prices))
