"""Episode -> Episode: noise inside the speech removed, fragments reflowed into sentences, names repaired."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from generator.i18n import _
from generator.model import Episode, Utterance
from generator.transcript.clauses import MAX_WORDS as CLAUSE_MAX_WORDS
from generator.transcript.clauses import MIN_WORDS as CLAUSE_MIN_WORDS
from generator.transcript.clauses import cut_points
from generator.transcript.fragments import count_words
from generator.transcript.names import NameRepairer

# Sound annotations of caption files: "[Musique]", "(rires)", "♪".
_SOUND_WORDS = (
    "musique|music|rires?|laughter|applaudissements|applause|inaudible|silence|bruits?|noise|"
    "générique|jingle|toux|soupirs?|brouhaha|diaporama"
)
_ANNOTATION = re.compile(rf"\[[^\]\n]{{1,40}}\]|\((?:{_SOUND_WORDS})[^)]{{0,20}}\)|[♪♫]+", re.IGNORECASE)

_PUNCT = re.compile(r"[.,;:!?…]")
_END = re.compile(r"[.!?…]+[\"»”’')\]]*$")
_ABBREVIATIONS = {
    "m.",
    "mm.",
    "mme.",
    "mmes.",
    "mlle.",
    "dr.",
    "pr.",
    "me.",
    "st.",
    "ste.",
    "cf.",
    "p.",
    "pp.",
    "av.",
    "apr.",
    "env.",
    "vs.",
    "n°.",
    "no.",
    "art.",
    "chap.",
    "éd.",
    "coll.",
    "inc.",
    "ltd.",
    "corp.",
}
_INITIAL = re.compile(r"^[«\"(]?[A-ZÀ-Þ]\.(?:-[A-ZÀ-Þ]\.)?$")
_OPENS = re.compile(r"^[«\"“(\-–—]*\s*[A-ZÀ-Þ0-9]")

# Captions without punctuation would make one endless sentence: cut at the next caption boundary.
MAX_SENTENCE_WORDS = 60
# Unpunctuated speech (automatic captions) is cut into pseudo-sentences: at a pause once a few words are
# said, before the caption that would pass UNPUNCTUATED_WORDS, between two words past UNPUNCTUATED_HARD.
UNPUNCTUATED_WORDS = 25
UNPUNCTUATED_HARD = 40
PAUSE_MIN_WORDS = 4
PAUSE_S = 0.8
# Fragments of at most this many words (median): captions timed word by word.
WORD_LEVEL_WORDS = 2
# Fewer sentence ends than one per this many words: the speech is unpunctuated.
PUNCTUATED_EVERY = 40


@dataclass
class _Word:
    text: str
    fragment: int


def remove_annotations(text: str) -> str:
    """Caption text without sound annotations, whitespace collapsed."""
    return " ".join(_ANNOTATION.sub(" ", text).split())


def _ends_sentence(word: str, next_word: str) -> bool:
    if not _END.search(word):
        return False
    if word.lower() in _ABBREVIATIONS or _INITIAL.match(word):
        return False
    return bool(_OPENS.match(next_word))


def reflow(fragments: tuple[Utterance, ...]) -> tuple[Utterance, ...]:
    """Caption fragments -> sentences; each keeps the timestamp and speaker of its first word.

    Words are never dropped, duplicated or reordered: joining the sentences with single spaces gives
    back the fragments joined with single spaces.
    """
    words: list[_Word] = []
    for k, frag in enumerate(fragments):
        words.extend(_Word(w, k) for w in frag.text.split())
    sentences: list[Utterance] = []
    current: list[_Word] = []
    opens_fragment = False  # the current sentence starts with its fragment's first word

    def flush() -> None:
        if not current:
            return
        first = fragments[current[0].fragment]
        sentences.append(
            Utterance(
                text=" ".join(w.text for w in current),
                start_s=first.start_s,
                end_s=fragments[current[-1].fragment].end_s,
                speaker=first.speaker,
                new_speaker=first.new_speaker and opens_fragment,
                heading=first.heading if opens_fragment else None,
                set_apart=first.set_apart,
            )
        )
        current.clear()

    bare = _unpunctuated(words)
    # Word-timed captions are rebuilt into clauses; caption lines of several words keep their edges
    # (a sentence then starts where a time is known, as topic segmentation expects).
    by_clause = bare and _word_level(fragments)
    cuts = _clause_cuts(words, fragments) if by_clause else set()
    previous_fragment = -1
    for position, word in enumerate(words):
        at_boundary = word.fragment != previous_fragment
        if current:
            frag = fragments[word.fragment]
            turn = at_boundary and (
                frag.new_speaker or frag.speaker != fragments[previous_fragment].speaker or bool(frag.heading)
            )
            too_long = at_boundary and len(current) >= MAX_SENTENCE_WORDS
            if by_clause:
                too_long = position in cuts
            elif bare or (at_boundary and _bare_stretch(current)):
                too_long = too_long or _cut_bare(current, at_boundary, fragments[previous_fragment], frag)
            if turn or too_long or _ends_sentence(current[-1].text, word.text):
                flush()
        if not current:
            opens_fragment = at_boundary
        current.append(word)
        previous_fragment = word.fragment
    flush()
    # A sentence ends where the next one starts when captions carry no end time.
    out = []
    for k, s in enumerate(sentences):
        if s.end_s is None and k + 1 < len(sentences) and sentences[k + 1].start_s is not None:
            s = replace(s, end_s=max(sentences[k + 1].start_s, s.start_s or 0.0))
        out.append(s)
    return tuple(out)


def _word_level(fragments: tuple[Utterance, ...]) -> bool:
    """Captions that time each word (automatic captions, word-level exports): one word a fragment."""
    sizes = sorted(len(f.text.split()) for f in fragments)
    return bool(sizes) and sizes[len(sizes) // 2] <= WORD_LEVEL_WORDS


def _clause_cuts(words: list[_Word], fragments: tuple[Utterance, ...]) -> set[int]:
    """Where unpunctuated speech starts its pseudo-sentences: pauses between captions and clause cues."""
    gaps: list[float | None] = []
    for k, word in enumerate(words):
        gap = None
        if k and word.fragment != words[k - 1].fragment:
            before, frag = fragments[words[k - 1].fragment], fragments[word.fragment]
            gap = 0.0
            if before.end_s is not None and frag.start_s is not None:
                gap = max(0.0, frag.start_s - before.end_s)
        gaps.append(gap)
    return cut_points([w.text for w in words], gaps)


def _unpunctuated(words: list[_Word]) -> bool:
    """Speech with (almost) no sentence ends: automatic captions, long stretches of scraped pages."""
    ends = sum(1 for w in words if _END.search(w.text))
    return len(words) >= UNPUNCTUATED_WORDS and ends * PUNCTUATED_EVERY < len(words)


def _bare_stretch(current: list[_Word]) -> bool:
    """The sentence's last UNPUNCTUATED_WORDS words carry no punctuation at all (a stretch of a scraped page)."""
    if len(current) < UNPUNCTUATED_WORDS:
        return False
    return not any(_PUNCT.search(w.text) for w in current[-UNPUNCTUATED_WORDS:])


def _cut_bare(current: list[_Word], at_boundary: bool, previous: Utterance, frag: Utterance) -> bool:
    """Where unpunctuated speech ends a pseudo-sentence: a pause, the cap, or the hard cap inside a caption."""
    if len(current) >= UNPUNCTUATED_HARD:
        return True
    if not at_boundary:
        return False
    paused = (
        previous.end_s is not None and frag.start_s is not None and frag.start_s - previous.end_s >= PAUSE_S
    )
    # Cut before the caption that would take the sentence past the cap, once it holds a few words.
    overflow = (
        len(current) + len(frag.text.split()) > UNPUNCTUATED_WORDS and len(current) >= PAUSE_MIN_WORDS * 2
    )
    return overflow or len(current) >= UNPUNCTUATED_WORDS or (paused and len(current) >= PAUSE_MIN_WORDS)


def _lower_case(sentences: tuple[Utterance, ...]) -> bool:
    """Speech written all in lower case (automatic captions): names have lost their capitals too."""
    words = [w for s in sentences for w in s.text.split() if w[:1].isalpha()]
    return len(words) >= UNPUNCTUATED_WORDS and sum(w[:1].isupper() for w in words) * 100 < len(words)


def _written_names(episode: Episode) -> tuple[str, ...]:
    """The names a written source spells: a name only heard on air repairs nothing (it is kept as heard)."""
    origins = dict(episode.origins)
    names = [] if origins.get("host") == "speech" or not episode.host else [episode.host]
    if origins.get("guests") != "speech":
        names += [g.name for g in episode.guests]
    return tuple(names)


def clean(episode: Episode) -> Episode:
    """Remove annotations and empty fragments, reflow into sentences, repair the guests' names."""
    if episode.cleaned:
        return episode
    kept: list[Utterance] = []
    noise = 0
    noise_words = Counter(dict(episode.noise_words))
    for u in episode.utterances:
        text = remove_annotations(u.text)
        noise_words["sound annotation"] += count_words(u.text) - count_words(text)
        if not count_words(text):  # "2026 ?" is speech; "..." or "♪" is not
            noise_words["no words"] += count_words(text)
            noise += 1
            continue
        kept.append(replace(u, text=text) if text != u.text else u)
    sentences = reflow(tuple(kept))
    warnings = episode.warnings
    if _unpunctuated([_Word(w, 0) for u in kept for w in u.text.split()]):
        warnings += (
            _(
                "parole sans ponctuation : phrases refaites aux pauses et aux articulations ({min} à {max} mots)",
                min=CLAUSE_MIN_WORDS,
                max=CLAUSE_MAX_WORDS,
            )
            if _word_level(tuple(kept))
            else _(
                "parole sans ponctuation : phrases coupées aux pauses et environ tous les {n} mots",
                n=UNPUNCTUATED_WORDS,
            ),
        )
    repairer = NameRepairer(_written_names(episode), any_case=_lower_case(sentences))
    sentences = tuple(
        replace(s, text=fixed) if (fixed := repairer.repair(s.text)) != s.text else s for s in sentences
    )
    return replace(
        episode,
        utterances=sentences,
        noise_removed=episode.noise_removed + noise,
        warnings=warnings,
        noise_words=tuple(sorted((k, v) for k, v in noise_words.items() if v)),
        name_fixes=repairer.fixes(),
        cleaned=True,
    )
