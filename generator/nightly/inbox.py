"""The inbox folder: which files are ready to process, their sha256, and moving them once handled."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

PROCESSED_DIR = "processed"
FAILED_DIR = "failed"
ERROR_SUFFIX = ".error.txt"

# Names that download managers, editors and copy tools give to files they are still writing.
TEMP_SUFFIXES = (
    ".part",
    ".partial",
    ".tmp",
    ".temp",
    ".crdownload",
    ".download",
    ".opdownload",
    ".filepart",
    ".swp",
    ".swo",
    ".swx",
    ".bak",
    ".lock",
    ".!qb",
    ".aria2",
    "~",
)
TEMP_PREFIXES = (".", "~$", "#")
# yt-dlp style metadata beside a caption file (read by ingest): they travel with their transcript.
SIDECAR_SUFFIXES = (".description", ".info.json")


@dataclass(frozen=True)
class InboxFile:
    """A file in the inbox that has stopped changing, with its content hash."""

    path: Path
    size: int
    mtime_ns: int
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Skipped:
    """A file of the inbox left alone this time, and why."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Scan:
    """The result of looking at the inbox once."""

    ready: tuple[InboxFile, ...]
    settling: tuple[Skipped, ...]  # still being written: picked up by a later run
    ignored: tuple[Skipped, ...]  # hidden, temporary, folders, unreadable


class SeenStore(Protocol):
    """Where a scan remembers (size, mtime) of files it saw, to judge stability without waiting."""

    def seen_get(self, path: str) -> tuple[int, int, float] | None: ...

    def seen_put(self, path: str, size: int, mtime_ns: int, when: float) -> None: ...


def ignore_reason(name: str) -> str | None:
    """Why a file name is not a transcript to process (hidden or temporary), or None."""
    if name.startswith(TEMP_PREFIXES) or name.endswith("#"):
        return "hidden or editor file"
    lower = name.lower()
    if lower.endswith(TEMP_SUFFIXES):
        return "temporary file (still being downloaded or edited)"
    if lower.endswith(ERROR_SUFFIX):
        return "error report of a failed input"
    if lower.endswith(SIDECAR_SUFFIXES):
        return "episode description (moved with its transcript)"
    return None


def sidecars(path: Path) -> list[Path]:
    """Existing `<stem>.description` / `<stem>.info.json` files beside a transcript, for every stem."""
    found = []
    name = path.name
    while "." in name:
        name = name.rsplit(".", 1)[0]
        for suffix in SIDECAR_SUFFIXES:
            candidate = path.with_name(name + suffix)
            if candidate.is_file() and candidate not in found:
                found.append(candidate)
    return found


def move_sidecars(moved: list[tuple[Path, Path]], inbox: Path) -> list[Path]:
    """Move the sidecars of moved transcripts (old path, new folder) once no transcript left uses them."""
    remaining = [p for p in inbox.iterdir() if p.is_file() and ignore_reason(p.name) is None]
    still_used = {side for p in remaining for side in sidecars(p)}
    targets = []
    for old, folder in moved:
        for side in sidecars(old):
            if side not in still_used and side.exists():
                targets.append(_move(side, folder))
    return targets


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """The sha256 of a file, read in chunks so a huge file never sits in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def scan(
    inbox: Path,
    *,
    settle_seconds: float,
    seen: SeenStore | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    wait: bool = True,
) -> Scan:
    """List the inbox files ready to process: not hidden or temporary, unchanged for `settle_seconds`.

    A file is settled without waiting when its mtime is at least `settle_seconds` old, or when a
    previous scan (remembered in `seen`) saw the same size and mtime that long ago. Otherwise the
    scan waits once for the remaining time (`wait=True`) and re-reads size and mtime: a file that
    changed meanwhile is reported as still being written and left for the next run.
    """
    ignored: list[Skipped] = []
    candidates: list[tuple[Path, int, int]] = []
    if not inbox.is_dir():
        return Scan((), (), ())
    for path in sorted(inbox.iterdir()):
        reason = ignore_reason(path.name)
        if reason is None and not path.is_file():
            reason = "folder" if path.is_dir() else "not a regular file"
        if reason is not None:
            if path.name not in (PROCESSED_DIR, FAILED_DIR):
                ignored.append(Skipped(path, reason))
            continue
        st = _stat(path)
        if st is None:
            ignored.append(Skipped(path, "vanished or unreadable"))
            continue
        candidates.append((path, *st))

    now = clock()
    settled: list[tuple[Path, int, int]] = []
    pending: list[tuple[Path, int, int, float]] = []  # path, size, mtime, seconds still to wait
    for path, size, mtime_ns in candidates:
        age = now - mtime_ns / 1e9
        record = seen.seen_get(str(path)) if seen is not None else None
        stable_since = record[2] if record and record[:2] == (size, mtime_ns) else None
        if age >= settle_seconds or (stable_since is not None and now - stable_since >= settle_seconds):
            settled.append((path, size, mtime_ns))
        else:
            if seen is not None and stable_since is None:
                seen.seen_put(str(path), size, mtime_ns, now)
            # A future mtime (clock skew) counts as "just written": wait the whole delay.
            pending.append((path, size, mtime_ns, settle_seconds - max(age, 0.0)))

    settling: list[Skipped] = []
    if pending and wait:
        sleep(max(0.0, min(settle_seconds, max(p[3] for p in pending))))
        for path, size, mtime_ns, _ in pending:
            if _stat(path) == (size, mtime_ns):
                settled.append((path, size, mtime_ns))
            else:
                settling.append(Skipped(path, f"still being written (changed within {settle_seconds:g} s)"))
    else:
        settling.extend(
            Skipped(p[0], f"still being written (changed within {settle_seconds:g} s)") for p in pending
        )

    ready: list[InboxFile] = []
    for path, size, mtime_ns in sorted(settled):
        try:
            digest = sha256_file(path)
        except OSError as exc:
            ignored.append(Skipped(path, f"unreadable: {exc.strerror or exc}"))
            continue
        if _stat(path) != (size, mtime_ns):  # written to while we hashed it
            settling.append(Skipped(path, "still being written (changed while hashing)"))
            continue
        ready.append(InboxFile(path, size, mtime_ns, digest))
    return Scan(tuple(ready), tuple(settling), tuple(ignored))


def free_name(folder: Path, name: str) -> Path:
    """`folder/name`, else `folder/<stem>-2<ext>`, `-3`...: the first name not taken."""
    stem, ext = os.path.splitext(name)
    candidate = folder / name
    n = 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = folder / f"{stem}-{n}{ext}"
    return candidate


def move_processed(path: Path, inbox: Path, day: str) -> Path:
    """Move an input to inbox/processed/<day>/ under its own name (suffixed on a clash); returns the target."""
    folder = inbox / PROCESSED_DIR / day
    folder.mkdir(parents=True, exist_ok=True)
    return _move(path, folder)


def move_failed(path: Path, inbox: Path, error: str) -> Path:
    """Move an input to inbox/failed/ with `<name>.error.txt` beside it holding the one-line error."""
    folder = inbox / FAILED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = free_name(folder, path.name)
    # The error file goes first: a crash between the two leaves the input in the inbox (retried next
    # run) and at worst an orphan report that the next attempt overwrites.
    report = folder / (target.name + ERROR_SUFFIX)
    tmp = folder / f".{report.name}.{os.getpid()}.tmp"
    line = " ".join(error.split())
    tmp.write_text(line + "\n", encoding="utf-8")
    os.replace(tmp, report)
    return _move(path, folder, target)


def _move(path: Path, folder: Path, target: Path | None = None) -> Path:
    """Rename into `folder` without replacing anything: an atomic rename to a name checked free.

    The check and the rename are not one system call, but moves only happen under the run lock,
    and a rename (unlike copy + delete) can never leave the file in two places or in none.
    """
    target = target or free_name(folder, path.name)
    os.rename(path, target)
    return target
