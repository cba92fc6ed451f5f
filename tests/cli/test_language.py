"""The CLI speaks French under C and fr_FR locales (argparse's own words included) and English under en_*."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import COMMANDS, build_parser, main
from generator.cli.language import setup_language

ROOT = Path(__file__).resolve().parents[2]
ARGPARSE_ENGLISH = ("usage:", "options:", "positional arguments", "show this help message", "error:")


def _set_locale(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LANG", lang)


def _help(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def _parsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"": parser, **sub.choices}


@pytest.mark.parametrize("lang", ["C.UTF-8", "fr_FR.UTF-8", "C"])
@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_of_every_command_is_french_with_a_line_for_every_option(monkeypatch, capsys, lang, command):
    _set_locale(monkeypatch, lang)
    out = _help([command] if command else [], capsys)
    assert out.startswith("utilisation : newsletter")
    assert "options :" in out and "afficher cette aide et quitter" in out
    assert not [w for w in ARGPARSE_ENGLISH if w in out], out
    setup_language()
    french = _parsers()[command]._actions
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    setup_language()
    english = {tuple(a.option_strings) or a.dest: a.help for a in _parsers()[command]._actions}
    for action in french:
        help_ = action.help
        assert isinstance(help_, str) and help_ and help_ != argparse.SUPPRESS, (
            command,
            action.option_strings,
        )
        assert help_ != english[tuple(action.option_strings) or action.dest], (command, help_)  # translated
        assert help_[:30] in " ".join(out.split()), (command, help_)


@pytest.mark.parametrize("lang", ["C.UTF-8", "fr_FR.UTF-8"])
def test_a_missing_file_and_a_usage_error_are_french(monkeypatch, capsys, tmp_path, lang):
    _set_locale(monkeypatch, lang)
    missing = tmp_path / "absent.txt"
    assert main(["inspect", str(missing)]) == 2
    assert capsys.readouterr().err == f"newsletter : erreur : {missing}: fichier introuvable\n"
    with pytest.raises(SystemExit) as exit_:
        main(["reject", "2026-01-01-x"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "newsletter reject : erreur : arguments obligatoires manquants : --reason" in err
    assert err.startswith("utilisation : ")


def test_english_when_the_locale_asks_for_it(monkeypatch, capsys, tmp_path):
    _set_locale(monkeypatch, "en_US.UTF-8")
    out = _help(["generate"], capsys)
    assert out.startswith("usage: newsletter generate") and "options:" in out
    assert "show this help message and exit" in out and "ignore cached LLM answers" in out
    assert "--model MODEL" in out and "afficher" not in out
    missing = tmp_path / "absent.txt"
    assert main(["inspect", str(missing)]) == 2
    assert capsys.readouterr().err == f"newsletter: error: {missing}: no such file\n"
    # And back to French in the same process: nothing stays installed from the previous call.
    _set_locale(monkeypatch, "C.UTF-8")
    assert _help(["drafts"], capsys).startswith("utilisation : ")


@pytest.mark.parametrize(
    ("env", "first"),
    [({"LANG": "C.UTF-8"}, "utilisation : "), ({"LANG": "en_US.UTF-8"}, "usage: "), ({}, "utilisation : ")],
)
def test_a_real_process_reads_its_environment(env, first):
    clean = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    done = subprocess.run(
        [sys.executable, "-m", "generator", "run", "--help"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.startswith(first), done.stderr
