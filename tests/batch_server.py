"""A loopback Batch API (OpenAI's /v1/files + /v1/batches shape) in front of any chat-completions server.

Batch lines are executed against `upstream` (tests/fake_llm_server.py, or the real local model), by
`process()` when the test says so, or by a worker thread (`auto=True`). The next batches follow the
plans queued with `script(...)`: complete, expire after some lines, fail as a whole, fail some lines,
answer in a shuffled order, or stay in progress until processed. /v1/chat/completions and /v1/models
are passed through (and counted), so one base URL serves the synchronous backend too.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Plan:
    """What the next batch does when processed."""

    outcome: str = "completed"  # completed | expired | failed
    answered: int | None = None  # lines answered before expiry (expired only)
    fail_lines: frozenset[int] = frozenset()  # line numbers (0-based, input order) that fail
    shuffle: bool = False  # output lines in a random order


@dataclass
class BatchServer:
    """Loopback Batch API; `created` lists every batch creation request, `sync_calls` the chat calls."""

    upstream: str
    auto: bool = False
    files: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: list[dict[str, Any]] = field(default_factory=list)
    uploads: int = 0
    sync_calls: int = 0
    line_calls: int = 0
    sync_bodies: list[dict[str, Any]] = field(default_factory=list)  # every synchronous chat request

    def __post_init__(self) -> None:
        self._plans: list[Plan] = []
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._plan_of: dict[str, Plan] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._queue: list[str] = []
        self._wake = threading.Event()
        self._stop = threading.Event()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, *plans: Plan) -> BatchServer:
        with self._lock:
            self._plans.extend(plans)
        return self

    def start(self) -> BatchServer:
        server = self

        class Handler(_Handler):
            loop = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        if self.auto:
            threading.Thread(target=self._worker, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    # --------------------------------------------------------------------------------- batches

    def _id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):04d}"

    def add_file(self, data: bytes, purpose: str, filename: str) -> dict[str, Any]:
        with self._lock:
            file_id = self._id("file")
            self.files[file_id] = data
            self.uploads += purpose == "batch"
        return _file_object(file_id, data, purpose, filename)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if body.get("input_file_id") not in self.files:
                raise KeyError(body.get("input_file_id"))
            self.created.append(body)
            batch_id = self._id("batch")
            self._plan_of[batch_id] = self._plans.pop(0) if self._plans else Plan()
            lines = self.files[body["input_file_id"]].decode().splitlines()
            self.batches[batch_id] = {
                "id": batch_id,
                "object": "batch",
                "endpoint": body.get("endpoint"),
                "errors": None,
                "input_file_id": body["input_file_id"],
                "completion_window": body.get("completion_window"),
                "status": "in_progress",
                "output_file_id": None,
                "error_file_id": None,
                "created_at": int(time.time()),
                "request_counts": {
                    "total": len([x for x in lines if x.strip()]),
                    "completed": 0,
                    "failed": 0,
                },
                "metadata": body.get("metadata") or {},
            }
            self._queue.append(batch_id)
        self._wake.set()
        return dict(self.batches[batch_id])

    def cancel(self, batch_id: str) -> dict[str, Any]:
        with self._lock:
            batch = self.batches[batch_id]
            if batch["status"] not in ("completed", "failed", "expired", "cancelled"):
                batch["status"] = "cancelled"
            return dict(batch)

    def listing(self) -> dict[str, Any]:
        with self._lock:
            data = [dict(b) for b in reversed(self.batches.values())]
        return {
            "object": "list",
            "data": data,
            "has_more": False,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
        }

    def process(self, batch_id: str | None = None) -> None:
        """Run the lines of one batch (default: every batch still in progress) against upstream."""
        with self._lock:
            ids = (
                [batch_id]
                if batch_id
                else [b for b, v in self.batches.items() if v["status"] == "in_progress"]
            )
        for bid in ids:
            self._run(bid)

    def _worker(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(0.2)
            self._wake.clear()
            while True:
                with self._lock:
                    if not self._queue:
                        break
                    bid = self._queue.pop(0)
                if self.batches[bid]["status"] == "in_progress":
                    self._run(bid)

    def _run(self, batch_id: str) -> None:
        with self._lock:
            batch = self.batches[batch_id]
            if batch["status"] != "in_progress":
                return
            plan = self._plan_of[batch_id]
            lines = [
                json.loads(x) for x in self.files[batch["input_file_id"]].decode().splitlines() if x.strip()
            ]
        if plan.outcome == "failed":
            with self._lock:
                batch["status"] = "failed"
                batch["errors"] = {
                    "object": "list",
                    "data": [{"code": "invalid_file", "message": "scripted failure"}],
                }
            return
        out, err = [], []
        limit = plan.answered if plan.outcome == "expired" and plan.answered is not None else len(lines)
        for n, line in enumerate(lines[:limit]):
            if self.batches[batch_id]["status"] != "in_progress":
                break  # cancelled meanwhile
            if n in plan.fail_lines:
                err.append(_error_line(line["custom_id"], 500, "scripted line failure"))
                continue
            status, body = self._chat(line["body"])
            with self._lock:
                self.line_calls += 1
            if status == 200:
                out.append(
                    {
                        "id": f"req-{n}",
                        "custom_id": line["custom_id"],
                        "response": {"status_code": 200, "request_id": f"r{n}", "body": body},
                        "error": None,
                    }
                )
            else:
                err.append(_error_line(line["custom_id"], status, json.dumps(body)[:200]))
        if plan.shuffle:
            random.Random(7).shuffle(out)
        with self._lock:
            if batch["status"] == "in_progress":
                batch["status"] = "expired" if plan.outcome == "expired" else "completed"
            if out:
                batch["output_file_id"] = self.add_file(_jsonl(out), "batch_output", "out.jsonl")["id"]
            if err:
                batch["error_file_id"] = self.add_file(_jsonl(err), "batch_output", "err.jsonl")["id"]
            batch["request_counts"] = {"total": len(lines), "completed": len(out), "failed": len(err)}

    def _chat(self, body: dict[str, Any]) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.upstream.rstrip("/") + "/chat/completions",
            json.dumps(body).encode(),
            {"Content-Type": "application/json", "Authorization": "Bearer loopback"},
        )
        try:
            with urllib.request.urlopen(request, timeout=900) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            with contextlib.suppress(ValueError):
                return exc.code, json.loads(exc.read() or b"{}")
            return exc.code, {}


def _jsonl(items: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items).encode()


def _error_line(custom_id: str, status: int, message: str) -> dict[str, Any]:
    body = {"error": {"message": message, "type": "server_error"}}
    return {
        "id": "req-err",
        "custom_id": custom_id,
        "response": {"status_code": status, "request_id": "", "body": body},
        "error": None,
    }


def _file_object(file_id: str, data: bytes, purpose: str, filename: str) -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": len(data),
        "created_at": int(time.time()),
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
    }


class _Handler(BaseHTTPRequestHandler):
    loop: BatchServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the default stderr log
        pass

    def _send(
        self, status: int, doc: Any = None, raw: bytes | None = None, ctype: str = "application/json"
    ) -> None:
        payload = raw if raw is not None else json.dumps(doc, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _not_found(self) -> None:
        self._send(
            404,
            {"error": {"message": f"no route {self.command} {self.path}", "type": "invalid_request_error"}},
        )

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        parts = self.path.split("?")[0].rstrip("/").split("/")[2:]  # after /v1
        loop = self.loop
        if parts == ["models"]:
            with urllib.request.urlopen(loop.upstream.rstrip("/") + "/models", timeout=300) as r:
                self._send(200, raw=r.read())
        elif parts == ["batches"]:
            self._send(200, loop.listing())
        elif len(parts) == 2 and parts[0] == "batches" and parts[1] in loop.batches:
            self._send(200, loop.batches[parts[1]])
        elif len(parts) == 3 and parts[0] == "files" and parts[2] == "content" and parts[1] in loop.files:
            self._send(200, raw=loop.files[parts[1]], ctype="application/octet-stream")
        else:
            self._not_found()

    def do_POST(self) -> None:  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = self.path.split("?")[0].rstrip("/").split("/")[2:]
        loop = self.loop
        if parts == ["chat", "completions"]:
            request = json.loads(raw or b"{}")
            with loop._lock:
                loop.sync_calls += 1
                loop.sync_bodies.append(request)
            status, body = loop._chat(request)
            self._send(status, body)
        elif parts == ["files"]:
            self._send(200, self._upload(raw))
        elif parts == ["batches"]:
            try:
                self._send(200, loop.create(json.loads(raw or b"{}")))
            except KeyError:
                self._send(
                    400, {"error": {"message": "unknown input_file_id", "type": "invalid_request_error"}}
                )
        elif len(parts) == 3 and parts[0] == "batches" and parts[2] == "cancel" and parts[1] in loop.batches:
            self._send(200, loop.cancel(parts[1]))
        else:
            self._not_found()

    def _upload(self, raw: bytes) -> dict[str, Any]:
        header = f"Content-Type: {self.headers.get('Content-Type')}\r\n\r\n".encode()
        message = BytesParser(policy=email_policy).parsebytes(header + raw)
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = (part.get_filename(), part.get_payload(decode=True))
        filename, data = fields.get("file", ("upload.jsonl", b""))
        purpose = (fields.get("purpose") or (None, b""))[1].decode()
        return self.loop.add_file(data, purpose, filename or "upload.jsonl")
