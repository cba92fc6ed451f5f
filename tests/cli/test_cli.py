"""Command-line plumbing shared by every command: global options, init, config precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import build_parser, main
from generator.config import load_settings


@pytest.mark.parametrize(
    ("argv", "config", "quiet"),
    [
        (["--config", "a.toml", "run"], "a.toml", False),
        (["run", "--config", "b.toml"], "b.toml", False),
        (["-q", "drafts"], None, True),
        (["drafts", "--quiet"], None, True),
        (["drafts"], None, False),
    ],
)
def test_global_options_before_or_after_the_command(argv: list[str], config: str | None, quiet: bool) -> None:
    args = build_parser().parse_args(argv)
    assert args.config == config
    assert args.quiet is quiet


def test_init_writes_a_config_once_and_creates_folders(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["init", str(tmp_path)]) == 0
    config = tmp_path / "newsletter.toml"
    assert {p.name for p in tmp_path.iterdir()} >= {"newsletter.toml", "inbox", "outbox", "state"}
    settings = load_settings(config, env={})  # the commented template is valid TOML with known keys
    assert settings.paths.inbox == tmp_path / "inbox"
    config.write_text("# edited by hand\n", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 0
    assert config.read_text(encoding="utf-8") == "# edited by hand\n"
    assert "existe déjà" in capsys.readouterr().err


def test_precedence_file_then_env_then_flags(tmp_path: Path) -> None:
    config = tmp_path / "newsletter.toml"
    config.write_text('[llm]\nmodel = "from-file"\ntimeout = 10\n', encoding="utf-8")
    env = {"NEWSLETTER_MODEL": "from-env"}
    assert load_settings(config, env={}).llm.model == "from-file"
    assert load_settings(config, env=env).llm.model == "from-env"
    flags = {"llm": {"model": "from-flag"}}
    assert load_settings(config, env=env, overrides=flags).llm.model == "from-flag"
    assert load_settings(config, env=env, overrides=flags).llm.timeout == 10.0


def test_unknown_config_key_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    config = tmp_path / "newsletter.toml"
    config.write_text('[llm]\napi_key = "sk-secret"\n', encoding="utf-8")
    assert main(["--config", str(config), "drafts"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "OPENAI_API_KEY" in err[0]


def test_backend_names_come_from_one_registry(tmp_path: Path) -> None:
    from generator.backends import BACKENDS
    from generator.errors import ConfigError

    for name in BACKENDS:
        assert build_parser().parse_args(["generate", "x.srt", "--backend", name]).backend == name
    with pytest.raises(SystemExit):
        build_parser().parse_args(["generate", "x.srt", "--backend", "claude"])
    config = tmp_path / "newsletter.toml"
    config.write_text('[llm]\nbackend = "claude"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="auto, extractive, openai"):
        load_settings(config, env={})
