"""Speaker-turn text: a header naming the speaker (and a time) above each turn's paragraphs.

Shapes, as editors and transcription services export them:
- `0:01:44 à 0:02:35 Prénom Nom :` (diarised transcripts), the turn's text on the lines below;
- `Prénom Nom  12:05` or `Prénom Nom (00:12:05)` (Otter, Descript, Riverside exports);
- `[00:00:05] - Prénom Nom` or `00:00:05 Prénom Nom` (Happy Scribe, Sonix, Zoom);
- a name alone on a line (`Jérôme` or `Jérôme :`), then `[0:33] text` paragraphs.
"""

from __future__ import annotations

import re

from generator.i18n import N_, _
from generator.language import split_sentences
from generator.transcript.fragments import Fragment, Parsed, count_words
from generator.transcript.metadata import is_name_like, looks_like_description
from generator.transcript.noise import is_chrome, is_footer
from generator.transcript.showinfo import chapters_in
from generator.transcript.speakers import GENERIC, is_single_name
from generator.transcript.timestamps import BRACKET, parse_ts

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_NAME = r"[A-ZÀ-Þ][\w'’.-]*(?:[ \t]+(?:[A-ZÀ-Þ0-9][\w'’.-]*|de|du|des|d'|van|von|le|la)){0,4}"
HEADERS = {
    "range": re.compile(
        rf"^(?P<ts>{_TS})\s+(?:à|-|–|->)\s+(?P<end>{_TS})\s+(?P<name>{_NAME})\s*(?::\s*(?P<text>.*))?$"
    ),
    "name_ts": re.compile(
        rf"^(?P<name>{_NAME})(?:\s*:\s+|\s*:(?=[(\[])|\s+|(?=[(\[]))(?:[-–|]\s*)?[(\[]?(?<!\d)(?P<ts>{_TS})[)\]]?\s*:?$"
    ),
    # Happy Scribe, Sonix, Zoom: `[00:00:05] - Nadia Roche` or `00:00:05 Nadia Roche`, the text below.
    "ts_name": re.compile(rf"^[\[(]?(?P<ts>{_TS})[\])]?\s*[-–|]?\s*(?P<name>{_NAME})\s*:?$"),
    "name_alone": re.compile(rf"^(?P<name>{_NAME})\s*:?$"),
}
# Inside a turn, times are known only at its start: lines after the first are placed by word position.
ESTIMATED = N_(
    "heures estimées dans chaque tour de parole d'après la position des mots (le fichier ne date que les tours)"
)


def _header(line: str, lines: list[str], k: int) -> re.Match[str] | None:
    """The turn header on this line, if any (a name alone counts only above a `[m:ss]` paragraph)."""
    for shape, pattern in HEADERS.items():
        m = pattern.match(line)
        if not m or not _plausible_name(m["name"]):
            continue
        if shape == "ts_name" and not (is_name_like(m["name"]) or GENERIC.match(m["name"])):
            continue  # "00:12 Bonjour" is a caption line, not a header
        if shape == "ts_name" and "." in m["name"]:
            continue
        if shape != "name_alone":
            return m
        nxt = next((x.strip() for x in lines[k + 1 : k + 3] if x.strip()), "")
        if BRACKET.match(nxt) and count_words(BRACKET.match(nxt)["text"] or ""):  # type: ignore[index]
            return m
    return None


def _plausible_name(name: str) -> bool:
    """A speaker's name: not a page word (`Transcription`) nor a stop word (`Alors`)."""
    tokens = name.split()
    if len(tokens) == 1:
        return is_single_name(name) and not is_chrome(name) and not is_footer(name)
    return not is_footer(name) and not looks_like_description(name)


def count_turn_headers(lines: list[str]) -> int:
    """How many lines are turn headers: the detector's evidence for this layout."""
    stripped = [line.strip() for line in lines]
    return sum(1 for k, line in enumerate(stripped) if line and _header(line, stripped, k))


def parse_turns(text: str) -> Parsed:
    """Header lines open turns; the lines below them are the turn's words, timed from the header."""
    parsed = Parsed(format="turns")
    lines = [line.strip() for line in text.splitlines()]
    turns: list[tuple[int, re.Match[str], list[tuple[int, str]]]] = []
    header: list[str] = []
    for k, line in enumerate(lines):
        if not line:
            continue
        m = _header(line, lines, k)
        if m:
            turns.append((k + 1, m, []))
        elif turns:
            turns[-1][2].append((k + 1, line))
        else:
            header.append(line)
            parsed.drop(line, "header")
            if looks_like_description(line) and not is_chrome(line):
                parsed.description = max([parsed.description or "", line], key=len)
    while turns and not turns[0][2]:  # a "header" with nothing under it, above the speech: a page line
        line = turns.pop(0)[1].group(0)
        header.append(line)
        parsed.drop(line, "header")
    if not parsed.description:
        parsed.description = None
    parsed.chapters = chapters_in("\n".join(header))  # a description's chapter list copied above the turns
    _cut_footer(turns, parsed)
    starts = [_start(m) for _, m, _ in turns]
    estimated = False
    for k, (line_no, m, body) in enumerate(turns):
        name = m["name"].strip()
        parsed.noise_words["speaker label"] += count_words(m.group(0)) - count_words(
            m.groupdict().get("text") or ""
        )
        end = _end(m) or next((s for s in starts[k + 1 :] if s is not None), None)
        if m.groupdict().get("text"):
            body = [(line_no, m["text"]), *body]
        estimated |= _add_turn(parsed, name, starts[k], end, body)
    if estimated:
        parsed.warnings.append(_(ESTIMATED))
    return parsed


def _start(m: re.Match[str]) -> float | None:
    return parse_ts(m["ts"]) if m.groupdict().get("ts") else None


def _end(m: re.Match[str]) -> float | None:
    return parse_ts(m["end"]) if m.groupdict().get("end") else None


def _cut_footer(turns: list[tuple[int, re.Match[str], list[tuple[int, str]]]], parsed: Parsed) -> None:
    """Page footers after the last turn (`Commentaires`, ...) are noise, with everything after them."""
    if not turns:
        return
    body = turns[-1][2]
    cut = next((i for i, (_, line) in enumerate(body) if is_footer(line)), None)
    if cut is not None:
        for _, line in body[cut:]:
            parsed.drop(line, "footer")
        del body[cut:]


def _add_turn(
    parsed: Parsed, speaker: str, start: float | None, end: float | None, body: list[tuple[int, str]]
) -> bool:
    """One turn's lines as fragments; returns whether some times were estimated."""
    total = sum(count_words(text) for _, text in body) or 1
    said = 0
    estimated = False
    # A header repeating the previous turn's speaker (exports split long monologues) is no speaker change.
    first = not parsed.fragments or parsed.fragments[-1].speaker != speaker
    for line_no, raw in body:
        own = BRACKET.match(raw)
        text = (own["text"] or "").strip() if own else raw
        if not count_words(text):
            parsed.drop(text, "no words")
            continue
        # A paragraph timed only by its turn: each sentence placed by its words' position in the turn.
        pieces = [text] if own else split_sentences(text, before_capital=True)
        for piece in pieces:
            if own:
                time = parse_ts(own["ts"])
            elif start is not None and end is not None and end > start and said:
                time = round(start + (end - start) * said / total, 2)
                estimated = True
            else:
                time = start
            parsed.fragments.append(Fragment(piece, time, line_no, None, speaker, first))
            first = False
            said += count_words(piece)
    if parsed.fragments and end is not None and parsed.fragments[-1].speaker == speaker:
        parsed.fragments[-1].end_s = end
    return estimated
