"""One registry per pluggable kind (styles, input formats, backends, sources, delivery channels).

Adding a new one of a kind is one module plus one `add` line where that kind's registry is filled; the
CLI's choices, the configuration's validation and the documentation read the names from the registry,
so a name is spelled in exactly one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from generator.errors import ConfigError
from generator.i18n import _

T = TypeVar("T")


class Registry(Generic[T]):
    """Named entries of one kind, in the order they were added."""

    def __init__(self, kind: str) -> None:
        self.kind = kind  # French noun marked with N_ where the registry is made; translated in messages
        self._entries: dict[str, T] = {}

    def add(self, name: str, entry: T) -> T:
        """Register `entry` under `name`; a name is registered once."""
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._entries[name] = entry
        return entry

    def get(self, name: str) -> T:
        """The entry called `name`; ConfigError listing the choices otherwise."""
        try:
            return self._entries[name]
        except KeyError:
            raise ConfigError(
                _(
                    "{kind} inconnu « {name} » ; choix possibles : {choices}",
                    kind=_(self.kind),
                    name=name,
                    choices=", ".join(self._entries),
                )
            ) from None

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def choices_text(self, sep: str = ", ") -> str:
        """'cybernetica, cafetech': for help texts and messages."""
        return sep.join(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
