"""Every request a run would send, without sending any (for --dry-run and its two prices)."""

from __future__ import annotations

from collections.abc import Sequence

from generator.config import Settings
from generator.llm import LLMRequest, PromptRegistry, Tokenizer
from generator.model import Episode, Segment, SegmentSummary
from generator.writing import compose, summariser

EDITION_PROMPT_PREFIX = "compose"  # the edition's calls (second batch round: they read the summaries)


def night_requests(
    items: Sequence[tuple[Episode, Sequence[Segment], Sequence[SegmentSummary]]],
    settings: Settings,
    *,
    prompts: PromptRegistry,
    tokenizer: Tokenizer,
) -> list[LLMRequest]:
    """The summarise requests of every episode, then the compose request over their sections."""
    requests = [
        u.request
        for episode, segments, _ in items
        for u in summariser.plan_requests(
            episode,
            segments,
            prompts=prompts,
            tokenizer=tokenizer,
            context_window=settings.llm.context_window,
        )
    ]
    # The compose call sees summaries; the extractive ones stand in for the model's (similar length).
    style = settings.newsletter.style
    composed = compose.compose_edition([(e, s) for e, _, s in items], style=style)
    sections = list(composed.edition.sections)
    if sections:
        episodes = [e for e, _, _ in items]
        requests.append(compose.compose_request(style, episodes, sections, prompts, settings.newsletter.name))
    return requests
