"""With a model: a yes/no on close pairs of topics, and one call per chosen idea across its sources.

The idea's text goes through the same checks as a segment summary: names respelled, every sentence
of the summary and key points checked against the passages of all its sources (claims.Checker),
quotes verified word for word in the episode they come from. A failed call leaves the offline text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator import language
from generator.errors import LLMError
from generator.i18n import N_, _
from generator.language import french_date
from generator.llm import Backend, LLMRequest, LLMResult, PromptRegistry, Tokenizer, run_parallel
from generator.model import PromptUse, Quote, RejectedQuote, SegmentSummary, Usage
from generator.weekly.candidates import Candidate, Loaded
from generator.weekly.rank import Story
from generator.writing import (
    Checker,
    Verifier,
    field_problems,
    metadata_texts,
    prune_unsupported,
    timed_paragraphs,
)

JUDGE_WORDS = 150  # words of each topic shown to the yes/no check
MAX_POINTS, MAX_QUOTES = 4, 4  # of an idea's answer, the rest ignored
WARN_IDEA_FAILED = N_("idée « {title} » écrite sans le modèle : l'appel a échoué ({error})")


@dataclass
class ModelWork:
    """What the model calls of a weekly edition cost, and what went wrong."""

    backend: Backend
    prompts: PromptRegistry
    usage: Usage = field(default_factory=Usage)
    uses: list[PromptUse] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    model: str | None = None
    judged: int = 0

    def account(self, result: LLMResult | LLMError) -> None:
        if isinstance(result, LLMResult):
            self.usage = self.usage + result.usage
            use: PromptUse | None = result.prompt
            self.model = result.model or self.model
        else:
            self.usage = self.usage + getattr(result, "usage", Usage())
            use = getattr(result, "prompt", None)
        if use is not None and use not in self.uses:
            self.uses.append(use)


def _excerpt(text: str, words: int = JUDGE_WORDS) -> str:
    said = text.split()
    return " ".join(said[:words]) + ("…" if len(said) > words else "")


def judge(work: ModelWork, loaded: Sequence[Loaded]):
    """The yes/no check of close pairs, for cluster.stories (None when the call fails)."""
    prompt = work.prompts.get("same_story")

    def side(c: Candidate) -> dict[str, str]:
        ep = loaded[c.loaded].episode
        return {"show": ep.show or "émission", "date": french_date(ep.date), "text": _excerpt(c.text)}

    def ask(a: Candidate, b: Candidate) -> bool | None:
        rendered = prompt.render(a=side(a), b=side(b))
        request = LLMRequest(rendered, rendered.schema or {}, int(prompt.params.get("max_tokens", 60)))
        work.judged += 1
        try:
            result = work.backend.complete_json(request)
        except LLMError as exc:
            work.account(exc)
            return None
        work.account(result)
        return bool(result.data.get("same"))

    return ask


def _source_input(n: int, c: Candidate, loaded: Loaded, budget_words: int) -> dict[str, Any]:
    ep = loaded.episode
    seg = c.segment
    lines = [
        {"start": u.start or "", "text": u.text.strip()}
        for u in ep.utterances[seg.first : seg.last]
        if u.text.strip()
    ]
    paras, used = [], 0
    for p in timed_paragraphs(lines):
        words = len(p["text"].split())
        if used + words > budget_words and paras:
            break
        paras.append(p["text"])
        used += words
    guests = ", ".join(f"{g.name} ({g.role})" if g.role else g.name for g in ep.guests)
    return {
        "n": n,
        "show": ep.show or "émission",
        "date": french_date(ep.date),
        "start": seg.start or "",
        "end": seg.end or "",
        "guests": guests,
        "paragraphs": paras,
    }


def idea_request(work: ModelWork, story: Story, loaded: Sequence[Loaded], words_budget: int) -> LLMRequest:
    """One call for the idea: every source's passage, each within its share of the budget."""
    prompt = work.prompts.get("summarise_idea")
    share = max(words_budget // max(len(story.members), 1), 120)
    sources = [_source_input(n, c, loaded[c.loaded], share) for n, c in enumerate(story.members, 1)]
    rendered = prompt.render(sources=sources)

    def validate(data: dict[str, Any]) -> list[str]:
        return field_problems(data, (("title", 3, 160), ("summary", 20, 2000)))

    return LLMRequest(rendered, rendered.schema or {}, int(prompt.params.get("max_tokens", 900)), validate)


def words_budget(work: ModelWork, tokenizer: Tokenizer, context_window: int) -> int:
    """Words of transcript one idea call may carry (about 1.6 tokens per French word, said safely)."""
    prompt = work.prompts.get("summarise_idea")
    max_tokens = int(prompt.params.get("max_tokens", 900))
    overhead = tokenizer.count_messages(prompt.render(sources=[]).messages)
    return max(int((context_window * 0.9 - max_tokens - overhead) / 1.8), 200)


def grounded(
    story: Story,
    data: Mapping[str, Any],
    loaded: Sequence[Loaded],
    verifiers: Mapping[str, Verifier],
    offline: SegmentSummary,
) -> tuple[SegmentSummary, dict[str, list[Quote]]]:
    """The model's idea as the lead's summary, pruned to what the passages support; quotes per source key."""
    eps = [loaded[c.loaded].episode for c in story.members]
    source = " ".join(c.text for c in story.members)
    known = list(dict.fromkeys(n for ep in eps for n in ep.known_names))
    extra = [t for ep in eps for t in metadata_texts(ep)]
    speakers = {
        u.speaker
        for c, ep in zip(story.members, eps, strict=True)
        for u in ep.utterances[c.segment.first : c.segment.last]
    }
    checker = Checker(source, known=known, extra=extra, speakers={s for s in speakers if s})
    lead = story.lead
    where = {"segment": lead.segment.index, "episode": eps[0].sha256}
    # A small model repeats itself and overshoots the lists: each sentence once, four points, four quotes.
    said = list(dict.fromkeys(language.split_sentences(str(data.get("summary") or ""))))
    summary, removed, warnings = checker.prune(" ".join(said), field="summary", **where)
    title, w = prune_unsupported(str(data.get("title") or "").strip(), source, known, extra)
    warnings += w
    points = []
    for point in list(dict.fromkeys(map(str, data.get("key_points") or [])))[:MAX_POINTS]:
        kept, gone, w = checker.prune(str(point), field="key_point", **where)
        removed += gone
        warnings += w
        if kept:
            points.append(kept)
    quotes: dict[str, list[Quote]] = {}
    rejected: list[RejectedQuote] = []
    for item in (data.get("quotes") or [])[:MAX_QUOTES]:
        if not isinstance(item, dict):
            continue
        n = item.get("source")
        order = list(story.members)
        if isinstance(n, int) and 1 <= n <= len(order):
            order.insert(0, order.pop(n - 1))  # the source the model named first, then the others
        for c in order:
            result = verifiers[c.key].verify(str(item.get("text") or ""), c.segment)
            if isinstance(result, Quote):
                if all(q.text != result.text for q in quotes.get(c.key, [])):
                    quotes.setdefault(c.key, []).append(result)
                break
        else:
            rejected.append(result)
    summary_ = replace(
        offline,
        title=title or offline.title,
        summary=summary or offline.summary,
        key_points=tuple(points) or offline.key_points,
        quotes=tuple(quotes.get(lead.key, ())) or offline.quotes,
        rejected_quotes=tuple(rejected),
        warnings=tuple(dict.fromkeys(warnings)),
        removed=tuple(removed),
        failed=None,
    )
    return summary_, quotes


def write_ideas(
    work: ModelWork,
    stories: Sequence[Story],
    loaded: Sequence[Loaded],
    offline: Mapping[str, SegmentSummary],
    verifiers: Mapping[str, Verifier],
    *,
    tokenizer: Tokenizer,
    context_window: int,
    max_concurrency: int = 1,
) -> dict[str, tuple[SegmentSummary, dict[str, list[Quote]]]]:
    """lead key -> (the idea's summary, verified quotes per source key); failed ideas are left out."""
    budget = words_budget(work, tokenizer, context_window)
    requests = [idea_request(work, s, loaded, budget) for s in stories]
    results = run_parallel(work.backend, requests, max_concurrency)
    out = {}
    for story, result in zip(stories, results, strict=True):
        work.account(result)
        lead = offline[story.lead.key]
        if isinstance(result, LLMError):
            work.warnings.append(_(WARN_IDEA_FAILED, title=lead.title, error=str(result)[:200]))
            continue
        out[story.lead.key] = grounded(story, result.data, loaded, verifiers, lead)
    return out


def episode_name(loaded: Loaded) -> str:
    return Path(loaded.episode.path).name
