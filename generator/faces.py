"""A stage's public face, loaded on first use (PEP 562).

Each stage's `__init__` maps its public names to the module that defines them; importing the stage
stays cheap (numpy, jinja2, apscheduler load only when a name that needs them is used).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module


def lazy_face(package: str, homes: Mapping[str, str]) -> Callable[[str], object]:
    """The module-level `__getattr__` of `package`: each name from `package.<homes[name]>`."""

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{home}"), name)

    return __getattr__
