"""Failures sorted by what may follow them, and the retry loop with exponential backoff."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


# The longest wait a server's Retry-After can impose on a send: a longer one ends the retries at once
# (the message says how long the server asked for), rather than holding the night for an hour.
MAX_RETRY_AFTER_S = 300.0


class Transient(Exception):
    """Nothing was accepted and trying again later may work (4xx SMTP, 429/5xx HTTP, timeouts, refusals).

    `retry_after`: seconds the server asked to wait (HTTP Retry-After), honoured instead of the backoff
    when longer.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


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
    """`attempt()`, tried again after each Transient up to `retries` times (waits backoff_s, 2x, 4x...,
    or the server's Retry-After when longer; one over MAX_RETRY_AFTER_S ends the retries)."""
    wait = backoff_s
    for n in range(retries + 1):
        try:
            return attempt()
        except Transient as exc:
            asked = exc.retry_after
            if n == retries or (asked is not None and asked > MAX_RETRY_AFTER_S):
                raise
            pause = max(wait, asked or 0.0)
            if on_retry is not None:
                on_retry(exc, pause)
            sleep(pause)
            wait *= 2
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
