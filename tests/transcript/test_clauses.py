"""Sentences rebuilt for unpunctuated captions: cuts at pauses and clause edges, never after a function word."""

from __future__ import annotations

import datetime as dt

from generator.transcript.clauses import MAX_WORDS, MIN_WORDS, at_clause_edge, cut_points
from generator.transcript.cleaning import clean
from generator.transcript.ingestion import ingest

_SAID = (
    "alors aujourd'hui on va parler du prix de l'énergie qui a beaucoup augmenté depuis deux ans "
    "parce que la demande a explosé dans toute l'Europe et les réseaux ne suivent pas "
    "mais ce qui m'intéresse surtout c'est la question des ménages qui paient leur facture à la fin du mois "
    "est-ce que vous pensez que l'État doit intervenir plus fortement sur les tarifs réglementés "
    "je pense que oui mais pas n'importe comment il faut cibler les foyers les plus modestes"
)
SPEECH = _SAID.split()


def test_cuts_fall_at_clause_edges_within_the_length_bounds():
    cuts = sorted(cut_points(SPEECH, [0.0] * len(SPEECH)))
    assert cuts, "a long unpunctuated stretch is cut"
    bounds = [0, *cuts, len(SPEECH)]
    assert all(MIN_WORDS <= b - a <= MAX_WORDS for a, b in zip(bounds, bounds[1:], strict=False))
    assert all(at_clause_edge(SPEECH[c - 1], SPEECH[c]) for c in cuts)
    assert {SPEECH[c] for c in cuts} <= {"parce", "mais", "est-ce", "je", "alors", "il"}


def test_a_long_pause_wins_over_a_clause_word():
    gaps: list[float | None] = [0.0] * len(SPEECH)
    at = SPEECH.index("ménages")  # "la question des | ménages": a silence, but after "des"
    gaps[at] = 2.0
    pause = SPEECH.index("demande")  # "parce que la | demande"
    assert at not in cut_points(SPEECH, gaps)
    gaps2: list[float | None] = [0.0] * len(SPEECH)
    fin = SPEECH.index("est-ce")
    gaps2[fin] = 1.5
    assert fin in cut_points(SPEECH, gaps2)
    assert pause not in cut_points(SPEECH, gaps2)


def test_automatic_captions_are_rebuilt_into_clauses(tmp_path):
    cues = []
    t = 1.0
    for word in SPEECH:
        gap = 1.2 if word in ("parce", "mais", "est-ce", "je") else 0.0
        t += gap
        cues.append((t, word))
        t += 0.3
    body = " ".join(f"<{_ts(s)}><c> {w}</c>" for s, w in cues[1:])
    path = tmp_path / "auto.fr.vtt"
    path.write_text(
        f"WEBVTT\nKind: captions\nLanguage: fr\n\n{_ts(1.0)} --> {_ts(t)}\n{cues[0][1]}{body}\n",
        encoding="utf-8",
    )
    ep = clean(ingest(path, today=dt.date(2026, 12, 1)))
    firsts = [u.text.split()[0] for u in ep.utterances]
    assert firsts == ["alors", "parce", "mais", "est-ce", "je"]
    assert all(u.text.split()[-1] not in ("de", "la", "des", "que", "le") for u in ep.utterances)


def _ts(s: float) -> str:
    return f"00:{int(s // 60):02d}:{s % 60:06.3f}"
