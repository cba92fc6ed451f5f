"""The strongest stories, not all: rank, leave out what was told, pick with a diversity rule, shape.

A story's score adds what a reader would want: how many shows told it and for how long, the figures
and the named actors it brings, the editor's pin; a story already told by an approved edition is left
out unless this week brings something new (new figures or names from new sources), and then it is a
follow-up. Picking goes down the ranking and skips a story on the same subject as one already taken
(close vectors, or the same two actors), and a show that already has two ideas yields to other shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from generator.styles import WeeklyShape
from generator.weekly.candidates import Candidate, Loaded
from generator.weekly.memory import DROP, PIN, Remembered, names_story

SAME_SUBJECT = 0.85  # raw cosine of two story vectors: one subject (diversity rule; long talks sit near 0.8)
REMEMBERED = 0.86  # raw cosine with a remembered story (plus a shared name or figure): the same story
PROJECT_MIN = 1.5  # project cues per hundred words for a story to be the week's project
PER_SHOW = 2  # ideas led by one show before the others get their turn


@dataclass(frozen=True)
class FollowUp:
    """An earlier edition's story this one continues, and what is new."""

    draft: str
    date: str
    title: str
    new_figures: tuple[str, ...] = ()
    new_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story:
    """The topics of the week about one story, best source first."""

    members: tuple[Candidate, ...]
    shows: tuple[str, ...]
    seconds: float
    names: frozenset[str]
    figures: tuple[tuple[float, str], ...]
    vector: Any
    project: float
    score: float = 0.0
    why: tuple[str, ...] = ()  # (key, value) pairs as "key=value", worded by the writer
    pinned: bool = False
    follow_up: FollowUp | None = None

    @property
    def lead(self) -> Candidate:
        return self.members[0]


@dataclass(frozen=True)
class LeftOut:
    """A story not chosen, and why."""

    story: Story
    reason: str  # "covered" | "dropped" | "same_subject" | "rank"
    detail: str = ""


@dataclass(frozen=True)
class Selection:
    """The ideas in edition order, the project (if any), and what was left out."""

    ideas: tuple[Story, ...]
    project: Story | None
    left_out: tuple[LeftOut, ...] = ()
    pins: tuple[str, ...] = ()
    unmatched_picks: tuple[str, ...] = field(default_factory=tuple)


def build_story(group: Sequence[int], cands: Sequence[Candidate], loaded: Sequence[Loaded]) -> Story:
    """One story from its candidates: longest and richest topic first."""
    members = sorted(
        (cands[i] for i in group),
        key=lambda c: -(c.seconds * (1 + 0.1 * len(c.names) + 0.1 * len(c.figures))),
    )
    vec = np.mean([np.asarray(c.vector, dtype=np.float64) for c in members], axis=0)
    vec = vec / (float(np.linalg.norm(vec)) or 1.0)
    figures: dict[float, str] = {}
    for c in members:
        for v, t in c.figures:
            figures.setdefault(v, t)
    return Story(
        members=tuple(members),
        shows=tuple(dict.fromkeys(c.show for c in members)),
        seconds=sum(c.seconds for c in members),
        names=frozenset().union(*(c.names for c in members)),
        figures=tuple(sorted(figures.items())),
        vector=vec,
        project=max(c.project for c in members),
    )


def score(story: Story) -> Story:
    """The reader's interest in a story, and the reasons, strongest first."""
    minutes = story.seconds / 60.0
    value = 1.5 * len(story.shows) + min(minutes, 30.0) / 10.0
    value += 0.25 * min(len(story.names), 6) + 0.2 * min(len(story.figures), 5)
    why = [f"shows={len(story.shows)}", f"minutes={round(minutes)}"]
    if story.figures:
        why.append(f"figures={len(story.figures)}")
    if story.names:
        why.append(f"names={len(story.names)}")
    if story.pinned:
        value += 100.0
        why.insert(0, "pinned=1")
    if story.follow_up is not None:
        value -= 0.5  # news on a told story weighs a little less than a new one
        why.append("follow_up=1")
    return replace(story, score=round(value, 3), why=tuple(why))


def _overlaps(member: tuple[str, float | None, float | None], c: Candidate) -> bool:
    sha, start, end = member
    if not c.key.startswith(sha[:12]):
        return False
    if start is None or end is None or c.segment.start_s is None or c.segment.end_s is None:
        return True
    return min(end, c.segment.end_s) - max(start, c.segment.start_s) > 0


def against_memory(story: Story, memory: Sequence[Remembered]) -> tuple[Story | None, Remembered | None]:
    """The story as a follow-up, itself when new, or None when an approved edition already told it all."""
    for old in reversed(memory):  # the latest telling first
        same_topic = any(_overlaps(m, c) for m in old.members for c in story.members)
        close = float(np.dot(story.vector, old.vector)) >= REMEMBERED
        shared = bool(story.names & old.names) or bool({v for v, _ in story.figures} & old.figures)
        if not (same_topic or (close and shared)):
            continue
        fresh = [c for c in story.members if not any(_overlaps(m, c) for m in old.members)]
        new_figs = tuple(dict.fromkeys(t for c in fresh for v, t in c.figures if v not in old.figures))
        new_names = tuple(dict.fromkeys(n for c in fresh for n in sorted(c.names) if n not in old.names))
        if not fresh or not (new_figs or new_names):
            return None, old
        follow = FollowUp(old.draft, old.date, old.title, new_figs[:4], new_names[:4])
        # Only what is new: the section is written from, and cites, the sources that bring it.
        shows = tuple(dict.fromkeys(c.show for c in fresh))
        seconds = sum(c.seconds for c in fresh)
        return replace(story, members=tuple(fresh), shows=shows, seconds=seconds, follow_up=follow), old
    return story, None


def _same_subject(a: Story, b: Story) -> bool:
    """Very close vectors, or close ones naming the same three actors ("Chine", "Europe" and "États-Unis"
    alone come up in half of a week's long interviews)."""
    cos = float(np.dot(a.vector, b.vector))
    return cos >= SAME_SUBJECT or (cos >= SAME_SUBJECT - 0.05 and len(a.names & b.names) >= 3)


def _take(pool: list[Story], count: int, taken: list[Story], left: list[LeftOut]) -> None:
    """Down the ranking: skip stories on a subject already taken; a show leads PER_SHOW ideas at most
    while other shows still have stories."""
    per_show: dict[str, int] = {}
    waiting: list[Story] = []
    for story in pool:
        if len(taken) >= count:
            left.append(LeftOut(story, "rank"))
            continue
        clash = next((t for t in taken if _same_subject(story, t)), None)
        if clash is not None and not story.pinned:
            left.append(LeftOut(story, "same_subject", clash.lead.key))
            continue
        lead_show = story.shows[0]
        if per_show.get(lead_show, 0) >= PER_SHOW and not story.pinned:
            waiting.append(story)
            continue
        per_show[lead_show] = per_show.get(lead_show, 0) + 1
        taken.append(story)
    for story in waiting:  # nobody else had a story: the show gets its third idea after all
        if len(taken) < count and not any(_same_subject(story, t) for t in taken):
            taken.append(story)
        else:
            left.append(LeftOut(story, "rank"))


def _project(pool: Sequence[Story]) -> Story | None:
    """The week's project: the story that most presents a product, start-up or initiative.

    A story several shows told is news (an idea), and a pinned story is the editor's idea.
    """
    fit = [s for s in pool if s.project >= PROJECT_MIN and len(s.shows) == 1 and not s.pinned]
    return max(fit, key=lambda s: (s.project * (1 + 0.1 * min(len(s.names), 5)), s.lead.key), default=None)


def select(
    stories: Sequence[Story],
    shape: WeeklyShape,
    *,
    ideas: int,
    memory: Sequence[Remembered] = (),
    picks: Mapping[str, Sequence[str]] | None = None,
) -> Selection:
    """The week's ideas (pinned first, then by score) and its project, following the style's shape."""
    picks = picks or {PIN: [], DROP: []}
    left: list[LeftOut] = []
    pool: list[Story] = []
    matched: set[str] = set()
    for story in stories:
        text = " ".join(c.text for c in story.members)
        dropped = [w for w in picks.get(DROP, []) if names_story(w, text)]
        if dropped:
            matched.update(dropped)
            left.append(LeftOut(story, "dropped", dropped[0]))
            continue
        pinned = [w for w in picks.get(PIN, []) if names_story(w, text)]
        matched.update(pinned)
        story = replace(story, pinned=bool(pinned))
        kept, old = against_memory(story, memory)
        if kept is None:
            left.append(LeftOut(story, "covered", old.draft if old else ""))
            continue
        pool.append(score(kept))
    pool.sort(key=lambda s: (-s.score, s.lead.key))
    project = _project(pool) if shape.project else None
    if project is not None:
        pool = [s for s in pool if s is not project]
        project = replace(project, why=(*project.why, "project=1"))
    taken: list[Story] = []
    _take(pool, ideas, taken, left)
    unmatched = tuple(w for w in [*picks.get(PIN, []), *picks.get(DROP, [])] if w not in matched)
    return Selection(tuple(taken), project, tuple(left), tuple(picks.get(PIN, [])), unmatched)
