"""The scheduler: cron trigger across DST, 02:xx refused, catch-up on start, SIGTERM lets the job finish."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.blocking import BlockingScheduler

from generator.config import ScheduleSettings
from generator.errors import ConfigError
from generator.nightly.scheduler import (
    JOB_ID,
    POLL_JOB_ID,
    NightlyScheduler,
    build_trigger,
    missed_since,
    next_fire_times,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "run"
PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def test_default_is_six_in_the_morning_paris_every_day_across_spring_forward() -> None:
    trigger = build_trigger(ScheduleSettings())
    # Last Sunday of March 2026 is the 29th: clocks go from 02:00 to 03:00.
    times = next_fire_times(trigger, dt.datetime(2026, 3, 27, 12, tzinfo=PARIS), 4)
    assert [t.isoformat() for t in times] == [
        "2026-03-28T06:00:00+01:00",
        "2026-03-29T06:00:00+02:00",
        "2026-03-30T06:00:00+02:00",
        "2026-03-31T06:00:00+02:00",
    ]
    # Still 06:00 on the wall clock, so the real interval across the change is 23 hours.
    assert times[1].astimezone(UTC) - times[0].astimezone(UTC) == dt.timedelta(hours=23)


def test_fall_back_keeps_one_run_a_day_at_six() -> None:
    trigger = build_trigger(ScheduleSettings())
    # Last Sunday of October 2026 is the 25th: 03:00 goes back to 02:00.
    times = next_fire_times(trigger, dt.datetime(2026, 10, 24, 7, tzinfo=PARIS), 3)
    assert [t.isoformat() for t in times] == [
        "2026-10-25T06:00:00+01:00",
        "2026-10-26T06:00:00+01:00",
        "2026-10-27T06:00:00+01:00",
    ]
    saturday = trigger.get_next_fire_time(None, dt.datetime(2026, 10, 23, 7, tzinfo=PARIS))
    assert saturday.isoformat() == "2026-10-24T06:00:00+02:00"
    assert times[0].astimezone(UTC) - saturday.astimezone(UTC) == dt.timedelta(hours=25)


def test_days_and_time_are_configurable() -> None:
    trigger = build_trigger(ScheduleSettings(time="21:15", days="mon,thu"))
    times = next_fire_times(trigger, dt.datetime(2026, 11, 23, 22, tzinfo=PARIS), 3)  # a Monday, after 21:15
    assert [(t.strftime("%a"), t.hour, t.minute) for t in times] == [
        ("Thu", 21, 15),
        ("Mon", 21, 15),
        ("Thu", 21, 15),
    ]


@pytest.mark.parametrize("when", ["02:30", "02:00", "2:59"])
def test_times_in_the_dst_hour_are_refused_with_the_reason(when: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_trigger(ScheduleSettings(time=when))
    assert "last Sunday of March" in str(info.value) and "twice" in str(info.value)


@pytest.mark.parametrize(
    "settings",
    [
        ScheduleSettings(time="25:00"),
        ScheduleSettings(time="six"),
        ScheduleSettings(days="lundi"),
        ScheduleSettings(timezone="Mars/Olympus"),
    ],
)
def test_bad_schedule_settings_are_config_errors(settings: ScheduleSettings) -> None:
    with pytest.raises(ConfigError):
        build_trigger(settings)


def test_missed_since_follows_the_real_schedule() -> None:
    trigger = build_trigger(ScheduleSettings(days="mon-fri"))
    friday_run = dt.datetime(2026, 11, 20, 6, 0, 3, tzinfo=PARIS)
    sunday = dt.datetime(2026, 11, 22, 15, tzinfo=PARIS)
    monday_late = dt.datetime(2026, 11, 23, 9, tzinfo=PARIS)
    assert missed_since(trigger, friday_run, sunday) is None  # weekend: nothing was due
    assert missed_since(trigger, friday_run, monday_late) == dt.datetime(2026, 11, 23, 6, tzinfo=PARIS)
    assert missed_since(trigger, None, sunday) == sunday  # never ran


class _FakeJob:
    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.started = threading.Event()
        self.finished = threading.Event()
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        self.thread = threading.get_ident()
        self.started.set()
        time.sleep(self.seconds)
        self.finished.set()
        return "fake run done"


def _scheduler(job: _FakeJob, now: dt.datetime, last: float | None, caplog=None) -> NightlyScheduler:
    return NightlyScheduler(
        job,
        build_trigger(ScheduleSettings()),
        last_success=lambda: last,
        now=lambda: now,
        misfire_grace_s=1800,
        scheduler=BlockingScheduler(timezone=PARIS),
    )


def test_catch_up_on_start_when_the_last_success_is_older_than_the_last_scheduled_time() -> None:
    now = dt.datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)
    yesterday_run = dt.datetime(2026, 11, 22, 6, 0, 2, tzinfo=PARIS).timestamp()
    sched = _scheduler(_FakeJob(), now, yesterday_run)
    assert sched.plan() == now
    job = sched.scheduler.get_job(JOB_ID)
    assert job.next_run_time == now
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 1800)


def test_no_catch_up_when_todays_run_happened() -> None:
    now = dt.datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)
    today_run = dt.datetime(2026, 11, 23, 6, 0, 2, tzinfo=PARIS).timestamp()
    sched = _scheduler(_FakeJob(), now, today_run)
    assert sched.plan() is None
    job = sched.scheduler.get_job(JOB_ID)
    assert not hasattr(job, "next_run_time")  # pending job: computed from the trigger at start


def test_batch_mode_adds_a_poll_every_fifteen_minutes_beside_the_nightly_run() -> None:
    now = dt.datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)
    sched = NightlyScheduler(
        _FakeJob(),
        build_trigger(ScheduleSettings()),
        last_success=lambda: now.timestamp(),
        now=lambda: now,
        scheduler=BlockingScheduler(timezone=PARIS),
        poll_every_s=900,
    )
    sched.plan()
    poll = sched.scheduler.get_job(POLL_JOB_ID)
    assert poll.trigger.interval == dt.timedelta(minutes=15) and poll.max_instances == 1
    assert sched.scheduler.get_job(JOB_ID) is not None
    plain = _scheduler(_FakeJob(), now, now.timestamp())
    plain.plan()
    assert plain.scheduler.get_job(POLL_JOB_ID) is None and plain.scheduler.get_job(JOB_ID) is not None


def test_catch_up_runs_the_job_at_once_then_stops_cleanly() -> None:
    job = _FakeJob()
    sched = NightlyScheduler(job, build_trigger(ScheduleSettings()), last_success=lambda: None)
    stopper = threading.Thread(target=lambda: (job.finished.wait(10), sched.stop()))
    stopper.start()
    sched.start(install_signals=False)
    stopper.join()
    assert job.calls == 1 and sched.runs == 1


@pytest.mark.parametrize("target", ["process", "job thread"])
def test_sigterm_during_a_job_lets_it_finish_then_exits(
    caplog: pytest.LogCaptureFixture, target: str
) -> None:
    job = _FakeJob(seconds=1.0)
    sched = NightlyScheduler(
        job,
        build_trigger(ScheduleSettings()),
        last_success=lambda: None,
        logger=logging.getLogger("test.scheduler"),
    )

    def send_sigterm() -> None:
        job.started.wait(10)
        if target == "process":
            os.kill(os.getpid(), signal.SIGTERM)  # as systemd does; Python handles it in the main thread
        else:
            # The kernel may hand a process signal to any thread: the main thread must still notice.
            signal.pthread_kill(job.thread, signal.SIGTERM)

    killer = threading.Thread(target=send_sigterm)
    killer.start()
    before = signal.getsignal(signal.SIGTERM)
    with caplog.at_level(logging.INFO, logger="test.scheduler"):
        sched.start()
    killer.join()

    assert job.finished.is_set(), "start() returned before the running job finished"
    assert sched.stopping and job.calls == 1
    messages = [r.getMessage() for r in caplog.records]
    assert any("SIGTERM received: stopping after the current run" in m for m in messages)
    assert any(m.startswith("run finished: fake run done") for m in messages)
    assert messages[-1] == "scheduler stopped"
    assert signal.getsignal(signal.SIGTERM) is before  # handlers restored


def test_a_failing_job_is_logged_and_the_scheduler_keeps_going(caplog: pytest.LogCaptureFixture) -> None:
    calls = []

    def boom() -> None:
        calls.append(1)
        raise RuntimeError("disque plein")

    sched = NightlyScheduler(
        boom,
        build_trigger(ScheduleSettings()),
        last_success=lambda: None,
        logger=logging.getLogger("test.scheduler2"),
    )
    with caplog.at_level(logging.INFO, logger="test.scheduler2"):
        sched.plan()
        sched._run_job()
    assert calls == [1]
    assert any(
        r.levelno == logging.ERROR and "run failed: disque plein" in r.getMessage() for r in caplog.records
    )


@pytest.mark.slow
def test_newsletter_schedule_catches_up_and_sigterm_lets_the_run_finish(tmp_path: Path) -> None:
    """The real `newsletter schedule`: first start catches up at once; SIGTERM mid-run still ends in a draft."""
    (tmp_path / "newsletter.toml").write_text("[run]\nsettle_seconds = 3\n", encoding="utf-8")
    inbox_dir = tmp_path / "inbox"
    inbox_dir.mkdir()
    for src in FIXTURES.glob("*.srt"):
        shutil.copy(src, inbox_dir / src.name)  # fresh mtimes: the run waits 3 s for them to settle
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NEWSLETTER_"))}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "schedule"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line)
            if "run started" in line:
                proc.send_signal(signal.SIGTERM)
                break
        rest = proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    log = "".join(lines) + (rest or "")
    assert proc.returncode == 0, log
    assert "catch-up: no successful run yet; running now" in log
    assert "SIGTERM received: stopping after the current run" in log
    assert "run finished: run 1 ok; inputs: 2 processed" in log
    assert log.rstrip().endswith("scheduler stopped")
    assert len(list((tmp_path / "outbox").iterdir())) == 1
    assert sorted(p.name for p in (inbox_dir / "processed").rglob("*.srt")) == sorted(
        p.name for p in FIXTURES.glob("*.srt")
    )
    # The same lines are in state/newsletter.log.
    assert "run finished: run 1 ok" in (tmp_path / "state" / "newsletter.log").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "examples/systemd/newsletter-schedule.service",
        "examples/systemd/newsletter-run.service",
        "examples/crontab",
    ],
)
def test_shipped_service_files_call_valid_commands(path: str) -> None:
    import shlex

    from generator.cli import build_parser

    text = (ROOT / path).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("ExecStart=") or line[:1].isdigit()]
    assert len(lines) == 1
    argv = shlex.split(lines[0].split("bin/newsletter ", 1)[1])
    args = build_parser().parse_args(argv)
    assert args.command in ("run", "schedule") and args.config and (args.command == "schedule" or args.quiet)


def test_shipped_timer_matches_the_default_schedule() -> None:
    timer = (ROOT / "examples/systemd/newsletter-run.timer").read_text(encoding="utf-8")
    defaults = ScheduleSettings()
    assert f"OnCalendar=*-*-* {defaults.time}:00 {defaults.timezone}" in timer and "Persistent=true" in timer
