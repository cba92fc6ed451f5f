"""What LLM usage costs: the price table lookup, the cost of a usage, the dry-run estimate."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from generator.llm.protocol import LLMRequest
from generator.llm.tokens import Tokenizer
from generator.model import Usage


def price_for(
    model: str, prices: Mapping[str, tuple[float, float, float]]
) -> tuple[float, float, float] | None:
    """Price per million tokens (input, cached input, output): exact name, else longest prefix match."""
    for name in (model, model.rsplit("/", 1)[-1]):
        if name in prices:
            return prices[name]
        matches = [k for k in prices if name.startswith(k)]
        if matches:
            return prices[max(matches, key=len)]
    return None


def cost(usage: Usage, model: str, prices: Mapping[str, tuple[float, float, float]]) -> float:
    """Estimated USD cost of `usage`; 0.0 for models without a price (local servers)."""
    price = price_for(model, prices)
    if price is None:
        return 0.0
    fresh = max(0, usage.input - usage.cached)
    return (fresh * price[0] + usage.cached * price[1] + usage.output * price[2]) / 1_000_000


def estimate(
    requests: Sequence[LLMRequest],
    tokenizer: Tokenizer,
    *,
    model: str,
    prices: Mapping[str, tuple[float, float, float]],
    is_cached: Callable[[LLMRequest], bool] | None = None,
) -> dict[str, Any]:
    """Dry-run figures without calling anything: output counted at its max_tokens bound."""
    todo = [r for r in requests if not (is_cached and is_cached(r))]
    usage = Usage(
        input=sum(tokenizer.count_messages(r.prompt.messages) for r in todo),
        output=sum(r.max_tokens for r in todo),
        calls=len(todo),
        estimated=True,
    )
    return {
        "calls": usage.calls,
        "cache_hits": len(requests) - len(todo),
        "tokens": {"input": usage.input, "output": usage.output},
        "cost_estimate": cost(usage, model, prices),
        "model": model,
        "priced": price_for(model, prices) is not None,
        "tokenizer": tokenizer.name,
        "estimated": True,
    }
