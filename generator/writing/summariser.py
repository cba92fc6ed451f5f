"""Per-topic summaries with a language model: one call per topic segment, every quote verified.

Long segments are split at sentence boundaries to fit the context window and their partial answers
merged. A segment whose call fails falls back to the extractive summary, flagged for the reviewer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from generator import language
from generator.errors import LLMError
from generator.i18n import N_, _, ngettext
from generator.language import french_date
from generator.llm import (
    Backend,
    LLMRequest,
    LLMResult,
    PromptFile,
    PromptRegistry,
    Tokenizer,
    input_budget,
    run_parallel,
    split_to_fit,
)
from generator.model import (
    Episode,
    PromptUse,
    Quote,
    RejectedQuote,
    Segment,
    SegmentSummary,
    Usage,
    format_ts,
)
from generator.topics import title_problem
from generator.writing import claims, extractive, grounding
from generator.writing.quotes import Verifier

PROMPT_ID = "summarise_segment"
DEFAULT_MAX_TOKENS = 900
PARAGRAPH_S = 30.0  # seconds of talk per paragraph (one time mark each) for prompts taking paragraphs

# Shown to the reviewer in draft.json (French: the reviewer reads French).
WARN_FALLBACK = N_("résumé extractif de secours : le modèle a échoué sur ce sujet ({error})")
WARN_TITLE = N_("titre remplacé ({why})")


@dataclass(frozen=True)
class SummariseResult:
    """Summaries plus what producing them cost."""

    summaries: tuple[SegmentSummary, ...]
    usage: Usage = field(default_factory=Usage)
    prompts: tuple[PromptUse, ...] = ()
    failures: int = 0
    model: str | None = None


@dataclass(frozen=True)
class _Unit:
    segment: Segment
    request: LLMRequest
    part: int
    parts: int


def metadata_texts(episode: Episode) -> list[str]:
    """Texts the episode states about itself (description, date): they may support figures."""
    texts = [episode.description or "", episode.show or ""]
    if episode.date:
        texts += [episode.date.isoformat(), french_date(episode.date)]
    texts += [f"{g.name} {g.role or ''}" for g in episode.guests]
    return texts


def _validator(data: dict[str, Any]) -> list[str]:
    """Problems the schema cannot see; fed back to the model for its one retry."""
    return grounding.field_problems(data, (("title", 3, 160), ("summary", 20, 2000)))


def build_requests(
    episode: Episode,
    segment: Segment,
    prompt: PromptFile,
    tokenizer: Tokenizer,
    *,
    context_window: int,
    max_tokens: int | None = None,
) -> list[LLMRequest]:
    """The request(s) for one segment: one, or several parts when the segment exceeds the window."""
    max_tokens = max_tokens or int(prompt.params.get("max_tokens", DEFAULT_MAX_TOKENS))
    base = {
        "show": episode.show or "émission inconnue",
        "date": french_date(episode.date),
        "host": episode.host or "",
        "guests": [{"name": g.name, "role": g.role or ""} for g in episode.guests],
        "start": format_ts(segment.start_s) or "",
        "end": format_ts(segment.end_s) or "",
    }
    aside = {i for a in segment.asides for i in range(a.first, a.last)}  # ad breaks are no content
    lines = [
        {"start": format_ts(u.start_s) or "", "text": u.text.strip()}
        for i, u in enumerate(episode.utterances[segment.first : segment.last], segment.first)
        if u.text.strip() and i not in aside
    ]
    # v1 takes one timed line per sentence; v2+ takes ~30 s paragraphs and no time marks (the model
    # needs none: the topic's start is in the header, quote times come from the verifier).
    field = "paragraphs" if any(i.name == "paragraphs" for i in prompt.inputs) else "sentences"
    if field == "paragraphs":
        base["guests"] = lean_guests(episode, lines)
    overhead = tokenizer.count_messages(
        prompt.render(**base, **{field: []}, part="partie 10 sur 10").messages
    )
    budget = input_budget(context_window, max_tokens, overhead)
    as_text = [f"[{line['start']}] {line['text']}" for line in lines]
    chunks = split_to_fit(as_text, budget, tokenizer.count)
    requests = []
    for k, chunk in enumerate(chunks):
        sentences = []
        for item in chunk:
            stamp, _, text = item.partition("] ")
            sentences.append({"start": stamp.lstrip("["), "text": text})
        part = f"partie {k + 1} sur {len(chunks)}" if len(chunks) > 1 else ""
        text = sentences if field == "sentences" else [p["text"] for p in timed_paragraphs(sentences)]
        rendered = prompt.render(**base, **{field: text}, part=part)
        requests.append(LLMRequest(rendered, rendered.schema or {}, max_tokens, _validator))
    return requests


def lean_guests(episode: Episode, lines: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """The guests a topic names with their role's first part; when it names none, every name alone (v2+)."""
    text = language.fold(" ".join(line["text"] for line in lines))
    named = [g for g in episode.guests if any(language.fold(w) in text for w in g.name.split() if len(w) > 2)]
    if not named:  # a guest may speak unnamed here: the names still fix the spelling, roles add nothing
        return [{"name": g.name, "role": ""} for g in episode.guests]
    return [{"name": g.name, "role": (g.role or "").split(",")[0].strip()} for g in named]


def _seconds(stamp: str) -> float | None:
    """ "MM:SS" or "H:MM:SS" (as format_ts writes them) -> seconds; None for an empty stamp."""
    try:
        return float(sum(int(p) * 60**i for i, p in enumerate(reversed(stamp.split(":"))))) if stamp else None
    except ValueError:
        return None


def timed_paragraphs(
    sentences: Sequence[dict[str, str]], every_s: float = PARAGRAPH_S
) -> list[dict[str, str]]:
    """Timed sentences -> paragraphs of about `every_s` seconds, each with the time of its first sentence.

    The model needs no time per sentence (quote times come from the verifier); paragraph breaks keep
    the talk readable, and v2 prompts send their text only (a time costs ~8 tokens with Qwen's digits).
    """
    out: list[dict[str, str]] = []
    opened: float | None = None
    for s in sentences:
        at = _seconds(s["start"])
        new = not out or (at is not None and (opened is None or at - opened >= every_s))
        if new:
            out.append({"start": s["start"] if at is not None else "", "text": s["text"]})
            opened = at
        else:
            out[-1]["text"] += " " + s["text"]
    return out


def _ground_text(text: str, source: str, known: Sequence[str], extra: Sequence[str]) -> tuple[str, list[str]]:
    """Respell names; drop sentences whose figures or people the source never mentions."""
    return grounding.prune(text, source, known, extra)


def merge_answers(answers: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Partial answers of a split segment -> one answer (first title, joined summaries, unions)."""
    if len(answers) == 1:
        return dict(answers[0])

    def union(key: str, limit: int) -> list[Any]:
        out: list[Any] = []
        for a in answers:
            for item in a.get(key) or []:
                if item not in out:
                    out.append(item)
        return out[:limit]

    return {
        "title": answers[0].get("title", ""),
        "summary": " ".join(str(a.get("summary", "")).strip() for a in answers),
        "key_points": union("key_points", 5),
        "quotes": union("quotes", 4),
        "entities": union("entities", 12),
    }


def to_summary(
    episode: Episode,
    segment: Segment,
    data: dict[str, Any],
    *,
    verifier: Verifier,
    fallback: SegmentSummary | None,
) -> SegmentSummary:
    """A model's answer -> SegmentSummary: names respelled, ungrounded sentences dropped, quotes verified."""
    known = episode.known_names
    utterances = episode.utterances[segment.first : segment.last]
    source = " ".join(u.text for u in utterances)
    extra = metadata_texts(episode)
    checker = claims.Checker(source, known=known, extra=extra, speakers={u.speaker for u in utterances})
    where = {"segment": segment.index, "episode": episode.sha256}
    summary, removed, warnings = checker.prune(str(data.get("summary") or ""), field="summary", **where)
    title, w = _ground_text(str(data.get("title") or "").strip(), source, known, extra)
    problem = title_problem(title, known) if title else None
    if problem:  # the model's title is held to the reader's rule the offline titles meet
        title, w = "", [*w, problem]
    if not title and fallback is not None:
        title = fallback.title
        warnings += [_(WARN_TITLE, why="; ".join(w) or _("vide"))]
    key_points = []
    for point in data.get("key_points") or []:
        kept, gone, w = checker.prune(str(point), field="key_point", **where)
        warnings += w
        removed += gone
        if kept:
            key_points.append(kept)
    if language.detect_language(summary) == "en":
        warnings.append(_(grounding.WARN_LANGUAGE, lang="en"))
    if not summary and fallback is not None:
        # Nothing grounded survived: the reviewer gets the transcript's own sentences instead.
        summary = fallback.summary
        warnings.append(_(WARN_FALLBACK, error=_("aucune phrase vérifiable")))

    quotes: list[Quote] = []
    rejected: list[RejectedQuote] = []
    for item in data.get("quotes") or []:
        text = item.get("text") if isinstance(item, dict) else str(item)
        # The model's speaker is a guess: the verifier attaches one only from labels or introductions.
        result = verifier.verify(str(text or ""), segment)
        if isinstance(result, Quote):
            if all(result.text != q.text for q in quotes):
                quotes.append(result)
        else:
            rejected.append(result)

    folded_source = language.fold(" ".join([source, *known, *extra]))
    entities = [
        str(e)
        for e in data.get("entities") or []
        if isinstance(e, str) and e.strip() and language.fold(e) in folded_source
    ]
    return SegmentSummary(
        episode_sha256=episode.sha256,
        segment=segment,
        title=title,
        summary=summary,
        key_points=tuple(key_points),
        quotes=tuple(quotes),
        rejected_quotes=tuple(rejected),
        entities=tuple(dict.fromkeys(entities)),
        warnings=tuple(dict.fromkeys(warnings)),
        importance=fallback.importance if fallback is not None else 0.0,
        removed=tuple(removed),
        synthesis=len(key_points) >= 3 and bool(fallback and fallback.synthesis),
    )


def plan_requests(
    episode: Episode,
    segments: Sequence[Segment],
    *,
    prompts: PromptRegistry,
    tokenizer: Tokenizer,
    context_window: int,
) -> list[_Unit]:
    """Every request a run would send for this episode (used by summarise and by --dry-run)."""
    prompt = prompts.get(PROMPT_ID)
    units = []
    for seg in extractive.topic_segments(segments):
        requests = build_requests(episode, seg, prompt, tokenizer, context_window=context_window)
        units += [_Unit(seg, r, k, len(requests)) for k, r in enumerate(requests)]
    return units


@dataclass(frozen=True)
class ModelCalls:
    """What summarising with a model needs: the backend, its prompts and tokenizer, the budget of the calls."""

    backend: Backend
    prompts: PromptRegistry
    tokenizer: Tokenizer
    context_window: int = 16384
    max_concurrency: int = 1


def _reporter(units: Sequence[Any], progress: Callable[[str], None] | None) -> Callable[[int, Any], None]:
    """The progress line of each finished call: topic, part, and whether it failed or came from the cache."""

    def done(index: int, result: LLMResult | LLMError) -> None:
        if progress:
            unit = units[index]
            state = _("échec") if isinstance(result, LLMError) else (_("en cache") if result.cached else "ok")
            progress(
                _(
                    "résumés : sujet {index} partie {part}/{parts} {state}",
                    index=unit.segment.index,
                    part=unit.part + 1,
                    parts=unit.parts,
                    state=state,
                )
            )

    return done


def summarise(
    episode: Episode,
    segments: Sequence[Segment],
    *,
    calls: ModelCalls | None,
    verifier: Verifier | None = None,
    embedder: Any = None,
    progress: Callable[[str], None] | None = None,
) -> SummariseResult:
    """Summaries of every topic segment: by the model when `calls` is given, else extractive."""
    verifier = verifier or Verifier(episode)
    offline = extractive.summarise_extractive(episode, segments, verifier=verifier, embedder=embedder)
    if calls is None:
        return SummariseResult(tuple(offline))
    backend, prompts, tokenizer = calls.backend, calls.prompts, calls.tokenizer
    units = plan_requests(
        episode, segments, prompts=prompts, tokenizer=tokenizer, context_window=calls.context_window
    )
    if progress:
        n_calls = ngettext("{n} appel", "{n} appels", len(units))
        topics = ngettext("{n} sujet", "{n} sujets", len(offline))
        progress(
            _("résumés : {calls} pour {topics} de {path}", calls=n_calls, topics=topics, path=episode.path)
        )
    done = _reporter(units, progress)
    results = run_parallel(backend, [u.request for u in units], calls.max_concurrency, on_done=done)
    usage = Usage()
    used: list[PromptUse] = []
    by_segment: dict[int, list[LLMResult | LLMError]] = {}
    for unit, result in zip(units, results, strict=True):
        by_segment.setdefault(unit.segment.index, []).append(result)
        if isinstance(result, LLMError):
            usage = usage + getattr(result, "usage", Usage())
            use = getattr(result, "prompt", None)
        else:
            usage = usage + result.usage
            use = result.prompt
        if use is not None and use not in used:
            used.append(use)

    summaries = []
    failures = 0
    model = getattr(backend, "model", None)
    for fallback in offline:
        seg = fallback.segment
        outcome = by_segment.get(seg.index, [])
        errors = [r for r in outcome if isinstance(r, LLMError)]
        answers = [r.data for r in outcome if isinstance(r, LLMResult)]
        model = next((r.model for r in outcome if isinstance(r, LLMResult)), model)
        if not answers:
            failures += 1
            reason = str(errors[0]) if errors else "no answer"
            summaries.append(
                replace(
                    fallback,
                    failed=reason,
                    warnings=(_(WARN_FALLBACK, error=reason[:200]), *fallback.warnings),
                )
            )
            continue
        summary = to_summary(episode, seg, merge_answers(answers), verifier=verifier, fallback=fallback)
        if errors:
            # Part of a split segment failed: keep what the other parts said, and say so.
            failures += 1
            summary = replace(
                summary,
                warnings=(
                    ngettext(
                        "résumé incomplet : {n} partie de ce sujet a échoué ({error})",
                        "résumé incomplet : {n} parties de ce sujet ont échoué ({error})",
                        len(errors),
                        error=str(errors[0])[:200],
                    ),
                    *summary.warnings,
                ),
            )
        summaries.append(summary)
    return SummariseResult(tuple(summaries), usage, tuple(used), failures, model)
