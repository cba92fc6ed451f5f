"""kill -9 of the real `newsletter run` at many points: nothing lost, no partial draft, no duplicate draft."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from generator.crashpoint import ENV_VAR
from generator.edition import outbox

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "run"
INPUTS = {"ciel-ouvert.srt", "pedales-et-circuits.srt", "vide.txt"}  # vide.txt is empty: it fails

# Named points of generator/nightly.py (`name:N` = the N-th time it is reached).
POINTS = [
    "locked",
    "recovered",
    "scanned",
    "run_recorded",
    "processed",
    "failed_recorded",
    "failed_moved",
    "processed:2",
    "before_write",
    "draft_written",
    "draft_recorded",
    "moved",
    "moved:2",
    "moved_all",
    "finished",
]
# Inside the outbox's atomic write: killed after the N-th file of the temp folder is synced
# (3 rendered files, then draft.json, then the rename publishes the folder).
IN_WRITE = [1, 3, 4]

# Runs the real CLI, optionally killing itself inside the draft write (no hook exists there).
RUNNER = textwrap.dedent("""
    import os, signal, sys
    kill_after = int(os.environ.get("TEST_KILL_IN_WRITE", "0"))
    if kill_after:
        from generator.edition import outbox
        original, calls = outbox._write_synced, []
        def write_then_die(path, data):
            original(path, data)
            calls.append(path)
            if len(calls) == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
        outbox._write_synced = write_then_die
    from generator.cli import main
    sys.exit(main(sys.argv[1:]))
""")

CONFIG = """\
[run]
settle_seconds = 2
[segment]
min_segment_s = 60
"""


def _workspace(root: Path) -> Path:
    (root / "inbox").mkdir(parents=True)
    for src in FIXTURES.glob("*.srt"):
        shutil.copy(src, root / "inbox" / src.name)
    (root / "inbox" / "vide.txt").write_bytes(b"")
    old = time.time() - 3600
    for f in (root / "inbox").iterdir():
        os.utime(f, (old, old))
    (root / "newsletter.toml").write_text(CONFIG, encoding="utf-8")
    return root


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "NEWSLETTER_")) and k != "TEST_KILL_IN_WRITE"
    }
    env.update({"NEWSLETTER_BACKEND": "extractive", "PYTHONPATH": str(ROOT)}, **extra)
    return env


def _run(
    root: Path, env: dict[str, str], *, kill_after: float | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", RUNNER, "run", "--json", "--quiet"]
    if kill_after is None:
        return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _check_invariants(root: Path) -> list[outbox.DraftInfo]:
    """Every input somewhere exactly once; every visible outbox entry a complete draft."""
    box = root / "inbox"
    places = [p.relative_to(box) for p in box.rglob("*") if p.is_file() and not p.name.endswith(".error.txt")]
    names = sorted(p.name for p in places)
    assert names == sorted(INPUTS), f"inputs lost or duplicated: {places}"
    for p in places:
        assert p.parts[0] in ("processed", "failed") or len(p.parts) == 1, p
    visible = (
        [d for d in (root / "outbox").iterdir() if not d.name.startswith(".")]
        if (root / "outbox").exists()
        else []
    )
    drafts = outbox.list_drafts(root / "outbox")
    assert sorted(d.path for d in drafts) == sorted(visible), (
        "a visible outbox folder is not a complete draft"
    )
    for d in drafts:
        for name, digest in d.doc["files"].items():
            assert hashlib.sha256((d.path / name).read_bytes()).hexdigest() == digest, (
                f"{d.id}/{name} is partial"
            )
    return drafts


def _finish_and_check(root: Path) -> dict:
    """One more run finishes the work: exactly one complete draft holding both good episodes."""
    # Temp folders of a killed write are cleaned once old enough (never visible meanwhile).
    for tmp in (root / "outbox").glob(".tmp-*") if (root / "outbox").exists() else []:
        old = time.time() - 3600
        os.utime(tmp, (old, old))
    after = _run(root, _env())
    assert after.returncode in (0, 1), after.stderr
    doc = json.loads(after.stdout)
    drafts = _check_invariants(root)
    assert len(drafts) == 1, [d.id for d in drafts]
    good = {hashlib.sha256(p.read_bytes()).hexdigest() for p in FIXTURES.glob("*.srt")}
    assert set(drafts[0].source_sha256s) == good
    assert sorted(p.name for p in (root / "inbox" / "processed").rglob("*.srt")) == sorted(
        p.name for p in FIXTURES.glob("*.srt")
    )
    assert (root / "inbox" / "failed" / "vide.txt").exists()
    assert "est vide" in (root / "inbox" / "failed" / "vide.txt.error.txt").read_text(encoding="utf-8")
    assert list((root / "outbox").glob(".tmp-*")) == []
    assert all(not p.is_file() for p in (root / "inbox").iterdir()), "something left in the inbox"

    again = _run(root, _env())  # and nothing is done twice
    assert again.returncode == 0 and json.loads(again.stdout)["status"] == "nothing"
    assert len(outbox.list_drafts(root / "outbox")) == 1
    return doc


@pytest.mark.parametrize("point", POINTS)
def test_kill_at_a_named_point(tmp_path: Path, point: str) -> None:
    root = _workspace(tmp_path)
    crashed = _run(root, _env(**{ENV_VAR: point}))
    assert crashed.returncode == -signal.SIGKILL, (
        f"{point} not reached: {crashed.returncode} {crashed.stderr}"
    )
    _check_invariants(root)
    doc = _finish_and_check(root)
    if point in ("draft_written", "draft_recorded", "moved", "moved:2", "moved_all", "finished"):
        assert doc["drafts"] == [], "the draft written before the crash must not be written again"


@pytest.mark.parametrize("nth_file", IN_WRITE)
def test_kill_inside_the_atomic_draft_write(tmp_path: Path, nth_file: int) -> None:
    root = _workspace(tmp_path)
    crashed = _run(root, _env(TEST_KILL_IN_WRITE=str(nth_file)))
    assert crashed.returncode == -signal.SIGKILL
    assert list((root / "outbox").glob(".tmp-*")), "the kill should leave a temp folder behind"
    assert _check_invariants(root) == []  # ... which is never visible as a draft
    _finish_and_check(root)


def test_kill_at_random_moments(tmp_path: Path) -> None:
    rng = random.Random(7)
    for n in range(4):
        root = _workspace(tmp_path / f"try-{n}")
        _run(root, _env(), kill_after=rng.uniform(0.2, 2.5))
        _check_invariants(root)
        _finish_and_check(root)


def _honest(body: dict) -> dict:
    """Valid French answers quoting the transcript's own lines (summaries and the compose call)."""
    user = body["messages"][-1]["content"]
    if "<resumes>" in user:
        indexes = [int(i) for i in re.findall(r"^\[(\d+)\]", user, re.MULTILINE)]
        return {
            "title": "Les nouvelles de la semaine",
            "intro": "Voici les sujets de la semaine.",
            "closing": "Bonne lecture.",
            "order": indexes,
        }
    # Any prompt version: the transcript's sentences, time marks (v1 has one per line) removed.
    text = re.sub(
        r"\[\d\d?:\d\d(?::\d\d)?\]\s*", "", user.split("<transcription>")[-1].split("</transcription>")[0]
    )
    lines = [t.strip() for t in re.split(r"(?<=[.!?])\s+", text) if t.strip()]
    real = next((t for t in lines if 8 <= len(t.split()) <= 30), lines[0] if lines else "")
    return {
        "title": "Un sujet de l'émission",
        "summary": real,
        "key_points": [],
        "entities": [],
        "quotes": [{"text": real}] if real else [],
    }


def test_llm_answers_cached_before_the_crash_are_reused(tmp_path: Path, fake_llm) -> None:
    fake_llm.responder = _honest
    root = _workspace(tmp_path)
    env = _env(
        OPENAI_BASE_URL=fake_llm.base_url,
        OPENAI_API_KEY="test",
        NEWSLETTER_MODEL="fake-model",
        NEWSLETTER_MAX_CONCURRENCY="1",
        NEWSLETTER_BACKEND="openai",
    )

    crashed = _run(root, {**env, ENV_VAR: "before_write"})  # every episode summarised, no draft yet
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    summarised = len(fake_llm.chat_requests)
    assert summarised > 0

    finished = _run(root, env)
    assert finished.returncode == 0, finished.stderr  # vide.txt already failed in the first run
    doc = json.loads(finished.stdout)
    new = fake_llm.chat_requests[summarised:]
    # Only the compose call is new: every summary came from the ledger's cache.
    assert len(new) == 1 and "<resumes>" in new[0].body["messages"][-1]["content"]
    [draft] = _check_invariants(root)
    assert draft.backend == "openai" and doc["drafts"] == [draft.id]
