"""The inbox scan: temporary files skipped, files still being written left alone, content hashed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from generator.nightly import inbox
from generator.nightly.ledger import Ledger

SETTLE = 5.0


def _write(path: Path, text: str, *, age: float = 3600.0) -> Path:
    path.write_text(text, encoding="utf-8")
    when = path.stat().st_mtime - age
    os.utime(path, (when, when))
    return path


def test_ready_files_are_hashed_and_temporary_ones_skipped(tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    box.mkdir()
    good = _write(box / "émission du lundi.txt", "Bonjour à toutes et à tous.\n")
    for name in (
        "video.srt.part",
        "notes.tmp",
        "brouillon.txt~",
        ".cache.txt",
        "telechargement.crdownload",
        ".episode.srt.swp",
        "~$rapport.txt",
        "#autosave#",
    ):
        _write(box / name, "en cours")
    (box / "processed").mkdir()
    (box / "un-dossier").mkdir()

    scan = inbox.scan(box, settle_seconds=SETTLE, sleep=pytest.fail)

    assert [f.path for f in scan.ready] == [good]
    assert scan.ready[0].sha256 == hashlib.sha256(good.read_bytes()).hexdigest()
    ignored = {s.path.name: s.reason for s in scan.ignored}
    assert "video.srt.part" in ignored and "temporary" in ignored["video.srt.part"]
    assert ".cache.txt" in ignored and "~$rapport.txt" in ignored and "#autosave#" in ignored
    assert ignored["un-dossier"] == "folder"
    assert "processed" not in ignored  # our own folders are not reported
    assert scan.settling == ()


def test_sha256_streams_in_chunks(tmp_path: Path) -> None:
    big = tmp_path / "gros.txt"
    big.write_bytes(b"abcdefghij" * 100_000)
    assert inbox.sha256_file(big, chunk_size=4096) == hashlib.sha256(big.read_bytes()).hexdigest()


def test_a_file_still_being_written_is_left_for_the_next_run(tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    box.mkdir()
    old = _write(box / "ancien.txt", "Déjà complet.")
    growing = _write(box / "en-cours.txt", "Première partie", age=0.0)
    now = growing.stat().st_mtime
    waits: list[float] = []

    def writer_keeps_writing(seconds: float) -> None:
        waits.append(seconds)
        with growing.open("a", encoding="utf-8") as fh:  # the copy goes on while we wait
            fh.write(" et la suite")

    scan = inbox.scan(box, settle_seconds=SETTLE, clock=lambda: now + 1.0, sleep=writer_keeps_writing)

    assert [f.path for f in scan.ready] == [old]
    assert [s.path for s in scan.settling] == [growing]
    assert "still being written" in scan.settling[0].reason
    assert waits == [pytest.approx(4.0)]  # waited only the remaining part of the delay, once


def test_a_fresh_file_that_stops_changing_is_taken_after_one_wait(tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    box.mkdir()
    fresh = _write(box / "frais.txt", "Contenu complet.", age=0.0)
    now = fresh.stat().st_mtime
    waits: list[float] = []
    scan = inbox.scan(box, settle_seconds=SETTLE, clock=lambda: now, sleep=waits.append)
    assert [f.path for f in scan.ready] == [fresh]
    assert waits == [pytest.approx(SETTLE)]


def test_without_waiting_a_previous_scan_record_proves_stability(tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    box.mkdir()
    fresh = _write(box / "frais.txt", "Contenu complet.", age=0.0)
    # The mtime stays ahead of every clock reading below (a clock skew on a network share), so
    # only the ledger's record of an earlier scan can show that the file stopped changing.
    t0 = fresh.stat().st_mtime
    ahead = int((t0 + 100) * 1e9)
    os.utime(fresh, ns=(ahead, ahead))
    with Ledger(tmp_path / "state" / "ledger.sqlite") as ledger:

        def at(now: float) -> inbox.Scan:
            return inbox.scan(
                box, settle_seconds=SETTLE, seen=ledger, clock=lambda: now, sleep=pytest.fail, wait=False
            )

        first = at(t0)
        assert first.ready == () and [s.path for s in first.settling] == [fresh]

        # Two seconds later it grew (same mtime, new size): the record restarts.
        with fresh.open("a", encoding="utf-8") as fh:
            fh.write(" Encore.")
        os.utime(fresh, ns=(ahead, ahead))
        assert at(t0 + 2).ready == ()
        assert at(t0 + 2 + SETTLE - 0.5).ready == ()

        # Unchanged for SETTLE seconds since the last change was seen: ready, without any sleep.
        assert [f.path for f in at(t0 + 2 + SETTLE).ready] == [fresh]


def test_future_mtime_is_not_taken_as_settled(tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    box.mkdir()
    f = _write(box / "futur.txt", "x", age=-600.0)  # mtime ten minutes ahead
    scan = inbox.scan(box, settle_seconds=SETTLE, clock=lambda: f.stat().st_mtime - 600, wait=False)
    assert scan.ready == () and len(scan.settling) == 1


def test_moves_never_overwrite(tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    box.mkdir()
    day = box / "processed" / "2026-11-23"
    day.mkdir(parents=True)
    (day / "episode.txt").write_text("version d'hier", encoding="utf-8")
    src = _write(box / "episode.txt", "version d'aujourd'hui")

    target = inbox.move_processed(src, box, "2026-11-23")

    assert target == day / "episode-2.txt"
    assert (day / "episode.txt").read_text(encoding="utf-8") == "version d'hier"
    assert target.read_text(encoding="utf-8") == "version d'aujourd'hui"
    assert not src.exists()


def test_failed_move_writes_a_one_line_error_beside_the_input(tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "failed").mkdir()
    (box / "failed" / "vide.txt").write_text("", encoding="utf-8")
    src = _write(box / "vide.txt", "")

    target = inbox.move_failed(src, box, "vide.txt: le fichier est vide\n(rien à lire)")

    assert target == box / "failed" / "vide-2.txt"
    report = box / "failed" / "vide-2.txt.error.txt"
    assert report.read_text(encoding="utf-8") == "vide.txt: le fichier est vide (rien à lire)\n"
    assert (box / "failed" / "vide.txt").exists() and not src.exists()
    # The error report itself is never picked up as an input.
    assert inbox.ignore_reason(report.name) is not None
