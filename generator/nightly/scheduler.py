"""`newsletter schedule`: an APScheduler 3.x cron trigger around the nightly run; no business logic here."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from threading import TIMEOUT_MAX
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED, SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from generator.config import ScheduleSettings
from generator.errors import ConfigError

JOB_ID = "nightly-run"
POLL_JOB_ID = "batch-poll"
BATCH_POLL_S = 900  # batch mode: a run every 15 minutes polls the batches waiting (cheap when none is)
LOG_NAME = "newsletter.log"
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def run_logger(
    state_dir: Path, *, stream: TextIO | None = None, name: str = "generator.run"
) -> logging.Logger:
    """A logger appending to state/newsletter.log (and to `stream`, e.g. stderr, when given)."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):  # one process may build it twice (tests, schedule + run)
        logger.removeHandler(handler)
        handler.close()
    state_dir.mkdir(parents=True, exist_ok=True)
    file_handler = logging.FileHandler(state_dir / LOG_NAME, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [pid %(process)d] %(message)s"))
    logger.addHandler(file_handler)
    if stream is not None:
        stream_handler = logging.StreamHandler(stream)
        stream_handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logger.addHandler(stream_handler)
    return logger


def parse_time(text: str) -> tuple[int, int]:
    """ "HH:MM" -> (hour, minute); 02:00-02:59 is refused because of daylight-saving changes."""
    match = _TIME.match(text or "")
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(f'[schedule] time = {text!r}: expected HH:MM, 24-hour clock (e.g. "06:00")')
    hour, minute = int(match[1]), int(match[2])
    if hour == 2:
        raise ConfigError(
            f"[schedule] time = {text!r} is refused: in most European time zones 02:00-03:00 does not "
            "exist on the last Sunday of March (clocks jump to 03:00, the run would be skipped) and "
            "happens twice on the last Sunday of October (the run could happen twice). "
            'Choose a time outside 02:00-03:00, e.g. "06:00"'
        )
    return hour, minute


def build_trigger(schedule: ScheduleSettings) -> CronTrigger:
    """The cron trigger for [schedule]: time, days (cron day_of_week) and an explicit time zone."""
    hour, minute = parse_time(schedule.time)
    try:
        tz = ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f'[schedule] timezone = {schedule.timezone!r} is not a known time zone (e.g. "Europe/Paris")'
        ) from exc
    try:
        return CronTrigger(day_of_week=schedule.days or "*", hour=hour, minute=minute, timezone=tz)
    except ValueError as exc:
        raise ConfigError(
            f'[schedule] days = {schedule.days!r} is not valid: {exc} (use "*", "mon-fri", "mon,thu"...)'
        ) from exc


def next_fire_times(trigger: CronTrigger, start: dt.datetime, count: int) -> list[dt.datetime]:
    """The next `count` fire times strictly after `start` (for `schedule --json` and tests)."""
    times: list[dt.datetime] = []
    previous = None
    now = start + dt.timedelta(microseconds=1)
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        times.append(fire)
        previous, now = fire, fire + dt.timedelta(microseconds=1)
    return times


def missed_since(
    trigger: CronTrigger, last_success: dt.datetime | None, now: dt.datetime
) -> dt.datetime | None:
    """The first scheduled time after the last successful run that has already passed, or None.

    This is "the last run is older than one period", measured against the real schedule: with
    `days = "mon-fri"` a Sunday start after Friday's run misses nothing. Never ran counts as missed.
    """
    if last_success is None:
        return now
    fire = trigger.get_next_fire_time(None, last_success + dt.timedelta(microseconds=1))
    return fire if fire is not None and fire <= now else None


class WakefulBlockingScheduler(BlockingScheduler):
    """A BlockingScheduler whose main thread wakes at least every `tick` seconds.

    Python runs signal handlers only in the main thread, when it executes bytecode. A SIGTERM the
    kernel hands to another thread (a job's thread, say) would otherwise wait until the next fire
    time, hours away, before the main thread notices it.
    """

    tick = 0.5

    def _main_loop(self) -> None:
        wait_seconds = TIMEOUT_MAX
        while self.state != STATE_STOPPED:
            self._event.wait(min(wait_seconds, self.tick))
            self._event.clear()
            wait_seconds = self._process_jobs()


class NightlyScheduler:
    """Runs `job` on the cron trigger; catches up once on start; SIGTERM/SIGINT finish the current job, then stop."""

    def __init__(
        self,
        job: Callable[[], Any],
        trigger: CronTrigger,
        *,
        last_success: Callable[[], float | None],
        misfire_grace_s: int = 3600,
        now: Callable[[], dt.datetime] | None = None,
        logger: logging.Logger | None = None,
        scheduler: BlockingScheduler | None = None,
        poll_every_s: int | None = None,
    ) -> None:
        self.job = job
        self.poll_every_s = poll_every_s
        self.trigger = trigger
        self.last_success = last_success
        self.misfire_grace_s = misfire_grace_s
        self.now = now or (lambda: dt.datetime.now(trigger.timezone))
        self.log = logger or logging.getLogger("generator.nightly.scheduler")
        self.scheduler = scheduler or WakefulBlockingScheduler(timezone=trigger.timezone)
        self.stopping = False
        self.runs = 0
        self._idle = threading.Event()
        self._idle.set()
        self._returned = threading.Event()  # start() has returned
        self._signalled = threading.Event()
        self._signal_name: str | None = None

    def plan(self) -> dt.datetime | None:
        """Add the cron job; returns the catch-up time when the job is to run at once."""
        now = self.now()
        last = self.last_success()
        last_dt = dt.datetime.fromtimestamp(last, self.trigger.timezone) if last is not None else None
        missed = missed_since(self.trigger, last_dt, now)
        kwargs: dict[str, Any] = {}
        if missed is not None:
            kwargs["next_run_time"] = now
            self.log.info(
                "catch-up: %s; running now",
                (
                    f"last successful run {last_dt.isoformat(timespec='seconds')} is older than the run "
                    f"scheduled at {missed.isoformat(timespec='minutes')}"
                )
                if last_dt
                else "no successful run yet",
            )
        self.scheduler.add_job(
            self._run_job,
            self.trigger,
            id=JOB_ID,
            name="newsletter run",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=self.misfire_grace_s,
            replace_existing=True,
            **kwargs,
        )
        if self.poll_every_s:
            # Batch mode: the same run on a short interval submits new inputs and collects answers;
            # the run lock keeps it from overlapping the nightly run.
            self.scheduler.add_job(
                self._run_job,
                IntervalTrigger(seconds=self.poll_every_s, timezone=self.trigger.timezone),
                id=POLL_JOB_ID,
                name="newsletter run (batch poll)",
                coalesce=True,
                max_instances=1,
                misfire_grace_time=self.poll_every_s,
                replace_existing=True,
            )
        return now if missed is not None else None

    def start(self, *, install_signals: bool = True) -> None:
        """Block running the schedule until SIGTERM/SIGINT (or stop()); the running job always finishes."""
        self.plan()
        previous: dict[int, Any] = {}
        watcher = threading.Thread(target=self._watch_signals, name="signal-watcher", daemon=True)
        if install_signals:
            watcher.start()
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, self._on_signal)
        try:
            upcoming = next_fire_times(self.trigger, self.now(), 1)
            self.log.info(
                "scheduler started (%s); next run %s",
                _describe(self.trigger),
                upcoming[0].isoformat(timespec="minutes") if upcoming else "never",
            )
            if not self.stopping:
                self.scheduler.start()
            if not self._idle.is_set():
                self.log.info("waiting for the current run to finish before exiting")
            self._idle.wait()
            self.log.info("scheduler stopped")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._returned.set()
            self._signalled.set()  # lets the watcher thread end
            if watcher.is_alive():
                watcher.join()

    def stop(self) -> None:
        """Stop scheduling; a running job is not interrupted and start() returns once it has finished."""
        self.stopping = True
        # The scheduler may be between "not stopping" and "running": retry until start() is done.
        while not self._returned.is_set():
            if self.scheduler.state == STATE_RUNNING:
                with contextlib.suppress(SchedulerNotRunningError):
                    self.scheduler.shutdown(wait=False)
                return
            self._returned.wait(0.05)

    def _on_signal(self, signum: int, _frame: object) -> None:
        # Only flags here: the main thread may be inside the scheduler or the thread pool holding
        # their (non-reentrant) locks, so the shutdown itself runs on the watcher thread.
        if self._signal_name is not None:
            # A second signal means "now": safe, since a killed run is finished by the next one.
            os.write(2, b"second signal: exiting at once; the next run will finish the interrupted work\n")
            os._exit(128 + signum)
        self._signal_name = signal.Signals(signum).name
        self._signalled.set()

    def _watch_signals(self) -> None:
        self._signalled.wait()
        if self._signal_name is None:  # start() returned without a signal
            return
        busy = not self._idle.is_set()
        self.log.info(
            "%s received: %s", self._signal_name, "stopping after the current run" if busy else "stopping"
        )
        self.stop()

    def _run_job(self) -> None:
        self._idle.clear()
        self.runs += 1
        started = self.now()
        self.log.info("run started at %s", started.isoformat(timespec="seconds"))
        try:
            result = self.job()
            line = result.log_line() if hasattr(result, "log_line") else str(result)
            self.log.info("run finished: %s", line)
        except Exception as exc:  # noqa: BLE001 - one failed night must not stop the scheduler
            self.log.error("run failed: %s", " ".join(str(exc).split()) or type(exc).__name__)
        finally:
            self._idle.set()
            if not self.stopping:
                upcoming = next_fire_times(self.trigger, self.now(), 1)
                if upcoming:
                    self.log.info("next run %s", upcoming[0].isoformat(timespec="minutes"))


def _describe(trigger: CronTrigger) -> str:
    fields = {f.name: str(f) for f in trigger.fields}
    return (
        f"{int(fields['hour']):02d}:{int(fields['minute']):02d} {trigger.timezone}, "
        f"days {fields['day_of_week']}"
    )
