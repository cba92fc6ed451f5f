"""Transcript formats: detection by content and one parser per format, text -> raw caption fragments."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from generator.errors import InputError
from generator.transcript.metadata import fold, is_name_like, looks_like_description

FORMATS = ("scraped", "srt", "webvtt", "whisper_json", "youtube_json", "plain")


@dataclass
class Fragment:
    """A caption fragment as read, with the line it came from (for error messages)."""

    text: str
    start_s: float | None
    line: int
    end_s: float | None = None
    speaker: str | None = None
    new_speaker: bool = False


@dataclass
class Parsed:
    """What a parser found: fragments, the description if any, and how many noise lines it dropped."""

    format: str
    fragments: list[Fragment] = field(default_factory=list)
    description: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # show/date/host from structured inputs
    noise: int = 0
    end_s: float | None = None  # end of the speech, when the file says it


# ----------------------------------------------------------------------------- timestamps

_TS = r"(?:\d{1,2}:)?\d{1,3}:\d{2}(?:[.,]\d{1,3})?"
# Glued text may start with a digit (`01:2750 milliards`): seconds are exactly two digits.
_GLUED = re.compile(r"^(?P<ts>(?:\d{1,2}:)?\d{1,3}:\d{2})\s*(?P<text>.*)$")
_BRACKET = re.compile(rf"^[\[(](?P<ts>{_TS})[\])]\s*(?P<text>.*)$")
_RANGE = re.compile(
    rf"^(?P<ts>{_TS}|\d+(?:[.,]\d+)?)\s*(?:-->|->|–|-)\s*(?P<end>{_TS}|\d+(?:[.,]\d+)?)(?:\s+(?P<text>.*))?$"
)
_CUE_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(?P<settings>.*)$"
)


def parse_ts(value: str) -> float:
    """`MM:SS`, `H:MM:SS`, `HH:MM:SS,mmm` or plain seconds -> seconds."""
    value = value.strip().replace(",", ".")
    if ":" not in value:
        return float(value)
    parts = value.split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


# ----------------------------------------------------------------------------- page noise

# Page chrome of video sites, compared accent- and case-insensitively.
_CHROME = {
    fold(w)
    for w in (
        "Catégorie",
        "Category",
        "News",
        "Transcription",
        "NewsTranscription",
        "Transcript",
        "Afficher plus",
        "Afficher moins",
        "Show more",
        "Show less",
        "Partager",
        "Share",
        "|",
        "•",
    )
}
_FOOTER = {
    fold(w)
    for w in (
        "Recommandations",
        "Recommendations",
        "Commentaires",
        "Comments",
        "À suivre",
        "Up next",
        "Écris le tout premier commentaire",
        "Écrire un commentaire",
        "Ajouter un commentaire",
        "Vidéos similaires",
        "Related videos",
    )
}
_FOOTER_RE = re.compile(r"^\d[\d\s]*\s+(?:commentaires?|comments?|vues|views)$", re.IGNORECASE)
_AGE_RE = re.compile(r"^[-•·]?\s*(?:il y a|publi[ée]e? (?:il y a|le)|\d+\s+(?:vues|views))\b", re.IGNORECASE)


def is_footer(line: str) -> bool:
    """A line that ends the speech on a scraped page (comments, recommendations)."""
    folded = fold(line.strip())
    return (
        folded in _FOOTER
        or bool(_FOOTER_RE.match(line.strip()))
        or folded.startswith("ecris le tout premier")
    )


def is_chrome(line: str) -> bool:
    """A line of page furniture: section words, separators, emoji-only lines, page age."""
    stripped = line.strip()
    if not stripped:
        return True
    if fold(stripped) in _CHROME or _AGE_RE.match(stripped):
        return True
    return not any(ch.isalnum() for ch in stripped)


def has_words(text: str) -> bool:
    """Text with at least one letter (`...` or `|` alone is not speech)."""
    return any(ch.isalpha() for ch in text)


# ----------------------------------------------------------------------------- speakers

_LABEL = re.compile(r"^(?P<name>[A-ZÀ-Þ][\w'’.-]*(?:\s+[\w'’.-]+){0,4})\s?:\s+(?P<text>\S.*)$")
_LABEL_ALONE = re.compile(r"^(?P<name>[A-ZÀ-Þ][\w'’.-]*(?:\s+[\w'’.-]+){0,4})\s?:$")
_DASH = re.compile(r"^[-–—]\s+(?P<text>\S.*)$")
_CHEVRONS = re.compile(r"^(?:>>|&gt;&gt;)\s*(?P<text>.*)$")
_LABEL_STOP = {
    fold(w)
    for w in (
        "Alors",
        "Mais",
        "Donc",
        "Question",
        "Réponse",
        "Exemple",
        "Attention",
        "Résultat",
        "Bref",
        "Bon",
        "Voilà",
        "Enfin",
        "Note",
        "Conclusion",
        "Rappel",
        "Objectif",
        "Et",
        "Ou",
        "Car",
        "Puis",
        "Ensuite",
        "Bilan",
        "Verdict",
    )
}


def _label_candidates(texts: list[str]) -> set[str]:
    """Speaker labels (`Nom :`) used in this file: name-like, or single words used at least twice."""
    counts: Counter[str] = Counter()
    for text in texts:
        m = _LABEL.match(text) or _LABEL_ALONE.match(text)
        if m:
            counts[m["name"]] += 1
    accepted = set()
    for name, count in counts.items():
        tokens = name.split()
        if fold(tokens[0]) in _LABEL_STOP:
            continue
        if is_name_like(name) or (len(tokens) == 1 and count >= 2) or (name.isupper() and count >= 2):
            accepted.add(name)
    return accepted


class _Speakers:
    """Applies speaker labels, leading dashes and `>>` markers to fragment texts."""

    def __init__(self, texts: list[str]) -> None:
        self.labels = _label_candidates(texts)
        self.current: str | None = None
        self.pending = False  # the next text starts a new speaker's turn
        # "00:12 - text" on every line: the dash separates, it does not mark a new speaker.
        dashed = sum(1 for t in texts if _DASH.match(t))
        self.dash_is_turn = dashed < max(3, 0.8 * len([t for t in texts if t]))

    def alone(self, text: str) -> bool:
        """`Nom :` on a line of its own sets the speaker of the following lines."""
        m = _LABEL_ALONE.match(text)
        if m and m["name"] in self.labels:
            self.current = m["name"].strip()
            self.pending = True
            return True
        return False

    def apply(self, text: str) -> tuple[str, str | None, bool]:
        """Returns (text without the marker, speaker, whether a new speaker starts here)."""
        new = self.pending
        self.pending = False
        m = _LABEL.match(text)
        if m and m["name"] in self.labels:
            speaker = m["name"].strip()
            new = new or speaker != self.current
            self.current = speaker
            return m["text"].strip(), speaker, new
        for pattern in (_DASH, _CHEVRONS):
            m = pattern.match(text)
            if m and pattern is _DASH and not self.dash_is_turn:
                return m["text"].strip(), self.current, new
            if m:
                if self.labels:  # a dash with labelled speakers: someone else, name unknown
                    self.current = None
                return m["text"].strip(), self.current, True
        return text, self.current, new


# ----------------------------------------------------------------------------- detection

# "[Musique]" or "[0:06]" open text files too: JSON arrays hold objects, strings, numbers or arrays.
_JSON_START = re.compile(r"^\s*(?:\{|\[\s*(?:[{\[\]\"\d-]|true|false|null))")


def _line_styles(lines: list[str]) -> Counter[str]:
    styles: Counter[str] = Counter()
    for line in lines:
        s = line.strip()
        if not s:
            continue
        if _CUE_TIMING.match(s):
            styles["cue"] += 1
        elif _BRACKET.match(s):
            styles["bracket"] += 1
        elif _RANGE.match(s):
            styles["range"] += 1
        elif _GLUED.match(s):
            styles["glued"] += 1
    return styles


def detect(text: str) -> str:
    """The format of a decoded transcript, by content."""
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("WEBVTT"):
        return "webvtt"
    lines = text.splitlines()
    if _JSON_START.match(head) and not _BRACKET.match(head.splitlines()[0].strip()):
        return "json"
    styles = _line_styles(lines)
    if styles["cue"] >= 1 and styles["cue"] >= styles["glued"] / 4:
        return "srt"
    stamped = styles["glued"] + styles["bracket"] + styles["range"]
    if stamped >= 2:
        return "scraped"
    return "plain"


# ----------------------------------------------------------------------------- scraped page


def parse_scraped(text: str) -> Parsed:
    """The scraped-page format: header lines, timestamped caption lines, page footer."""
    lines = text.splitlines()
    styles = _line_styles(lines)
    style = max(("glued", "bracket", "range"), key=lambda s: styles[s])
    pattern = {"glued": _GLUED, "bracket": _BRACKET, "range": _RANGE}[style]
    parsed = Parsed(format="scraped")

    matches: list[re.Match[str] | None] = [pattern.match(line.strip()) for line in lines]
    # "Stacked" pages (a copied YouTube transcript): each timestamp alone on its line, the words below.
    stacked = style != "range" and _is_stacked(lines, matches)
    opens = style == "range" or stacked  # a timestamp line opens a fragment that the next lines fill
    first = next(
        (
            i
            for i, m in enumerate(matches)
            if m and (has_words(m["text"] or "") or (opens and _words_follow(lines, matches, i)))
        ),
        None,
    )
    if first is None:
        first = next((i for i, m in enumerate(matches) if m), len(lines))
    header = lines[:first]
    descriptions = [h.strip() for h in header if h.strip() and not is_chrome(h) and looks_like_description(h)]
    if descriptions:
        parsed.description = max(descriptions, key=len)
    parsed.noise += sum(1 for h in header if h.strip())

    # Speech ends at the first footer line; after the last timestamped speech line, all is noise.
    end = len(lines)
    for i in range(first, len(lines)):
        if not matches[i] and is_footer(lines[i]):
            end = i
            break
    last_speech = max(
        (i for i in range(first, end) if matches[i] and has_words(matches[i]["text"] or "")),
        default=first - 1,
    )
    if opens:  # the words follow their timestamp line
        last_speech = max(
            (
                i
                for i in range(first, end)
                if not matches[i] and has_words(lines[i]) and not is_chrome(lines[i])
            ),
            default=last_speech,
        )
    parsed.noise += sum(1 for line in lines[last_speech + 1 :] if line.strip())
    # A bare timestamp right after the last words (before any footer) marks the end of the speech.
    closing = next((matches[i] for i in range(last_speech + 1, end) if lines[i].strip()), None)
    if not opens and closing is not None and not has_words(closing["text"] or ""):
        parsed.end_s = parse_ts(closing["ts"])

    body = range(first, last_speech + 1)
    texts = [(matches[i]["text"] or "").strip() if matches[i] else lines[i].strip() for i in body]
    speakers = _Speakers(texts)
    for i, raw in zip(body, texts, strict=True):
        m = matches[i]
        if m is None:
            if not raw:
                continue
            if speakers.alone(raw):
                continue
            if parsed.fragments and has_words(raw):  # a caption wrapped onto a second line
                frag = parsed.fragments[-1]
                frag.text = f"{frag.text} {raw}".strip()
            else:
                parsed.noise += 1
            continue
        start = parse_ts(m["ts"])
        end_s = parse_ts(m["end"]) if style == "range" else None
        if (
            style == "range"
            and raw
            and not has_sentence_end(raw)
            and (is_name_like(raw) or _is_single_name(raw))
        ):
            speakers.current = raw
            speakers.pending = True
            raw = ""
        if not raw:
            if opens:
                parsed.fragments.append(Fragment("", start, i + 1, end_s, speakers.current, speakers.pending))
                speakers.pending = False
            else:
                parsed.noise += 1
            continue
        if speakers.alone(raw):
            continue
        body_text, speaker, new = speakers.apply(raw)
        if not has_words(body_text):
            parsed.noise += 1
            continue
        parsed.fragments.append(Fragment(body_text, start, i + 1, end_s, speaker, new))
    empty = [f for f in parsed.fragments if not f.text]
    parsed.noise += len(empty)
    parsed.fragments = [f for f in parsed.fragments if f.text]
    return parsed


def _words_follow(lines: list[str], matches: list[re.Match[str] | None], i: int) -> bool:
    """Whether the next non-empty line after a timestamp line is text (not another timestamp)."""
    for j in range(i + 1, min(i + 4, len(lines))):
        if lines[j].strip():
            return matches[j] is None and has_words(lines[j]) and not is_footer(lines[j])
    return False


def _is_stacked(lines: list[str], matches: list[re.Match[str] | None]) -> bool:
    bare = [i for i, m in enumerate(matches) if m and not has_words(m["text"] or "")]
    followed = sum(1 for i in bare if _words_follow(lines, matches, i))
    worded = sum(1 for m in matches if m and has_words(m["text"] or ""))
    return followed >= 2 and followed > worded


def has_sentence_end(text: str) -> bool:
    return bool(re.search(r"[.!?…,;]", text))


def _is_single_name(text: str) -> bool:
    return bool(re.fullmatch(r"[A-ZÀ-Þ][\w'’-]+", text)) and fold(text) not in _LABEL_STOP


# ----------------------------------------------------------------------------- SRT / WebVTT

_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>")


def _cue_text(line: str) -> tuple[str, str | None]:
    """Strip cue markup; returns (text, speaker from a `<v Speaker>` tag)."""
    voice = _VOICE.search(line)
    speaker = voice["name"].strip() if voice else None
    text = html.unescape(_TAG.sub("", line)).replace("\u200b", "")
    return " ".join(text.split()), speaker


def parse_cues(text: str, fmt: str) -> Parsed:
    """SRT and WebVTT: blocks of (id, timing line, payload lines); NOTE blocks may hold a description."""
    parsed = Parsed(format=fmt)
    lines = text.splitlines()
    blocks: list[list[tuple[int, str]]] = [[]]
    for n, line in enumerate(lines, 1):
        if line.strip():
            blocks[-1].append((n, line.rstrip()))
        elif blocks[-1]:
            blocks.append([])
    cue_lines: list[tuple[int, float, float, list[str]]] = []
    notes: list[str] = []
    for block in blocks:
        if not block:
            continue
        timing_at = next((k for k, (_, line) in enumerate(block) if _CUE_TIMING.match(line)), None)
        first_line = block[0][1].strip()
        if timing_at is None:
            if first_line.startswith("NOTE"):
                notes.append(
                    " ".join([first_line[4:].strip()] + [line.strip() for _, line in block[1:]]).strip()
                )
            elif not first_line.startswith(("WEBVTT", "STYLE", "REGION")):
                # Text before the first cue: a description or page header some tools keep.
                if not cue_lines:
                    notes.extend(line.strip() for _, line in block)
                parsed.noise += len(block)
            continue
        m = _CUE_TIMING.match(block[timing_at][1])
        assert m is not None
        payload = [line for _, line in block[timing_at + 1 :]]
        cue_lines.append((block[timing_at][0], parse_ts(m["start"]), parse_ts(m["end"]), payload))
    descriptions = [n for n in notes if looks_like_description(n)]
    if descriptions:
        parsed.description = max(descriptions, key=len)

    raw_texts = [_cue_text(p)[0] for _, _, _, payload in cue_lines for p in payload]
    speakers = _Speakers(raw_texts)
    previous_last: str | None = None
    for line_no, start, end, payload in cue_lines:
        cleaned = [(_cue_text(p), p) for p in payload]
        texts = [c for c in cleaned if c[0][0]]
        # Rolling captions (YouTube) repeat the previous cue's last line first: keep each words once.
        if texts and previous_last is not None and texts[0][0][0] == previous_last and len(texts) > 1:
            texts = texts[1:]
        elif texts and previous_last is not None and len(texts) == 1 and texts[0][0][0] == previous_last:
            parsed.noise += 1
            continue
        if texts:
            previous_last = texts[-1][0][0]
        kept = 0
        for (content, voice), _raw in texts:
            if voice:
                speakers.pending = voice != speakers.current
                speakers.current = voice
            body_text, speaker, new = speakers.apply(content)
            if not has_words(body_text):
                continue
            parsed.fragments.append(Fragment(body_text, start, line_no, end, speaker, new))
            kept += 1
        if not kept:
            parsed.noise += 1
    return parsed


# ----------------------------------------------------------------------------- JSON


def _json_error(exc: json.JSONDecodeError, text: str, path: str) -> InputError:
    tail = text.rstrip()
    if exc.pos >= len(tail) - 1 or "Unterminated" in exc.msg:
        return InputError(
            f"truncated JSON (it ends before the document closes, line {exc.lineno})", path=path
        )
    return InputError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", path=path)


def _num(value: Any, what: str, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(f"JSON {what} is not a number: {value!r}", path=path)
    try:
        return parse_ts(str(value))
    except ValueError:
        raise InputError(f"JSON {what} is not a number: {value!r}", path=path) from None


def _meta_from(doc: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Optional description and show/date/host keys that some tools add (yt-dlp, our own exports)."""
    source = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else doc
    meta = {
        k: source[k]
        for k in ("show", "date", "host", "title", "source_url")
        if isinstance(source.get(k), str)
    }
    description = source.get("description")
    return (description.strip() if isinstance(description, str) and description.strip() else None), meta


def parse_json(text: str, path: str) -> Parsed:
    """Whisper JSON (`segments`), YouTube-style JSON (list of `text`/`start`/`duration`, or `events`)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _json_error(exc, text, path) from None
    if isinstance(doc, dict) and isinstance(doc.get("segments"), list):
        parsed = Parsed(format="whisper_json")
        parsed.description, parsed.meta = _meta_from(doc)
        items = doc["segments"]
        for k, seg in enumerate(items):
            if not isinstance(seg, dict) or "text" not in seg or "start" not in seg:
                raise InputError(f"Whisper JSON segment {k} has no `start`/`text`", path=path)
            start = _num(seg["start"], f"segment {k} start", path)
            end = _num(seg["end"], f"segment {k} end", path) if seg.get("end") is not None else None
            body = " ".join(str(seg["text"]).split())
            if not has_words(body):
                parsed.noise += 1
                continue
            speaker = seg.get("speaker") if isinstance(seg.get("speaker"), str) else None
            parsed.fragments.append(Fragment(body, start, k + 1, end, speaker))
        _mark_turns(parsed.fragments)
        return parsed
    items: Any = None
    parsed = Parsed(format="youtube_json")
    if isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict):
        parsed.description, parsed.meta = _meta_from(doc)
        for key in ("transcript", "captions", "events"):
            if isinstance(doc.get(key), list):
                items = doc[key]
                break
    if items is None:
        raise InputError(
            "JSON transcript not recognised: expected Whisper `segments` or a list of `text`/`start` items",
            path=path,
        )
    for k, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(f"JSON item {k} is not an object", path=path)
        if "segs" in item:  # YouTube json3 events
            body = "".join(str(s.get("utf8", "")) for s in item.get("segs") or [] if isinstance(s, dict))
            start = _num(item.get("tStartMs", 0), f"event {k} tStartMs", path) / 1000
            dur = item.get("dDurationMs")
            end = start + _num(dur, f"event {k} dDurationMs", path) / 1000 if dur is not None else None
        else:
            if "text" not in item or "start" not in item:
                raise InputError(f"JSON item {k} has no `text`/`start`", path=path)
            body = str(item["text"])
            start = _num(item["start"], f"item {k} start", path)
            dur = item.get("duration", item.get("dur"))
            end = start + _num(dur, f"item {k} duration", path) if dur is not None else None
        body = " ".join(html.unescape(body).split())
        if not has_words(body):
            parsed.noise += 1
            continue
        parsed.fragments.append(Fragment(body, start, k + 1, end))
    _mark_turns(parsed.fragments)
    return parsed


def _mark_turns(fragments: list[Fragment]) -> None:
    """Speaker labels, dashes and `>>` markers inside structured inputs' texts."""
    speakers = _Speakers([f.text for f in fragments])
    for frag in fragments:
        if frag.speaker:
            frag.new_speaker = frag.speaker != speakers.current
            speakers.current = frag.speaker
            continue
        frag.text, frag.speaker, frag.new_speaker = speakers.apply(frag.text)


# ----------------------------------------------------------------------------- plain text


def parse_plain(text: str) -> Parsed:
    """Text without timestamps: one fragment per line; a leading description line is metadata."""
    parsed = Parsed(format="plain")
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    # Page header lines before a description, and the description itself, are metadata.
    for k, (_, line) in enumerate(lines[:6]):
        if re.search(r"\s(?:reçoit|a reçu|accueille)\s", line) and looks_like_description(line):
            parsed.description = line
            parsed.noise += k + 1
            lines = lines[k + 1 :]
            break
    while lines and is_chrome(lines[0][1]):
        parsed.noise += 1
        lines = lines[1:]
    end = next((k for k, (_, line) in enumerate(lines) if is_footer(line)), len(lines))
    parsed.noise += len(lines) - end
    body = lines[:end]
    speakers = _Speakers([line for _, line in body])
    for n, line in body:
        if speakers.alone(line):
            continue
        content, speaker, new = speakers.apply(line)
        if not has_words(content):
            parsed.noise += 1
            continue
        parsed.fragments.append(Fragment(content, None, n, None, speaker, new))
    return parsed


def parse(text: str, path: str) -> Parsed:
    """Detect the format and parse."""
    fmt = detect(text)
    if fmt == "json":
        return parse_json(text, path)
    if fmt in ("srt", "webvtt"):
        return parse_cues(text, fmt)
    if fmt == "scraped":
        return parse_scraped(text)
    return parse_plain(text)
