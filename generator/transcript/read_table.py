"""Tables (CSV, TSV) exported by transcription editors: a header row naming start, speaker and text columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from generator.i18n import ngettext
from generator.transcript.fragments import Fragment, Parsed, count_words
from generator.transcript.metadata import fold
from generator.transcript.timestamps import parse_ts

_COLUMNS = {
    "start": {"start", "start time", "starttime", "start_time", "debut", "in", "timecode", "time", "horodatage",
              "temps", "begin"},
    "end": {"end", "end time", "endtime", "end_time", "fin", "out", "stop"},
    "speaker": {"speaker", "speaker name", "speaker_name", "intervenant", "intervenante", "locuteur", "nom",
                "name", "orateur"},
    "text": {"text", "texte", "transcript", "transcription", "content", "contenu", "words", "body", "phrase"},
}  # fmt: skip
_DELIMITERS = (",", ";", "\t")


def _header(line: str) -> tuple[str, dict[str, int]] | None:
    """The delimiter and the column of each known field, when the first line is a transcript's header."""
    for delimiter in _DELIMITERS:
        if line.count(delimiter) < 1:
            continue
        cells = [fold(c).strip().strip('"') for c in next(csv.reader([line], delimiter=delimiter))]
        found = {}
        for field, names in _COLUMNS.items():
            k = next((i for i, c in enumerate(cells) if c in names), None)
            if k is not None:
                found[field] = k
        if "text" in found and "start" in found:
            return delimiter, found
    return None


def looks_like_table(text: str) -> bool:
    """A first line naming a start column and a text column, separated by commas, semicolons or tabs."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    return _header(first) is not None


def _time(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    if value.count(":") == 3:  # HH:MM:SS:FF timecodes: frames dropped
        value = value.rsplit(":", 1)[0]
    try:
        return parse_ts(value)
    except ValueError:
        return None


def _cells(row: list[str], cols: dict[str, int]) -> Callable[[str], str]:
    """A lookup of this row's cell by field name ("" when the row is short)."""
    return lambda field: row[cols[field]].strip() if field in cols and cols[field] < len(row) else ""


def parse_table(text: str) -> Parsed:
    """One fragment per row; a row without a readable start time keeps the previous one, with a warning."""
    lines = text.lstrip("\ufeff").splitlines()
    found = _header(lines[0].strip())
    assert found is not None
    delimiter, cols = found
    parsed = Parsed(format="table")
    untimed = 0
    previous: str | None = None
    for n, row in enumerate(csv.reader(io.StringIO("\n".join(lines[1:])), delimiter=delimiter), 2):
        cell = _cells(row, cols)
        body = " ".join(cell("text").split())
        if not count_words(body):
            parsed.drop(" ".join(row), "no words")
            continue
        start = _time(cell("start"))
        if start is None:
            untimed += 1
            start = parsed.fragments[-1].start_s if parsed.fragments else None
        speaker = cell("speaker") or None
        new = speaker is not None and speaker != previous
        previous = speaker or previous
        parsed.fragments.append(Fragment(body, start, n, _time(cell("end")), speaker, new))
    if untimed:
        parsed.warnings.append(
            ngettext(
                "{n} ligne sans heure de début lisible a pris celle de la précédente",
                "{n} lignes sans heure de début lisible ont pris celle de la précédente",
                untimed,
            )
        )
    return parsed
