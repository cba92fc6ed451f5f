"""File -> Episode: checks, decoding, format detection, raw caption fragments and metadata."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import InputError
from generator.i18n import _, current, ngettext
from generator.model import Episode, Utterance, format_ts
from generator.transcript.about import describe
from generator.transcript.decode import decode_bytes, fix_mojibake
from generator.transcript.formats import parse
from generator.transcript.fragments import Fragment
from generator.transcript.speakers import resolve_speakers

if TYPE_CHECKING:
    from generator.config import Settings

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Captions sometimes overlap by a fraction of a second; more than this is a broken file.
BACKWARDS_TOLERANCE_S = 1.0
SPEECH_RATE_WPS = 2.5


def _read(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after the checks that need no decoding. Never modifies the file."""
    where = str(path)
    if path.is_dir():
        raise InputError(_("est un dossier, pas un fichier de transcription"), path=where)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(_("fichier introuvable"), path=where) from None
    except OSError as exc:
        raise InputError(_("illisible ({error})", error=exc.strerror or exc), path=where) from None
    if size > max_bytes:
        raise InputError(
            _(
                "pèse {size} Mo, au-delà de la limite de {limit} Mo (relevez [ingest] max_size_mb)",
                size=current().number(size / 1e6, 1),
                limit=current().number(max_bytes / 1e6),
            ),
            path=where,
        )
    try:
        with path.open("rb") as fh:
            # Ask for what stat() promised (plus one byte to notice growth): reading max_bytes + 1
            # would make CPython allocate the whole limit up front.
            data = fh.read(size + 1)
    except PermissionError:
        raise InputError(_("illisible (permission refusée)"), path=where) from None
    except OSError as exc:
        raise InputError(_("illisible ({error})", error=exc.strerror or exc), path=where) from None
    if len(data) > size:  # grew while we read it: a file still being written
        raise InputError(
            _("a changé pendant la lecture (encore en cours d'écriture ?) ; réessayez plus tard"), path=where
        )
    if not data.strip():
        raise InputError(_("est vide"), path=where)
    return data


def _check_order(fragments: list[Fragment], path: str) -> int:
    """Timestamps may not go backwards; small caption overlaps are clamped (their count is returned)."""
    last: float | None = None
    clamped = 0
    for frag in fragments:
        if frag.start_s is not None:
            if last is not None and frag.start_s < last:
                if last - frag.start_s > BACKWARDS_TOLERANCE_S:
                    raise InputError(
                        _(
                            "les horodatages reculent à la ligne {line} ({at} après {last})",
                            line=frag.line,
                            at=format_ts(frag.start_s),
                            last=format_ts(last),
                        ),
                        path=path,
                    )
                frag.start_s = last
                clamped += 1
            last = frag.start_s
    return clamped


def ingest(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, today: dt.date | None = None) -> Episode:
    """Read a transcript file into an Episode of raw caption fragments plus its metadata."""
    path = Path(path)
    where = str(path)
    today = today or dt.date.today()
    data = _read(path, max_bytes)
    text, encoding = decode_bytes(data, where)
    text, repaired = fix_mojibake(text)
    warnings: list[str] = []
    if repaired:
        warnings.append(_("texte mal décodé en amont (mojibake) : réparé"))
    parsed = parse(text, where)
    if not parsed.fragments:
        raise InputError(_("aucune parole trouvée dans ce fichier"), path=where)
    fragments = parsed.fragments
    clamped = _check_order(fragments, where)
    if clamped:
        warnings.append(
            ngettext(
                "{n} sous-titre commence jusqu'à {s} s avant le précédent",
                "{n} sous-titres commencent jusqu'à {s} s avant le précédent",
                clamped,
                s=current().number(BACKWARDS_TOLERANCE_S),
            )
        )
    if all(f.start_s is None for f in fragments):
        warnings.append(_("aucun horodatage dans ce fichier : citations et sujets resteront sans heure"))
    last = fragments[-1]
    if last.end_s is None and last.start_s is not None:
        # Without an end time, the last caption lasts as long as its words take to say (~2.5 words/s).
        words_end = last.start_s + round(len(last.text.split()) / SPEECH_RATE_WPS, 1)
        last.end_s = parsed.end_s if parsed.end_s is not None and parsed.end_s >= last.start_s else words_end

    about = describe(parsed, path, today)
    warnings.extend(parsed.warnings)
    warnings.extend(about.warnings)
    warnings.extend(resolve_speakers(fragments, about.known_names))

    utterances = tuple(
        Utterance(
            text=f.text,
            start_s=f.start_s,
            end_s=f.end_s,
            speaker=f.speaker,
            new_speaker=f.new_speaker,
            heading=f.heading,
            set_apart=f.set_apart,
        )
        for f in fragments
    )
    return Episode(
        path=where,
        sha256=hashlib.sha256(data).hexdigest(),
        format=parsed.format,
        encoding=encoding,
        utterances=utterances,
        show=about.show,
        date=about.date,
        host=about.host,
        guests=about.guests,
        description=about.description,
        source_url=about.source_url,
        noise_removed=parsed.noise,
        warnings=tuple(warnings),
        chapters=about.chapters,
        noise_words=tuple(sorted((k, v) for k, v in parsed.noise_words.items() if v)),
        title=about.title,
        origins=tuple(sorted(about.origins.items())),
    )


def max_bytes_of(settings: Settings) -> int:
    """The configured size limit in bytes."""
    return int(settings.ingest.max_size_mb * 1024 * 1024)


def load_episode(path: Path, settings: Settings, *, today: dt.date | None = None) -> Episode:
    """Ingest and clean: the cleaned, sentence-level Episode every later stage uses."""
    from generator.transcript.cleaning import clean

    return clean(ingest(Path(path), max_bytes=max_bytes_of(settings), today=today))
