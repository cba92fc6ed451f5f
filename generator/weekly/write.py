"""The chosen stories as an edition: one section per idea citing all its sources, then the project.

Offline, each idea is the extractive summary of its lead topic (the transcript's own sentences) with
the best verified quotes of each source; with a model, one call per idea writes it across its sources
(model_pass). The edition's title, intro and closing come from compose (the phrases file, or the
style's compose prompt), the order is the ranking's, and the announcement counts ideas and project.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from generator import language, writing
from generator.model import Citation, Edition, Quote, Section, SegmentSummary
from generator.weekly.candidates import Candidate, Loaded
from generator.weekly.rank import FollowUp, Story
from generator.writing import Verifier, word_times

LEAD_QUOTES = 2  # verified quotes kept from the idea's lead source
OTHER_QUOTES = 1  # and from each other source


def verifiers_of(stories: Sequence[Story], loaded: Sequence[Loaded]) -> dict[str, Verifier]:
    """One quote verifier per member topic (built once per episode)."""
    per_episode: dict[int, Verifier] = {}
    out = {}
    for story in stories:
        for c in story.members:
            if c.loaded not in per_episode:
                item = loaded[c.loaded]
                # Word times only for the episodes quoted: aligning an hour of captions takes a while.
                per_episode[c.loaded] = Verifier(item.episode, word_times=word_times(item.raw, item.episode))
            out[c.key] = per_episode[c.loaded]
    return out


def offline_summaries(
    stories: Sequence[Story], loaded: Sequence[Loaded], verifiers: Mapping[str, Verifier], embedder: Any
) -> dict[str, SegmentSummary]:
    """candidate key -> its extractive summary, for every topic of the chosen stories."""
    wanted: dict[int, list[Candidate]] = {}
    for story in stories:
        for c in story.members:
            wanted.setdefault(c.loaded, []).append(c)
    out: dict[str, SegmentSummary] = {}
    for index, cands in wanted.items():
        ep = loaded[index].episode
        segments = sorted({c.segment for c in cands}, key=lambda s: s.first)
        done = writing.summarise_extractive(ep, segments, verifier=verifiers[cands[0].key], embedder=embedder)
        by_span = {(s.segment.first, s.segment.last): s for s in done}
        for c in cands:
            found = by_span.get((c.segment.first, c.segment.last))
            if found is None:  # planning joined it to another: summarise it alone
                found = writing.summarise_extractive(
                    ep, [c.segment], verifier=verifiers[c.key], embedder=embedder
                )[0]
            out[c.key] = found
    return out


def join_words(items: Sequence[str], phrases: Mapping[str, Any]) -> str:
    """'a, b et c' (the phrases file's separators)."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return phrases["list_sep"].join(items[:-1]) + phrases["list_and"] + items[-1]


def surface(folded: str, text: str) -> str:
    """A folded name as the transcript writes it ('naveocloud' -> 'NavéoCloud')."""
    words = len(folded.split())
    tokens = text.split()
    for i in range(len(tokens) - words + 1):
        piece = " ".join(tokens[i : i + words]).strip(".,;:!?«»()\"'’")
        if language.fold(piece) == folded:
            return piece
    return folded.title()


def follow_up_line(follow: FollowUp, phrases: Mapping[str, Any], text: str = "") -> str:
    """'Suite de « … » (3 décembre 2026) : nouveau cette semaine, 40 millions, Jeanne Martin.'"""
    table = phrases["weekly"]
    items = [*follow.new_figures, *(surface(n, text) for n in follow.new_names)]
    changes = table["changes"].format(items=join_words(items, phrases))
    try:
        day = dt.date.fromisoformat(follow.date)
        date = f"{day.day} {phrases['months'][day.month - 1]} {day.year}"
    except ValueError:
        return table["follow_up_undated"].format(title=follow.title, changes=changes)
    return table["follow_up"].format(title=follow.title, date=date, changes=changes)


def section_of_story(
    story: Story,
    loaded: Sequence[Loaded],
    summaries: Mapping[str, SegmentSummary],
    written: tuple[SegmentSummary, dict[str, list[Quote]]] | None,
    phrases: Mapping[str, Any],
    source_url: str | None = None,
) -> Section:
    """The idea's section: the lead's summary (or the model's idea), the other sources as citations."""
    lead = story.lead
    lead_ep = loaded[lead.loaded].episode
    summary = written[0] if written else summaries[lead.key]
    model_quotes = written[1] if written else {}
    source = writing.source_of(lead_ep, source_url)
    if not source.show:
        source = replace(source, show=phrases["show_unnamed"])
    section = writing.section_of(summary, source, writing.framing_line(lead_ep, summary, phrases))
    section = replace(section, quotes=tuple(q for q in section.quotes if q.verified)[:LEAD_QUOTES])
    also = []
    for c in story.members[1:]:
        ep = loaded[c.loaded].episode
        other = writing.source_of(ep, source_url)
        if not other.show:
            other = replace(other, show=phrases["show_unnamed"])
        quotes = model_quotes.get(c.key) or list(summaries[c.key].quotes)
        verified = tuple(q for q in quotes if q.verified)[:OTHER_QUOTES]
        also.append(Citation(other, c.segment.start_s, c.segment.end_s, verified))
    text = " ".join(c.text for c in story.members)
    follow = follow_up_line(story.follow_up, phrases, text) if story.follow_up else ""
    return replace(section, also=tuple(also), follow_up=follow)


def announcement(ideas: int, project: bool, style: str, phrases: Mapping[str, Any]) -> str:
    """'Voici trois idées pour cette semaine et un projet.'"""
    if not project:
        return writing.announcement(ideas, style, phrases)
    table = phrases["weekly"]
    if ideas == 1:
        return table["announcement_project_one"]
    return table["announcement_project"].format(count=writing.number_words(ideas, phrases))


def assemble(
    composed: Edition,
    ideas: Sequence[Section],
    project: Section | None,
    *,
    model_title: bool,
    phrases: Mapping[str, Any],
) -> Edition:
    """The composed edition with the ranking's sections, the weekly announcement and title."""
    sections = list(ideas)
    if project is not None:
        title = phrases["weekly"]["project_title"].format(title=project.title)
        sections.append(replace(project, title=title, kind="project"))
    title = composed.title
    if not model_title and ideas:
        title = writing.edition_title(ideas[0].title, len(ideas) - 1, phrases)
    return replace(
        composed,
        title=title,
        sections=tuple(sections),
        announcement=announcement(len(ideas), project is not None, composed.style, phrases) if ideas else "",
        epigraph=writing.pick_epigraph(sections),
        model_order=False,
    )


def episodes_of(stories: Sequence[Story], loaded: Sequence[Loaded]) -> list[int]:
    """Indexes of the episodes the chosen stories cite, in the week's order."""
    return sorted({c.loaded for s in stories for c in s.members})


def lead_name(story: Story, loaded: Sequence[Loaded]) -> str:
    return Path(loaded[story.lead.loaded].episode.path).name
