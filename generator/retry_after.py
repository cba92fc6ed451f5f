"""HTTP `Retry-After` (RFC 9110 §10.2.3), read one way for every stage that talks to a server.

The value is either a number of seconds or an HTTP date; the answer is the seconds left to wait from
`now` (POSIX seconds, default the current time), never negative, or None when the header is absent or
unreadable (the caller then keeps its own backoff).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date); None if absent or bad."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
