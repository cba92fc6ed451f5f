"""One run at a time across processes: an flock on state/run.lock, with who holds it written inside."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import LockError
from generator.i18n import _

LOCK_NAME = "run.lock"
# Filesystems where flock is not available (some network mounts) report one of these.
_NO_FLOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL}


@dataclass(frozen=True)
class Holder:
    """What a lock file says about the process that wrote it."""

    pid: int
    host: str
    started: str
    command: str = "run"

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, started {self.started} ({self.command})"


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in a lock file, or None when empty, missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
        return Holder(
            int(data["pid"]), str(data["host"]), str(data["started"]), str(data.get("command", "run"))
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None


class RunLock:
    """Exclusive lock of the state folder; `with RunLock(path): ...` or acquire()/release()."""

    def __init__(
        self,
        path: str | Path,
        *,
        command: str = "run",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.path = Path(path)
        self.command = command
        self._clock = clock
        self._sleep = sleep
        self._fd: int | None = None
        self.stale: Holder | None = None  # a dead holder whose lock we took over, for the report

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(
        self,
        *,
        wait: bool = False,
        timeout: float | None = None,
        poll: float = 1.0,
        on_wait: Callable[[Holder | None], None] | None = None,
    ) -> RunLock:
        """Take the lock, or raise LockError naming the holder; with `wait`, retry until free or timeout."""
        if self._fd is not None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LockError(
                _("impossible de créer le dossier d'état : {error}", error=exc.strerror),
                path=str(self.path.parent),
            ) from exc
        deadline = None if timeout is None else self._clock() + timeout
        told = False
        while True:
            holder = self._try_acquire()
            if holder is None:
                return self
            if not wait or (deadline is not None and self._clock() >= deadline):
                hint = (
                    _("attendez qu'elle finisse, ou utilisez --wait") if not wait else _("attente abandonnée")
                )
                who = holder.describe() if holder.pid else _("un autre processus")
                raise LockError(
                    _("une autre exécution est en cours ({who}) ; {hint}", who=who, hint=hint),
                    path=str(self.path),
                )
            if on_wait is not None and not told:
                on_wait(holder if holder.pid else None)
                told = True
            self._sleep(poll)

    def _try_acquire(self) -> Holder | None:
        """None when we now hold the lock, else who holds it (pid 0 when unknown)."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockError(
                _(
                    "impossible d'ouvrir le fichier de verrou : {error} ; vérifiez le dossier [paths] state",
                    error=exc.strerror,
                ),
                path=str(self.path),
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return read_holder(self.path) or Holder(0, "?", "?")
        except OSError as exc:
            if exc.errno not in _NO_FLOCK:
                os.close(fd)
                raise LockError(
                    _("verrouillage impossible : {error}", error=exc.strerror), path=str(self.path)
                ) from exc
            # No flock here: fall back to trusting the pid written in the file.
            previous = read_holder(self.path)
            if (
                previous
                and previous.host == socket.gethostname()
                and pid_alive(previous.pid)
                and previous.pid != os.getpid()
            ):
                os.close(fd)
                return previous
        # We hold it. Whatever the file still says was written by a process that died without
        # releasing (the kernel dropped its flock): report it as a stale lock taken over.
        previous = read_holder(self.path)
        if previous is not None and not (
            previous.pid == os.getpid() and previous.host == socket.gethostname()
        ):
            self.stale = previous
        me = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.fromtimestamp(self._clock()).astimezone().isoformat(timespec="seconds"),
            "command": self.command,
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode(), 0)
        os.fsync(fd)
        self._fd = fd
        return None

    def release(self) -> None:
        """Clear the holder record and unlock. The file itself stays: deleting it would race."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
