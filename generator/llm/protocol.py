"""The LLM protocol: what a stage asks (LLMRequest), what it gets back (LLMResult), what a backend is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from generator.errors import LLMError
from generator.llm.prompts import RenderedPrompt
from generator.model import PromptUse, Usage

Validator = Callable[[dict[str, Any]], list[str]]


@dataclass(frozen=True)
class LLMRequest:
    """One unit of work: a rendered prompt, the JSON schema of the answer and an output budget."""

    prompt: RenderedPrompt
    schema: dict[str, Any]
    max_tokens: int
    validate: Validator | None = None


@dataclass(frozen=True)
class LLMResult:
    """A validated answer; `cached` answers cost 0 tokens (usage is all zeros, calls=0)."""

    data: dict[str, Any]
    usage: Usage
    cached: bool
    prompt: PromptUse
    model: str
    seconds: float = 0.0


class LLMUnitError(LLMError):
    """One unit of work failed; carries the tokens it spent so drafts still account for them."""

    def __init__(self, message: str, *, usage: Usage | None = None, prompt: PromptUse | None = None) -> None:
        super().__init__(message)
        self.usage = usage or Usage()
        self.prompt = prompt


class Backend(Protocol):
    """What summarise/compose need from a language model."""

    name: str
    model: str

    def complete_json(self, request: LLMRequest) -> LLMResult: ...
