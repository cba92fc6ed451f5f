"""Test and bench helper: one invented show, rewritten in every layout French podcasts publish."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

WPS = 2.5  # words per second when the invented show is "spoken"


@dataclass(frozen=True)
class Show:
    """An invented episode: description, host, guests, and turns of (speaker, sentences)."""

    name: str
    description: str
    host: str
    guests: tuple[str, ...]
    turns: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Said:
    """A sentence as spoken: its speaker and its start time."""

    speaker: str
    start_s: float
    text: str


def spoken(show: Show) -> list[Said]:
    """The sentences with times: each word takes 1/WPS s, a 1.5 s silence between turns."""
    out, t = [], 2.0
    for speaker, sentences in show.turns:
        for sentence in sentences:
            out.append(Said(speaker, round(t, 3), sentence))
            t += len(sentence.split()) / WPS + 0.3
        t += 1.5
    return out


def _hms(s: float, sep: str = ".", hours: bool = True) -> str:
    ms = round(s * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    sec, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{sec:02d}{sep}{ms:03d}" if hours else f"{m:02d}:{sec:02d}{sep}{ms:03d}"


def _clock(s: float, hours: bool = False) -> str:
    total = int(s)
    h, rest = divmod(total, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if hours or h else f"{rest // 60}:{rest % 60:02d}"


def _ends(said: list[Said]) -> list[float]:
    return [round(s.start_s + len(s.text.split()) / WPS, 3) for s in said]


def _turns(said: list[Said]) -> list[list[Said]]:
    groups: list[list[Said]] = []
    for s in said:
        if groups and groups[-1][-1].speaker == s.speaker:
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def _first(name: str) -> str:
    return name.split()[0]


def to_podcast_json(show: Show, said: list[Said]) -> str:
    segs = [{"speaker": s.speaker, "startTime": s.start_s, "endTime": e, "body": s.text}
            for s, e in zip(said, _ends(said), strict=True)]  # fmt: skip
    return json.dumps({"version": "1.0.0", "segments": segs}, ensure_ascii=False, indent=1)


def to_ttml(show: Show, said: list[Said]) -> str:
    people = list(dict.fromkeys(s.speaker for s in said))
    agents = "".join(
        f'<ttm:agent type="person" xml:id="spk{k}"><ttm:name>{n}</ttm:name></ttm:agent>'
        for k, n in enumerate(people)
    )
    paras = []
    for s, e in zip(said, _ends(said), strict=True):
        words = "".join(
            f"<span>{w.replace('&', '&amp;').replace('<', '&lt;')}</span>" for w in s.text.split()
        )
        paras.append(
            f'<p begin="{s.start_s:.3f}s" end="{e:.3f}s" ttm:agent="spk{people.index(s.speaker)}">{words}</p>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<tt xmlns="http://www.w3.org/ns/ttml" '
        'xmlns:ttm="http://www.w3.org/ns/ttml#metadata" xml:lang="fr"><head><metadata>'
        f"{agents}</metadata></head><body><div>\n" + "\n".join(paras) + "\n</div></body></tt>\n"
    )


def to_turns_range(show: Show, said: list[Said]) -> str:
    out = []
    for turn in _turns(said):
        end = _ends(turn)[-1]
        out.append(f"{_clock(turn[0].start_s, True)} à {_clock(end, True)} {turn[0].speaker} :")
        out.append(" ".join(s.text for s in turn))
        out.append("")
    return "\n".join(out)


def to_turns_name_ts(show: Show, said: list[Said]) -> str:
    out = []
    for turn in _turns(said):
        out.append(f"{turn[0].speaker}  {_clock(turn[0].start_s)}")
        out.extend(s.text for s in turn)
        out.append("")
    return "\n".join(out)


def to_turns_paren(show: Show, said: list[Said]) -> str:
    out = []
    for turn in _turns(said):
        out.append(f"{turn[0].speaker} ({_hms(turn[0].start_s)[:8]})")
        out.append(" ".join(s.text for s in turn))
        out.append("")
    return "\n".join(out)


def to_turns_alone(show: Show, said: list[Said]) -> str:
    out = [show.description, ""]
    for turn in _turns(said):
        out.append(f"{_first(turn[0].speaker)} :")
        out.extend(f"[{_clock(s.start_s)}] {s.text}" for s in turn)
    return "\n".join(out) + "\n"


def to_bracket_lines(show: Show, said: list[Said]) -> str:
    return "".join(f"[{_hms(s.start_s)[:8]}] {s.speaker}: {s.text}\n" for s in said)


def to_srt(show: Show, said: list[Said]) -> str:
    return "\n".join(
        f"{k}\n{_hms(s.start_s, ',')} --> {_hms(e, ',')}\n{s.text}\n"
        for k, (s, e) in enumerate(zip(said, _ends(said), strict=True), 1)
    )


def to_webvtt(show: Show, said: list[Said]) -> str:
    cues = [
        f"{_hms(s.start_s)} --> {_hms(e)}\n<v {s.speaker}>{s.text}</v>\n"
        for s, e in zip(said, _ends(said), strict=True)
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def to_whisper(show: Show, said: list[Said]) -> str:
    segs = [{"id": k, "start": s.start_s, "end": e, "text": " " + s.text}
            for k, (s, e) in enumerate(zip(said, _ends(said), strict=True))]  # fmt: skip
    return json.dumps({"language": "fr", "segments": segs}, ensure_ascii=False)


def bare_words(text: str) -> list[str]:
    """What automatic captions hear: lower case, no punctuation."""
    return [w for w in re.sub(r"[^\w'’-]+", " ", text.lower()).split() if w.strip("-'’")]


def to_auto_vtt(show: Show, said: list[Said]) -> str:
    """yt-dlp `--write-auto-subs`: rolling two-line cues, inline word times, 10 ms repeat cues."""
    timed = []
    for s in said:
        for k, w in enumerate(bare_words(s.text)):
            timed.append((round(s.start_s + k / WPS, 3), w))
    lines = [timed[i : i + 7] for i in range(0, len(timed), 7)]
    out = ["WEBVTT\nKind: captions\nLanguage: fr\n"]
    previous = ""
    for k, line in enumerate(lines):
        start = line[0][0]
        end = lines[k + 1][0][0] if k + 1 < len(lines) else line[-1][0] + 1
        words = line[0][1] + "".join(f"<{_hms(t)}><c> {w}</c>" for t, w in line[1:])
        out.append(
            f"{_hms(start)} --> {_hms(end - 0.01)} align:start position:0%\n{previous or ' '}\n{words}\n"
        )
        plain = " ".join(w for _, w in line)
        out.append(f"{_hms(end - 0.01)} --> {_hms(end)} align:start position:0%\n{plain}\n \n")
        previous = plain
    return "\n".join(out)


def to_podcast_words(show: Show, said: list[Said]) -> str:
    """Podcasting 2.0 JSON with one segment per word, as many hosting platforms write it."""
    segs = []
    for s in said:
        words = s.text.split()
        for k, w in enumerate(words):
            t = round(s.start_s + k / WPS, 3)
            segs.append({"speaker": s.speaker, "startTime": t, "endTime": round(t + 0.35, 3), "body": w})
    return json.dumps({"version": "1.0.0", "segments": segs}, ensure_ascii=False)


def to_ttml_apple(show: Show, said: list[Said]) -> str:
    """Apple Podcasts TTML: SPEAKER_n agents, sentence spans holding timed word spans, punctuation apart."""
    people = list(dict.fromkeys(s.speaker for s in said))
    paras = []
    for s, e in zip(said, _ends(said), strict=True):
        spans = []
        for k, w in enumerate(re.findall(r"[^\s,.]+|[,.]", s.text)):
            t = s.start_s + k / WPS
            spans.append(f'<span podcasts:unit="word" begin="{t:.3f}" end="{t + 0.3:.3f}">{w}</span>')
        paras.append(
            f'<p begin="{s.start_s:.3f}" end="{e:.3f}" ttm:agent="SPEAKER_{people.index(s.speaker) + 1}">'
            f'<span podcasts:unit="sentence">{" ".join(spans)}</span></p>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><tt xmlns="http://www.w3.org/ns/ttml" '
        'xmlns:podcasts="http://podcasts.apple.com/transcript-ttml-internal" '
        'xmlns:ttm="http://www.w3.org/ns/ttml#metadata" xml:lang="fr"><body><div>'
        + "".join(paras)
        + "</div></body></tt>"
    )


def to_otter_generic(show: Show, said: list[Said]) -> str:
    """An Otter export without names: `Speaker 1  0:03` above each turn."""
    people = list(dict.fromkeys(s.speaker for s in said))
    out = []
    for turn in _turns(said):
        out += [
            f"Speaker {people.index(turn[0].speaker) + 1}  {_clock(turn[0].start_s)}",
            " ".join(s.text for s in turn),
            "",
        ]
    return "\n".join(out)


def to_scraped_page(show: Show, said: list[Said]) -> str:
    """A video page copied by hand: age, description, chrome, `MM:SS` glued lines, footer."""
    lines = ["- il y a 2 semaines", show.description, "Catégorie", "🎙", "NewsTranscription"]
    lines += [f"{int(s.start_s) // 60:02d}:{int(s.start_s) % 60:02d}{s.text}" for s in said]
    lines += ["Commentaires", "Écris le tout premier commentaire", "Recommandations", "12:04", "45:10"]
    return "\n".join(lines) + "\n"


def to_rolling_srt(show: Show, said: list[Said]) -> str:
    """Automatic captions converted to SRT: lower case, two rolling lines per cue, no inline times."""
    words = [(round(s.start_s + k / WPS, 3), w) for s in said for k, w in enumerate(bare_words(s.text))]
    lines = [words[i : i + 6] for i in range(0, len(words), 6)]
    out = []
    for k, line in enumerate(lines):
        start, end = line[0][0], (lines[k + 1][0][0] if k + 1 < len(lines) else line[-1][0] + 1)
        shown = ([" ".join(w for _, w in lines[k - 1])] if k else []) + [" ".join(w for _, w in line)]
        out.append(f"{k + 1}\n{_hms(start, ',')} --> {_hms(end, ',')}\n" + "\n".join(shown) + "\n")
    return "\n".join(out)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&#39;")


def to_timedtext(show: Show, said: list[Said]) -> str:
    """YouTube timed text (srv1): `<text start dur>` per caption."""
    items = "".join(
        f'<text start="{s.start_s:.2f}" dur="{e - s.start_s:.2f}">{_xml_escape(s.text)}</text>'
        for s, e in zip(said, _ends(said), strict=True)
    )
    return f'<?xml version="1.0" encoding="utf-8" ?><transcript>{items}</transcript>'


LAYOUTS = {
    "podcast_json": (".json", to_podcast_json, "podcast_json", True),
    "ttml": (".ttml", to_ttml, "ttml", True),
    "turns_range": (".txt", to_turns_range, "turns", True),
    "turns_name_ts": (".txt", to_turns_name_ts, "turns", True),
    "turns_paren": (".txt", to_turns_paren, "turns", True),
    "turns_first_name": (".txt", to_turns_alone, "turns", True),
    "bracket_lines": (".txt", to_bracket_lines, "scraped", True),
    "webvtt_voices": (".vtt", to_webvtt, "webvtt", True),
    "srt": (".srt", to_srt, "srt", False),
    "whisper_json": (".json", to_whisper, "whisper_json", False),
    "webvtt_auto": (".fr.vtt", to_auto_vtt, "webvtt_auto", False),
}
# Variants of the same families, for the benchmark (their fixtures are not committed).
VARIANTS = {
    "podcast_json_words": (".json", to_podcast_words, "podcast_json", True),
    "ttml_apple": (".ttml", to_ttml_apple, "ttml", False),
    "otter_speaker_n": (".txt", to_otter_generic, "turns", False),
    "scraped_page": (".txt", to_scraped_page, "scraped", False),
    "srt_rolling_auto": (".srt", to_rolling_srt, "srt", False),
    "timedtext_xml": (".xml", to_timedtext, "timedtext", False),
}


def write(show: Show, layout: str, dest: Path, chapters: bool = False) -> Path:
    """The show in one layout, with a downloader's `.description` (and `.info.json`) beside it."""
    suffix, writer, _, _ = {**LAYOUTS, **VARIANTS}[layout]
    stem = f"{layout}"
    path = dest / f"{stem}{suffix}"
    path.write_text(writer(show, spoken(show)), encoding="utf-8")
    base = stem
    (dest / f"{base}.description").write_text(show.description + "\n", encoding="utf-8")
    if chapters:
        info = {"title": show.name, "channel": show.name, "upload_date": "20261012",
                "description": show.description, "chapters": [{"start_time": 0, "end_time": 30, "title": "Ouverture"},
                {"start_time": 30, "end_time": 90, "title": "Le cœur du sujet"}]}  # fmt: skip
        (dest / f"{base}.info.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    return path
