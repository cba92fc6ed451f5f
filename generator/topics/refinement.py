"""Optional LLM pass over the offline segmentation: move boundaries to nearby sentences, merge, retitle.

The offline segments are the hint and the fallback: the model may only pick a start among the
sentences offered around each offline boundary (or drop the boundary), so it can neither invent a
topic nor lose part of the transcript. Any failure keeps the offline result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.errors import LLMError, NewsletterError
from generator.i18n import ngettext
from generator.model import SEGMENT_KINDS, Episode, PromptUse, Segment, Usage, format_ts
from generator.topics.segmenter import sentence_times

PROMPT_ID = "refine_segments"
NEIGHBOURHOOD = 4  # sentences offered on each side of an offline boundary
EXCERPT_SENTENCES = 3
TEXT_CHARS = 220  # each offered sentence is cut to this length (budget, not meaning)


@dataclass(frozen=True)
class Refinement:
    """Segments after the LLM pass (the offline ones on failure) and what the pass cost."""

    segments: list[Segment]
    refined: bool
    usage: Usage = field(default_factory=Usage)
    prompt: PromptUse | None = None
    model: str | None = None
    warning: str | None = None


def _cut(text: str, limit: int = TEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _choices(segments: Sequence[Segment], n: int) -> dict[int, list[int]]:
    """Candidate start sentences for each boundary, kept inside the neighbouring segments."""
    out = {}
    for k in range(1, len(segments)):
        lo = max(segments[k - 1].first + 1, segments[k].first - NEIGHBOURHOOD)
        hi = min(segments[k].last - 1, segments[k].first + NEIGHBOURHOOD, n - 1)
        out[segments[k].index] = list(range(lo, max(lo, hi) + 1))
    return out


def build_inputs(episode: Episode, segments: Sequence[Segment]) -> tuple[dict[str, Any], set[int]]:
    """Prompt inputs and the set of sentence ids the model may start a segment at."""
    texts = [u.text for u in episode.utterances]
    times, _, timed = sentence_times(episode)

    def stamp(i: int) -> str:
        return (format_ts(float(times[i])) or "") if timed else f"#{i}"

    choices = _choices(segments, len(texts))
    seg_inputs = [
        {
            "index": s.index,
            "start": stamp(s.first),
            "kind": s.kind,
            "title": s.title,
            "excerpt": _cut(
                " ".join(texts[s.first : min(s.last, s.first + EXCERPT_SENTENCES)]), 3 * TEXT_CHARS
            ),
        }
        for s in segments
    ]
    boundaries = [
        {"index": index, "choices": [{"id": i, "start": stamp(i), "text": _cut(texts[i])} for i in ids]}
        for index, ids in choices.items()
    ]
    allowed = {0} | {i for ids in choices.values() for i in ids}
    return {"show": episode.show or "émission", "segments": seg_inputs, "boundaries": boundaries}, allowed


def validator(allowed: set[int], max_segments: int) -> Callable[[dict], list[str]]:
    """Errors in an answer (fed back to the model for its one retry)."""

    def check(data: dict) -> list[str]:
        errors = []
        items = data.get("segments") or []
        starts = [item.get("start_id") for item in items if isinstance(item, dict)]
        if not starts or starts[0] != 0:
            errors.append("the first segment must start at sentence 0")
        if any(not isinstance(s, int) or s not in allowed for s in starts):
            errors.append(f"every start_id must be 0 or one of the candidate ids: {sorted(allowed)}")
        if any(
            b <= a
            for a, b in zip(starts, starts[1:], strict=False)
            if isinstance(a, int) and isinstance(b, int)
        ):
            errors.append("start_id values must increase strictly")
        if len(items) > max_segments:
            errors.append(f"at most {max_segments} segments: boundaries may be removed, never added")
        for item in items:
            if isinstance(item, dict) and item.get("kind") not in SEGMENT_KINDS:
                errors.append(f"kind must be one of {', '.join(SEGMENT_KINDS)}")
            title = item.get("title") if isinstance(item, dict) else None
            if not isinstance(title, str) or not title.strip():
                errors.append("every segment needs a non-empty title")
        return errors

    return check


def apply(episode: Episode, segments: Sequence[Segment], data: dict) -> list[Segment]:
    """Segments from a validated answer (times recomputed from the transcript, never from the model)."""
    times, end, timed = sentence_times(episode)
    n = len(episode.utterances)
    items = data["segments"]
    starts = [int(item["start_id"]) for item in items] + [n]
    out = []
    for k, item in enumerate(items):
        first, last = starts[k], starts[k + 1]
        out.append(
            Segment(
                index=k,
                first=first,
                last=last,
                start_s=float(times[first]) if timed else None,
                end_s=(float(times[last]) if last < n else float(end)) if timed else None,
                title=" ".join(str(item["title"]).split())[:90],
                kind=str(item["kind"]),
            )
        )
    return out


def refine(
    episode: Episode,
    segments: Sequence[Segment],
    *,
    backend: Any,
    prompts: Any,
    progress: Callable[[str], None] | None = None,
) -> Refinement:
    """Ask the model to check the offline segmentation; on any failure keep it unchanged."""
    from generator.llm import LLMRequest, LLMUnitError, french_errors

    offline = list(segments)
    if len(offline) < 2 or not episode.utterances:
        return Refinement(offline, refined=False)
    try:
        prompt = prompts.get(PROMPT_ID)
        inputs, allowed = build_inputs(episode, offline)
        rendered = prompt.render(**inputs)
        check = validator(allowed, len(offline))

        def validate(data: dict) -> list[str]:
            return check(data) + french_errors(data)

        max_tokens = int(prompt.params.get("max_tokens", 800))
        if progress:
            progress(
                ngettext(
                    "découpage : {model} vérifie {n} sujet",
                    "découpage : {model} vérifie {n} sujets",
                    len(offline),
                    model=backend.model,
                )
            )
        result = backend.complete_json(LLMRequest(rendered, rendered.schema or {}, max_tokens, validate))
    except LLMUnitError as exc:
        return Refinement(offline, False, exc.usage, exc.prompt, getattr(backend, "model", None), str(exc))
    except (LLMError, NewsletterError) as exc:
        return Refinement(offline, False, model=getattr(backend, "model", None), warning=str(exc))
    problems = check(result.data)
    if problems:  # a backend that skipped validation (or a fake) still cannot break the segmentation
        return Refinement(offline, False, result.usage, result.prompt, result.model, "; ".join(problems))
    return Refinement(apply(episode, offline, result.data), True, result.usage, result.prompt, result.model)
