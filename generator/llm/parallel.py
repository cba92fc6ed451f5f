"""Run LLM requests on a bounded thread pool, results in input order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from generator.errors import LLMError
from generator.llm.batch import Deferred
from generator.llm.protocol import Backend, LLMRequest, LLMResult, LLMUnitError


def run_parallel(
    backend: Backend,
    requests: Sequence[LLMRequest],
    max_concurrency: int,
    *,
    on_done: Callable[[int, LLMResult | LLMError], None] | None = None,
) -> list[LLMResult | LLMError]:
    """Run requests on a thread pool of at most `max_concurrency`; results keep the input order."""

    def one(index: int) -> LLMResult | LLMError:
        try:
            result: LLMResult | LLMError = backend.complete_json(requests[index])
        except LLMError as exc:
            result = exc
        except Deferred as exc:  # batch mode: this answer comes later; the run will not write a draft now
            result = LLMUnitError(f"{exc} (batch mode)", prompt=requests[index].prompt.use)
        except Exception as exc:  # noqa: BLE001 - one unit's bug must not sink the other units
            result = LLMUnitError(
                f"{requests[index].prompt.id}: unexpected {type(exc).__name__}: {exc}",
                prompt=requests[index].prompt.use,
            )
        if on_done is not None:
            on_done(index, result)
        return result

    if not requests:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(max_concurrency, len(requests)))) as pool:
        return list(pool.map(one, range(len(requests))))
