"""One edition from the summaries of one or more episodes: title, epigraph, intro, ordered sections.

With a backend, the style's `compose_edition_<style>` prompt writes the title, intro and closing and
orders the sections from the summaries alone (never the transcripts). Without one, or when that call
fails, French phrases from templates/phrases/fr.toml assemble them. The announcement line always
comes from code, with the real number of sections.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator.errors import LLMError, RenderError
from generator.i18n import N_, _
from generator.language import french_date, split_sentences
from generator.llm import Backend, LLMRequest, PromptRegistry
from generator.model import (
    Edition,
    Episode,
    PromptUse,
    Quote,
    Removed,
    Section,
    SegmentSummary,
    Source,
    Usage,
)
from generator.styles import STYLES
from generator.writing import claims, extractive, grounding, tidy
from generator.writing.headline import edition_title, main_subjects, number_words
from generator.writing.sections import injection_warnings
from generator.writing.summariser import metadata_texts

DEFAULT_MAX_TOKENS = 700
WARN_COMPOSE_FAILED = N_("ouverture et clôture écrites sans le modèle : l'appel a échoué ({error})")
WARN_ORDER = N_("ordre des sujets proposé par le modèle incomplet ou invalide : complété par importance")

EpisodeSummaries = Sequence[tuple[Episode, Sequence[SegmentSummary]]]


def default_phrases_path() -> Path:
    """templates/phrases/fr.toml shipped next to the package."""
    return Path(__file__).resolve().parents[2] / "templates" / "phrases" / "fr.toml"


def load_phrases(path: Path | None = None) -> dict[str, Any]:
    """The French phrases file; RenderError names it when missing or malformed."""
    path = path or default_phrases_path()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise RenderError(
            _("fichier de formules illisible : {error}", error=exc.strerror), path=str(path)
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise RenderError(_("TOML invalide : {error}", error=exc), path=str(path)) from exc
    for style in STYLES:
        if style not in data:
            raise RenderError(_("table [{style}] absente", style=style), path=str(path))
    return data


def announcement(count: int, style: str, phrases: Mapping[str, Any]) -> str:
    """'Voici trois idées pour cette semaine.' from the real number of sections."""
    table = phrases[style]
    if count == 1:
        return table["announcement_one"]
    return table["announcement"].format(count=number_words(count, phrases))


def _join(items: Sequence[str], phrases: Mapping[str, Any]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return phrases["list_sep"].join(items[:-1]) + phrases["list_and"] + items[-1]


def _date_words(date: dt.date, phrases: Mapping[str, Any]) -> str:
    return f"{date.day} {phrases['months'][date.month - 1]} {date.year}"


def source_of(episode: Episode, source_url: str | None = None) -> Source:
    """The Source record of an episode."""
    return Source(
        episode.path,
        episode.sha256,
        episode.show,
        episode.date,
        episode.host,
        episode.guests,
        episode.source_url or source_url,
    )


def framing_line(episode: Episode, summary: SegmentSummary, phrases: Mapping[str, Any]) -> str:
    """'Avec Inès Kader (directrice, Nuage d'Armor).': the guests the topic names, from the description."""
    seg = summary.segment
    said = " ".join(u.text for u in episode.utterances[seg.first : seg.last])
    named = []
    for g in episode.guests:
        parts = [g.name, *[w for w in g.name.split() if len(w) > 2]]
        if any(re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", said) for p in parts):
            named.append(phrases["guest"].format(name=g.name, role=g.role) if g.role else g.name)
    return phrases["framing"].format(guests=_join(named, phrases)) if named else ""


def section_of(summary: SegmentSummary, source: Source, framing: str = "") -> Section:
    """A section from a segment summary."""
    seg = summary.segment
    return Section(
        summary.title,
        summary.summary,
        source,
        seg.start_s,
        seg.end_s,
        summary.key_points,
        summary.quotes,
        summary.warnings,
        seg.kind,
        summary.removed,
        summary.synthesis,
        framing,
    )


def quote_strength(quote: Quote, importance_rank: float = 0.0) -> float:
    """How well a verified quote stands alone as an epigraph."""
    n = len(quote.text.split())
    score = extractive.quotability(quote.text)
    score += 1.0 if quote.speaker else 0.0
    score += 0.5 if 10 <= n <= 30 else 0.0
    score -= 1.5 if n < 8 else 0.0  # too short to stand alone at the top of the edition
    score += 0.2 if quote.match == "exact" else 0.0
    return score + importance_rank


def pick_epigraph(sections: Sequence[Section]) -> Quote | None:
    """The strongest verified quote of the edition (earlier, more important sections win ties)."""
    best: tuple[float, int, Quote] | None = None
    for rank, section in enumerate(sections):
        bonus = 0.5 * (len(sections) - rank) / max(len(sections), 1)
        for q in section.quotes:
            if not q.verified or tidy.addresses_model(q.text):
                continue
            key = (quote_strength(q, bonus), -rank)
            if best is None or key > best[:2]:
                best = (key[0], key[1], q)
    return best[2] if best else None


@dataclass(frozen=True)
class ComposeResult:
    """An edition plus what composing it cost."""

    edition: Edition
    usage: Usage = field(default_factory=Usage)
    prompts: tuple[PromptUse, ...] = ()
    warnings: tuple[str, ...] = ()
    model: str | None = None


def _template_text(
    style: str,
    episodes: Sequence[Episode],
    sections: Sequence[Section],
    phrases: Mapping[str, Any],
    *,
    extractive_note: bool,
) -> tuple[str, str, str]:
    """(title, intro, closing) assembled from the phrases file."""
    table = phrases[style]
    sources = []
    for ep in episodes:
        show = ep.show or phrases["show_unknown"]
        sources.append(
            phrases["source"].format(show=show, date=_date_words(ep.date, phrases))
            if ep.date
            else phrases["source_undated"].format(show=show)
        )
    guests = []
    for ep in episodes:
        for g in ep.guests:
            text = phrases["guest"].format(name=g.name, role=g.role) if g.role else g.name
            if text not in guests:
                guests.append(text)
    intro = [table["intro"].format(sources=_join(list(dict.fromkeys(sources)), phrases))]
    if guests:
        intro.append(table["intro_guests"].format(guests=_join(guests, phrases)))
    if extractive_note:
        intro.append(table["intro_extractive"])
    first, second = main_subjects(sections)
    title = edition_title(first, len(sections) - 1, phrases, second=second)
    return title, " ".join(intro), table["closing"]


def _strip_template_lines(text: str, style: str, phrases: Mapping[str, Any]) -> str:
    """Remove greetings/sign-offs the templates already print, so they are not doubled."""
    text = text.strip()
    for prefix in phrases[style].get("drop_prefixes", []):
        if text.lower().startswith(prefix.lower()):
            text = text[len(prefix) :].lstrip()
    for suffix in phrases[style].get("drop_suffixes", []):
        if text.lower().endswith(suffix.lower()):
            text = text[: -len(suffix)].rstrip()
    return text[:1].upper() + text[1:]


def _order_validator(count: int):
    def validate(data: dict[str, Any]) -> list[str]:
        problems = []
        order = data.get("order")
        if isinstance(order, list):
            bad = [i for i in order if not isinstance(i, int) or not 0 <= i < count]
            if bad:
                problems.append(f"$.order: {bad} are not section numbers (0 to {count - 1})")
        problems += grounding.field_problems(
            data, (("title", 3, 140), ("intro", 20, 1500), ("closing", 5, 800))
        )
        return problems

    return validate


def first_sentence(text: str, max_words: int = 30) -> str:
    """The first sentence of a summary, cut at `max_words` (compose needs the gist, not the detail)."""
    words = next(iter(split_sentences(text)), text.strip()).split()
    return " ".join(words) if len(words) <= max_words else " ".join(words[:max_words]) + "…"


def compose_request(
    style: str,
    episodes: Sequence[Episode],
    sections: Sequence[Section],
    prompts: PromptRegistry,
    newsletter_name: str,
) -> LLMRequest:
    """The compose call: the style's prompt given only the sections' titles and summaries."""
    prompt = prompts.get(f"compose_edition_{style}")
    rendered = prompt.render(
        newsletter=newsletter_name,
        episodes=[
            {
                "show": ep.show or "",
                "date": french_date(ep.date),
                "guests": ", ".join(f"{g.name} ({g.role})" if g.role else g.name for g in ep.guests),
                "names": ", ".join(g.name for g in ep.guests),  # v2+: names only
            }
            for ep in episodes
        ],
        # v2+ prompts read only `line`, the summary's first sentence: the model needs no more to order
        # topics and frame the edition (v1 reads the whole summary).
        sections=[
            {"index": i, "title": s.title, "summary": s.summary, "line": first_sentence(s.summary)}
            for i, s in enumerate(sections)
        ],
    )
    max_tokens = int(prompt.params.get("max_tokens", DEFAULT_MAX_TOKENS))
    return LLMRequest(rendered, rendered.schema or {}, max_tokens, _order_validator(len(sections)))


def _items(
    summaries_by_episode: EpisodeSummaries | Mapping[Episode, Sequence[SegmentSummary]],
) -> EpisodeSummaries:
    if isinstance(summaries_by_episode, Mapping):
        return list(summaries_by_episode.items())
    return list(summaries_by_episode)


def _ranked_sections(
    items: EpisodeSummaries, sources: Sequence[Source], phrases: Mapping[str, Any]
) -> list[Section]:
    """Every summary as a section, in the order of the episodes and of each show."""
    ordered: list[tuple[int, float, int, Section]] = []
    for e, ((ep, summaries), source) in enumerate(zip(items, sources, strict=True)):
        for s in summaries:
            seg = s.segment
            start = seg.start_s if seg.start_s is not None else float(seg.first)
            ordered.append((e, start, seg.index, section_of(s, source, framing_line(ep, s, phrases))))
    ordered.sort(key=lambda r: r[:3])
    return [r[3] for r in ordered]


@dataclass(frozen=True)
class _Written:
    """The edition's title, intro, closing and section order, plus what writing them cost."""

    title: str
    intro: str
    closing: str
    sections: tuple[Section, ...]
    usage: Usage = field(default_factory=Usage)
    prompts: tuple[PromptUse, ...] = ()
    warnings: tuple[str, ...] = ()
    model: str | None = None
    removed: tuple[Removed, ...] = ()
    model_order: bool = False


def _grounded_fields(
    data: Mapping[str, Any],
    sections: Sequence[Section],
    episodes: Sequence[Episode],
    *,
    style: str,
    phrases: Mapping[str, Any],
    newsletter_name: str,
) -> tuple[dict[str, str], list[str], list[Removed]]:
    """The model's title, intro and closing, each pruned to the claims the summaries support."""
    # The model saw only the summaries: everything it writes must be supported by them.
    material = " ".join(
        [s.title + ". " + s.summary + " " + " ".join(s.key_points) for s in sections]
        + [q.text for s in sections for q in s.quotes]
    )
    # The newsletter's and the shows' own names are known names: a title naming them invents nothing.
    shows = [ep.show for ep in episodes if ep.show]
    known = [n for ep in episodes for n in ep.known_names] + [newsletter_name, *shows]
    extra = [t for ep in episodes for t in metadata_texts(ep)] + [newsletter_name]
    checker = claims.Checker(material, known=known, extra=extra, framing=True)
    got: dict[str, str] = {}
    warnings: list[str] = []
    removed: list[Removed] = []
    for key in ("title", "intro", "closing"):
        text = _strip_template_lines(str(data.get(key) or ""), style, phrases)
        kept, gone, w = checker.prune(text, field=key)
        warnings += w
        removed += gone
        if kept:
            got[key] = kept
    return got, warnings, removed


def _model_order(proposed: Any, count: int) -> tuple[list[int], list[str]]:
    """The model's section order, completed by importance when incomplete or invalid."""
    order = [i for i in dict.fromkeys(proposed or []) if isinstance(i, int) and 0 <= i < count]
    warnings: list[str] = []
    if len(order) != count:
        if proposed:
            warnings.append(_(WARN_ORDER))
        order += [i for i in range(count) if i not in order]
    return order, warnings


def _model_pass(
    backend: Backend,
    request: LLMRequest,
    draft: _Written,
    episodes: Sequence[Episode],
    *,
    style: str,
    phrases: Mapping[str, Any],
    newsletter_name: str,
) -> _Written:
    """The model's text and order over the template draft; the draft plus a warning when the call fails."""
    try:
        result = backend.complete_json(request)
    except LLMError as exc:
        return replace(
            draft,
            usage=Usage() + getattr(exc, "usage", Usage()),
            prompts=(request.prompt.use,),
            warnings=(_(WARN_COMPOSE_FAILED, error=str(exc)[:200]),),
        )
    got, warnings, removed = _grounded_fields(
        result.data,
        draft.sections,
        episodes,
        style=style,
        phrases=phrases,
        newsletter_name=newsletter_name,
    )
    order, order_warnings = _model_order(result.data.get("order"), len(draft.sections))
    reordered = order != list(range(len(draft.sections)))
    intro = got.get("intro", draft.intro)
    if reordered:
        intro = f"{intro} {phrases[style]['order_by_model']}"
    return _Written(
        title=got.get("title", draft.title),
        intro=intro,
        closing=got.get("closing", draft.closing),
        sections=tuple(draft.sections[i] for i in order),
        usage=Usage() + result.usage,
        prompts=(result.prompt,),
        warnings=tuple(warnings + order_warnings),
        model=result.model,
        removed=tuple(removed),
        model_order=reordered,
    )


def compose_edition(
    summaries_by_episode: EpisodeSummaries | Mapping[Episode, Sequence[SegmentSummary]],
    *,
    style: str,
    backend: Backend | None = None,
    prompts: PromptRegistry | None = None,
    newsletter_name: str = "",
    phrases: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
    source_url: str | None = None,
) -> ComposeResult:
    """Sections in the show's order (or the model's, said in the intro), epigraph, intro, announcement, closing, sources."""
    if style not in STYLES:
        raise RenderError(
            _("style inconnu « {style} » ; au choix : {choices}", style=style, choices=", ".join(STYLES))
        )
    phrases = phrases or load_phrases()
    items = _items(summaries_by_episode)
    episodes = [ep for ep, _ in items]
    # A reader sees the show's name, never a file name: an unnamed show gets a plain phrase.
    sources = [source_of(ep, source_url) for ep in episodes]
    sources = [s if s.show else replace(s, show=phrases["show_unnamed"]) for s in sources]
    sections = _ranked_sections(items, sources, phrases)
    title, intro, closing = _template_text(
        style, episodes, sections, phrases, extractive_note=backend is None
    )
    written = _Written(title, intro, closing, tuple(sections))
    if backend is not None and sections:
        if prompts is None:
            raise ValueError("compose with a backend needs the prompt registry")
        request = compose_request(style, episodes, sections, prompts, newsletter_name)
        written = _model_pass(
            backend,
            request,
            written,
            episodes,
            style=style,
            phrases=phrases,
            newsletter_name=newsletter_name,
        )

    edition = Edition(
        style=style,
        title=written.title,
        intro=written.intro,
        announcement=announcement(len(written.sections), style, phrases) if written.sections else "",
        sections=written.sections,
        closing=written.closing,
        sources=tuple(sources),
        epigraph=pick_epigraph(written.sections),
        # Every topic fell back to the transcript's own sentences: label the draft as extractive.
        extractive=backend is None or all(s.failed for _ep, ss in items for s in ss),
        date=today or dt.date.today(),
        removed=written.removed,
        model_order=written.model_order,
    )
    # Lines addressed to a model are never published; the reviewer is told where they are.
    injected = [f"{Path(ep.path).name} : {w}" for ep in episodes for w in injection_warnings(ep)]
    warnings = (*written.warnings, *injected)
    return ComposeResult(edition, written.usage, written.prompts, warnings, written.model)


def compose(
    summaries_by_episode: EpisodeSummaries | Mapping[Episode, Sequence[SegmentSummary]],
    *,
    style: str,
    backend: Backend | None = None,
    prompts: PromptRegistry | None = None,
    settings: Any = None,
    today: dt.date | None = None,
) -> Edition:
    """The edition only (see compose_edition for usage and warnings)."""
    name = settings.newsletter.name if settings is not None else ""
    url = settings.newsletter.source_url if settings is not None else None
    return compose_edition(
        summaries_by_episode,
        style=style,
        backend=backend,
        prompts=prompts,
        newsletter_name=name,
        today=today,
        source_url=url,
    ).edition
