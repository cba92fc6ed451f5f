"""Hand-written French editions for the render, outbox and review tests (our own text)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from generator.config import NewsletterSettings
from generator.model import (
    Edition,
    Guest,
    PromptUse,
    Provenance,
    Quote,
    RejectedQuote,
    Section,
    Source,
    Usage,
)

NEWSLETTER = NewsletterSettings(
    name="La Lettre Test",
    author="Camille Rédac",
    sign_off="",
    style="cybernetica",
    source_url=None,
)

RADIO = Source(
    path="/inbox/ondes-numeriques-2026-03-02.txt",
    sha256="a" * 64,
    show="Ondes Numériques",
    date=dt.date(2026, 3, 2),
    host="Paule Lanterne",
    guests=(Guest("Hugo Ferrand", "directeur technique d'un hébergeur lyonnais"), Guest("Inès Kader", None)),
    source_url="https://radio.exemple.fr/ondes-numeriques/2026-03-02",
)
PODCAST = Source(
    path="/inbox/le-cable-du-lundi.srt",
    sha256="b" * 64,
    show="Le Câble du lundi",
    date=dt.date(2026, 3, 1),
    host=None,
    guests=(Guest("Noé Vasseur", "chercheur en sécurité informatique"),),
    source_url=None,
)
TV = Source(
    path="/inbox/ecran-libre.vtt",
    sha256="c" * 64,
    show="Écran Libre",
    date=None,
    host="Marc Olivier",
    guests=(),
    source_url=None,
)


def _quote(text: str, start_s: float, speaker: str | None, utterance: int = 0) -> Quote:
    return Quote(text=text, start_s=start_s, speaker=speaker, verified=True, utterance=utterance)


Q_SERVERS = _quote(
    "On a déplacé trois cents serveurs en un week-end, sans coupure.", 754.0, "Hugo Ferrand", 40
)
Q_ENERGY = _quote("La facture d'électricité a doublé, c'est ça le vrai sujet.", 1322.0, None, 81)
Q_PATCH = _quote(
    "Une mise à jour qui arrive six mois trop tard ne protège personne.", 3725.0, "Noé Vasseur", 210
)

SECTION_HOSTING = Section(
    title="Les hébergeurs régionaux reprennent la main",
    summary=(
        "Hugo Ferrand raconte la migration de son entreprise vers un centre de données situé à quarante "
        "kilomètres de ses clients.\n\nSelon lui, la proximité devient un argument commercial face aux "
        "grands fournisseurs américains."
    ),
    source=RADIO,
    start_s=612.0,
    end_s=1290.0,
    key_points=(
        "Trois cents serveurs déplacés en un seul week-end.",
        "Des clients qui demandent où dorment leurs données.",
        "Un prix encore supérieur de 15 % à celui des géants du secteur.",
    ),
    quotes=(Q_SERVERS,),
)
SECTION_ENERGY = Section(
    title="L'énergie devient le premier poste de dépense",
    summary="Inès Kader explique que le coût de l'électricité pèse désormais plus lourd que le matériel.",
    source=RADIO,
    start_s=1290.0,
    end_s=1900.0,
    key_points=("Une facture multipliée par deux en trois ans.",),
    quotes=(Q_ENERGY,),
    warnings=("point clé sans appui dans la transcription : « Une facture multipliée par deux »",),
)
SECTION_PATCH = Section(
    title="Les correctifs de sécurité arrivent trop tard",
    summary="Noé Vasseur décrit le délai moyen entre la découverte d'une faille et son correctif chez les fabricants d'objets connectés.",
    source=PODCAST,
    start_s=3600.0,
    end_s=4210.0,
    key_points=("Six mois en moyenne avant un correctif.", "Des appareils jamais mis à jour après la vente."),
    quotes=(Q_PATCH,),
)
SECTION_SCREEN = Section(
    title="La télévision se met aux sous-titres automatiques",
    summary="L'émission teste un outil de sous-titrage automatique et relève ses erreurs sur les noms propres.",
    source=TV,
    start_s=95.0,
    end_s=None,
    key_points=(),
    quotes=(),
)


def one_episode(style: str = "cybernetica", *, extractive: bool = False) -> Edition:
    """One show, two topics, an epigraph."""
    return Edition(
        style=style,
        title="La proximité, nouvel atout du cloud",
        intro=(
            "Cette semaine, j'ai écouté un dirigeant qui a tout déménagé en un week-end. Son histoire dit "
            "beaucoup de notre dépendance aux grands fournisseurs."
        ),
        announcement="Voici deux idées pour cette semaine.",
        sections=(SECTION_HOSTING, SECTION_ENERGY),
        closing="Dites-moi ce que vous en pensez en répondant à ce message.",
        sources=(RADIO,),
        epigraph=Q_SERVERS,
        extractive=extractive,
        date=dt.date(2026, 3, 4),
    )


def three_episodes(style: str = "cybernetica", *, extractive: bool = True) -> Edition:
    """Three shows (one without date, URL or guests), four topics."""
    return Edition(
        style=style,
        title="Trois émissions, une même question : qui tient les clés ?",
        intro="Trois émissions cette semaine, trois angles sur la même inquiétude.",
        announcement="Voici quatre idées pour cette semaine.",
        sections=(SECTION_HOSTING, SECTION_PATCH, SECTION_ENERGY, SECTION_SCREEN),
        closing="Le mois prochain, nous reviendrons sur les correctifs.",
        sources=(RADIO, PODCAST, TV),
        epigraph=Q_PATCH,
        extractive=extractive,
        date=dt.date(2026, 3, 4),
    )


def provenance(backend: str = "openai", model: str | None = "modele-test") -> Provenance:
    """A provenance with every field filled."""
    return Provenance(
        backend=backend,
        model=model,
        prompts=(PromptUse("summarise_segment", 1, "h" * 16), PromptUse("compose_edition", 2, "k" * 16)),
        usage=Usage(input=12000, output=1800, cached=4000, calls=7, estimated=False),
        cost_estimate=0.0031,
        timings={"ingest": 0.12, "segment": 1.5, "summarise": 20.25, "render": 0.05},
        rejected_quotes=(
            RejectedQuote("Une phrase jamais prononcée.", "absente de la transcription", 2, "a" * 64),
        ),
        warnings=("segment 4 : résumé impossible (réponse tronquée)",),
    )


def with_text(edition: Edition, payload: str) -> Edition:
    """Every text field of the edition (and its sources, quotes) replaced by or stuffed with payload."""

    def src(s: Source) -> Source:
        return replace(
            s,
            path=f"/inbox/{payload}.txt",
            show=payload,
            host=payload,
            guests=(Guest(payload, payload),),
            source_url=payload if ":" in payload else s.source_url,
        )

    def quote(q: Quote) -> Quote:
        return replace(q, text=payload, speaker=payload)

    sections = tuple(
        replace(
            s,
            title=payload,
            summary=f"{payload}\n\n{payload}",
            source=src(s.source),
            key_points=(payload, payload),
            quotes=tuple(quote(q) for q in s.quotes) or (quote(Q_SERVERS),),
            warnings=(payload,),
        )
        for s in edition.sections
    )
    return replace(
        edition,
        title=payload,
        intro=payload,
        announcement=payload,
        closing=payload,
        sections=sections,
        sources=tuple(src(s) for s in edition.sources),
        epigraph=quote(edition.epigraph) if edition.epigraph else None,
    )
