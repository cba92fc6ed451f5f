"""The weekly edition: the week's best ideas across shows, each story once, nothing repeated.

candidates (episodes read once, copies folded by `dedupe`, topics as candidates) -> `cluster` (same
story across shows) -> `rank` (score, memory of approved editions, pins and drops, diversity, the
style's shape) -> `write` (one section per idea citing all its sources; `model_pass` with a model) ->
the outbox, with `report` saying why each idea was chosen. `window` finds the week's material in the
nightly drafts; `memory` keeps the stories of approved editions and the editor's picks, which
`picking` lists and changes for the review page.

May import: model, errors, config, styles, language, transcript, llm, topics, writing, edition.
"""

from generator.weekly.builder import WeeklyOptions, WeeklyResult, WeeklyTools, build
from generator.weekly.memory import DROP, PIN, add_pick, picks_for, week_of
from generator.weekly.picking import ReviewWeek
from generator.weekly.week import Window, material, parse_day, window

__all__ = [
    "DROP",
    "PIN",
    "ReviewWeek",
    "WeeklyOptions",
    "WeeklyResult",
    "WeeklyTools",
    "Window",
    "add_pick",
    "build",
    "material",
    "parse_day",
    "picks_for",
    "week_of",
    "window",
]
