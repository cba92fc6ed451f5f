"""Speech-to-text backends (`[transcription] backend`), one registry; the result is written as SRT.

`none` (default) transcribes nothing: the item is listed as skipped, « pas de transcription ».
`openai` sends the audio (cut at silences under the upload limit) to any OpenAI-compatible
`audio/transcriptions` endpoint and shifts each piece's times by its offset. `faster-whisper` runs a
local model from `model_path` (an optional extra; weights are never downloaded), VAD on. Both drop the
sentences Whisper is known to invent over French silence (subtitle credits from its training data).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from generator import llm
from generator.config import TranscriptionSettings
from generator.errors import ConfigError, TranscriptionError
from generator.i18n import _
from generator.llm import SpeechSegment
from generator.source_kinds import FASTER_WHISPER, OPENAI_SPEECH, TRANSCRIBERS
from generator.sources.audio import pieces_for_upload

MB = 1024 * 1024

# Whisper's French silence hallucinations (credits of the subtitles it was trained on), folded.
HALLUCINATIONS = (
    "sous-titres realises par la communaute d'amara.org",
    "sous-titres realises para la communaute d'amara.org",
    "sous-titrage societe radio-canada",
    "sous-titrage st' 501",
    "sous-titrage st'501",
    "merci d'avoir regarde cette video",
)

Engine = Callable[[Path, TranscriptionSettings, Path], list[SpeechSegment]]


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text).strip(" .!…")


def drop_hallucinations(segments: list[SpeechSegment]) -> list[SpeechSegment]:
    """Segments that are one of Whisper's known French silence inventions are removed."""

    def invented(text: str) -> bool:
        folded = _fold(text)
        return "amara.org" in folded or folded in HALLUCINATIONS

    return [s for s in segments if not invented(s.text)]


def _openai(audio: Path, settings: TranscriptionSettings, work: Path) -> list[SpeechSegment]:
    key = os.environ.get(settings.api_key_env) or None
    if key is None and not settings.base_url:
        raise ConfigError(
            _(
                "[transcription] backend = openai : définissez {variable} ou [transcription] base_url",
                variable=settings.api_key_env,
            )
        )
    client = llm.SpeechClient(settings.model, settings.base_url, key)
    segments: list[SpeechSegment] = []
    for piece in pieces_for_upload(audio, int(settings.max_upload_mb * MB), work):
        segments += llm.transcribe_file(piece.path, client, offset_s=piece.offset_s)
    return segments


def _faster_whisper(audio: Path, settings: TranscriptionSettings, work: Path) -> list[SpeechSegment]:
    if not settings.model_path or not Path(settings.model_path).is_dir():
        raise ConfigError(
            _(
                "[transcription] backend = faster-whisper : model_path doit nommer le dossier d'un modèle local "
                "(jamais téléchargé), pas {path}",
                path=repr(settings.model_path),
            )
        )
    try:
        from faster_whisper import WhisperModel  # optional extra: pip install '.[whisper]'
    except ImportError:
        raise TranscriptionError(
            _("faster-whisper n'est pas installé : pip install 'newsletter-generator[whisper]'")
        ) from None
    model = WhisperModel(settings.model_path, device="cpu", compute_type="int8", local_files_only=True)
    parts, _info = model.transcribe(str(audio), language="fr", vad_filter=True)
    return [SpeechSegment(float(p.start), float(p.end), p.text.strip()) for p in parts if p.text.strip()]


# What each registered name runs (names in generator/source_kinds.py; `none` runs nothing).
ENGINES: dict[str, Engine] = {OPENAI_SPEECH: _openai, FASTER_WHISPER: _faster_whisper}


def _stamp(seconds: float) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def to_srt(segments: list[SpeechSegment]) -> str:
    """SubRip text of the segments, in time order."""
    blocks = []
    for n, seg in enumerate(sorted(segments, key=lambda s: s.start_s), 1):
        blocks.append(f"{n}\n{_stamp(seg.start_s)} --> {_stamp(seg.end_s)}\n{seg.text}\n")
    return "\n".join(blocks)


def transcribe(audio: Path, settings: TranscriptionSettings, work: Path) -> str | None:
    """The audio as SRT text by the configured backend; None for `none`. TranscriptionError on failure."""
    if not TRANSCRIBERS.get(settings.backend).transcribes:
        return None
    segments = drop_hallucinations(ENGINES[settings.backend](audio, settings, work))
    if not segments:
        raise TranscriptionError(_("aucune parole reconnue dans l'audio"), path=str(audio))
    return to_srt(segments)
