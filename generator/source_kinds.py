"""Source kinds and speech-to-text backends: the one place their names are spelled.

Layer 1 (beside `styles.py` and `backends.py`), so that `config.py` can validate `[[sources]] kind`
and `[transcription] backend` without importing `sources/`. What a name does lives higher up: the
feed reader in `sources/check.py`, the transcription engines in `sources/speech.py` (the OpenAI one
through `llm/speech.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.i18n import N_
from generator.registry import Registry

FEED = "feed"
NO_TRANSCRIPTION = "none"
OPENAI_SPEECH = "openai"
FASTER_WHISPER = "faster-whisper"


@dataclass(frozen=True)
class SourceKind:
    label: str  # French, for listings and messages


@dataclass(frozen=True)
class TranscriberKind:
    label: str  # French (marked with N_, translated where shown), for listings and messages
    transcribes: bool  # False: an item without a transcript is skipped
    paid: bool  # --dry-run prices it ([transcription] price_per_minute)


SOURCE_KINDS: Registry[SourceKind] = Registry(N_("type de source"))
SOURCE_KINDS.add(FEED, SourceKind(N_("flux RSS 2.0 ou Atom (podcast)")))

TRANSCRIBERS: Registry[TranscriberKind] = Registry(N_("moteur de transcription"))
TRANSCRIBERS.add(
    NO_TRANSCRIPTION, TranscriberKind(N_("aucun (épisodes sans transcription ignorés)"), False, False)
)
TRANSCRIBERS.add(OPENAI_SPEECH, TranscriberKind(N_("API audio/transcriptions compatible OpenAI"), True, True))
TRANSCRIBERS.add(
    FASTER_WHISPER, TranscriberKind(N_("faster-whisper local (modèle dans model_path)"), True, False)
)
