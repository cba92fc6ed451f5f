"""A real OpenAI-compatible HTTP server on 127.0.0.1 that answers well or misbehaves on demand.

Each chat request takes the next behaviour from `script(...)` (then `default`). Behaviours:
ok, no_usage, prose_json, 429, 500, 503, reset, slow, bad_body, empty_choices, malformed,
missing_fields, length, degenerate, english, invented_quote.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from generator.llm.tokens import get_tokenizer

BEHAVIOURS = frozenset(
    {
        "ok",
        "no_usage",
        "prose_json",
        "429",
        "500",
        "503",
        "reset",
        "slow",
        "bad_body",
        "empty_choices",
        "malformed",
        "missing_fields",
        "length",
        "degenerate",
        "english",
        "invented_quote",
    }
)


def default_answer(body: dict[str, Any]) -> dict[str, Any]:
    """A valid French answer for the test schema used across tests/test_llm.py."""
    return {
        "title": "Les serveurs de calcul",
        "summary": "L'invitée explique pourquoi les centres de données consomment autant d'eau et d'électricité.",
        "quotes": [{"text": "on refroidit les machines avec de l'eau de pluie"}],
    }


@dataclass
class Recorded:
    """One chat request as the server saw it."""

    body: dict[str, Any]
    headers: dict[str, str]
    at: float
    prompt_tokens: int
    behaviour: str
    response_format: str | None
    status: int = 200


@dataclass
class FakeLLMServer:
    """Scriptable chat-completions server; `requests` records what clients sent."""

    models: tuple[str, ...] = ("fake-model",)
    strict_models: bool = True
    context_window: int | None = None
    reject_formats: frozenset[str] = frozenset()  # response_format types refused (json_object+schema too)
    reject_status: int = 400  # llama-cpp-python answers 500 there
    retry_after: str = "1"  # Retry-After header of "429"
    retry_after_ms: str | None = "20"  # retry-after-ms of 500/503 (keeps the tests fast); None to omit
    slow_seconds: float = 5.0
    base_latency: float = 0.0  # seconds per answer, plus per_token_latency per output token
    per_token_latency: float = 0.0
    default: str = "ok"
    responder: Callable[[dict[str, Any]], dict[str, Any]] = default_answer
    requests: list[Recorded] = field(default_factory=list)
    max_in_flight: int = 0

    def __post_init__(self) -> None:
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self._in_flight = 0
        self._stop = threading.Event()
        self._tokenizer = get_tokenizer("gpt-4")
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------- control

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, *behaviours: str) -> FakeLLMServer:
        """Queue behaviours for the next chat requests, in order."""
        unknown = set(behaviours) - BEHAVIOURS
        assert not unknown, f"unknown behaviours {unknown}"
        with self._lock:
            self._script.extend(behaviours)
        return self

    def start(self) -> FakeLLMServer:
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.behaviour != "models"]

    # ------------------------------------------------------------------------------ internals

    def _next(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def count_messages(self, messages: list[dict[str, Any]]) -> int:
        return self._tokenizer.count_messages(messages)

    def count(self, text: str) -> int:
        return self._tokenizer.count(text)

    def wait(self, seconds: float) -> None:
        """Sleep, but wake up when the server stops (no thread outlives a test)."""
        self._stop.wait(seconds)


def _content(behaviour: str, answer: dict[str, Any]) -> tuple[str, str]:
    """(content, finish_reason) for a behaviour that returns HTTP 200."""
    text = json.dumps(answer, ensure_ascii=False)
    if behaviour == "prose_json":
        return f"Voici la réponse demandée :\n```json\n{text}\n```\nBonne lecture.", "stop"
    if behaviour == "malformed":
        return text[: len(text) // 2].rstrip() + ",}", "stop"
    if behaviour == "length":
        return text[: len(text) // 2], "length"
    if behaviour == "missing_fields":
        return json.dumps({k: v for k, v in answer.items() if k != "summary"}, ensure_ascii=False), "stop"
    if behaviour == "degenerate":
        loop = "Le modèle répète cette phrase sans jamais s'arrêter. " * 12
        return json.dumps({**answer, "summary": loop.strip()}, ensure_ascii=False), "stop"
    if behaviour == "english":
        english = {
            **answer,
            "title": "Data centers",
            "summary": "The guest explains why the data centers use so much water and it is a problem for "
            "the cities that are around them.",
        }
        return json.dumps(english, ensure_ascii=False), "stop"
    if behaviour == "invented_quote":
        invented = {
            **answer,
            "quotes": [{"text": "une phrase que personne n'a jamais prononcée à l'antenne"}],
        }
        return json.dumps(invented, ensure_ascii=False), "stop"
    return text, "stop"


class _Handler(BaseHTTPRequestHandler):
    fake: FakeLLMServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the default stderr log
        pass

    def _send(
        self, status: int, doc: Any, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> None:
        payload = raw if raw is not None else json.dumps(doc, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _error(
        self, status: int, message: str, headers: dict[str, str] | None = None, code: str = ""
    ) -> None:
        self._send(
            status, {"error": {"message": message, "type": "fake_error", "code": code or None}}, headers
        )

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self.path.rstrip("/").endswith("/models"):
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.fake.models]
            self._send(200, {"object": "list", "data": data})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._error(404, f"no route {self.path}")
            return
        fake = self.fake
        fake._enter()
        try:
            self._chat(json.loads(raw or b"{}"))
        finally:
            fake._leave()

    def _chat(self, body: dict[str, Any]) -> None:
        fake = self.fake
        behaviour = fake._next()
        messages = body.get("messages") or []
        prompt_tokens = fake.count_messages(messages)
        fmt = (body.get("response_format") or {}).get("type")
        if fmt and "schema" in body["response_format"]:
            fmt += "+schema"  # llama.cpp's way of constraining JSON mode with a schema
        record = Recorded(
            body,
            {k.lower(): v for k, v in self.headers.items()},
            time.monotonic(),
            prompt_tokens,
            behaviour,
            fmt,
        )
        with fake._lock:
            fake.requests.append(record)

        if fake.strict_models and body.get("model") not in fake.models:
            record.status = 404
            self._error(404, f"The model `{body.get('model')}` does not exist", code="model_not_found")
            return
        if fmt in fake.reject_formats:
            record.status = fake.reject_status
            self._error(fake.reject_status, f"response_format type {fmt!r} is not supported by this server")
            return
        max_tokens = int(body.get("max_tokens") or 0)
        if fake.context_window is not None and prompt_tokens + max_tokens > fake.context_window:
            record.status = 400
            self._error(
                400,
                f"This model's maximum context length is {fake.context_window} tokens. However, "
                f"you requested {prompt_tokens + max_tokens} tokens.",
                code="context_length_exceeded",
            )
            return

        if behaviour in ("429", "500", "503"):
            record.status = int(behaviour)
            headers = {"Retry-After": fake.retry_after} if behaviour == "429" else {}
            if behaviour != "429" and fake.retry_after_ms is not None:
                headers["retry-after-ms"] = fake.retry_after_ms
            self._error(int(behaviour), f"scripted HTTP {behaviour}", headers)
            return
        if behaviour == "reset":
            record.status = 0
            # SO_LINGER 0 turns close() into a TCP RST: the client sees "connection reset by peer".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if behaviour == "slow":
            fake.wait(fake.slow_seconds)
        if behaviour == "bad_body":
            self._send(200, None, raw=b"<html>502 Bad Gateway</html>")
            return

        content, finish = _content(behaviour, fake.responder(body))
        completion_tokens = fake.count(content)
        if max_tokens and completion_tokens > max_tokens:
            # Like a real server: stop at max_tokens and say so.
            content, finish, completion_tokens = content[: max_tokens * 3], "length", max_tokens
        fake.wait(fake.base_latency + fake.per_token_latency * completion_tokens)
        choices = (
            []
            if behaviour == "empty_choices"
            else [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish,
                }
            ]
        )
        doc: dict[str, Any] = {
            "id": f"chatcmpl-{len(fake.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model"),
            "choices": choices,
        }
        if behaviour != "no_usage":
            doc["usage"] = {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            }
        # The client may have given up already (timeout): nothing to answer then.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(200, doc)
