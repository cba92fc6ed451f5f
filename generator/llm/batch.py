"""The Batch API (OpenAI's /v1/files + /v1/batches shape) and a backend that defers calls to it.

Besides llm/client.py, the only module talking to the openai client. The backend never waits: a
request without an answer yet is collected as a JSONL line (or found waiting in a running batch) and
`Deferred` is raised; once the batch has answered, the answer is validated exactly like a synchronous
one (schema, degeneration, French, the caller's validator, one repair) and cached in the ledger.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from generator.errors import BudgetError, LLMError
from generator.i18n import _
from generator.llm.client import MODES, refused_option
from generator.llm.paths import (
    BATCHED,
    CACHED,
    SYNCHRONOUS,
    WHY_DEADLINE,
    WHY_FALLBACK,
    CallLog,
    CallRecord,
)
from generator.llm.protocol import LLMRequest, LLMResult
from generator.model import Usage

ENDPOINT = "/v1/chat/completions"
WINDOW = "24h"
IDEMPOTENCY_KEY = "newsletter_idempotency_key"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
FIRST, REPAIR = "first", "repair"
# Line states, as the nightly store reports them for a request key.
WAITING, ANSWERED, FAILED, SYNC = "waiting", "answered", "failed", "sync"
MAX_BATCH_ATTEMPTS = 2  # with --sync-fallback, a line that failed twice in a batch is done synchronously
MAX_REFUSALS = len(MODES)  # refused lines not counted as attempts: a seed, then each response format


class Deferred(Exception):  # noqa: N818 - not an error: the answer is on its way
    """The answer will come from a batch; the run leaves its inputs waiting.

    Deliberately not an LLMError: compose turns LLM errors into a template fallback, and a deferred
    answer must stop the draft instead.
    """


@dataclass(frozen=True)
class BatchStatus:
    """What the provider says about one batch."""

    id: str
    status: str
    total: int = 0
    completed: int = 0
    failed: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    errors: str = ""

    @property
    def done(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True)
class LineResult:
    """One line of a batch's output or error file, matched by custom_id."""

    custom_id: str
    content: str | None = None
    finish: str | None = None
    usage: Usage = field(default_factory=Usage)
    model: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class LineRecord:
    """The latest batch line of one request key, as the nightly store keeps it."""

    key: str
    state: str  # waiting | answered | failed | sync
    kind: str = FIRST  # first | repair
    batch_id: str | None = None
    content: str | None = None
    finish: str | None = None
    usage: Usage = field(default_factory=Usage)  # every answered line of this key so far
    model: str | None = None
    error: str | None = None
    attempts: int = 1  # lines of this kind sent so far, those refused for a request option left out
    sent: int = 0  # lines of this kind sent so far, all of them (numbers the custom_id of the next)


@dataclass(frozen=True)
class PendingLine:
    """A JSONL line to submit: its custom_id, the request key and kind, and the body."""

    custom_id: str
    key: str
    kind: str
    body: dict[str, Any]

    def jsonl(self) -> dict[str, Any]:
        return {"custom_id": self.custom_id, "method": "POST", "url": ENDPOINT, "body": self.body}


def custom_id(key: str, kind: str, sent: int = 0) -> str:
    """The line's custom_id: the cache key, suffixed for a repair and numbered for a retry.

    Unique across every batch of a key: a failed line sent again is a new line, never the same one twice.
    """
    base = key if kind == FIRST else f"{key}.{kind}"
    return base if sent == 0 else f"{base}.{sent + 1}"


def idempotency_key(run_id: int, custom_ids: Iterable[str]) -> str:
    """Run-scoped: the run that submits, and what it submits."""
    digest = hashlib.sha256("\n".join(sorted(custom_ids)).encode()).hexdigest()[:16]
    return f"newsletter-run{run_id}-{digest}"


# ------------------------------------------------------------------------------------ the client


def _status(batch: Any) -> BatchStatus:
    counts = getattr(batch, "request_counts", None)
    errors = getattr(getattr(batch, "errors", None), "data", None) or []
    return BatchStatus(
        id=str(batch.id),
        status=str(batch.status),
        total=int(getattr(counts, "total", 0) or 0),
        completed=int(getattr(counts, "completed", 0) or 0),
        failed=int(getattr(counts, "failed", 0) or 0),
        output_file_id=getattr(batch, "output_file_id", None),
        error_file_id=getattr(batch, "error_file_id", None),
        metadata=dict(getattr(batch, "metadata", None) or {}),
        errors="; ".join(str(getattr(e, "message", e)) for e in errors)[:300],
    )


def _line_usage(raw: Mapping[str, Any] | None) -> Usage:
    if not raw:
        return Usage(calls=1, estimated=True)  # a server that reports no usage: flagged, never guessed
    raw = raw or {}
    n_in, n_out = int(raw.get("prompt_tokens") or 0), int(raw.get("completion_tokens") or 0)
    cached = int((raw.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)
    return Usage(n_in, n_out, cached, 1, False, n_in, n_out)


def parse_line(raw: Mapping[str, Any]) -> LineResult:
    """One output/error-file line -> LineResult (an HTTP error or missing content is an error)."""
    cid = str(raw.get("custom_id") or "")
    error = raw.get("error")
    response = raw.get("response") or {}
    body = response.get("body") or {}
    if error or int(response.get("status_code") or 0) >= 400:
        detail = (error or body.get("error") or {}).get("message") or json.dumps(error or body)[:200]
        return LineResult(cid, error=f"HTTP {response.get('status_code', '?')}: {detail}")
    choices = body.get("choices") or []
    message = (choices[0] or {}).get("message") or {} if choices else {}
    content = message.get("content")
    if not isinstance(content, str):
        return LineResult(cid, error="the batch line holds no message content")
    return LineResult(
        cid, content, choices[0].get("finish_reason"), _line_usage(body.get("usage")), body.get("model")
    )


class BatchClient:
    """The provider's Batch API through the openai client: upload, create, find, poll, cancel, read."""

    def __init__(self, client: Any, endpoint: str) -> None:
        self.client = client
        self.endpoint = endpoint

    def _guard(self, what: str, fn: Callable[[], Any]) -> Any:
        import openai  # loaded already by make_backend

        where = {"endpoint": self.endpoint, "what": what}
        try:
            return fn()
        except openai.APIStatusError as exc:
            hint = (
                _(" (ce serveur offre-t-il l'API Batch ? sinon [llm] batch = false)")
                if exc.status_code == 404
                else ""
            )
            refused = _("API Batch de {endpoint} : {what} refusé, HTTP {code}", code=exc.status_code, **where)
            raise LLMError(refused + hint) from exc
        except openai.APIError as exc:
            failed = _("API Batch de {endpoint} : {what} en échec : {error}", error=exc, **where)
            raise LLMError(failed) from exc

    def upload(self, lines: Sequence[PendingLine]) -> str:
        """Upload the JSONL file (purpose "batch"); its file id."""
        data = "".join(json.dumps(line.jsonl(), ensure_ascii=False) + "\n" for line in lines).encode()
        made = self._guard(
            "upload",
            lambda: self.client.files.create(
                file=("newsletter-batch.jsonl", data, "application/jsonl"), purpose="batch"
            ),
        )
        return str(made.id)

    def create(self, file_id: str, metadata: Mapping[str, str]) -> BatchStatus:
        """Create the batch over an uploaded file (24 h window)."""
        return _status(
            self._guard(
                "create",
                lambda: self.client.batches.create(
                    input_file_id=file_id,
                    endpoint=ENDPOINT,
                    completion_window=WINDOW,
                    metadata=dict(metadata),
                ),
            )
        )

    def find(self, idem: str) -> BatchStatus | None:
        """The batch created with this idempotency key, if the provider has one (its list, newest first)."""
        page = self._guard("list", lambda: self.client.batches.list(limit=100))
        for n, batch in enumerate(page):
            if n >= 1000:  # ours is recent and the list is newest first: no need to walk years of batches
                break
            if (getattr(batch, "metadata", None) or {}).get(IDEMPOTENCY_KEY) == idem:
                return _status(batch)
        return None

    def retrieve(self, batch_id: str) -> BatchStatus:
        """The batch's status; one the provider no longer knows (404) counts as failed, never as waiting."""
        import openai

        try:
            return _status(self.client.batches.retrieve(batch_id))
        except openai.NotFoundError:
            return BatchStatus(
                batch_id, "failed", errors="the provider no longer knows this batch (HTTP 404)"
            )
        except openai.APIError:
            return _status(self._guard("poll", lambda: self.client.batches.retrieve(batch_id)))

    def cancel(self, batch_id: str) -> BatchStatus:
        return _status(self._guard("cancel", lambda: self.client.batches.cancel(batch_id)))

    def _file(self, file_id: str) -> list[dict[str, Any]]:
        raw = self._guard("read results", lambda: self.client.files.content(file_id))
        text = raw.text if hasattr(raw, "text") else raw.read().decode()
        out = []
        for line in text.splitlines():
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn line: its custom_id is missing, so the request is retried
            if isinstance(item, dict):
                out.append(item)
        return out

    def results(self, status: BatchStatus) -> dict[str, LineResult]:
        """Every answered or failed line by custom_id (never by position)."""
        found: dict[str, LineResult] = {}
        for file_id in (status.output_file_id, status.error_file_id):
            for raw in self._file(file_id) if file_id else []:
                line = parse_line(raw)
                if line.custom_id and (line.custom_id not in found or found[line.custom_id].error):
                    found[line.custom_id] = line
        return found


# ----------------------------------------------------------------------------------- the backend


class BatchBackend:
    """A Backend whose calls go into batches: answers come from the ledger's cache or a finished batch.

    `lookup(key)` gives the latest batch line of a request key; `synchronous()` says the deadline has
    passed (then calls go straight to the wrapped synchronous backend). A line a batch failed or never
    ran goes into the next batch, unless `sync_fallback` (the user's `--sync-fallback`) allows a
    synchronous call. `log` records the path of every call; `sync_store` (get/put by key) keeps the
    synchronous ones across runs, so that the draft still knows them when they come back from the cache.
    """

    name = "openai"

    def __init__(
        self,
        inner: Any,
        lookup: Callable[[str], LineRecord | None],
        synchronous: Callable[[], bool],
        *,
        sync_fallback: bool = False,
        sync_store: Any = None,
    ) -> None:
        self.inner = inner
        self.model = inner.model
        self.lookup = lookup
        self.synchronous = synchronous
        self.sync_fallback = sync_fallback
        self.sync_store = sync_store
        self.log = CallLog()
        self.pending: dict[str, PendingLine] = {}  # custom_id -> line to submit
        self.waiting: set[str] = set()  # keys answered by a batch still running
        self.served: dict[str, str | None] = {}  # key -> batch id, answers taken from batches
        self._lock = threading.Lock()

    def cache_key(self, request: LLMRequest) -> str:
        return self.inner.cache_key(self._capped(request))

    def is_cached(self, request: LLMRequest) -> bool:
        return self.inner.is_cached(self._capped(request))

    @property
    def deferred(self) -> bool:
        """Whether some answer is still to come (collected now or in a running batch)."""
        return bool(self.pending or self.waiting)

    def _capped(self, request: LLMRequest) -> LLMRequest:
        cap = self.inner.max_output_tokens
        return replace(request, max_tokens=cap) if cap and request.max_tokens > cap else request

    def complete_json(self, request: LLMRequest) -> LLMResult:
        """An answer from a finished batch or the cache; Deferred while it is on its way."""
        request = self._capped(request)
        key = self.inner.cache_key(request)
        record = self.lookup(key)
        if record is not None and record.state == ANSWERED:
            return self._answered(request, key, record)
        if self.inner.is_cached(request):
            return self._cached(request, key)  # an answer already paid for, whatever the batch said
        if self.synchronous():
            return self._sync(request, record, _(WHY_DEADLINE))
        if record is None:
            needed = self.inner._needed(request.prompt.messages, request.max_tokens)
            if needed > self.inner.context_window:
                raise BudgetError(
                    f"{request.prompt.id}: request needs ~{needed} tokens but [llm] context_window is "
                    f"{self.inner.context_window}; split the input or raise context_window"
                )
            self._collect(key, FIRST, request, [dict(m) for m in request.prompt.messages])
        elif record.state == WAITING:
            with self._lock:
                self.waiting.add(key)
        elif record.state in (FAILED, SYNC) and not self._may_sync(record):
            # A retry joins the next batch round: synchronous only where the user allowed it.
            self._collect(key, record.kind, request, self._messages(request, record), record.sent)
        else:  # --sync-fallback: the batch expired, failed or was cancelled, or the line failed twice
            return self._sync(request, record, _(WHY_FALLBACK, detail=_why(record)))
        self.log.defer(key)
        raise Deferred(f"{request.prompt.id}: answer deferred to a batch")

    def _may_sync(self, record: LineRecord) -> bool:
        """--sync-fallback: a line a dead batch never ran, or one that failed twice, goes synchronously."""
        if not self.sync_fallback:
            return False
        return record.state == SYNC or record.attempts >= MAX_BATCH_ATTEMPTS

    def _cached(self, request: LLMRequest, key: str) -> LLMResult:
        """A cache hit: a synchronous call of an earlier run of this night keeps its path, else cached."""
        result = self.inner.complete_json(request)
        earlier = self.sync_store.get(key) if self.sync_store is not None else None
        self.log.add(earlier or CallRecord(request.prompt.id, key, CACHED, result.usage))
        return result

    def _messages(self, request: LLMRequest, record: LineRecord) -> list[dict[str, str]]:
        """The line's messages: the request's, or for a repair the bad answer and the repair prompt."""
        messages = [dict(m) for m in request.prompt.messages]
        if record.kind != REPAIR:
            return messages
        _, problems = self.inner._problems(record.content or "", record.finish, request)
        return (
            self.inner._retry_messages(messages, record.content or "", problems, request.max_tokens)
            or messages
        )

    def _collect(
        self, key: str, kind: str, request: LLMRequest, messages: list[dict[str, str]], sent: int = 0
    ) -> None:
        body = self.inner.request_body(messages, request, self.inner.mode)
        cid = custom_id(key, kind, sent)
        with self._lock:
            self.pending[cid] = PendingLine(cid, key, kind, body)

    def _answered(self, request: LLMRequest, key: str, record: LineRecord) -> LLMResult:
        """Validate a batch answer exactly like a synchronous one; a first bad answer gets one repair."""
        data, problems = self.inner._problems(record.content or "", record.finish, request)
        model = record.model or self.model
        if not problems and data is not None:
            ledger = self.inner.ledger
            if ledger is not None:
                ledger.cache_put(
                    key, request.prompt.id, self.model, data, {**asdict(record.usage), "model": model}
                )
            with self._lock:
                self.served[key] = record.batch_id
            self.log.add(CallRecord(request.prompt.id, key, BATCHED, record.usage, record.batch_id))
            return LLMResult(data, record.usage, False, request.prompt.use, model)
        if record.kind == REPAIR:
            self.log.add(CallRecord(request.prompt.id, key, BATCHED, record.usage, record.batch_id))
            raise self.inner._fail(
                f"invalid answer after one retry: {'; '.join(problems[:5])}", record.usage, request
            )
        repair = replace(record, kind=REPAIR, state=FAILED, attempts=0)
        if self.synchronous():
            return self._sync(request, repair, _(WHY_DEADLINE))
        messages = self.inner._retry_messages(
            [dict(m) for m in request.prompt.messages], record.content or "", problems, request.max_tokens
        )
        if messages is None:
            raise self.inner._fail(f"invalid answer: {'; '.join(problems[:5])}", record.usage, request)
        self._collect(key, REPAIR, request, messages)
        with self._lock:
            self.served[key] = record.batch_id
        self.log.defer(key)
        raise Deferred(f"{request.prompt.id}: repair deferred to a batch")

    def _sync(self, request: LLMRequest, record: LineRecord | None, reason: str) -> LLMResult:
        """A synchronous call the user allowed (`reason`), logged with its cost whether it succeeds or not."""
        key = self.inner.cache_key(request)
        try:
            result = self._sync_call(request, record)
        except LLMError as exc:
            spent = getattr(exc, "usage", Usage())
            self._log_sync(CallRecord(request.prompt.id, key, SYNCHRONOUS, spent, None, reason))
            raise
        batch_id = record.batch_id if record is not None else None
        self._log_sync(CallRecord(request.prompt.id, key, SYNCHRONOUS, result.usage, batch_id, reason))
        return result

    def _log_sync(self, call: CallRecord) -> None:
        self.log.add(call)
        if self.sync_store is not None:
            self.sync_store.put(call)

    def _sync_call(self, request: LLMRequest, record: LineRecord | None) -> LLMResult:
        """The synchronous path: a cache hit, a whole call, or only the repair of a bad batch answer."""
        if record is None or record.kind != REPAIR or record.content is None:
            result = self.inner.complete_json(request)
            return replace(result, usage=result.usage + (record.usage if record else Usage()))
        messages = self._messages(request, record)
        content, finish, spent, model = self.inner._call(messages, request, record.usage)
        usage = record.usage + spent
        data, problems = self.inner._problems(content, finish, request)
        if problems or data is None:
            raise self.inner._fail(
                f"invalid answer after one retry: {'; '.join(problems[:5])}", usage, request
            )
        if self.inner.ledger is not None:
            self.inner.ledger.cache_put(
                self.inner.cache_key(request),
                request.prompt.id,
                self.model,
                data,
                {**asdict(usage), "model": model},
            )
        return LLMResult(data, usage, False, request.prompt.use, model)

    def wire(self) -> tuple[str, bool]:
        """The request options lines are built with now: response-format mode, and whether to send a seed."""
        return self.inner.mode, bool(self.inner.send_seed)

    def set_wire(self, mode: str, seed: bool) -> None:
        if mode in MODES:
            self.inner.mode, self.inner.send_seed = mode, seed

    def downgrade(self, error: str | None, sent_with: tuple[str, bool]) -> bool:
        """A line refused for a request option: build the next lines without it (True if changed).

        The synchronous client learns this from one refused call; batch mode learns it from a refused
        line, so that the retry and every later line go through a batch too. Only a line sent with the
        current options teaches anything (another batch may have taught it already).
        """
        what = refused_option(error)
        mode, seed = self.wire()
        if what is None or tuple(sent_with) != (mode, seed):
            return False
        return self.inner.step_down(what, mode)

    def take_pending(self) -> list[PendingLine]:
        """The lines collected so far (emptied: a run submits them once)."""
        with self._lock:
            lines, self.pending = list(self.pending.values()), {}
            return lines

    def batch_ids(self) -> list[str]:
        """The batches this backend's answers came from, in first-use order."""
        return [b for b in dict.fromkeys(self.served.values()) if b]


def _why(record: LineRecord) -> str:
    """Why a line left the batch path (for the draft and `run`, in the process's language)."""
    error = (record.error or "")[:120]
    if record.state == SYNC:
        return _("le lot {batch} ne l'a pas traitée ({error})", batch=record.batch_id or "?", error=error)
    return _("échec {n} fois dans un lot ({error})", n=record.attempts, error=error)
