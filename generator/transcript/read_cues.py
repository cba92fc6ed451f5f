"""SRT and WebVTT: cue blocks with a timing line, `<v Speaker>` voices, NOTE blocks, rolling captions.

Automatic captions of video sites (yt-dlp `--write-auto-subs`) are WebVTT too: each cue repeats the
previous cue's last line, then adds new words timed inline (`word<00:00:01.000><c> next</c>`).
"""

from __future__ import annotations

import html
import re

from generator.transcript.fragments import Fragment, Parsed, count_words
from generator.transcript.metadata import looks_like_description
from generator.transcript.speakers import Speakers
from generator.transcript.timestamps import CUE_TIMING, SBV_TIMING, parse_ts

_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>")
_INLINE_TS = re.compile(r"<(?P<ts>\d{1,2}:\d{2}:\d{2}\.\d{3}|\d{1,2}:\d{2}\.\d{3})>")
# A cue this short only repeats the line above it on screen (the 10 ms cues of automatic captions).
FLASH_CUE_S = 0.05
# A silence this long between cues or timed words is a pause: unpunctuated speech may end a sentence there.
PAUSE_S = 1.0
WORD_S = 0.5

Cue = tuple[int, float, float, list[str]]


def _cue_text(line: str) -> tuple[str, str | None]:
    """Strip cue markup; returns (text, speaker from a `<v Speaker>` tag)."""
    voice = _VOICE.search(line)
    speaker = voice["name"].strip() if voice else None
    text = html.unescape(_TAG.sub("", line)).replace("\u200b", "")
    return " ".join(text.split()), speaker


def _timing(line: str) -> re.Match[str] | None:
    """A cue timing line: SRT/WebVTT `start --> end`, or SBV `start,end`."""
    return CUE_TIMING.match(line) or SBV_TIMING.match(line)


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Blank-line separated blocks of (line number, line)."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            blocks[-1].append((n, line.rstrip()))
        elif line and blocks[-1] and _timing(blocks[-1][-1][1]):
            continue  # automatic captions open a cue with a line of one space: not the end of the cue
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _read_blocks(text: str, parsed: Parsed) -> list[Cue]:
    """The cues, in file order; NOTE blocks and text before the first cue may hold a description."""
    cues: list[Cue] = []
    notes: list[str] = []
    for block in _blocks(text):
        timing_at = next((k for k, (_, line) in enumerate(block) if _timing(line)), None)
        first_line = block[0][1].strip()
        if timing_at is None:
            if first_line.startswith("NOTE"):
                note = " ".join([first_line[4:].strip()] + [line.strip() for _, line in block[1:]]).strip()
                notes.append(note)
                parsed.noise_words["note"] += count_words(note)  # a comment of the file, not a caption
            elif first_line.startswith(("WEBVTT", "STYLE", "REGION")):
                continue
            else:
                # Text before the first cue: a description or page header some tools keep.
                if not cues:
                    notes.extend(line.strip() for _, line in block)
                for _, line in block:
                    parsed.drop(line, "header")
            continue
        m = _timing(block[timing_at][1])
        assert m is not None
        if SBV_TIMING.match(block[timing_at][1]):
            parsed.format = "sbv"
        payload = [line for _, line in block[timing_at + 1 :]]
        cues.append((block[timing_at][0], parse_ts(m["start"]), parse_ts(m["end"]), payload))
    descriptions = [n for n in notes if looks_like_description(n)]
    if descriptions:
        parsed.description = max(descriptions, key=len)
    return cues


def parse_cues(text: str, fmt: str) -> Parsed:
    """SRT and WebVTT: blocks of (id, timing line, payload lines); NOTE blocks may hold a description."""
    parsed = Parsed(format=fmt)
    cues = _read_blocks(text, parsed)
    if any(_INLINE_TS.search(line) for _, _, _, payload in cues for line in payload):
        parsed.format = "webvtt_auto"
        _read_auto(cues, parsed)
        return parsed
    raw_texts = [_cue_text(p)[0] for _, _, _, payload in cues for p in payload]
    speakers = Speakers(raw_texts)
    rolling = _is_rolling(cues)
    growing = _is_growing(cues)
    previous_last: str | None = None
    previous_all: list[str] = []
    previous_end: float | None = None
    for line_no, start, end, payload in cues:
        texts = [c for c in (_cue_text(p) for p in payload) if c[0]]
        shown, previous_all = previous_all, [w for t, _ in texts for w in t.split()]
        if growing and texts:
            texts = _new_words(texts, shown, parsed)
            if not texts:
                continue
        # Rolling captions repeat the previous cue's last line first: only that overlap is dropped,
        # never a sentence really said twice in two cues of an ordinary file.
        repeats = bool(texts) and previous_last is not None and texts[0][0] == previous_last
        if repeats and (
            len(texts) > 1 and rolling or len(texts) == 1 and (rolling or end - start <= FLASH_CUE_S)
        ):
            parsed.drop(texts[0][0], "rolling caption repeat")
            texts = texts[1:]
            if not texts:
                continue
        if texts:
            previous_last = texts[-1][0]
        pause = previous_end is not None and start - previous_end >= PAUSE_S
        previous_end = end
        kept = 0
        for content, voice in texts:
            if voice:
                speakers.pending = voice != speakers.current
                speakers.current = voice
            body_text, speaker, new = speakers.apply(content)
            if not count_words(body_text):
                parsed.drop(body_text, "no words")
                continue
            parsed.fragments.append(
                Fragment(body_text, start, line_no, end, speaker, new, pause_before=pause)
            )
            pause = False
            kept += 1
        if not kept:
            parsed.noise += 1
    parsed.noise_words["speaker label"] += speakers.label_words
    return parsed


def _is_growing(cues: list[Cue]) -> bool:
    """Most cues repeat the whole previous cue and add words (live captions growing word by word)."""
    grown = 0
    shown: list[str] = []
    for _, _, _, payload in cues:
        words = [w for p in payload for w in _cue_text(p)[0].split()]
        grown += bool(shown) and len(words) > len(shown) and words[: len(shown)] == shown
        shown = words
    return len(cues) >= 3 and grown >= len(cues) / 2


def _new_words(
    texts: list[tuple[str, str | None]], shown: list[str], parsed: Parsed
) -> list[tuple[str, str | None]]:
    """A growing cue without the words the previous cue already showed (they are counted as repeats)."""
    words = texts[0][0].split()
    if not shown or words[: len(shown)] != shown:
        return texts
    parsed.drop(" ".join(shown), "rolling caption repeat")
    rest = " ".join(words[len(shown) :])
    return ([(rest, texts[0][1])] if rest else []) + texts[1:]


def _is_rolling(cues: list[Cue]) -> bool:
    """Most two-line cues start with the previous cue's last line: captions rolling up the screen."""
    multi = rolled = 0
    previous_last: str | None = None
    for _, _, _, payload in cues:
        texts = [t for t in (_cue_text(p)[0] for p in payload) if t]
        if len(texts) > 1:
            multi += 1
            rolled += texts[0] == previous_last
        if texts:
            previous_last = texts[-1]
    return multi >= 2 and rolled >= multi / 2


def _timed_words(line: str, start: float) -> list[tuple[str, float]]:
    """`word<00:00:01.000><c> next</c>` -> [(word, time)]; words before the first inline time get `start`."""
    words: list[tuple[str, float]] = []
    time = start
    pos = 0
    for m in _INLINE_TS.finditer(line):
        chunk = _cue_text(line[pos : m.start()])[0]
        words.extend((w, time) for w in chunk.split())
        time = parse_ts(m["ts"])
        pos = m.end()
    words.extend((w, time) for w in _cue_text(line[pos:])[0].split())
    return words


def _read_auto(cues: list[Cue], parsed: Parsed) -> None:
    """Automatic captions: lines with inline word times are new words; a line repeating the one above is not."""
    previous: list[str] = []
    last_time: float | None = None
    turn = False
    for line_no, start, end, payload in cues:
        lines = [p for p in payload if _cue_text(p)[0]]
        texts = [_cue_text(p)[0] for p in lines]
        for k, (raw, text) in enumerate(zip(lines, texts, strict=True)):
            timed = _INLINE_TS.search(raw) is not None
            # Untimed lines are the previous cue's lines shown again, unless they were never shown.
            if not timed and (text in previous or (k + 1 < len(texts) and _INLINE_TS.search(lines[k + 1]))):
                parsed.drop(text, "rolling caption repeat")
                continue
            for word, time in _timed_words(raw, start):
                if word in (">>", "&gt;&gt;", "-"):  # a change of speaker, name unknown
                    turn = True
                    continue
                pause = last_time is not None and time - last_time >= PAUSE_S
                parsed.fragments.append(
                    Fragment(word, time, line_no, end, new_speaker=turn, pause_before=pause)
                )
                last_time, turn = time, False
        if texts:
            previous = texts
    # A word lasts until the next one starts, at most WORD_S: a longer gap is a silence (a pause).
    for frag, nxt in zip(parsed.fragments, parsed.fragments[1:], strict=False):
        start, following = frag.start_s or 0.0, nxt.start_s or 0.0
        frag.end_s = max(start, min(frag.end_s or following, following, start + WORD_S))
