"""Grounding checks on generated French text: figures, people's names and language against the source."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.i18n import N_, _
from generator.language import (
    detect_language,
    fix_names,
    split_sentences,
    unsupported_figures,
    unsupported_names,
)

# Warnings shown to the reviewer (French: the reviewer reads French).
WARN_FIGURE = N_("chiffre absent du passage : « {figure} »")
WARN_NAME = N_("nom absent du passage et des invités : « {name} »")
WARN_LANGUAGE = N_("texte qui ne semble pas en français ({lang})")
WARN_DROPPED = N_("phrase retirée ({why}) : « {sentence} »")
WARN_NAME_FIXED = N_("nom corrigé selon la description : « {wrong} » → « {right} »")


def prune(text: str, source: str, known: Sequence[str], extra: Iterable[str] = ()) -> tuple[str, list[str]]:
    """Respell known names, then drop every sentence stating a figure or a person the source lacks."""
    extra = list(extra)
    fixed, fixes = fix_names(text, known)
    warnings = [_(WARN_NAME_FIXED, wrong=w, right=r) for w, r in fixes]
    kept = []
    for sentence in split_sentences(fixed, before_capital=True):
        missing = [_(WARN_FIGURE, figure=f) for f in unsupported_figures(sentence, source, extra)]
        missing += [_(WARN_NAME, name=n) for n in unsupported_names(sentence, source, known)]
        if missing:
            warnings.append(_(WARN_DROPPED, why=", ".join(missing), sentence=sentence))
        else:
            kept.append(sentence)
    return " ".join(kept), warnings


@dataclass(frozen=True)
class Grounding:
    """Result of checking a generated text against its source."""

    text: str  # the text with known names respelled
    warnings: tuple[str, ...]
    figures: tuple[str, ...]
    names: tuple[str, ...]
    language: str


def check(text: str, source: str, known: Sequence[str], *, extra: Iterable[str] = ()) -> Grounding:
    """Respell known names, then flag unsupported figures and names and a non-French language."""
    fixed, fixes = fix_names(text, known)
    warnings = [_(WARN_NAME_FIXED, wrong=w, right=r) for w, r in fixes]
    missing_figures = unsupported_figures(fixed, source, extra)
    missing_names = unsupported_names(fixed, source, known)
    warnings += [_(WARN_FIGURE, figure=f) for f in missing_figures]
    warnings += [_(WARN_NAME, name=n) for n in missing_names]
    lang = detect_language(fixed)
    if lang == "en":
        warnings.append(_(WARN_LANGUAGE, lang=lang))
    return Grounding(fixed, tuple(warnings), tuple(missing_figures), tuple(missing_names), lang)


prune_unsupported = prune  # the name other stages use (a bare `prune` says too little)


def field_problems(data: dict, limits: tuple[tuple[str, int, int], ...]) -> list[str]:
    """Length and language problems of a model answer's text fields, phrased for its one retry.

    Lengths are checked here, not in the schema: llama.cpp turns maxLength into a grammar it cannot parse.
    """
    problems = []
    for key, low, high in limits:
        text = data.get(key)
        if not isinstance(text, str):
            continue
        if not low <= len(text.strip()) <= high:
            problems.append(f"$.{key} must have {low} to {high} characters, not {len(text.strip())}")
        elif detect_language(text) == "en":
            problems.append(f"$.{key} is in English: write it in French")
    return problems
