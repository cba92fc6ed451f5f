"""Why the edition holds what it holds: draft.json's `extra.weekly`, the `--json` document, the memory.

Reasons are worded in French for the reviewer (draft.json and the review page); they never reach the
newsletter itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.model import format_ts
from generator.weekly.candidates import Candidate, Loaded
from generator.weekly.memory import story_record as memory_record
from generator.weekly.rank import LeftOut, Selection, Story
from generator.weekly.write import join_words
from generator.writing import load_phrases, number_words


def source_doc(c: Candidate, loaded: Sequence[Loaded]) -> dict[str, Any]:
    ep = loaded[c.loaded].episode
    return {
        "file": ep.path,
        "sha256": ep.sha256,
        "show": ep.show,
        "date": ep.date.isoformat() if ep.date else None,
        "start": format_ts(c.segment.start_s),
        "start_s": c.segment.start_s,
        "end_s": c.segment.end_s,
    }


def why(story: Story, phrases: Mapping[str, Any], *, project: bool = False) -> list[str]:
    """The reasons a story was chosen, strongest first."""
    table = phrases["weekly"]
    out = []
    if story.pinned:
        out.append(table["why_pinned"])
    if project:
        out.append(table["why_project"])
    if len(story.shows) > 1:
        shows = join_words(list(story.shows), phrases)
        out.append(table["why_shows"].format(count=number_words(len(story.shows), phrases), shows=shows))
    else:
        out.append(table["why_show"].format(show=story.shows[0]))
    out.append(table["why_minutes"].format(minutes=max(1, round(story.seconds / 60))))
    if story.figures:
        items = ", ".join(t for _, t in story.figures[:4])
        out.append(table["why_figures"].format(count=len(story.figures), items=items))
    if story.names:
        out.append(table["why_names"].format(items=", ".join(sorted(story.names)[:5])))
    if story.follow_up is not None:
        out.append(table["why_follow_up"])
    return out


def story_doc(
    story: Story, loaded: Sequence[Loaded], phrases: Mapping[str, Any], title: str, *, project: bool = False
) -> dict[str, Any]:
    """One idea (or the project) as `--json` and draft.json give it: title as printed, sources, why."""
    follow = story.follow_up
    return {
        "title": title,
        "sources": [source_doc(c, loaded) for c in story.members],
        "shows": list(story.shows),
        "minutes": round(story.seconds / 60, 1),
        "score": story.score,
        "pinned": story.pinned,
        "why": why(story, phrases, project=project),
        "follow_up": None
        if follow is None
        else {
            "of": follow.title,
            "draft": follow.draft,
            "date": follow.date,
            "new_figures": list(follow.new_figures),
            "new_names": list(follow.new_names),
        },
    }


def _left_doc(
    item: LeftOut, loaded: Sequence[Loaded], phrases: Mapping[str, Any], titles: Mapping[str, str]
) -> dict[str, Any]:
    table = phrases["weekly"]
    reason = {
        "covered": table["left_covered"].format(draft=item.detail),
        "dropped": table["left_dropped"],
        "same_subject": table["left_same_subject"].format(title=titles.get(item.detail, item.detail)),
        "rank": table["left_rank"],
    }[item.reason]
    return {
        "title": item.story.lead.segment.title,
        "reason": item.reason,
        "why": reason,
        "shows": list(item.story.shows),
        "score": item.story.score,
        "sources": [source_doc(c, loaded) for c in item.story.members],
    }


def weekly_doc(
    loaded: Sequence[Loaded], selection: Selection, options: Any, joined: int, printed: Sequence[str]
) -> dict[str, Any]:
    """extra.weekly: the window, the distinct episodes (copies folded), the ideas and why, the project.

    `printed`: the sections' titles as the edition prints them (ideas, then the project).
    """
    phrases = load_phrases()
    titles = {s.lead.key: t for s, t in zip(selection.ideas, printed, strict=False)}
    project_title = printed[-1] if selection.project and printed else ""
    return {
        "window": {"since": options.window.since.isoformat(), "until": options.window.until.isoformat()},
        "episodes": [
            {
                "file": item.episode.path,
                "sha256": item.episode.sha256,
                "show": item.episode.show,
                "date": item.episode.date.isoformat() if item.episode.date else None,
                "duplicates": [
                    {"file": d.path, "sha256": d.sha256, "reason": d.reason, "overlap": d.overlap}
                    for d in item.duplicates
                ],
            }
            for item in loaded
        ],
        "ideas": [story_doc(s, loaded, phrases, titles[s.lead.key]) for s in selection.ideas],
        "project": story_doc(selection.project, loaded, phrases, project_title, project=True)
        if selection.project
        else None,
        "left_out": [_left_doc(lo, loaded, phrases, titles) for lo in selection.left_out],
        "pins": list(selection.pins),
        "unmatched_picks": list(selection.unmatched_picks),
        "joined_pairs": joined,
        "notes": list(options.notes),
    }


def story_record(story: Story, loaded: Sequence[Loaded], title: str) -> dict[str, Any]:
    """The memory's record of a published story (its title as the edition printed it)."""
    members = [(loaded[c.loaded].episode.sha256, c.segment.start_s, c.segment.end_s) for c in story.members]
    return memory_record(title, members, story.names, [v for v, _ in story.figures], story.vector)


def file_name(path: str) -> str:
    return Path(path).name
