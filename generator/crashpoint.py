"""Test-only hook: SIGKILL this process at a named point, to prove every crash point is recoverable.

Layer 0: the night, the sources and delivery all take a `Crash` (production: `never`); the CLI hands in
`from_env()`.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Mapping

ENV_VAR = "NEWSLETTER_TEST_CRASH_AT"

Crash = Callable[[str], None]


def never(point: str) -> None:
    """The production hook: does nothing."""


class CrashAt:
    """Kill the process the N-th time `point` is reached (`"point"` means the first time, `"point:3"` the third)."""

    def __init__(self, spec: str, *, kill: Callable[[], None] | None = None) -> None:
        name, _, nth = spec.partition(":")
        self.point = name.strip()
        self.nth = int(nth) if nth.strip() else 1
        self.seen = 0
        self._kill = kill or (lambda: os.kill(os.getpid(), signal.SIGKILL))

    def __call__(self, point: str) -> None:
        if point != self.point:
            return
        self.seen += 1
        if self.seen == self.nth:
            self._kill()


def from_env(env: Mapping[str, str] | None = None) -> Crash:
    """The hook named by NEWSLETTER_TEST_CRASH_AT, or `never` when it is unset."""
    spec = (os.environ if env is None else env).get(ENV_VAR, "").strip()
    return CrashAt(spec) if spec else never
