"""The toolbox every stage uses, built once from the settings and passed down.

`Tools` holds the language-model backend (None: extractive), the prompt registry, the tokenizer, the
sentence embedder, the templates folder and the clock. The tokenizer and the embedder are made on first
use, so that a night with nothing new loads no model.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from generator import llm
from generator.config import Settings
from generator.llm import PromptRegistry, Tokenizer, default_root, get_tokenizer, preload_tokenizer

Progress = Callable[[str], None]


def no_progress(message: str) -> None:
    """A progress callback that says nothing."""


def default_templates_dir() -> Path:
    """templates/ shipped next to the package."""
    return Path(__file__).resolve().parent.parent.parent / "templates"


def prompt_registry(settings: Settings) -> PromptRegistry:
    """The shipped prompts with the settings' overrides."""
    return PromptRegistry(default_root(), settings.prompts)


def make_embedder(settings: Settings) -> Any:
    """The sentence embedder, its on-disk cache in the state folder when that folder exists."""
    from generator.topics import USEEmbedder  # numpy and the model wrapper: only when needed

    state = settings.paths.state
    return USEEmbedder(cache_dir=state / "embeddings" if state.is_dir() else None)


@dataclass(frozen=True)
class Tools:
    """What every stage needs, built once (`build_tools`); tokenizer and embedder on first use."""

    settings: Settings
    backend: llm.Backend | None = None
    prompts: PromptRegistry | None = None
    templates_dir: Path = field(default_factory=default_templates_dir)
    clock: Callable[[], float] = time.time
    given_tokenizer: Tokenizer | None = None
    given_embedder: Any = None

    @cached_property
    def tokenizer(self) -> Tokenizer:
        """The given tokenizer, else the one for the backend's model (or the configured one)."""
        if self.given_tokenizer is not None:
            return self.given_tokenizer
        return get_tokenizer(self._tokenizer_model)

    @property
    def _tokenizer_model(self) -> str:
        return getattr(self.backend, "model", None) or self.settings.llm.model

    def preload_tokenizer(self) -> None:
        """Start loading the tokenizer in the background (the embedder runs meanwhile); no-op when given."""
        if self.given_tokenizer is None and "tokenizer" not in self.__dict__:
            preload_tokenizer(self._tokenizer_model)

    @cached_property
    def embedder(self) -> Any:
        """The given embedder, else the USE embedder with the state folder's cache."""
        return self.given_embedder if self.given_embedder is not None else make_embedder(self.settings)

    @property
    def backend_name(self) -> str:
        return self.backend.name if self.backend is not None else "extractive"

    @property
    def model(self) -> str | None:
        return getattr(self.backend, "model", None) if self.backend is not None else None


def build_tools(
    settings: Settings,
    backend: llm.Backend | None = None,
    *,
    prompts: PromptRegistry | None = None,
    tokenizer: Tokenizer | None = None,
    embedder: Any = None,
    templates_dir: Path | None = None,
    clock: Callable[[], float] = time.time,
) -> Tools:
    """The toolbox for these settings; a given part is used as is (tests, benchmarks, the CLI's backend)."""
    if backend is not None and prompts is None:
        prompts = prompt_registry(settings)
    return Tools(
        settings,
        backend,
        prompts,
        templates_dir or default_templates_dir(),
        clock,
        given_tokenizer=tokenizer,
        given_embedder=embedder,
    )


@dataclass
class Timings:
    """Seconds per stage, summed when a stage runs more than once; `with timings.stage("segment"):`."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Add the wall time of the block to the stage `name` (also when the block raises)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = round(self.seconds.get(name, 0.0) + seconds, 4)
