"""`newsletter inspect FILE [--json] [--utterances]`: report keys, human output, bad input exits."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, SAMPLE

from generator.cli import main

KEYS = ["format", "encoding", "show", "title", "date", "host", "guests", "duration_s", "utterances", "sentences",
        "noise_removed", "name_fixes", "warnings", "words_in", "words_kept", "words_noise",
        "words_noise_reasons", "chapters", "origins"]  # fmt: skip


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["inspect", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_report_has_exactly_the_documented_keys(capsys):
    code, out, err = run(capsys, str(SAMPLE), "--json")
    assert code == 0
    doc = json.loads(out)
    assert list(doc) == KEYS
    assert doc["format"] == "scraped" and doc["encoding"] == "utf-8"
    assert doc["show"] == "Le Labo Numérique" and doc["host"] == "Claire Dufresne"
    assert doc["date"] == "2025-03-04"
    assert doc["guests"][0] == {
        "name": "Inès Kowalczyk",
        "role": "directrice de l'association Réemploi Solidaire",
    }
    assert doc["utterances"] > doc["sentences"] > 50
    assert doc["noise_removed"] >= 10
    assert doc["duration_s"] >= 300
    assert {"from": "Inès Kowalchik", "to": "Inès Kowalczyk", "count": 1} in doc["name_fixes"]
    assert all(set(f) == {"from", "to", "count"} for f in doc["name_fixes"])
    assert doc["warnings"] == []


def test_utterances_flag_lists_the_cleaned_sentences(capsys):
    code, out, _ = run(
        capsys, str(FIXTURES / "ingest" / "crochets-intervenants.txt"), "--json", "--utterances"
    )
    doc = json.loads(out)
    assert list(doc) == [*KEYS, "speech"]
    assert doc["speech"][0] == {
        "start_s": 3.0,
        "start": "00:03",
        "speaker": "Nadia Roche",
        "text": "Bonjour et bienvenue dans Radio Code.",
    }
    assert len(doc["speech"]) == doc["sentences"]


def test_human_report_in_french(capsys):
    code, out, _ = run(capsys, str(SAMPLE), "--utterances")
    assert code == 0
    assert "Émission      : Le Labo Numérique" in out
    assert "Inès Kovalczyk -> Inès Kowalczyk" in out
    assert "00:04 Bonjour à tous et bienvenue dans le Labo numérique" in out


@pytest.mark.parametrize(
    "name, data, problem",
    [
        ("vide.txt", b"", "est vide"),
        ("binaire.bin", b"\x00\x01\x02\xff" * 100, "fichier binaire"),
        ("coupe.json", b'[{"text": "bonjour", "start": 0', "JSON tronqué"),
        ("recule.txt", b"01:00Bonjour.\n00:10Au revoir.\n", "les horodatages reculent"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, name, data, problem):
    path = tmp_path / name
    path.write_bytes(data)
    stat = path.stat()
    code, out, err = run(capsys, str(path), "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"newsletter : erreur : {path}: ") and problem in err
    assert path.read_bytes() == data and path.stat().st_mtime_ns == stat.st_mtime_ns


def test_directory_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, str(tmp_path))
    assert (
        code == 2
        and err == f"newsletter : erreur : {tmp_path}: est un dossier, pas un fichier de transcription\n"
    )


def test_size_limit_from_config(capsys, tmp_path):
    config = tmp_path / "newsletter.toml"
    config.write_text("[ingest]\nmax_size_mb = 0.001\n", encoding="utf-8")
    code, _, err = run(capsys, str(SAMPLE), "--config", str(config))
    assert code == 2 and "limit" in err


def test_whole_process_inspect_leaves_the_input_alone(tmp_path):
    target = tmp_path / "emission.txt"
    target.write_bytes(SAMPLE.read_bytes())
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "generator", "inspect", str(target), "--json"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sentences"] > 50
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emission.txt"]
    bad = subprocess.run(
        [sys.executable, "-m", "generator", "inspect", str(tmp_path / "absent.txt")],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr == f"newsletter : erreur : {Path(tmp_path / 'absent.txt')}: fichier introuvable\n"
