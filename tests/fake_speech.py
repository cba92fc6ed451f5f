"""A fake OpenAI-compatible `audio/transcriptions` endpoint (on FeedServer): records each multipart request
and answers verbose_json segments, timed within the piece it was sent."""

from __future__ import annotations

import email.parser
import io
import json
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field

from feed_server import FeedServer, Request


def multipart(req: Request) -> dict[str, bytes]:
    """The fields of a multipart/form-data body, by name."""
    head = f"Content-Type: {req.headers['Content-Type']}\r\n\r\n".encode()
    msg = email.parser.BytesParser().parsebytes(head + req.body)
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
        for part in msg.get_payload()
    }


@dataclass
class FakeSpeech:
    """Answers each request with `sentences` spread over the piece's duration (from its WAV header)."""

    sentences: Sequence[str]
    calls: list[dict[str, bytes]] = field(default_factory=list)
    status: int = 200

    def install(self, server: FeedServer) -> None:
        server.post = self.answer

    def answer(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        if not req.path.endswith("/audio/transcriptions"):
            return 404, {}, b""
        fields = multipart(req)
        self.calls.append(fields)
        if self.status != 200:
            return self.status, {"Content-Type": "application/json"}, b'{"error": {"message": "boom"}}'
        try:
            with wave.open(io.BytesIO(fields["file"]), "rb") as w:
                duration = w.getnframes() / w.getframerate()
        except (wave.Error, EOFError):
            duration = 60.0
        n = len(self.sentences)
        step = duration / n
        segments = [
            {"id": i, "start": round(i * step, 3), "end": round((i + 1) * step, 3), "text": " " + s}
            for i, s in enumerate(self.sentences)
        ]
        doc = {
            "task": "transcribe",
            "language": "french",
            "duration": duration,
            "text": " ".join(self.sentences),
            "segments": segments,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(doc).encode()


def make_wav(path, parts: Sequence[tuple[float, bool]], rate: int = 8000) -> None:
    """A mono 16-bit WAV of (seconds, tone?) parts: a 440 Hz tone or silence."""
    import math

    frames = bytearray()
    for seconds, tone in parts:
        for i in range(int(seconds * rate)):
            value = int(8000 * math.sin(2 * math.pi * 440 * i / rate)) if tone else 0
            frames += value.to_bytes(2, "little", signed=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
