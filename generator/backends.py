"""The backends a run can use: the one place their names are spelled.

Layer 1 (beside `styles.py`), so that `config.py` can validate `[llm] backend` and the CLI can offer
`--backend` choices without importing `llm/`. What a name builds lives higher up: `extractive` is the
offline writer of `writing/`, `openai` the OpenAI-compatible client of `llm/client.py` (`make_backend`);
`auto` picks one of those two from the settings (`Settings.resolved_backend`).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.i18n import N_
from generator.registry import Registry

AUTO = "auto"
EXTRACTIVE = "extractive"
OPENAI = "openai"


@dataclass(frozen=True)
class BackendKind:
    """What the configuration needs to know of a backend."""

    label: str  # French, for help texts
    uses_model: bool  # calls a language model (needs a key or a base URL)


BACKENDS: Registry[BackendKind] = Registry(N_("moteur"))
BACKENDS.add(AUTO, BackendKind("openai si une clé ou une URL est configurée, sinon extractif", False))
BACKENDS.add(EXTRACTIVE, BackendKind("hors ligne, sans modèle de langue", False))
BACKENDS.add(OPENAI, BackendKind("API compatible OpenAI (OpenAI, Mistral, Ollama, vLLM...)", True))
