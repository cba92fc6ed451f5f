"""The run lock: one run at a time across processes, a stale lock taken over, --wait."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from generator.errors import LockError
from generator.nightly.lock import RunLock, pid_alive, read_holder

HOLDER_SCRIPT = textwrap.dedent("""
    import sys, time
    from generator.nightly.lock import RunLock
    lock = RunLock(sys.argv[1], command="test holder").acquire()
    print("locked", flush=True)
    time.sleep(60)
""")


def _hold_in_child(path: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER_SCRIPT, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "locked"
    return child


def test_second_process_is_refused_with_the_holders_identity(tmp_path: Path) -> None:
    path = tmp_path / "state" / "run.lock"
    child = _hold_in_child(path)
    try:
        with pytest.raises(LockError) as info:
            RunLock(path).acquire()
        message = str(info.value)
        assert f"pid {child.pid}" in message and "test holder" in message and "--wait" in message
        assert info.value.exit_code == 2
    finally:
        child.kill()
        child.wait()


def test_lock_of_a_process_killed_with_sigkill_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "state" / "run.lock"
    child = _hold_in_child(path)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert read_holder(path).pid == child.pid  # the file still names the dead process

    lock = RunLock(path).acquire()
    try:
        assert lock.stale is not None and lock.stale.pid == child.pid
        assert read_holder(path).pid == os.getpid()
    finally:
        lock.release()
    assert read_holder(path) is None  # released: nobody named


def test_a_leftover_file_naming_a_dead_pid_is_stale(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert not pid_alive(dead.pid)
    path.write_text(json.dumps({"pid": dead.pid, "host": "ailleurs", "started": "hier"}), encoding="utf-8")
    with RunLock(path) as lock:
        assert lock.stale is not None and lock.stale.pid == dead.pid


def test_wait_retries_until_the_holder_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    child = _hold_in_child(path)
    told = []
    sleeps = []

    def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:  # the other run finishes while we wait
            child.kill()
            child.wait()

    lock = RunLock(path, sleep=fake_sleep).acquire(wait=True, poll=0.5, on_wait=told.append)
    try:
        assert lock.held and len(sleeps) >= 2
        assert told and told[0].pid == child.pid  # said once who it waits for
        assert len(told) == 1
    finally:
        lock.release()


def test_wait_with_timeout_gives_up(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    child = _hold_in_child(path)
    clock = [1000.0]
    try:
        lock = RunLock(path, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s))
        with pytest.raises(LockError, match="attente abandonnée"):
            lock.acquire(wait=True, timeout=3.0, poll=1.0)
    finally:
        child.kill()
        child.wait()


def test_same_process_two_locks_exclude_each_other(tmp_path: Path) -> None:
    # flock is per open file description: a second RunLock in the same process is refused too,
    # which is what keeps a scheduler job and a manual run apart.
    path = tmp_path / "run.lock"
    with RunLock(path):
        start = time.monotonic()
        with pytest.raises(LockError):
            RunLock(path).acquire()
        assert time.monotonic() - start < 1.0


def test_an_unwritable_state_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(LockError, match="impossible de créer le dossier d'état"):
        RunLock(blocker / "run.lock").acquire()
