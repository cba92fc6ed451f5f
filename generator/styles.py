"""The newsletter styles: the one place their names are spelled.

A style is a folder `templates/<name>/` (newsletter.{md,html,txt}.j2), a `[<name>]` table in
`templates/phrases/fr.toml`, and one `STYLES.add` line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.i18n import N_
from generator.registry import Registry


@dataclass(frozen=True)
class WeeklyShape:
    """How a weekly edition of the style is shaped (generator/weekly/): how many ideas, and what else."""

    ideas: int  # the ideas (Cybernetica) or the main story plus its short items (CaféTech)
    project: bool  # one more section: a product, start-up or initiative presented during the week
    main_story: bool  # the first idea leads the edition and the others are short items


@dataclass(frozen=True)
class Style:
    """What the code needs to know of a style beyond its templates and phrases."""

    name: str
    label: str  # how a person names it
    cadence: str  # "weekly" or "daily": how the newsletter presents itself
    weekly: WeeklyShape = WeeklyShape(3, True, False)


STYLES: Registry[Style] = Registry(N_("style"))
STYLES.add("cybernetica", Style("cybernetica", "Cybernetica", "weekly", WeeklyShape(3, True, False)))
STYLES.add("cafetech", Style("cafetech", "CaféTech", "daily", WeeklyShape(5, False, True)))

DEFAULT_STYLE = "cybernetica"
