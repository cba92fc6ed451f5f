"""Optional model boundary pass (issue 22): numbered blocks in, block numbers where the subject changes out.

The transcript is cut into blocks of a few sentences (about BLOCK_WORDS words); the model sees each
block's first words, numbered, one call per hour of speech, and answers the numbers of the blocks
where a new subject starts, with a title each. The answer is validated (numbers in range, increasing,
each new part at least the minimum topic length), then merged with the offline segmentation: a model
change near an offline boundary confirms it (the offline position stays, the model's title is taken
when a reader would accept it); a model change far from any is added. Any failure of a call keeps
that hour offline. Calls go through the backend, whose ledger caches answers by prompt content.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.errors import LLMError, NewsletterError
from generator.model import Episode, PromptUse, Segment, Usage, format_ts
from generator.topics.segmenter import sentence_times, speaker_names, start_words
from generator.topics.titles import TitleModel, acceptable

PROMPT_ID = "segment_blocks"
BLOCK_WORDS = 120  # a few sentences: under a minute of speech (about 60 blocks an hour)
SHOWN_WORDS = (
    14  # the first words of each block shown to the model (a small local model must read an hour per call)
)
HOUR_S = 3600.0
SNAP_S = 60.0  # a model change this close to an offline boundary confirms it
# An answer marking more changes than one every three minutes lists blocks, not subjects (a small
# model measured on a real interview marked every other block): the hour stays offline.
MOST_CHANGES_S = 180.0


@dataclass(frozen=True)
class Block:
    number: int
    first: int  # sentence indexes [first, last)
    last: int
    start_s: float


@dataclass(frozen=True)
class BlockPass:
    """Segments after the pass (the offline ones where it failed), and what it cost."""

    segments: list[Segment]
    changes: list[tuple[int, str]]  # (sentence, model title) kept after validation
    calls: int = 0
    failed: list[str] = field(default_factory=list)  # one French reason per hour left offline
    usage: Usage = field(default_factory=Usage)
    prompts: list[PromptUse] = field(default_factory=list)


def make_blocks(texts: Sequence[str], times: Sequence[float], words: int = BLOCK_WORDS) -> list[Block]:
    """Consecutive sentences grouped until a block holds `words` words (a long sentence is one block)."""
    out: list[Block] = []
    first, count = 0, 0
    for i, text in enumerate(texts):
        count += len(text.split())
        if count >= words or i == len(texts) - 1:
            out.append(Block(len(out), first, i + 1, float(times[first])))
            first, count = i + 1, 0
    return out


def hours(blocks: Sequence[Block], end_s: float) -> list[list[Block]]:
    """Blocks in as many equal runs as the show has (started) hours: one model call each."""
    if not blocks:
        return []
    n = max(1, math.ceil((end_s - blocks[0].start_s) / HOUR_S))
    size = math.ceil(len(blocks) / n)
    return [list(blocks[k : k + size]) for k in range(0, len(blocks), size)]


def valid_changes(
    data: dict, run: Sequence[Block], end_s: float, min_part_s: float, taken: Sequence[float] = ()
) -> list[tuple[Block, str]]:
    """The answer's changes that are numbers of this run (never block 0), increasing, spaced by min_part_s.

    None when the answer marks more than one change every MOST_CHANGES_S: that is no segmentation.
    """
    by_number = {b.number: b for b in run}
    items = data.get("changes") or []
    span = (run[-1].start_s if run else 0.0) - (run[0].start_s if run else 0.0)
    if len(items) > max(2, span / MOST_CHANGES_S):
        return []
    out: list[tuple[Block, str]] = []
    edges = [0.0, end_s, *taken]
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("block"), int):
            continue
        block = by_number.get(item["block"])
        if block is None or block.number == 0 or (out and block.number <= out[-1][0].number):
            continue
        if any(abs(block.start_s - e) < min_part_s for e in [*edges, *(b.start_s for b, _ in out)]):
            continue
        out.append((block, " ".join(str(item.get("title") or "").split())))
    return out


def merge(
    episode: Episode, offline: Sequence[Segment], changes: Sequence[tuple[int, str]], min_part_s: float
) -> list[Segment]:
    """Offline segments with the model's changes: confirmed ones retitled, new ones added."""
    times, end, timed = sentence_times(episode)
    names = speaker_names(episode)
    starts = {s.first: s for s in offline}
    titles: dict[int, str] = {}
    for sentence, title in changes:
        t = float(times[sentence])
        near = min(starts, key=lambda f: abs(float(times[f]) - t)) if starts else None
        if near is not None and near > 0 and abs(float(times[near]) - t) <= SNAP_S:
            sentence = near  # the offline position is finer; the model confirms it
        elif any(abs(float(times[f]) - t) < min_part_s for f in starts):
            continue
        if sentence not in starts:
            starts[sentence] = None  # type: ignore[assignment]
        if acceptable(title, names):
            titles[sentence] = title
    cuts = sorted(starts)
    model = TitleModel([u.text for u in episode.utterances], exclude=names)
    n = len(episode.utterances)
    out = []
    for k, first in enumerate(cuts):
        last = cuts[k + 1] if k + 1 < len(cuts) else n
        base = starts[first]
        kind = base.kind if base is not None and base.last == last else (base.kind if base else "topic")
        title = titles.get(first) or (base.title if base is not None else model.title(first, last))
        start = float(times[first])
        out.append(
            Segment(
                k,
                first,
                last,
                start if timed else None,
                (float(times[last]) if last < n else float(end)) if timed else None,
                title,
                kind,
                tuple(a for a in (base.asides if base else ()) if first <= a.first < last),
                start_words(episode.utterances[first].text),
                None if timed else start,
            )
        )
    return out


def model_pass(
    episode: Episode,
    offline: Sequence[Segment],
    *,
    backend: Any,
    prompts: Any,
    min_part_s: float = 90.0,
    progress: Callable[[str], None] | None = None,
) -> BlockPass:
    """One call per hour of speech; any failure leaves that hour as the offline pass made it."""
    from generator.llm import Deferred, LLMRequest, french_errors

    texts = [u.text for u in episode.utterances]
    times, end, timed = sentence_times(episode)
    blocks = make_blocks(texts, times)
    changes: list[tuple[int, str]] = []
    failed: list[str] = []
    usage, uses, calls = Usage(), [], 0
    deferred: Deferred | None = None  # batch mode: every hour's call joins the same batch round
    try:
        prompt = prompts.get(PROMPT_ID)
    except NewsletterError as exc:
        return BlockPass(list(offline), [], failed=[str(exc)])
    for run in hours(blocks, end):
        shown = [
            {
                "number": b.number,
                "start": ("" if timed else "≈") + (format_ts(b.start_s) or ""),
                "text": " ".join(" ".join(texts[b.first : b.last]).split()[:SHOWN_WORDS]) + "…",
            }
            for b in run
        ]
        rendered = prompt.render(
            show=episode.show or "émission", blocks=shown, first=run[0].number, last=run[-1].number
        )
        if progress:
            progress(
                f"segment: asking {backend.model} for the subject changes of blocks {run[0].number}-{run[-1].number}"
            )
        try:
            result = backend.complete_json(
                LLMRequest(
                    rendered, rendered.schema or {}, int(prompt.params.get("max_tokens", 700)), french_errors
                )
            )
        except (LLMError, NewsletterError) as exc:
            failed.append(f"blocs {run[0].number}-{run[-1].number} : {exc}")
            continue
        except Deferred as exc:
            deferred = exc
            continue
        if deferred is not None:
            continue  # this round only collects: the answers are read together once all are in
        calls += 1
        usage = usage + result.usage
        uses.append(result.prompt)
        taken = [float(times[s]) for s, _ in changes]
        kept = valid_changes(result.data, run, float(end), min_part_s, taken)
        if not kept:
            failed.append(f"blocs {run[0].number}-{run[-1].number} : aucune frontière valable")
        changes += [(b.first, title) for b, title in kept]
    if deferred is not None:
        raise deferred
    if not changes:
        return BlockPass(list(offline), [], calls, failed, usage, uses)
    return BlockPass(merge(episode, offline, changes, min_part_s), changes, calls, failed, usage, uses)
