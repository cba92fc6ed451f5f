"""Quote verification: a proposed quote becomes the exact span of the cleaned transcript, or is refused."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from generator.model import Episode, Quote, RejectedQuote, Segment, Utterance
from generator.transcript import apply_fixes, is_voice_label
from generator.writing.tidy import addresses_model

FUZZY_THRESHOLD = 90.0  # rapidfuzz scores are 0-100: 90 means similarity >= 0.9
MIN_WORDS = 6  # shorter "quotes" carry no idea worth publishing
MAX_WORDS = 80

# Reasons recorded in draft.json and shown to the reviewer (French: the reviewer reads French).
REASON_EMPTY = "citation vide"
REASON_SHORT = "citation trop courte (moins de {n} mots)"
REASON_LONG = "citation trop longue (plus de {n} mots)"
REASON_NOT_FOUND = "introuvable dans la transcription (meilleure ressemblance {score:.0f} %)"
REASON_INJECTION = "ligne adressée à un modèle de langage : jamais citée"
REASON_FIGURES = "chiffres différents de la transcription ({proposed} au lieu de {said})"

_CLOSING_PUNCT = re.compile(r"[ \u00a0\u202f]?[?!.…]+")
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")


def _fold(ch: str) -> str:
    """Lower-case one character; every non-alphanumeric character becomes a separator."""
    low = ch.lower()
    return low if low.isalnum() else " "


@dataclass(frozen=True)
class NormText:
    """A text, its normalised form, and the map from each normalised char to its original offset."""

    original: str
    norm: str
    index: tuple[int, ...]  # norm[i] comes from original[index[i]]

    @classmethod
    def build(cls, original: str) -> NormText:
        """Lower-case, punctuation/quotes/apostrophes to one space, whitespace collapsed, ends stripped."""
        out: list[str] = []
        index: list[int] = []
        for pos, ch in enumerate(original):
            # NFKC turns ligature-like and width variants into plain letters; keep the 1:1 index by
            # emitting each produced char with the same origin offset.
            for folded in unicodedata.normalize("NFKC", ch):
                c = _fold(folded)
                if c == " ":
                    if out and out[-1] != " ":
                        out.append(" ")
                        index.append(pos)
                else:
                    out.append(c)
                    index.append(pos)
        if out and out[-1] == " ":
            out.pop()
            index.pop()
        return cls(original, "".join(out), tuple(index))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [a, b) covering normalised [start, end)."""
        return self.index[start], self.index[end - 1] + 1


def normalise(text: str) -> str:
    """The comparison form of a text (see NormText.build)."""
    return NormText.build(text).norm


@dataclass(frozen=True)
class Speech:
    """The cleaned speech of some utterances joined by one space, with each utterance's offset."""

    text: NormText
    starts: tuple[int, ...]  # offset in text.original where each utterance begins
    utterances: tuple[int, ...]  # episode index of each utterance

    @classmethod
    def of(cls, utterances: Sequence[Utterance], first: int = 0) -> Speech:
        parts: list[str] = []
        starts: list[int] = []
        pos = 0
        for u in utterances:
            text = u.text.strip()
            starts.append(pos)
            parts.append(text)
            pos += len(text) + 1
        return cls(
            NormText.build(" ".join(parts)), tuple(starts), tuple(range(first, first + len(utterances)))
        )

    def locate(self, offset: int) -> tuple[int, int]:
        """(episode utterance index, offset inside that utterance) of an original offset."""
        k = bisect.bisect_right(self.starts, offset) - 1
        return self.utterances[k], offset - self.starts[k]


def _word_bounded(norm: str, start: int, end: int) -> bool:
    return (start == 0 or norm[start - 1] == " ") and (end == len(norm) or norm[end] == " ")


def _exact(needle: str, hay: str) -> tuple[int, int] | None:
    start = hay.find(needle)
    while start != -1:
        if _word_bounded(hay, start, start + len(needle)):
            return start, start + len(needle)
        start = hay.find(needle, start + 1)
    return None


def _word_starts(norm: str) -> list[int]:
    return [m.start() for m in re.finditer(r"(?:(?<= )|^)\S", norm)]


def _fuzzy(needle: str, hay: str) -> tuple[int, int, float] | None:
    """Best word-aligned span of `hay` similar to `needle`, with its score (0-100)."""
    if not needle or not hay:
        return None
    align = fuzz.partial_ratio_alignment(needle, hay)
    if align is None:
        return None
    starts = _word_starts(hay)
    ends = [s - 1 for s in starts[1:]] + [len(hay)]
    # partial_ratio compares windows of the needle's length: when the model dropped or added words the
    # best window is off by a word or two, so search word boundaries around it for the best full ratio.
    i0 = max(0, bisect.bisect_right(starts, align.dest_start) - 1)
    j0 = min(len(ends) - 1, bisect.bisect_left(ends, align.dest_end))
    best: tuple[int, int, float] | None = None
    for i in range(max(0, i0 - 3), min(len(starts), i0 + 4)):
        for j in range(max(i, j0 - 3), min(len(ends), j0 + 4)):
            score = fuzz.ratio(needle, hay[starts[i] : ends[j]])
            if best is None or score > best[2]:
                best = (starts[i], ends[j], score)
    return best


class Verifier:
    """Verifies quotes against one episode; builds its normalised speech once."""

    def __init__(self, episode: Episode, *, word_times: dict[int, tuple[float, ...]] | None = None) -> None:
        self.episode = episode
        self.word_times = word_times or {}
        self._whole = Speech.of(episode.utterances)
        self._segments: dict[tuple[int, int], Speech] = {}
        self._known = episode.known_names

    def speech(self, segment: Segment | None) -> Speech:
        if segment is None:
            return self._whole
        key = (segment.first, segment.last)
        if key not in self._segments:
            self._segments[key] = Speech.of(
                self.episode.utterances[segment.first : segment.last], segment.first
            )
        return self._segments[key]

    def verify(self, text: str, segment: Segment | None = None) -> Quote | RejectedQuote:
        """The exact transcript span for `text` (segment first, then the whole episode), or a refusal.

        A line written to a language model ("ignore les instructions...") is never quoted.
        """
        result = self._verify(text, segment)
        if isinstance(result, Quote) and (addresses_model(result.text) or addresses_model(text or "")):
            seg = segment.index if segment is not None else -1
            return RejectedQuote(
                text=text or "", reason=REASON_INJECTION, segment=seg, episode=self.episode.path
            )
        return result

    def _verify(self, text: str, segment: Segment | None = None) -> Quote | RejectedQuote:
        seg_index = segment.index if segment is not None else -1
        # A proposal written with a misheard name ("Tarek Reem") must match the repaired transcript.
        needle_text = NormText.build(apply_fixes(text or "", self.episode.name_fixes))
        needle = needle_text.norm
        words = len(needle.split())

        def reject(reason: str) -> RejectedQuote:
            return RejectedQuote(text=text or "", reason=reason, segment=seg_index, episode=self.episode.path)

        if not needle:
            return reject(REASON_EMPTY)
        if words < MIN_WORDS:
            return reject(REASON_SHORT.format(n=MIN_WORDS))
        if words > MAX_WORDS:
            return reject(REASON_LONG.format(n=MAX_WORDS))

        scopes = [self.speech(segment)] if segment is not None else []
        scopes.append(self._whole)
        for speech in scopes:
            found = _exact(needle, speech.text.norm)
            if found:
                return self._quote(speech, *found, text, "exact", 100.0)
        best_score = 0.0
        for speech in scopes:
            found = _fuzzy(needle, speech.text.norm)
            if found:
                start, end, score = found
                best_score = max(best_score, score)
                if score >= FUZZY_THRESHOLD:
                    # A near miss may fix wording, never a number: "900" for "90" is a misquote.
                    proposed, said = _DIGITS.findall(needle), _DIGITS.findall(speech.text.norm[start:end])
                    if proposed != said:
                        return reject(
                            REASON_FIGURES.format(
                                proposed=" ".join(proposed) or "aucun", said=" ".join(said) or "aucun"
                            )
                        )
                    return self._quote(speech, start, end, text, "fuzzy", score)
        return reject(REASON_NOT_FOUND.format(score=best_score))

    def _quote(self, speech: Speech, start: int, end: int, proposed: str, match: str, score: float) -> Quote:
        a, b = speech.text.span(start, end)
        original = speech.text.original
        # A figure's unit is part of it ("22 %"): normalisation drops the sign, the quote keeps it.
        unit = re.match(r"[ \u00a0\u202f]?%", original[b:])
        if unit:
            b += unit.end()
        # Keep the transcript's closing ? ! . when the proposal ended with one: it belongs to the words.
        if proposed.rstrip()[-1:] in "?!.…":
            tail = _CLOSING_PUNCT.match(original, b)
            if tail:
                b = tail.end()
        utt, offset = speech.locate(a)
        return Quote(
            text=original[a:b],
            start_s=self._start_of(utt, offset),
            speaker=self.speaker_of(utt),
            verified=True,
            utterance=utt,
            match=match,
            score=round(score / 100.0, 3),
        )

    def _start_of(self, utt: int, offset: int) -> float | None:
        """Time of the word at `offset` in utterance `utt`: its caption line when known, else the sentence's."""
        u = self.episode.utterances[utt]
        times = self.word_times.get(utt)
        if times:
            n = len(_WORD.findall(u.text[:offset]))
            if n < len(times):
                return times[n]
        return u.start_s

    def speaker_of(self, utt: int) -> str | None:
        """A labelled speaker, or the one person a preceding question addresses by name; else None."""
        utterances = self.episode.utterances
        if utterances[utt].speaker:
            # "Speaker 1" of a diarised export is a voice, not a name: never published as one.
            return None if is_voice_label(utterances[utt].speaker) else utterances[utt].speaker
        if any(u.speaker for u in utterances):
            return None  # a labelled transcript: an unlabelled line is unknown, not inferred
        # An unambiguous introduction: the nearest question before this line (at most two sentences
        # back, no other question in between) names exactly one known guest, and the quoted line
        # neither is a question itself nor names that guest (then someone else speaks about them).
        own = utterances[utt].text
        if own.rstrip().endswith("?"):
            return None
        for back in (1, 2):
            k = utt - back
            if k < 0:
                return None
            text = utterances[k].text
            if text.rstrip().endswith("?"):
                named = names_in(text, self._known)
                named.discard(self.episode.host or "")
                if len(named) == 1:
                    name = named.pop()
                    return None if names_in(own, [name]) else name
                return None
        return None


def names_in(text: str, known: Sequence[str]) -> set[str]:
    """Known people a text names: by full name, or by a first name that only one of them has."""
    norm = " " + normalise(text) + " "
    firsts: dict[str, list[str]] = {}
    for name in known:
        parts = normalise(name).split()
        if parts:
            firsts.setdefault(parts[0], []).append(name)
    found = set()
    for name in known:
        parts = normalise(name).split()
        if not parts:
            continue
        if f" {' '.join(parts)} " in norm or (len(firsts[parts[0]]) == 1 and f" {parts[0]} " in norm):
            found.add(name)
    return found


def verify_quote(text: str, episode: Episode, segment: Segment | None = None) -> Quote | RejectedQuote:
    """One-off verification (build a Verifier to check many quotes of the same episode)."""
    return Verifier(episode).verify(text, segment)


_RESYNC_WINDOW = 40  # cleaned words tried as resynchronisation points after a difference
_RESYNC_RUN = 3  # words that must agree for a resynchronisation to count


def _align_times(
    clean_words: Sequence[str], raw_words: Sequence[str], raw_times: Sequence[float | None]
) -> list[float | None]:
    """Time of each cleaned word, walking both word streams in step.

    Cleaning changes few words (repaired names, removed sound tags and noise, mojibake), so the
    streams agree almost everywhere: walk them together and, at a difference, resynchronise on the
    nearest run of agreeing words, found through an index of the raw stream's word runs. Linear in
    the episode length, where a global diff is not.
    """
    index: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(raw_words) - _RESYNC_RUN + 1):
        index.setdefault(tuple(raw_words[j : j + _RESYNC_RUN]), []).append(j)
    times: list[float | None] = [None] * len(clean_words)
    a = b = 0
    while a < len(clean_words) and b < len(raw_words):
        if clean_words[a] == raw_words[b]:
            times[a] = raw_times[b]
            a += 1
            b += 1
            continue
        best: tuple[int, int] | None = None
        for da in range(min(_RESYNC_WINDOW, len(clean_words) - a)):
            if best is not None and da >= best[0] + best[1]:
                break
            positions = index.get(tuple(clean_words[a + da : a + da + _RESYNC_RUN]), ())
            k = bisect.bisect_left(positions, b)
            if k < len(positions) and (best is None or da + positions[k] - b < best[0] + best[1]):
                best = (da, positions[k] - b)
        if best is None:  # nothing agrees ahead: these words stay untimed
            a += _RESYNC_WINDOW
            continue
        a, b = a + best[0], b + best[1]
    return times


def word_times(raw: Episode, cleaned: Episode) -> dict[int, tuple[float, ...]]:
    """For each cleaned sentence, the time of each of its words, from the raw caption lines.

    Cleaning reflows caption lines into sentences that keep the time of their first word; a quote that
    starts mid-sentence would then inherit a time several seconds early. Aligning the words of both
    streams gives every word the time of the caption line that held it.
    """
    raw_words: list[str] = []
    raw_times: list[float | None] = []
    for u in raw.utterances:
        for w in _WORD.findall(u.text.lower()):
            raw_words.append(w)
            raw_times.append(u.start_s)
    clean_words: list[str] = []
    owner: list[tuple[int, int]] = []
    for i, u in enumerate(cleaned.utterances):
        for k, w in enumerate(_WORD.findall(u.text.lower())):
            clean_words.append(w)
            owner.append((i, k))
    times = _align_times(clean_words, raw_words, raw_times)
    result: dict[int, list[float]] = {}
    for n, (i, _k) in enumerate(owner):
        start = cleaned.utterances[i].start_s
        t = times[n]
        previous = result.get(i)
        if t is None or (start is not None and t < start):
            # Unmatched words (repaired names, mojibake) take the time of the word before them.
            t = previous[-1] if previous else start
        if t is None:
            continue
        result.setdefault(i, []).append(t)
    return {
        i: tuple(ts) for i, ts in result.items() if len(ts) == len(_WORD.findall(cleaned.utterances[i].text))
    }
