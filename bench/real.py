"""Real transcripts as published (../shared/real): words read, kept and dropped, metadata found and where.

    .venv/bin/python bench/real.py [--before DIR] [--shared DIR]

For each file of ../shared/real (each folder's labels.json names it): whether it parses, words in / kept
/ noise (and the main noise reasons), the show, date, host and guests found with their origin, and the
symbols `%`, `€`, `°` of the source speech kept in the cleaned speech. With --before DIR (a checkout of
an earlier commit, e.g. `git archive <commit> | tar -x -C DIR`), the same table for that code too,
each run in its own process so the two versions never mix.

Then the sentences rebuilt for unpunctuated captions, measured where a truth exists: the human subtitles
of each timed file (punctuated) are stripped of punctuation and capitals and cut again; a cut is at a
clause edge when the original had punctuation (. , ; : ? ! …) or a change of speaker there. Also, on
every timed file, the share of pseudo-sentences ending on a word that cannot end a clause ("de", "le").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYMBOLS = "%€°"
_FUNCTION_WORDS = (
    "le la les l' un une des du de d' au aux à en dans sur pour par avec et ou que qu' qui ne se ce "
    "cette ces mon ma mes son sa ses notre votre leur je tu il on nous vous est très"
)
FUNCTION_END = set(_FUNCTION_WORDS.split())


def _source_symbols(path: Path) -> dict[str, int]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        doc = json.loads(text)
        body = max((v for v in doc.values() if isinstance(v, str)), key=len, default="")
    elif path.suffix == ".vtt":
        auto = "<c>" in text
        lines = [ln for ln in text.splitlines() if "-->" not in ln and (not auto or "<c>" in ln)]
        body = re.sub(r"<[^>]*>", "", "\n".join(lines))
    else:
        body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)
        body = re.sub(r"(?:href|src)=\"[^\"]*\"|\]\([^)]*\)|https?://\S+", " ", body)
    return {s: body.count(s) for s in SYMBOLS}


def _strip(word: str) -> str:
    return word.strip('.,;:!?…«»"()').lower()


def _clause_measure(fragments: list, word_level: bool = False) -> dict[str, float]:
    """Punctuated timed speech -> stripped of punctuation -> cut again: cuts at the original's clause edges.

    `word_level`: each cue's words become word-timed fragments (times spread over the cue), the shape of
    automatic captions."""
    from generator.model import Utterance
    from generator.transcript.cleaning import reflow

    words: list[tuple[str, bool]] = []  # (bare word, the original ends a clause after it)
    bare_frags = []
    for u in fragments:
        if u.new_speaker and words:  # a change of speaker: the previous word ended a clause
            words[-1] = (words[-1][0], True)
        toks = u.text.split()
        kept = [_strip(t) for t in toks]
        for t, b in zip(toks, kept, strict=True):
            if b:
                words.append((b, bool(re.search(r"[.,;:!?…][\"»)]*$", t))))
        text = " ".join(b for b in kept if b)
        if text and word_level and u.start_s is not None and u.end_s is not None:
            said = text.split()
            step = (u.end_s - u.start_s) / len(said)
            bare_frags += [
                Utterance(w, start_s=u.start_s + k * step, end_s=u.start_s + (k + 1) * step)
                for k, w in enumerate(said)
            ]
        elif text:
            bare_frags.append(
                Utterance(text, start_s=u.start_s, end_s=u.end_s, speaker=None, new_speaker=False)
            )
    flat = [w for f in bare_frags for w in f.text.split()]
    sentences = reflow(tuple(bare_frags))
    edges = []
    pos = 0
    for s in sentences[:-1]:
        pos += len(s.text.split())
        edges.append(pos)
    at_edge = sum(1 for e in edges if words[e - 1][1])
    bad_end = sum(1 for s in sentences if _strip(s.text.split()[-1]) in FUNCTION_END)
    assert len(flat) == len(words)
    return {
        "sentences": len(sentences),
        "mean_words": round(len(flat) / max(1, len(sentences)), 1),
        "cuts_at_clause_edge_pct": round(100 * at_edge / max(1, len(edges)), 1),
        "chance_pct": round(100 * sum(1 for _, e in words[:-1] if e) / max(1, len(words) - 1), 1),
        "ends_on_function_word_pct": round(100 * bad_end / max(1, len(sentences)), 1),
    }


def _unpunctuated_measure(utterances: list) -> dict[str, float]:
    bad = sum(1 for u in utterances if _strip(u.text.split()[-1]) in FUNCTION_END)
    words = sum(len(u.text.split()) for u in utterances)
    return {
        "sentences": len(utterances),
        "mean_words": round(words / max(1, len(utterances)), 1),
        "ends_on_function_word_pct": round(100 * bad / max(1, len(utterances)), 1),
    }


def measure(shared: Path) -> dict:
    """Run in the process whose sys.path holds the code to measure: one JSON document."""
    import datetime as dt

    from generator.transcript.cleaning import clean
    from generator.transcript.ingestion import ingest
    from generator.transcript.inspection import word_counts

    out: dict = {"files": {}, "clauses": {}}
    for labels_path in sorted((shared / "real").glob("*/labels.json")):
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
        path = labels_path.parent / labels["file"]
        name = labels_path.parent.name
        try:
            raw = ingest(path, max_bytes=50 * 2**20, today=dt.date(2026, 12, 4))
            ep = clean(raw)
        except Exception as exc:  # a failure to read is a result here
            out["files"][name] = {"error": f"{type(exc).__name__}: {exc}"[:160]}
            continue
        counts = word_counts(ep)
        kept = " ".join(u.text for u in ep.utterances)
        reasons = sorted(counts["words_noise_reasons"].items(), key=lambda kv: -kv[1])
        out["files"][name] = {
            "format": ep.format,
            "words_in": counts["words_in"],
            "words_kept": counts["words_kept"],
            "words_noise": counts["words_noise"],
            "reasons": reasons[:4],
            "show": ep.show,
            "date": ep.date.isoformat() if ep.date else None,
            "host": ep.host,
            "guests": [g.name for g in ep.guests],
            "origins": dict(getattr(ep, "origins", ())),
            "symbols_source": _source_symbols(path),
            "symbols_kept": {s: kept.count(s) for s in SYMBOLS},
            "labels": {k: labels.get(k) for k in ("show", "date", "host", "guests")},
        }
        timed = any(u.start_s is not None for u in raw.utterances)
        if timed and ep.format == "webvtt":
            out["clauses"][name] = _clause_measure(list(raw.utterances))
            out["clauses"][f"{name}, word-timed"] = _clause_measure(list(raw.utterances), word_level=True)
        elif timed:
            out["clauses"][name] = _unpunctuated_measure(list(ep.utterances))
    return out


def _run(root: Path, shared: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root)}
    code = (
        f"import sys, json; sys.path.insert(0, {str(root)!r}); sys.path.insert(1, {str(ROOT / 'bench')!r}); "
        f"import real; print(json.dumps(real.measure(__import__('pathlib').Path({str(shared)!r}))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=root
    )
    return json.loads(done.stdout)


def _meta(row: dict, key: str) -> str:
    value = row.get(key)
    if key == "guests":
        value = ", ".join(value) if value else None
    if not value:
        return "—"
    origin = row.get("origins", {}).get(key)
    return f"{value} ({origin})" if origin else str(value)


def table(result: dict, title: str) -> list[str]:
    lines = [
        f"**{title}**",
        "",
        "| file | format | words in | kept | noise (main reasons) | show | date | host | guests | % € ° source → kept |",
        "|---|---|---:|---:|---|---|---|---|---|---|",
    ]
    for name, row in result["files"].items():
        if "error" in row:
            lines.append(f"| {name} | refused: {row['error']} | | | | | | | | |")
            continue
        reasons = ", ".join(f"{r} {n}" for r, n in row["reasons"]) or "—"
        src, kept = row["symbols_source"], row["symbols_kept"]
        sym = " ".join(f"{src[s]}→{kept[s]}" for s in SYMBOLS)
        lines.append(
            f"| {name} | {row['format']} | {row['words_in']} | {row['words_kept']} | {row['words_noise']} "
            f"({reasons}) | {_meta(row, 'show')} | {_meta(row, 'date')} | {_meta(row, 'host')} | "
            f"{_meta(row, 'guests')} | {sym} |"
        )
    return lines


def clause_table(before: dict | None, after: dict) -> list[str]:
    lines = [
        "| file | measure | before | after |",
        "|---|---|---:|---:|",
    ]
    for name, row in after["clauses"].items():
        old = (before or {}).get("clauses", {}).get(name, {})
        for key, value in row.items():
            lines.append(f"| {name} | {key} | {old.get(key, '—')} | {value} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="a checkout of the code to compare with")
    parser.add_argument(
        "--shared", type=Path, default=Path(os.environ.get("NEWSLETTER_SHARED", ROOT.parent / "shared"))
    )
    args = parser.parse_args()
    if not (args.shared / "real").is_dir():
        print(f"{args.shared / 'real'} is absent", file=sys.stderr)
        return 1
    before = _run(args.before.resolve(), args.shared.resolve()) if args.before else None
    after = _run(ROOT, args.shared.resolve())
    out: list[str] = []
    if before:
        out += table(before, f"Before ({args.before})") + [""]
    out += table(after, "After (this code)") + [""]
    out += ["Sentences of timed files (see the script's docstring for what is measured):", ""]
    out += clause_table(before, after)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
