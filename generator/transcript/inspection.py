"""The `inspect` report of a cleaned episode: a JSON-ready dict and its human-readable lines."""

from __future__ import annotations

from typing import Any

from generator.model import Episode, format_ts
from generator.transcript.fragments import count_words


def report(episode: Episode, *, utterances: bool = False, fragments: int | None = None) -> dict[str, Any]:
    """The keys of `newsletter inspect --json` (plus `speech` with --utterances)."""
    doc: dict[str, Any] = {
        "format": episode.format,
        "encoding": episode.encoding,
        "show": episode.show,
        "title": episode.title,
        "date": episode.date.isoformat() if episode.date else None,
        "host": episode.host,
        "guests": [{"name": g.name, "role": g.role} for g in episode.guests],
        "duration_s": round(episode.duration_s, 3) if episode.duration_s is not None else None,
        "utterances": fragments if fragments is not None else len(episode.utterances),
        "sentences": len(episode.utterances),
        "noise_removed": episode.noise_removed,
        "name_fixes": [{"from": f.wrong, "to": f.right, "count": f.count} for f in episode.name_fixes],
        "warnings": list(episode.warnings),
        **word_counts(episode),
        "chapters": [{"title": c.title, "start_s": c.start_s} for c in episode.chapters],
        "origins": dict(episode.origins),
    }
    if utterances:
        doc["speech"] = [
            {"start_s": u.start_s, "start": u.start, "speaker": u.speaker, "text": u.text}
            for u in episode.utterances
        ]
    return doc


def word_counts(episode: Episode) -> dict[str, Any]:
    """Conservation: every input word is kept as speech or counted as noise under a reason."""
    kept = sum(count_words(u.text) for u in episode.utterances)
    noise = dict(episode.noise_words)
    return {
        "words_in": kept + sum(noise.values()),
        "words_kept": kept,
        "words_noise": sum(noise.values()),
        "words_noise_reasons": noise,
    }


def report_lines(doc: dict[str, Any]) -> list[str]:
    """The same report as lines of French text for a terminal."""
    guests = doc["guests"] or []
    lines = [
        f"Format        : {doc['format']} ({doc['encoding']})",
        f"Émission      : {doc['show'] or '(inconnue)'}{_origin(doc, 'show')}",
        f"Titre         : {doc.get('title') or '(aucun)'}{_origin(doc, 'title')}",
        f"Date          : {doc['date'] or '(inconnue)'}{_origin(doc, 'date')}",
        f"Présentation  : {doc['host'] or '(non nommée)'}{_origin(doc, 'host')}",
        f"Invités       : {len(guests) or 'aucun'}{_origin(doc, 'guests')}",
    ]
    lines += [f"  - {g['name']}" + (f" ({g['role']})" if g["role"] else "") for g in guests]
    lines += [
        f"Durée         : {format_ts(doc['duration_s']) or '(sans horodatage)'}",
        f"Fragments     : {doc['utterances']}",
        f"Phrases       : {doc['sentences']}",
        f"Bruit retiré  : {doc['noise_removed']} ligne(s)",
        f"Mots          : {doc['words_in']} lus, {doc['words_kept']} gardés, {doc['words_noise']} écartés",
    ]
    lines += [f"  - {reason} : {n}" for reason, n in doc["words_noise_reasons"].items()]
    lines += [f"Chapitre      : {format_ts(c['start_s'])} {c['title']}" for c in doc["chapters"]]
    fixes = doc["name_fixes"]
    lines.append(f"Noms corrigés : {sum(f['count'] for f in fixes) if fixes else 0}")
    lines += [f"  - {f['from']} -> {f['to']} (x{f['count']})" for f in fixes]
    lines += [f"Attention     : {w}" for w in doc["warnings"]]
    for u in doc.get("speech", []):
        speaker = f" [{u['speaker']}]" if u["speaker"] else ""
        lines.append(f"{u['start'] or '--:--'}{speaker} {u['text']}")
    return lines


# How the terminal report says where a field was found.
_ORIGIN_FR = {
    "description": "description",
    "front matter": "en-tête de la page",
    "speech": "dit à l'antenne",
    "speaker label": "étiquette de locuteur",
    "sidecar": "fichier voisin",
    "file": "fichier",
}


def _origin(doc: dict[str, Any], key: str) -> str:
    where = (doc.get("origins") or {}).get(key)
    return f" ({_ORIGIN_FR.get(where, where)})" if where else ""
