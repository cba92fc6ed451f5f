"""JSON transcripts: Whisper (`segments`) and YouTube-style (`text`/`start`/`duration` items, json3 events)."""

from __future__ import annotations

import html
import json
from typing import Any

from generator.errors import InputError
from generator.i18n import _
from generator.transcript.fragments import Fragment, Parsed, count_words
from generator.transcript.layouts import unrecognised
from generator.transcript.read_services import parse_generic, parse_service
from generator.transcript.speakers import Speakers
from generator.transcript.timestamps import parse_ts


def _json_error(exc: json.JSONDecodeError, text: str, path: str) -> InputError:
    """The error for a JSON file that does not load: truncated, or malformed at a line and column."""
    tail = text.rstrip()
    if exc.pos >= len(tail) - 1 or "Unterminated" in exc.msg:
        return InputError(
            _("JSON tronqué (il finit avant la fin du document, ligne {line})", line=exc.lineno), path=path
        )
    return InputError(
        _(
            "JSON mal formé ligne {line}, colonne {col} : {error}",
            line=exc.lineno,
            col=exc.colno,
            error=exc.msg,
        ),
        path=path,
    )


def _num(value: Any, what: str, path: str) -> float:
    """A JSON time (number, or string in any `parse_ts` form) -> seconds; anything else is an input error."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(
            _("JSON : {what} n'est pas un nombre : {value}", what=what, value=repr(value)), path=path
        )
    try:
        return parse_ts(str(value))
    except ValueError:
        raise InputError(
            _("JSON : {what} n'est pas un nombre : {value}", what=what, value=repr(value)), path=path
        ) from None


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
    if _is_podcast_json(doc):
        return _parse_podcast(doc, path)
    if isinstance(doc, dict) and isinstance(doc.get("segments"), list):
        parsed = Parsed(format="whisper_json")
        parsed.description, parsed.meta = _meta_from(doc)
        items = doc["segments"]
        for k, seg in enumerate(items):
            if not isinstance(seg, dict) or "text" not in seg or "start" not in seg:
                raise InputError(_("segment {k} du JSON Whisper sans `start`/`text`", k=k), path=path)
            start = _num(seg["start"], f"segment {k} start", path)
            end = _num(seg["end"], f"segment {k} end", path) if seg.get("end") is not None else None
            body = " ".join(str(seg["text"]).split())
            if not count_words(body):
                parsed.noise += 1
                continue
            speaker = seg.get("speaker") if isinstance(seg.get("speaker"), str) else None
            parsed.fragments.append(Fragment(body, start, k + 1, end, speaker))
        parsed.noise_words["speaker label"] += _mark_turns(parsed.fragments)
        return parsed
    service = parse_service(doc, path)
    if service is not None:
        service.description, meta = _meta_from(doc)
        service.meta = {**meta, **service.meta}
        return service
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
    first = items[0] if isinstance(items, list) and items else None
    unusual = isinstance(first, dict) and "segs" not in first and not {"text", "start"} <= set(first)
    if items is None or unusual:
        generic = parse_generic(doc)
        if generic is not None:
            generic.meta = {**parsed.meta, **generic.meta}
            generic.description = parsed.description
            return generic
    if items is None:
        raise InputError(
            unrecognised(
                _(
                    "transcription JSON non reconnue (aucune liste `segments`, `transcript`, `captions` ou `events`)"
                )
            ),
            path=path,
        )
    for k, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(_("l'élément JSON {k} n'est pas un objet", k=k), path=path)
        if "segs" in item:  # YouTube json3 events
            body = "".join(str(s.get("utf8", "")) for s in item.get("segs") or [] if isinstance(s, dict))
            start = _num(item.get("tStartMs", 0), f"event {k} tStartMs", path) / 1000
            dur = item.get("dDurationMs")
            end = start + _num(dur, f"event {k} dDurationMs", path) / 1000 if dur is not None else None
        else:
            if "text" not in item or "start" not in item:
                raise InputError(_("l'élément JSON {k} n'a pas de `text`/`start`", k=k), path=path)
            body = str(item["text"])
            start = _num(item["start"], f"item {k} start", path)
            dur = item.get("duration", item.get("dur"))
            end = start + _num(dur, f"item {k} duration", path) if dur is not None else None
        body = " ".join(html.unescape(body).split())
        if not count_words(body):
            parsed.noise += 1
            continue
        parsed.fragments.append(Fragment(body, start, k + 1, end))
    parsed.noise_words["speaker label"] += _mark_turns(parsed.fragments)
    return parsed


def _mark_turns(fragments: list[Fragment]) -> int:
    """Speaker labels, dashes and `>>` markers inside structured inputs' texts; returns the label words."""
    speakers = Speakers([f.text for f in fragments])
    for frag in fragments:
        if frag.speaker:
            frag.new_speaker = frag.speaker != speakers.current
            speakers.current = frag.speaker
            continue
        frag.text, frag.speaker, frag.new_speaker = speakers.apply(frag.text)
    return speakers.label_words


def _is_podcast_json(doc: Any) -> bool:
    """Podcasting 2.0 JSON: `segments` of `startTime` / `endTime` / `body` (and optional `speaker`)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("segments"), list) or not doc["segments"]:
        return False
    first = doc["segments"][0]
    return isinstance(first, dict) and "body" in first and "startTime" in first


def _parse_podcast(doc: dict[str, Any], path: str) -> Parsed:
    """Podcasting 2.0 JSON (`<podcast:transcript type="application/json">`): one item per phrase or word."""
    parsed = Parsed(format="podcast_json")
    parsed.description, parsed.meta = _meta_from(doc)
    for k, seg in enumerate(doc["segments"]):
        if not isinstance(seg, dict) or "body" not in seg or "startTime" not in seg:
            raise InputError(_("segment {k} du JSON Podcasting 2.0 sans `startTime`/`body`", k=k), path=path)
        start = _num(seg["startTime"], f"segment {k} startTime", path)
        end = _num(seg["endTime"], f"segment {k} endTime", path) if seg.get("endTime") is not None else None
        body = " ".join(html.unescape(str(seg["body"])).split())
        if not count_words(body):
            if body and parsed.fragments:  # "?" as a word of its own: it ends the previous words
                parsed.fragments[-1].text += f" {body}"
            else:
                parsed.drop(body, "no words")
            continue
        speaker = (
            seg.get("speaker") if isinstance(seg.get("speaker"), str) and seg["speaker"].strip() else None
        )
        previous = parsed.fragments[-1] if parsed.fragments else None
        pause = previous is not None and previous.end_s is not None and start - previous.end_s >= 1.0
        parsed.fragments.append(Fragment(body, start, k + 1, end, speaker, pause_before=pause))
    parsed.noise_words["speaker label"] += _mark_turns(parsed.fragments)
    return parsed
