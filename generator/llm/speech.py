"""Speech-to-text through the OpenAI `audio/transcriptions` API (hosted, or a local faster-whisper server).

French is asked for explicitly (`language=fr`: auto-detection on a short or music-led opening picks the
wrong language), with `verbose_json` so every segment keeps its start and end times.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import TranscriptionError
from generator.llm.client import OPENAI_URL


@dataclass(frozen=True)
class SpeechSegment:
    """One timed stretch of recognised speech (seconds from the start of the audio)."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class SpeechClient:
    """What is needed to reach an OpenAI-compatible transcription endpoint."""

    model: str
    base_url: str | None
    api_key: str | None
    timeout: float = 600.0
    max_retries: int = 2


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def transcribe_file(path: Path, client: SpeechClient, *, offset_s: float = 0.0) -> list[SpeechSegment]:
    """The timed segments of one audio file (at most the API's upload size), shifted by `offset_s`."""
    import openai  # deferred: offline runs never load it

    try:
        api = openai.OpenAI(
            base_url=client.base_url or OPENAI_URL,
            api_key=client.api_key or "not-needed",
            timeout=client.timeout,
            max_retries=client.max_retries,
        )
        with path.open("rb") as fh:
            answer = api.audio.transcriptions.create(
                model=client.model,
                file=(path.name, fh),
                language="fr",
                response_format="verbose_json",
                timestamp_granularities=["segment"],
            )
    except openai.OpenAIError as exc:
        raise TranscriptionError(
            f"la transcription a échoué : {type(exc).__name__}: {exc}", path=str(path)
        ) from None
    except OSError as exc:
        raise TranscriptionError(f"audio illisible : {exc.strerror or exc}", path=str(path)) from None
    segments = _field(answer, "segments") or []
    out = []
    for seg in segments:
        text = (_field(seg, "text") or "").strip()
        start, end = _field(seg, "start"), _field(seg, "end")
        if text and isinstance(start, (int, float)) and isinstance(end, (int, float)):
            out.append(SpeechSegment(float(start) + offset_s, float(end) + offset_s, text))
    if not out and (_field(answer, "text") or "").strip():
        raise TranscriptionError(
            "le serveur a rendu du texte sans horodatage (verbose_json ignoré)", path=str(path)
        )
    return out
