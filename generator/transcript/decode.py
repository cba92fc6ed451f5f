"""Bytes -> text: encoding detection (BOM, UTF-16, UTF-8, Windows-1252/Latin-1) and mojibake repair."""

from __future__ import annotations

import re

import ftfy

from generator.errors import InputError
from generator.i18n import _

# Curly quotes, full-width forms and ligatures are kept as written: quotes must stay verbatim.
# HTML entities are unescaped by the parsers that expect them (JSON, WebVTT), not everywhere.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=False,
    explain=True,
)
_ENCODING_STEPS = {"encode", "decode", "transcode"}

# UTF-8 read as Windows-1250 (seen in real newsletters): ftfy's badness heuristic does not flag
# "Ă´" or "Ă©" as wrong, so sequences of a Windows-1250 lead byte (0xC2-0xC5, 0xC3 = "Ă" holds
# most French accents) and a continuation byte (0x80-0xBF) are re-decoded with ftfy's codec.
_CP1250_CONT = bytes(range(0x80, 0xC0)).decode("sloppy-windows-1250")
_CP1250_LEAD = bytes(range(0xC2, 0xC6)).decode("sloppy-windows-1250")
_CP1250_MOJIBAKE = re.compile(f"[{re.escape(_CP1250_LEAD)}][{re.escape(_CP1250_CONT)}]")
# Two-byte sequences whose lead is "Ă" (0xC3) decode to Latin-1 letters: those are never French
# words, whereas "Â", "Ä" leads are real letters in other languages; only fix those when the text
# already shows "Ă" mojibake.
_STRONG_LEAD = bytes([0xC3]).decode("sloppy-windows-1250")


def _fix_cp1250(text: str) -> tuple[str, int]:
    """Repair UTF-8 text that was decoded as Windows-1250; returns the text and the fix count."""
    if _STRONG_LEAD not in text:
        return text, 0
    count = 0

    def repair(match: re.Match[str]) -> str:
        nonlocal count
        try:
            fixed = match.group(0).encode("sloppy-windows-1250").decode("utf-8")
        except UnicodeError:
            return match.group(0)
        count += 1
        return fixed

    return _CP1250_MOJIBAKE.sub(repair, text), count


def fix_mojibake(text: str) -> tuple[str, bool]:
    """Repair mojibake with ftfy (plus the Windows-1250 case it misses); returns (text, repaired).

    `repaired` is true only for encoding repairs, not for ftfy's harmless normalisations.
    """
    if text.isascii():
        return text, False
    out = []
    repaired = False
    # Line by line, as ftfy.fix_text does: one line's mojibake must not block another line's repair.
    for line in text.splitlines(keepends=True):
        if line.isascii():
            out.append(line)
            continue
        fixed, steps = ftfy.fix_and_explain(line, _FTFY_CONFIG)
        repaired = repaired or any(step[0] in _ENCODING_STEPS for step in steps or ())
        out.append(fixed)
    fixed, count = _fix_cp1250("".join(out))
    return fixed, repaired or count > 0


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: many NULs on one side of the byte pairs (ASCII-heavy text)."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """Decode a transcript file; returns (text, encoding name). Raises InputError for binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
        codec = "utf-8"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = codec = "utf-16"
        body = data
    else:
        body = data
        codec = encoding = _looks_utf16(data) or ""
    if codec.startswith("utf-16"):
        try:
            text = body.decode(codec)
        except UnicodeDecodeError as exc:
            raise InputError(
                _("texte UTF-16 invalide ({reason} à l'octet {at})", reason=exc.reason, at=exc.start),
                path=path,
            ) from None
    else:
        if b"\x00" in body:
            raise InputError(
                _("fichier binaire, pas une transcription texte (il contient des octets nuls)"), path=path
            )
        try:
            text = body.decode("utf-8")
            encoding = encoding or "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = body.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, encoding = body.decode("latin-1"), "latin-1"
    _reject_binary(text, path)
    return text, encoding


def _reject_binary(text: str, path: str) -> None:
    """Text full of control characters is a binary file that happened to decode."""
    sample = text[:20000]
    if not sample:
        return
    controls = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f\v") or "\x7f" <= ch <= "\x9f")
    if "\x00" in sample or controls > max(3, len(sample) // 100):
        raise InputError(
            _("fichier binaire, pas une transcription texte (trop de caractères de contrôle)"), path=path
        )
