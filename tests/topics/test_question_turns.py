"""Issue 22 (recall): in a transcript labelled by speaker, the host's question after a long answer is a mark.

Our own invented interview (never text from ../shared): a host asks, a guest answers for a minute or
more; the host's next question is where a reader sees the interview move on, like a bold question on
a page. A follow-up after a short reply, or a remark without a question, is no such mark.
"""

from __future__ import annotations

import numpy as np
from segment_fixtures import SubjectEmbedder

from generator.model import Episode, Utterance
from generator.topics import evidence
from generator.topics.segmenter import WORDS_PER_SECOND, segment

HOST, GUEST = "Camille", "Invité"

# Three subjects, each with its own words (the fake embedder below knows them).
SUBJECTS = {
    "apiculture": ("ruches", "abeilles", "miel", "essaims", "cadres", "apiculteurs"),
    "navigation": ("voiliers", "régates", "équipages", "safran", "spinnaker", "skippers"),
    "céramique": ("poteries", "émaux", "tourneurs", "argile", "cuissons", "ateliers"),
}
_ANSWER = (
    "Les {a} demandent beaucoup de patience, et les {b} encore davantage au fil des saisons.",
    "Quand on regarde les {a} de près, on comprend pourquoi les {b} comptent autant pour nous.",
    "Il faut parler des {a}, parce que les {b} changent tout dans notre manière de travailler.",
)


def _embedder() -> SubjectEmbedder:
    """One direction per subject, a neutral one for sentences that name none (plus a little noise)."""
    return SubjectEmbedder(SUBJECTS, dim=8, seed=3, name="question-turns-fake")


def _turn(speaker: str, sentences: list[str], t: float) -> tuple[list[Utterance], float]:
    utts = []
    for text in sentences:
        dur = len(text.split()) / WORDS_PER_SECOND
        utts.append(Utterance(text, t, t + dur, speaker=speaker))
        t += dur
    return utts, t + 0.8


def _answer(subject: str, seconds: float, k: int = 0) -> list[str]:
    words, out, said = SUBJECTS[subject], [], 0.0
    while said < seconds:
        text = _ANSWER[k % 3].format(a=words[k % 6], b=words[(k + 2) % 6])
        out.append(text)
        said, k = said + len(text.split()) / WORDS_PER_SECOND, k + 1
    return out


def _interview() -> tuple[Episode, list[int]]:
    """Three subjects of six minutes: long answers, a follow-up question on the same subject after
    each, and at each change a host turn that thanks for the last subject, then asks about the next."""
    utts: list[Utterance] = []
    opens: list[int] = []
    t = 0.0
    names = list(SUBJECTS.values())
    for s, subject in enumerate(SUBJECTS):
        word = SUBJECTS[subject][0]
        lead = [
            f"Merci pour tout ce que vous nous apprenez sur les {names[s - 1][5]} et les {names[s - 1][4]}.",
            f"Et les {word}, comment tout cela a-t-il commencé ?",
        ]
        if s:
            opens.append(len(utts))
        turn, t = _turn(HOST, lead if s else [f"Bonjour, parlons des {word} ?"], t)
        utts += turn
        for k in range(4):  # four answers of 75-80 s, each followed by a question on the same subject
            turn, t = _turn(GUEST, _answer(subject, 75.0, 3 * k), t)
            utts += turn
            if k < 3:
                turn, t = _turn(HOST, [f"Et pour les {SUBJECTS[subject][k + 1]}, est-ce pareil ?"], t)
                utts += turn
    ep = Episode(
        path="x.txt", sha256="5" * 64, format="turns", encoding="utf-8", utterances=tuple(utts), cleaned=True
    )
    return ep, opens


def test_a_question_after_a_minute_long_answer_by_another_speaker_is_a_question_turn():
    texts = [
        "Bonjour, de quoi parle-t-on aujourd'hui ?",  # 0: the show's first question: no answer before
        "Des ruches et des abeilles, longuement.",  # 1-2: the guest holds the floor 70 s
        "Et encore des abeilles.",
        "Et le miel ?",  # 3: host turn after the long answer, with a question: a mark
        "Oui.",  # 4: a short reply (5 s)
        "Vraiment ?",  # 5: a follow-up after a short reply: no mark
        "Le miel, c'est toute une histoire que je raconte longtemps.",  # 6: the guest again, 65 s
        "Je vois.",  # 7: host remark after a long answer, but no question: no mark
    ]
    times = np.array([0.0, 5.0, 40.0, 75.0, 80.0, 85.0, 90.0, 155.0])
    speakers = [HOST, GUEST, GUEST, HOST, GUEST, HOST, GUEST, HOST]
    assert evidence.question_turns(texts, times, speakers) == [3]
    # The whole turn counts: the question may come after a remark; the mark is at the turn's start.
    turn = ["Merci.", "Et le miel ?"]
    both = evidence.question_turns(
        texts[:3] + turn, np.array([0.0, 5.0, 40.0, 75.0, 77.0]), speakers[:3] + [HOST] * 2
    )
    assert both == [3]
    # Text without speakers gives nothing: the turns are unknown.
    assert evidence.question_turns(texts, times, [None] * len(texts)) == []


def test_the_host_question_after_a_long_answer_places_the_boundary_at_the_turn():
    episode, opens = _interview()
    starts = [s.first for s in segment(episode, embedder=_embedder())]
    # Each change starts at the host's turn (its thanks included), not at the first words of the new
    # subject one sentence later, where the content alone puts it; the follow-ups make no boundary.
    assert starts[1:] == opens
    without = [s.first for s in segment(episode, embedder=_embedder(), use_cues=False)]
    assert without[1:] != opens
