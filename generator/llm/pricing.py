"""What LLM usage costs: the price table lookup, the cost of a usage, the dry-run estimate."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
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


def cost(
    usage: Usage,
    model: str,
    prices: Mapping[str, tuple[float, float, float]],
    batch_prices: Mapping[str, tuple[float, float, float]] | None = None,
) -> float:
    """Estimated USD cost of `usage`; 0.0 for models without a price (local servers).

    The batch part of `usage` is priced at the model's batch rate when `batch_prices` has one, else at
    its synchronous rate (an unknown discount is never assumed).
    """
    price = price_for(model, prices)
    if price is None:
        return 0.0
    batch = (price_for(model, batch_prices) if batch_prices else None) or price
    sync_in = max(0, usage.input - usage.batch_input)
    fresh = max(0, sync_in - usage.cached)
    sync = fresh * price[0] + min(usage.cached, sync_in) * price[1]
    sync += max(0, usage.output - usage.batch_output) * price[2]
    return (sync + usage.batch_input * batch[0] + usage.batch_output * batch[2]) / 1_000_000


def estimate(
    requests: Sequence[LLMRequest],
    tokenizer: Tokenizer,
    *,
    model: str,
    prices: Mapping[str, tuple[float, float, float]],
    is_cached: Callable[[LLMRequest], bool] | None = None,
    batch_prices: Mapping[str, tuple[float, float, float]] | None = None,
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
        # The same calls through a Batch API (`[llm] batch = true`): both prices, for the choice.
        **(
            {
                "cost_estimate_batch": cost(
                    replace(usage, batch_input=usage.input, batch_output=usage.output),
                    model,
                    prices,
                    batch_prices,
                )
            }
            if batch_prices is not None
            else {}
        ),
        "model": model,
        "priced": price_for(model, prices) is not None,
        "tokenizer": tokenizer.name,
        "estimated": True,
    }
