"""An edition's sections and removed sentences as plain JSON (for `generate --json`)."""

from __future__ import annotations

from typing import Any

from generator.model import Edition, Removed, Section


def removed_json(r: Removed) -> dict[str, Any]:
    """One removed sentence: what, why, from which field, segment and episode."""
    return {
        "sentence": r.sentence,
        "reason": r.reason,
        "field": r.field,
        "segment": r.segment,
        "episode": r.episode,
    }


def section_json(s: Section, episode: str) -> dict[str, Any]:
    """A section as `generate --json` prints it; `episode` is the path the user gave."""
    return {
        "title": s.title,
        "kind": s.kind,
        "start": s.start,
        "start_s": s.start_s,
        "end_s": s.end_s,
        "episode": episode,
        "show": s.source.show,
        "framing": s.framing,
        "summary": s.summary,
        "key_points": list(s.key_points),
        "synthesis": s.synthesis,
        "removed": [removed_json(r) for r in s.removed],
        "warnings": list(s.warnings),
    }


def removed_all(edition: Edition) -> list[dict[str, Any]]:
    """Every sentence kept out of the edition: the sections' and the intro's and closing's."""
    return [removed_json(r) for s in edition.sections for r in s.removed] + [
        removed_json(r) for r in edition.removed
    ]
