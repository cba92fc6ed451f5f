"""Audio too big for one upload is cut at silences into WAV pieces, each with its offset in the whole.

WAV is read with the stdlib `wave` and numpy (loudness per 50 ms window); a cut falls in the quietest
stretch of the last two thirds before the size limit, so no word is split. Compressed audio (MP3, AAC...)
over the limit is first decoded to 16 kHz mono WAV by ffmpeg when it is installed; without ffmpeg such
a file is refused with a message saying so (under the limit it is sent as it is).
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.errors import TranscriptionError
from generator.i18n import _

WINDOW_S = 0.05
HEADER_BYTES = 1024  # room for the WAV header of each piece


@dataclass(frozen=True)
class Piece:
    path: Path
    offset_s: float
    duration_s: float


def wav_duration(path: Path) -> float | None:
    """Seconds of a WAV file, or None when it is not one."""
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError, OSError):
        return None


def _loudness(frames: bytes, width: int, channels: int, window: int) -> np.ndarray:
    """RMS per window of `window` frames (all channels mixed)."""
    dtype = {1: np.uint8, 2: np.int16, 4: np.int32}.get(width)
    if dtype is None:
        raise TranscriptionError(
            _("WAV de {bits} bits non pris en charge (8, 16 ou 32 bits)", bits=width * 8)
        )
    samples = np.frombuffer(frames, dtype=dtype).astype(np.float64)
    if width == 1:
        samples -= 128.0
    usable = len(samples) // (channels * window) * channels * window
    if usable == 0:
        return np.zeros(1)
    blocks = samples[:usable].reshape(-1, channels * window)
    return np.sqrt((blocks**2).mean(axis=1))


def cut_points(loudness: np.ndarray, max_windows: int) -> list[int]:
    """Window indexes where pieces start (0 first): each piece at most `max_windows` long, cut in the
    middle of the longest quietest stretch of its last two thirds."""
    cuts = [0]
    total = len(loudness)
    while total - cuts[-1] > max_windows:
        start = cuts[-1]
        lo, hi = start + max(1, max_windows // 3), start + max_windows
        zone = loudness[lo:hi]
        quiet = zone <= zone.min() + 1e-9 + 0.05 * (np.median(zone) - zone.min())
        best, run_start, best_span = int(np.argmin(zone)), None, (0, 0)
        for i, q in enumerate([*quiet, False]):
            if q and run_start is None:
                run_start = i
            elif not q and run_start is not None:
                if i - run_start > best_span[1] - best_span[0]:
                    best_span = (run_start, i)
                run_start = None
        if best_span[1] > best_span[0]:
            best = (best_span[0] + best_span[1]) // 2
        cuts.append(lo + best)
    return cuts


def split_wav(path: Path, max_bytes: int, folder: Path) -> list[Piece]:
    """`path` as pieces of at most `max_bytes`, cut at silences; the file itself when it fits."""
    duration = wav_duration(path)
    if duration is None:
        raise TranscriptionError(_("fichier WAV illisible"), path=str(path))
    if path.stat().st_size <= max_bytes:
        return [Piece(path, 0.0, duration)]
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        frames = w.readframes(params.nframes)
    rate, width, channels = params.framerate, params.sampwidth, params.nchannels
    window = max(1, int(rate * WINDOW_S))
    frame_bytes = width * channels
    max_windows = (max_bytes - HEADER_BYTES) // (frame_bytes * window)
    if max_windows < 20:
        raise TranscriptionError(_("limite d'envoi trop petite pour découper l'audio"), path=str(path))
    loud = _loudness(frames, width, channels, window)
    cuts = cut_points(loud, int(max_windows))
    folder.mkdir(parents=True, exist_ok=True)
    pieces = []
    bounds = [c * window for c in cuts] + [params.nframes]
    for n, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        piece = folder / f"{path.stem}.piece{n:03d}.wav"
        with wave.open(str(piece), "wb") as out:
            out.setnchannels(channels)
            out.setsampwidth(width)
            out.setframerate(rate)
            out.writeframes(frames[a * frame_bytes : b * frame_bytes])
        pieces.append(Piece(piece, a / rate, (b - a) / rate))
    return pieces


def to_wav(path: Path, folder: Path) -> Path:
    """Compressed audio -> 16 kHz mono 16-bit WAV through ffmpeg (needed only to split a big file)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise TranscriptionError(
            _("audio compressé trop gros pour un seul envoi : installez ffmpeg pour le découper"),
            path=str(path),
        )
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.stem}.16k.wav"
    cmd = [
        ffmpeg,
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(path),
        "-ac",
        "1",
        "-ar",
        "16000",
        str(target),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise TranscriptionError(
            _("ffmpeg n'a pas pu décoder l'audio : {error}", error=done.stderr.strip()[:200]), path=str(path)
        )
    return target


def pieces_for_upload(path: Path, max_bytes: int, folder: Path) -> list[Piece]:
    """The audio as pieces each under `max_bytes` (one piece when it already fits)."""
    size = path.stat().st_size
    if wav_duration(path) is not None:
        return split_wav(path, max_bytes, folder)
    if size <= max_bytes:
        return [Piece(path, 0.0, 0.0)]
    return split_wav(to_wav(path, folder), max_bytes, folder)
