"""How often an edition is made: every night, or the week's best ideas on one day (issue 25).

`[edition]` in newsletter.toml; the weekly edition itself lives in generator/weekly/.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import ConfigError
from generator.i18n import _

CADENCES = ("nightly", "weekly")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# What `newsletter init` writes for [edition] (French, like everything a user reads).
EDITION_INIT = """
[edition]
cadence = "nightly"              # nightly : une édition par nuit ; weekly : les meilleures idées de la semaine
# ideas = 3                      # nombre d'idées d'une édition de la semaine (défaut : celui du style)
# window_days = 7                # une édition de la semaine couvre ces derniers jours
# (le jour de l'édition de la semaine : [schedule] day = "mon", "tue"… "sun")
"""


@dataclass(frozen=True)
class EditionSettings:
    cadence: str = "nightly"  # nightly | weekly: what the scheduler publishes (generator/weekly/)
    ideas: int = 0  # ideas of a weekly edition; 0: the style's own number (styles.py)
    window_days: int = 7  # a weekly edition covers the episodes processed in these last days

    def __post_init__(self) -> None:
        """ConfigError for a cadence or a count that cannot be (checked as the settings are read)."""
        if self.cadence not in CADENCES:
            raise ConfigError(
                _(
                    "[edition] cadence doit valoir {choices}, et non {value}",
                    choices=_(" ou ").join(CADENCES),
                    value=repr(self.cadence),
                )
            )
        if not 0 <= self.ideas <= 20 or not 1 <= self.window_days <= 31:
            raise ConfigError(_("[edition] ideas doit être entre 0 et 20, window_days entre 1 et 31"))


def check_day(day: str) -> str:
    """The `[schedule] day` of the weekly edition, checked: 'mon' … 'sun'."""
    folded = day.strip().lower()
    if folded not in WEEKDAYS:
        raise ConfigError(
            _(
                "[schedule] day doit être l'un de {choices}, et non {value}",
                choices=", ".join(WEEKDAYS),
                value=repr(day),
            )
        )
    return folded
