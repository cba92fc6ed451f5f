"""Failures sorted by what may follow them, and the retry loop with exponential backoff."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Transient(Exception):
    """Nothing was accepted and trying again later may work (4xx SMTP, 429/5xx HTTP, timeouts, refusals)."""


class Permanent(Exception):
    """Nothing was accepted and trying again will not help: the message names what to fix."""


class Ambiguous(Exception):
    """The server may have accepted the edition (a reply lost after the data went out)."""


def with_retries(
    attempt: Callable[[], T],
    *,
    retries: int,
    backoff_s: float,
    sleep: Callable[[float], None],
    on_retry: Callable[[Transient, float], None] | None = None,
) -> T:
    """`attempt()`, tried again after each Transient up to `retries` times (waits backoff_s, 2x, 4x...)."""
    wait = backoff_s
    for n in range(retries + 1):
        try:
            return attempt()
        except Transient as exc:
            if n == retries:
                raise
            if on_retry is not None:
                on_retry(exc, wait)
            sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
