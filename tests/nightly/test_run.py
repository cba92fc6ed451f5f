"""The nightly run with fake stages: dedup by content, failures isolated, moves, recovery at every step."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from shared_embedder import shared_embedder  # noqa: F401 - fixture

from generator.cli import main
from generator.config import RunSettings, Settings, load_settings
from generator.crashpoint import ENV_VAR
from generator.edition import outbox
from generator.errors import InputError, LockError
from generator.model import Edition, Provenance, Source, Usage
from generator.nightly import night as nightly
from generator.nightly.inbox import InboxFile
from generator.nightly.ledger import Ledger
from generator.nightly.lock import RunLock
from generator.nightly.result import WrittenDraft
from generator.nightly.sorting import drafts_holding, remove_unfinished_drafts

DAY = dt.datetime(2026, 11, 23, 6, 0).timestamp()  # a fixed "now" (local time): processed/2026-11-23/


def _settings(root: Path, **run: Any) -> Settings:
    settings = load_settings(None, env={}, cwd=root)
    return replace(settings, run=replace(RunSettings(), settle_seconds=2.0, **run))


def _drop(root: Path, name: str, text: str) -> Path:
    path = root / "inbox" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (DAY - 3600, DAY - 3600))  # settled long ago
    return path


class Stages:
    """Fake per-episode processing and a writer using the real atomic outbox."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.processed: list[str] = []
        self.writes: list[list[str]] = []
        self.fail_write = False

    def process(self, f: InboxFile, progress) -> str:
        progress("ingest")
        text = f.path.read_text(encoding="utf-8")
        if text.startswith("ERREUR"):
            raise InputError("le fichier ne contient aucune réplique", path=str(f.path))
        progress("summarise")
        self.processed.append(f.name)
        return text

    def write(self, group: Sequence[tuple[InboxFile, Any]], progress) -> WrittenDraft:
        if self.fail_write:
            raise OSError("No space left on device")
        self.writes.append([f.name for f, _ in group])
        sources = tuple(
            Source(str(f.path), f.sha256, "Émission test", dt.date(2026, 11, 20)) for f, _ in group
        )
        edition = Edition("cybernetica", "Édition de test", "Intro.", "", (), "Fin.", sources)
        rendered = {k: f"{k} : " + " / ".join(text for _, text in group) for k in ("md", "html", "txt")}
        info = outbox.write_draft(self.root / "outbox", edition, Provenance("extractive", None), rendered)
        return WrittenDraft(info.id, str(info.path), Usage(input=100, output=20, calls=2), 0.0012)

    def run(self, settings: Settings, ledger: Ledger, **kwargs: Any) -> nightly.RunResult:
        messages: list[str] = kwargs.pop("messages", [])
        stages = nightly.NightStages(
            self.process,
            self.write,
            find_drafted=lambda shas: drafts_holding(settings.paths.outbox, shas),
            cleanup_outbox=lambda: remove_unfinished_drafts(settings.paths.outbox),
        )
        return nightly.run_night(
            settings,
            ledger,
            stages,
            progress=messages.append,
            clock=lambda: DAY,
            sleep=pytest.fail,
            **kwargs,
        )


@pytest.fixture
def env(tmp_path: Path):
    settings = _settings(tmp_path)
    with Ledger(settings.paths.state / "ledger.sqlite") as ledger:
        yield tmp_path, settings, ledger, Stages(tmp_path)


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_good_inputs_make_one_draft_and_are_moved(env) -> None:
    root, settings, ledger, stages = env
    _drop(root, "lundi.txt", "Premier épisode.")
    _drop(root, "mardi.srt", "Deuxième épisode.")
    messages: list[str] = []

    result = stages.run(settings, ledger, messages=messages)

    assert result.status == "ok" and result.exit_code == 0
    assert stages.writes == [["lundi.txt", "mardi.srt"]]
    [draft] = outbox.list_drafts(root / "outbox")
    assert result.drafts == (draft.id,)
    assert (draft.path / "newsletter.md").read_text(
        encoding="utf-8"
    ) == "md : Premier épisode. / Deuxième épisode."
    assert _tree(root / "inbox") == ["processed/2026-11-23/lundi.txt", "processed/2026-11-23/mardi.srt"]
    assert [i.status for i in result.inputs] == ["processed", "processed"]
    assert all(ledger.input_get(i.sha256).status == "processed" for i in result.inputs)
    assert ledger.runs()[0].status == "ok" and ledger.last_success() == DAY
    # Progress says which episode and which stage.
    assert "[1/2] lundi.txt : ingest" in messages and "[2/2] mardi.srt : summarise" in messages
    line = result.log_line()
    assert "2 processed" in line and draft.id in line and "100 in / 20 out" in line and "$0.0012" in line


def test_deduplication_by_content_renamed_or_redropped(env) -> None:
    root, settings, ledger, stages = env
    _drop(root, "episode-42.txt", "Un contenu unique.")
    first = stages.run(settings, ledger)
    assert first.status == "ok"

    _drop(root, "copie renommée.txt", "Un contenu unique.")  # same bytes, new name
    _drop(root, "episode-42.txt", "Un contenu unique.")  # re-dropped under the same name
    second = stages.run(settings, ledger)

    assert stages.processed == ["episode-42.txt"]  # never summarised again
    assert len(outbox.list_drafts(root / "outbox")) == 1
    assert second.status == "ok" and second.drafts == ()
    assert {(i.name, i.status, i.duplicate_of, i.draft_id) for i in second.inputs} == {
        ("copie renommée.txt", "duplicate", "episode-42.txt", first.drafts[0]),
        ("episode-42.txt", "duplicate", "episode-42.txt", first.drafts[0]),
    }
    # Nothing deleted: the copies sit beside the original, suffixed on name clash.
    assert _tree(root / "inbox") == [
        "processed/2026-11-23/copie renommée.txt",
        "processed/2026-11-23/episode-42-2.txt",
        "processed/2026-11-23/episode-42.txt",
    ]

    _drop(root, "episode-42.txt", "Un contenu corrigé.")  # changed content: processed
    third = stages.run(settings, ledger)
    assert third.count("processed") == 1 and stages.processed == ["episode-42.txt", "episode-42.txt"]
    assert len(outbox.list_drafts(root / "outbox")) == 2


def test_identical_files_in_one_inbox_are_processed_once(env) -> None:
    root, settings, ledger, stages = env
    _drop(root, "a.txt", "Même contenu.")
    _drop(root, "b.txt", "Même contenu.")
    result = stages.run(settings, ledger)
    assert stages.processed == ["a.txt"]
    assert [(i.name, i.status, i.duplicate_of) for i in result.inputs] == [
        ("a.txt", "processed", None),
        ("b.txt", "duplicate", "a.txt"),
    ]
    assert result.inputs[1].draft_id == result.drafts[0]


def test_a_failed_input_among_good_ones(env) -> None:
    root, settings, ledger, stages = env
    _drop(root, "bon-1.txt", "Bon épisode un.")
    _drop(root, "casse.txt", "ERREUR de transcription")
    _drop(root, "bon-2.txt", "Bon épisode deux.")

    result = stages.run(settings, ledger)

    assert result.status == "partial" and result.exit_code == 1
    assert stages.writes == [["bon-1.txt", "bon-2.txt"]]
    assert _tree(root / "inbox") == [
        "failed/casse.txt",
        "failed/casse.txt.error.txt",
        "processed/2026-11-23/bon-1.txt",
        "processed/2026-11-23/bon-2.txt",
    ]
    error = (root / "inbox" / "failed" / "casse.txt.error.txt").read_text(encoding="utf-8")
    assert error.count("\n") == 1 and "casse.txt" in error and "aucune réplique" in error
    doc = json.loads(json.dumps(result.to_json()))
    assert doc["failed"] == [
        {"name": "casse.txt", "error": f"{root}/inbox/casse.txt: le fichier ne contient aucune réplique"}
    ]
    [broken] = [i for i in result.inputs if i.name == "casse.txt"]
    assert broken.status == "failed" and ledger.input_get(broken.sha256).status == "failed"

    # The same broken content dropped again is tried again (it may have been a passing problem).
    _drop(root, "casse.txt", "ERREUR de transcription")
    again = stages.run(settings, ledger)
    assert again.count("failed") == 1 and (root / "inbox" / "failed" / "casse-2.txt").exists()


def test_episode_descriptions_travel_with_their_transcript(env) -> None:
    root, settings, ledger, stages = env
    _drop(root, "emission.fr.srt", "Sous-titres.")
    _drop(root, "emission.description", "Ce lundi, Anne Morel reçoit...")
    _drop(root, "autre.info.json", "{}")  # its transcript has not arrived yet: stays
    result = stages.run(settings, ledger)
    assert [i.name for i in result.inputs] == ["emission.fr.srt"]
    assert _tree(root / "inbox") == [
        "autre.info.json",
        "processed/2026-11-23/emission.description",
        "processed/2026-11-23/emission.fr.srt",
    ]


def test_a_file_taken_away_during_the_run_does_not_stop_it(env) -> None:
    root, settings, ledger, stages = env
    _drop(root, "a.txt", "Épisode A.")
    elsewhere = root / "ailleurs"
    elsewhere.mkdir()
    _drop(root, "b.txt", "Épisode B.")
    process = stages.process

    def process_then_user_moves_b(f: InboxFile, progress) -> str:
        if f.name == "a.txt":
            (root / "inbox" / "b.txt").rename(elsewhere / "b.txt")
        return process(f, progress)

    stages.process = process_then_user_moves_b
    result = stages.run(settings, ledger)
    assert [(i.name, i.status, i.moved_to is None) for i in result.inputs] == [
        ("a.txt", "processed", False),
        ("b.txt", "failed", True),
    ]
    assert (elsewhere / "b.txt").exists() and len(result.drafts) == 1


def test_a_missing_inbox_is_explained(env) -> None:
    root, settings, ledger, stages = env
    result = stages.run(settings, ledger)
    assert result.status == "nothing" and "n'existe pas" in result.notes[0]


def test_all_inputs_failing_makes_no_draft(env) -> None:
    root, settings, ledger, stages = env
    _drop(root, "x.txt", "ERREUR 1")
    result = stages.run(settings, ledger)
    assert result.status == "partial" and result.drafts == () and stages.writes == []


def test_nothing_new_says_so(env) -> None:
    root, settings, ledger, stages = env
    (root / "inbox").mkdir()
    _drop(root, ".cache", "caché")
    result = stages.run(settings, ledger)
    assert result.status == "nothing" and result.exit_code == 0 and result.inputs == ()
    assert "none new" in result.log_line()
    assert ledger.last_success() == DAY  # an empty night still counts for the scheduler's catch-up


def test_one_edition_per_episode(tmp_path: Path) -> None:
    settings = _settings(tmp_path, edition_per="episode")
    stages = Stages(tmp_path)
    _drop(tmp_path, "a.txt", "Épisode A.")
    _drop(tmp_path, "b.txt", "Épisode B.")
    with Ledger(settings.paths.state / "ledger.sqlite") as ledger:
        result = stages.run(settings, ledger)
    assert stages.writes == [["a.txt"], ["b.txt"]] and len(result.drafts) == 2
    assert result.inputs[0].draft_id != result.inputs[1].draft_id


def test_a_file_still_being_written_is_reported_and_left(env) -> None:
    root, settings, ledger, stages = env
    fresh = _drop(root, "arrive.txt", "En cours de copie")
    os.utime(fresh, (DAY, DAY))
    waited: list[float] = []

    def sleep_while_copy_goes_on(seconds: float) -> None:
        waited.append(seconds)
        with fresh.open("a", encoding="utf-8") as fh:
            fh.write(" encore")

    result = nightly.run_night(
        settings,
        ledger,
        nightly.NightStages(stages.process, stages.write),
        clock=lambda: DAY,
        sleep=sleep_while_copy_goes_on,
    )
    assert result.status == "nothing" and fresh.exists() and waited == [2.0]
    assert result.to_json()["still_being_written"][0]["path"] == str(fresh)


def test_a_failed_draft_write_leaves_inputs_for_the_next_run(env) -> None:
    root, settings, ledger, stages = env
    _drop(root, "a.txt", "Épisode A.")
    stages.fail_write = True
    result = stages.run(settings, ledger)
    assert result.status == "error" and result.exit_code == 1
    assert (
        result.inputs[0].status == "not_written"
        and result.inputs[0].error == "brouillon non écrit : OSError: No space left on device"
    )
    assert (root / "inbox" / "a.txt").exists() and outbox.list_drafts(root / "outbox") == []

    stages.fail_write = False
    assert stages.run(settings, ledger).status == "ok"
    assert len(outbox.list_drafts(root / "outbox")) == 1


def test_dry_run_changes_nothing(env) -> None:
    root, settings, ledger, stages = env
    _drop(root, "a.txt", "Épisode A.")
    before = _tree(root)
    result = nightly.run_night(
        settings,
        ledger,
        nightly.NightStages(pytest.fail, pytest.fail, estimate=lambda files: {"calls": len(files)}),
        options=nightly.NightOptions(dry_run=True),
        clock=lambda: DAY,
        sleep=pytest.fail,
    )
    assert result.status == "dry_run" and result.exit_code == 0
    assert [(i.name, i.status) for i in result.inputs] == [("a.txt", "new")]
    assert result.to_json()["estimate"] == {"calls": 1}
    assert _tree(root) == before and ledger.runs() == []


def test_a_second_run_while_one_holds_the_lock_is_refused(env) -> None:
    root, settings, ledger, stages = env
    _drop(root, "a.txt", "Épisode A.")
    with (
        RunLock(settings.paths.state / "run.lock", command="run (schedule)"),
        pytest.raises(LockError, match=r"une autre exécution est en cours \(pid \d+ .*run \(schedule\)"),
    ):
        stages.run(settings, ledger)
    assert (root / "inbox" / "a.txt").exists() and stages.processed == []


class Died(BaseException):
    """Stands for the process dying at a crash point (the slow suite does it with a real SIGKILL)."""


POINTS = [
    "locked",
    "recovered",
    "scanned",
    "run_recorded",
    "failed_recorded",
    "failed_moved",
    "processed",
    "before_write",
    "draft_written",
    "draft_recorded",
    "moved",
    "moved_all",
    "finished",
]


@pytest.mark.parametrize("edition_per", ["run", "episode"])
@pytest.mark.parametrize("point", POINTS)
def test_dying_at_any_point_is_finished_by_the_next_run(tmp_path: Path, point: str, edition_per: str) -> None:
    settings = _settings(tmp_path, edition_per=edition_per)
    stages = Stages(tmp_path)
    names = {"a.txt": "Épisode A.", "b.txt": "ERREUR b", "c.txt": "Épisode C."}
    for name, text in names.items():
        _drop(tmp_path, name, text)

    def die(reached: str) -> None:
        if reached == point:
            raise Died(point)

    with Ledger(settings.paths.state / "ledger.sqlite") as ledger:
        with pytest.raises(Died):
            nightly.run_night(
                settings,
                ledger,
                nightly.NightStages(
                    stages.process,
                    stages.write,
                    find_drafted=lambda s: drafts_holding(settings.paths.outbox, s),
                ),
                clock=lambda: DAY,
                sleep=pytest.fail,
                crash=die,
            )
        drafts_before = outbox.list_drafts(tmp_path / "outbox")
        result = stages.run(settings, ledger)

    # Every input is somewhere, once.
    tree = _tree(tmp_path / "inbox")
    assert sorted(Path(p).name for p in tree if not p.endswith(".error.txt")) == sorted(names)
    assert not any(p.count("/") == 0 for p in tree), f"left in the inbox: {tree}"
    assert "failed/b.txt.error.txt" in tree
    # Exactly the drafts one uninterrupted run makes, never two for the same content.
    drafts = outbox.list_drafts(tmp_path / "outbox")
    expected = 1 if edition_per == "run" else 2
    assert len(drafts) == expected, [d.id for d in drafts]
    shas = [sha for d in drafts for sha in d.source_sha256s]
    assert len(shas) == len(set(shas)) == 2
    # Work done before the crash is not redone after the draft exists.
    if drafts_before and edition_per == "run":
        assert result.drafts == () and stages.writes == [["a.txt", "c.txt"]]
    assert result.exit_code in (0, 1)


# ------------------------------------------------------------------ the real CLI, real stages (offline)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "run"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_embedder) -> Path:  # noqa: F811
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NEWSLETTER_BACKEND", "NEWSLETTER_STYLE", ENV_VAR):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsletter.toml").write_text("[run]\nsettle_seconds = 2\n", encoding="utf-8")
    inbox_dir = tmp_path / "inbox"
    inbox_dir.mkdir()
    for src in FIXTURES.glob("*.srt"):
        (inbox_dir / src.name).write_bytes(src.read_bytes())
    (inbox_dir / "vide.txt").write_bytes(b"")
    (inbox_dir / "arrive.srt.part").write_text("1\n00:00:00,000 --> ", encoding="utf-8")
    old = time.time() - 3600
    for f in inbox_dir.iterdir():
        os.utime(f, (old, old))
    return tmp_path


def test_cli_run_json_end_to_end(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--json", "-q"])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert code == 1 and captured.err == ""  # --quiet: nothing on stderr
    assert doc["status"] == "partial" and len(doc["drafts"]) == 1
    assert doc["failed"] == [{"name": "vide.txt", "error": f"{workspace}/inbox/vide.txt: est vide"}]
    assert {i["name"]: i["status"] for i in doc["inputs"]} == {
        "ciel-ouvert.srt": "processed",
        "pedales-et-circuits.srt": "processed",
        "vide.txt": "failed",
    }
    assert {i["path"].rsplit("/", 1)[1] for i in doc["ignored"]} == {"arrive.srt.part"}
    [draft] = outbox.list_drafts(workspace / "outbox")
    assert draft.id == doc["drafts"][0] and len(draft.source_sha256s) == 2
    assert draft.extractive and (draft.path / "newsletter.md").read_text(encoding="utf-8").strip()
    log = (workspace / "state" / "newsletter.log").read_text(encoding="utf-8")
    assert f"run 1 partial; inputs: 2 processed, 1 failed; drafts: {draft.id}" in log

    # Nothing new: says so, exit 0; the temporary file is still waiting.
    assert main(["run"]) == 0
    captured = capsys.readouterr()
    assert "rien de nouveau dans" in captured.out and "run 2 nothing; inputs: none new" in captured.err
    assert (workspace / "inbox" / "arrive.srt.part").exists()
    # Under --quiet a night with nothing new prints nothing at all (a cron job mails only real news).
    assert main(["run", "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")


def test_cli_run_human_output_progress_and_dry_run(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert "? ciel-ouvert.srt : serait traité" in captured.out
    assert outbox.list_drafts(workspace / "outbox") == [] and (workspace / "inbox" / "vide.txt").exists()

    assert main(["run"]) == 1
    captured = capsys.readouterr()
    assert "+ ciel-ouvert.srt : dans le brouillon " in captured.out and "-> processed/" in captured.out
    assert "x vide.txt : échec : " in captured.out and "-> failed/vide.txt" in captured.out
    # Progress names the episode and the stage.
    assert "· [1/3] ciel-ouvert.srt : lecture de" in captured.err
    assert "· écriture du brouillon (ciel-ouvert.srt, pedales-et-circuits.srt)" in captured.err


def test_cli_run_refuses_while_another_run_holds_the_lock(workspace: Path, capsys) -> None:
    with RunLock(workspace / "state" / "run.lock", command="run (schedule)"):
        assert main(["run", "-q"]) == 2
    err = capsys.readouterr().err
    assert "une autre exécution est en cours" in err and "run (schedule)" in err and "--wait" in err
    assert (workspace / "inbox" / "vide.txt").exists()


def test_cli_schedule_next_times_and_dst_refusal(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsletter.toml").write_text('[schedule]\ntime = "07:45"\ndays = "sat"\n', encoding="utf-8")
    assert main(["schedule", "--next", "2"]) == 0
    times = capsys.readouterr().out.split()
    assert len(times) == 2 and all(t.endswith(("07:45+01:00", "07:45+02:00")) for t in times)
    assert [dt.date.fromisoformat(t[:10]).weekday() for t in times] == [5, 5]

    (tmp_path / "newsletter.toml").write_text('[schedule]\ntime = "02:30"\n', encoding="utf-8")
    assert main(["schedule"]) == 2
    assert "02:00-03:00" in capsys.readouterr().err
