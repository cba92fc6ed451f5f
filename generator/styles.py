"""The newsletter styles: the one place their names are spelled.

A style is a folder `templates/<name>/` (newsletter.{md,html,txt}.j2), a `[<name>]` table in
`templates/phrases/fr.toml`, and one `STYLES.add` line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.registry import Registry


@dataclass(frozen=True)
class Style:
    """What the code needs to know of a style beyond its templates and phrases."""

    name: str
    label: str  # how a person names it
    cadence: str  # "weekly" or "daily": how the newsletter presents itself


STYLES: Registry[Style] = Registry("style")
STYLES.add("cybernetica", Style("cybernetica", "Cybernetica", "weekly"))
STYLES.add("cafetech", Style("cafetech", "CaféTech", "daily"))

DEFAULT_STYLE = "cybernetica"
