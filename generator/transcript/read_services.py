"""JSON exports of transcription services, read by their documented shapes; unknown keys are ignored.

- a `transcript` (or `text`) string of labelled turns, `[Speaker 0]: …` per line (Gladia-based tools);
- Gladia v2 `result.transcription.utterances`, Gladia v1 `prediction`;
- AssemblyAI `utterances` (times in ms, speaker `A`), or its `words` alone;
- Deepgram `results.utterances`, else `results.channels[0].alternatives[0]` paragraphs or words;
- Rev.ai `monologues` of `elements` (`text` with `ts`/`end_ts`, `punct`);
- Speechmatics `results` of `word`/`punctuation` items with `alternatives[0].content` and `speaker`;
- AWS Transcribe `results.items` (and `speaker_labels`), Azure `recognizedPhrases`.
Word-level exports become fragments at each change of speaker, pause or sentence end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from generator.errors import InputError
from generator.i18n import _
from generator.transcript.fragments import Fragment, Parsed, count_words

# Words are grouped into one fragment until a speaker change, a pause this long, or a sentence end.
PAUSE_S = 1.0
MAX_FRAGMENT_WORDS = 30
_BRACKET_TURN = re.compile(r"^\s*\[(?P<name>[^\]\n]{1,40})\]\s*:?\s*(?P<text>.*)$")
_PLAIN_TURN = re.compile(
    r"^\s*(?P<name>(?:Speaker|SPEAKER|Locuteur|Intervenant)[ _]?\w{1,3})\s*:\s*(?P<text>.*)$"
)
_SENTENCE_END = re.compile(r"[.!?…][\"»”)]*$")

Word = tuple[str, float | None, float | None, str | None]  # text, start, end, speaker


def _get(doc: Any, *path: Any) -> Any:
    for key in path:
        if isinstance(key, int):
            doc = doc[key] if isinstance(doc, list) and len(doc) > key else None
        else:
            doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def _time(value: Any, scale: float = 1.0) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value) / scale
    except ValueError:
        return None


def speaker_name(value: Any) -> str | None:
    """`0` -> `Speaker 0`, `A` -> `Speaker A`, `S1` -> `Speaker 1`, `spk_0` -> `Speaker 0`; names kept."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    text = str(value).strip()
    m = re.fullmatch(r"(?:S|spk_|speaker_?|SPEAKER_?|Guest-)?(\w{1,3})", text)
    if m and (m[1].isdigit() or len(m[1]) == 1):
        return f"Speaker {m[1].upper() if not m[1].isdigit() else int(m[1])}"
    return text


def _labelled_turns(text: str, parsed: Parsed) -> None:
    """One string of `[Speaker 0]: …` lines: a fragment per line, the label as its speaker."""
    speaker: str | None = None
    for n, line in enumerate(text.splitlines(), 1):
        m = _BRACKET_TURN.match(line) or _PLAIN_TURN.match(line)
        new = False
        if m and count_words(m["name"]) <= 4:
            parsed.noise_words["speaker label"] += count_words(m["name"])
            label = speaker_name(m["name"])
            new, speaker, line = label != speaker, label, m["text"]
        body = " ".join(line.split())
        if not count_words(body):
            parsed.drop(body, "no words")
            continue
        parsed.fragments.append(Fragment(body, None, n, None, speaker, new))


def _add(parsed: Parsed, text: Any, start: Any, end: Any, speaker: Any, scale: float = 1.0) -> None:
    body = " ".join(str(text or "").split())
    if not count_words(body):
        parsed.drop(body, "no words")
        return
    who = speaker_name(speaker)
    previous = parsed.fragments[-1] if parsed.fragments else None
    begin, finish = _time(start, scale), _time(end, scale)
    pause = bool(
        previous and previous.end_s is not None and begin is not None and begin - previous.end_s >= PAUSE_S
    )
    new = previous is None or previous.speaker != who
    parsed.fragments.append(
        Fragment(
            body, begin, len(parsed.fragments) + 1, finish, who, new and who is not None, pause_before=pause
        )
    )


def _words(parsed: Parsed, words: list[Word]) -> None:
    """Timed words -> fragments at speaker changes, pauses, sentence ends and every few dozen words."""
    group: list[Word] = []

    def flush() -> None:
        if group:
            _add(parsed, " ".join(w[0] for w in group), group[0][1], group[-1][2], group[0][3])
            group.clear()

    for word in words:
        if group and (
            word[3] != group[-1][3]
            or (word[1] is not None and group[-1][2] is not None and word[1] - group[-1][2] >= PAUSE_S)
            or _SENTENCE_END.search(group[-1][0])
            or len(group) >= MAX_FRAGMENT_WORDS
        ):
            flush()
        group.append(word)
    flush()


def _utterances(
    parsed: Parsed, items: list[Any], text: str, keys: tuple[str, str, str], scale: float = 1.0
) -> None:
    start, end, speaker = keys
    for item in items:
        if isinstance(item, dict):
            _add(parsed, item.get(text), item.get(start), item.get(end), item.get(speaker), scale)


def _gladia(doc: Any, parsed: Parsed) -> bool:
    items = _get(doc, "result", "transcription", "utterances") or _get(doc, "transcription", "utterances")
    if isinstance(items, list) and items:
        _utterances(parsed, items, "text", ("start", "end", "speaker"))
        return True
    items = _get(doc, "prediction")
    if isinstance(items, list) and items and isinstance(items[0], dict) and "transcription" in items[0]:
        _utterances(parsed, items, "transcription", ("time_begin", "time_end", "speaker"))
        return True
    return False


def _assemblyai(doc: Any, parsed: Parsed) -> bool:
    items = _get(doc, "utterances")
    if isinstance(items, list) and items and isinstance(items[0], dict) and "text" in items[0]:
        _utterances(parsed, items, "text", ("start", "end", "speaker"), scale=1000.0)
        return True
    words = _get(doc, "words")
    if isinstance(words, list) and words and isinstance(words[0], dict) and "text" in words[0]:
        _words(parsed, [(str(w.get("text", "")), _time(w.get("start"), 1000), _time(w.get("end"), 1000),
                         speaker_name(w.get("speaker"))) for w in words if isinstance(w, dict)])  # fmt: skip
        return True
    return False


def _deepgram(doc: Any, parsed: Parsed) -> bool:
    results = _get(doc, "results")
    if not isinstance(results, dict):
        return False
    items = results.get("utterances")
    if isinstance(items, list) and items:
        _utterances(parsed, items, "transcript", ("start", "end", "speaker"))
        return True
    alt = _get(results, "channels", 0, "alternatives", 0)
    if not isinstance(alt, dict):
        return False
    paragraphs = _get(alt, "paragraphs", "paragraphs")
    if isinstance(paragraphs, list) and paragraphs:
        for para in paragraphs:
            for sentence in _get(para, "sentences") or []:
                if isinstance(sentence, dict):
                    _add(
                        parsed,
                        sentence.get("text"),
                        sentence.get("start"),
                        sentence.get("end"),
                        para.get("speaker"),
                    )
        return True
    words = alt.get("words")
    if isinstance(words, list) and words:
        _words(parsed, [(str(w.get("punctuated_word") or w.get("word") or ""), _time(w.get("start")),
                         _time(w.get("end")), speaker_name(w.get("speaker"))) for w in words if isinstance(w, dict)])  # fmt: skip
        return True
    if isinstance(alt.get("transcript"), str):
        _labelled_turns(alt["transcript"], parsed)
        return True
    return False


def _rev(doc: Any, parsed: Parsed) -> bool:
    monologues = _get(doc, "monologues")
    if not isinstance(monologues, list):
        return False
    for mono in monologues:
        if not isinstance(mono, dict):
            continue
        who = mono.get("speaker_name") or mono.get("speaker")
        words: list[Word] = []
        for el in mono.get("elements") or []:
            if not isinstance(el, dict):
                continue
            value = str(el.get("value", ""))
            if el.get("type") == "punct" and words:
                w = words[-1]
                words[-1] = (w[0] + value.strip(), w[1], w[2], w[3])
            elif el.get("type") == "text":
                words.append((value.strip(), _time(el.get("ts")), _time(el.get("end_ts")), speaker_name(who)))
        _words(parsed, words)
    return True


def _speechmatics(doc: Any, parsed: Parsed) -> bool:
    items = _get(doc, "results")
    if not (isinstance(items, list) and items and isinstance(items[0], dict) and "alternatives" in items[0]):
        return False
    words: list[Word] = []
    for item in items:
        alt = _get(item, "alternatives", 0)
        if not isinstance(alt, dict):
            continue
        content = str(alt.get("content", ""))
        if item.get("type") == "punctuation" and words:
            w = words[-1]
            words[-1] = (w[0] + content, w[1], w[2], w[3])
        else:
            words.append((content, _time(item.get("start_time")), _time(item.get("end_time")),
                          speaker_name(alt.get("speaker"))))  # fmt: skip
    _words(parsed, words)
    return True


def _aws(doc: Any, parsed: Parsed) -> bool:
    items = _get(doc, "results", "items")
    if not isinstance(items, list) or not items:
        return False
    words: list[Word] = []
    for item in items:
        content = str(_get(item, "alternatives", 0, "content") or "")
        if _get(item, "type") == "punctuation" and words:
            w = words[-1]
            words[-1] = (w[0] + content, w[1], w[2], w[3])
        elif isinstance(item, dict):
            words.append((content, _time(item.get("start_time")), _time(item.get("end_time")),
                          speaker_name(item.get("speaker_label"))))  # fmt: skip
    _words(parsed, words)
    return True


def _azure(doc: Any, parsed: Parsed) -> bool:
    phrases = _get(doc, "recognizedPhrases")
    if not isinstance(phrases, list):
        return False
    for phrase in phrases:
        best = _get(phrase, "nBest", 0)
        if isinstance(best, dict):
            offset, duration = (
                _time(phrase.get("offsetInTicks"), 1e7),
                _time(phrase.get("durationInTicks"), 1e7),
            )
            end = offset + duration if offset is not None and duration is not None else None
            _add(parsed, best.get("display") or best.get("lexical"), offset, end, phrase.get("speaker"))
    return True


def _text_only(doc: Any, parsed: Parsed) -> bool:
    for key in ("transcript", "text", "full_transcript"):
        if isinstance(_get(doc, key), str) and _get(doc, key).strip():
            _labelled_turns(doc[key], parsed)
            return True
    return False


_SHAPES: tuple[Callable[[Any, Parsed], bool], ...] = (
    _gladia, _assemblyai, _deepgram, _rev, _speechmatics, _aws, _azure, _text_only,
)  # fmt: skip


def parse_service(doc: Any, path: str) -> Parsed | None:
    """A transcription service's export, or None when the JSON is none of the known shapes."""
    if not isinstance(doc, dict):
        return None
    for shape in _SHAPES:
        parsed = Parsed(format="service_json")
        if shape(doc, parsed):
            if not parsed.fragments:
                raise InputError(_("JSON de service de transcription sans aucune parole"), path=path)
            url = next(
                (doc[k] for k in ("mp3_url", "audio_url", "media_url", "url") if isinstance(doc.get(k), str)),
                None,
            )
            if url:
                parsed.meta["source_url"] = url
            return parsed
    return None


# The last resort for other tools' exports: the longest list of objects that carry a text.
_TEXT_KEYS = ("text", "transcript", "content", "body", "sentence", "utterance", "caption", "value")
_START_KEYS = ("start", "start_time", "startTime", "start_s", "begin", "from", "offset", "start_offset",
               "startMs", "start_ms", "startOffset")  # fmt: skip
_END_KEYS = ("end", "end_time", "endTime", "end_s", "to", "end_offset", "endMs", "end_ms", "endOffset")
_SPEAKER_KEYS = ("speaker", "speaker_label", "speaker_name", "speakerName", "spk", "who", "participant")
# Times above this many seconds (ten hours) are milliseconds.
MS_ABOVE = 36000.0
MAX_DEPTH = 4


def _first_key(item: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    return next((k for k in keys if k in item and item[k] not in (None, "")), None)


def _lists(doc: Any, depth: int = 0) -> list[list[dict[str, Any]]]:
    """Lists of objects with a text, anywhere in the first levels of the document."""
    found = []
    if isinstance(doc, list) and doc and all(isinstance(x, dict) for x in doc):
        texts = sum(1 for x in doc if isinstance(x.get(_first_key(x, _TEXT_KEYS) or ""), str))
        if texts >= 0.8 * len(doc):
            found.append(doc)
    if depth < MAX_DEPTH:
        children = doc.values() if isinstance(doc, dict) else doc if isinstance(doc, list) else []
        for child in children:
            if isinstance(child, (dict, list)):
                found.extend(_lists(child, depth + 1))
    return found


def parse_generic(doc: Any) -> Parsed | None:
    """Objects with a text, and a start, end and speaker under any usual key; None when there are none."""
    candidates = _lists(doc)
    if not candidates:
        return None
    items = max(
        candidates, key=lambda xs: sum(len(str(x.get(_first_key(x, _TEXT_KEYS) or "", ""))) for x in xs)
    )
    start_key = _first_key(items[0], _START_KEYS)
    end_key = _first_key(items[0], _END_KEYS)
    starts = [_time(x.get(start_key)) for x in items] if start_key else []
    big = max((t for t in starts if t is not None), default=0.0)
    scale = 1000.0 if (start_key or "").lower().endswith("ms") or big > MS_ABOVE else 1.0
    parsed = Parsed(format="service_json")
    for item in items:
        text_key = _first_key(item, _TEXT_KEYS)
        speaker_key = _first_key(item, _SPEAKER_KEYS)
        _add(
            parsed,
            item.get(text_key) if text_key else "",
            item.get(start_key) if start_key else None,
            item.get(end_key) if end_key else None,
            item.get(speaker_key) if speaker_key else None,
            scale,
        )
    return parsed if parsed.fragments else None
