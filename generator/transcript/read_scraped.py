"""Scraped web pages: header lines, timestamped caption lines (glued, bracketed, ranges, stacked), footer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.model import Chapter
from generator.transcript.fragments import Fragment, Parsed, count_words
from generator.transcript.metadata import is_name_like, looks_like_description
from generator.transcript.noise import has_speech, has_words, is_chrome, is_footer
from generator.transcript.speakers import Speakers, is_single_name
from generator.transcript.timestamps import BRACKET, GLUED, RANGE, line_styles, parse_ts

# A chapter title is short and has no sentence punctuation inside it.
CHAPTER_TITLE_WORDS = 10


@dataclass(frozen=True)
class _Page:
    """The page's lines, each line's timestamp match, and how timestamps and words sit together."""

    lines: list[str]
    matches: list[re.Match[str] | None]
    style: str  # "glued", "bracket" or "range"
    opens: bool  # a timestamp line opens a fragment that the next lines fill


def parse_scraped(text: str) -> Parsed:
    """The scraped-page format: header lines, timestamped caption lines, page footer."""
    page = _scan(text.splitlines())
    parsed = Parsed(format="scraped")
    first = _first_speech(page)
    first = _after_chapter_list(page, first, parsed)
    _read_header(page.lines[:first], parsed)
    end, last_speech = _speech_end(page, first)
    for line in page.lines[last_speech + 1 :]:
        if line.strip():
            parsed.drop(line, "footer")
    parsed.end_s = _closing_time(page, last_speech, end)
    _read_body(page, range(first, last_speech + 1), parsed)
    empty = [f for f in parsed.fragments if not f.text]
    parsed.noise += len(empty)
    parsed.fragments = [f for f in parsed.fragments if f.text]
    return parsed


def _scan(lines: list[str]) -> _Page:
    """The page's most used timestamp style, and every line matched against it."""
    styles = line_styles(lines)
    style = max(("glued", "bracket", "range"), key=lambda s: styles[s])
    pattern = {"glued": GLUED, "bracket": BRACKET, "range": RANGE}[style]
    matches: list[re.Match[str] | None] = [pattern.match(line.strip()) for line in lines]
    # "Stacked" pages (a copied YouTube transcript): each timestamp alone on its line, the words below.
    stacked = style != "range" and _is_stacked(lines, matches)
    return _Page(lines, matches, style, opens=style == "range" or stacked)


def _first_speech(page: _Page) -> int:
    """The first timestamp line with words on it (or below it, when timestamp lines open fragments)."""
    lines, matches = page.lines, page.matches
    first = next(
        (
            i
            for i, m in enumerate(matches)
            if m and (has_words(m["text"] or "") or (page.opens and _words_follow(lines, matches, i)))
        ),
        None,
    )
    if first is None:
        first = next((i for i, m in enumerate(matches) if m), len(lines))
    return first


def _after_chapter_list(page: _Page, first: int, parsed: Parsed) -> int:
    """A description's chapter list (`00:00 Intro`, `02:10 Le budget`) copied above the speech is header.

    It shows as short timestamped lines in order, then a jump back in time where the speech starts.
    """
    chapters: list[Chapter] = []
    between = False  # page lines (chrome, "Transcription") between the list and the speech
    for i in range(first, len(page.lines)):
        m = page.matches[i]
        if m is None:
            between = between or bool(page.lines[i].strip())
            continue
        start, title = parse_ts(m["ts"]), (m["text"] or "").strip()
        if chapters and start < chapters[-1].start_s:
            if len(chapters) >= 2 and start < chapters[1].start_s:
                parsed.chapters = chapters
                return i
            return first
        if between:
            return first
        # Video sites make the chapter list start at 00:00; a title is short, without sentence punctuation.
        if not title or len(title.split()) > CHAPTER_TITLE_WORDS or has_sentence_end(title):
            return first
        if not chapters and start != 0:
            return first
        chapters.append(Chapter(title=title, start_s=start))
    return first


def _read_header(header: list[str], parsed: Parsed) -> None:
    """The lines before the speech are noise; the longest description-like one is the description."""
    descriptions = [h.strip() for h in header if h.strip() and not is_chrome(h) and looks_like_description(h)]
    if descriptions:
        parsed.description = max(descriptions, key=len)
    for h in header:
        if h.strip():
            parsed.drop(h, "header")


def _speech_end(page: _Page, first: int) -> tuple[int, int]:
    """(the first footer line, the last line of speech before it)."""
    lines, matches = page.lines, page.matches
    # Speech ends at the first footer line; after the last timestamped speech line, all is noise.
    end = next((i for i in range(first, len(lines)) if not matches[i] and is_footer(lines[i])), len(lines))
    last_speech = max(
        (i for i in range(first, end) if matches[i] and has_words(matches[i]["text"] or "")),
        default=first - 1,
    )
    if page.opens:  # the words follow their timestamp line
        last_speech = max(
            (
                i
                for i in range(first, end)
                if not matches[i] and has_words(lines[i]) and not is_chrome(lines[i])
            ),
            default=last_speech,
        )
    return end, last_speech


def _closing_time(page: _Page, last_speech: int, end: int) -> float | None:
    """A bare timestamp right after the last words (before any footer) marks the end of the speech."""
    closing = next((page.matches[i] for i in range(last_speech + 1, end) if page.lines[i].strip()), None)
    if not page.opens and closing is not None and not has_words(closing["text"] or ""):
        return parse_ts(closing["ts"])
    return None


def _read_body(page: _Page, body: range, parsed: Parsed) -> None:
    """The speech lines -> fragments, with speakers; a line without timestamp continues the caption above."""
    texts = [
        (page.matches[i]["text"] or "").strip() if page.matches[i] else page.lines[i].strip() for i in body
    ]
    speakers = Speakers(texts)
    for i, raw in zip(body, texts, strict=True):
        m = page.matches[i]
        if m is None:
            _add_untimed(raw, speakers, parsed)
        else:
            _add_timed(page, i, m, raw, speakers, parsed)
    parsed.noise_words["speaker label"] += speakers.label_words


def _add_untimed(raw: str, speakers: Speakers, parsed: Parsed) -> None:
    """A line without timestamp: a speaker label, a caption wrapped onto a second line, or noise."""
    if not raw or speakers.alone(raw):
        return
    if parsed.fragments and has_speech(raw):  # a caption wrapped onto a second line
        frag = parsed.fragments[-1]
        frag.text = f"{frag.text} {raw}".strip()
    else:
        parsed.drop(raw, "stray line")


def _add_timed(page: _Page, i: int, m: re.Match[str], raw: str, speakers: Speakers, parsed: Parsed) -> None:
    """A timestamp line: a fragment, an empty fragment the next lines fill, a speaker's name, or noise."""
    start = parse_ts(m["ts"])
    end_s = parse_ts(m["end"]) if page.style == "range" else None
    if page.style == "range" and _names_a_speaker(raw):
        speakers.current = raw
        speakers.pending = True
        speakers.label_words += count_words(raw)
        raw = ""
    if not raw:
        if page.opens:
            parsed.fragments.append(Fragment("", start, i + 1, end_s, speakers.current, speakers.pending))
            speakers.pending = False
        else:
            parsed.noise += 1
        return
    if speakers.alone(raw):
        return
    body_text, speaker, new = speakers.apply(raw)
    if not count_words(body_text):
        parsed.drop(body_text, "no words")
        return
    parsed.fragments.append(Fragment(body_text, start, i + 1, end_s, speaker, new))


def _names_a_speaker(text: str) -> bool:
    """A caption that is only a speaker's name (`0:05 - 0:09 Marc`): it sets the speaker of what follows."""
    return bool(text) and not has_sentence_end(text) and (is_name_like(text) or is_single_name(text))


def _words_follow(lines: list[str], matches: list[re.Match[str] | None], i: int) -> bool:
    """Whether the next non-empty line after a timestamp line is text (not another timestamp)."""
    for j in range(i + 1, min(i + 4, len(lines))):
        if lines[j].strip():
            return matches[j] is None and has_words(lines[j]) and not is_footer(lines[j])
    return False


def _is_stacked(lines: list[str], matches: list[re.Match[str] | None]) -> bool:
    """Most timestamps stand alone on their line, with the words on the lines below."""
    bare = [i for i, m in enumerate(matches) if m and not has_words(m["text"] or "")]
    followed = sum(1 for i in bare if _words_follow(lines, matches, i))
    worded = sum(1 for m in matches if m and has_words(m["text"] or ""))
    return followed >= 2 and followed > worded


def has_sentence_end(text: str) -> bool:
    """Text with sentence or clause punctuation (a speaker's name has none)."""
    return bool(re.search(r"[.!?…,;]", text))
