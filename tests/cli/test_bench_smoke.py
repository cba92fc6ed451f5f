"""Smoke test: each benchmark script runs on the shipped sample (`--quick`) and prints its tables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("script", "headings"),
    [
        ("offline.py", ["### Per stage", "### Synthetic long episodes", "### Whole process"]),
        ("quality.py", ["### Published quotes", "### Names", "### Grounding"]),
        ("llm_economy.py", ["### Whole episodes", "### Estimated cost per one-hour episode"]),
        ("draft.py", ["### Offline drafts", "### Claim check", "### An unchanged re-run"]),
    ],
)
def test_bench_script_quick(script: str, headings: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NEWSLETTER_"))}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--quick"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for heading in headings:
        assert heading in done.stdout
    # Every table has a header separator and at least one data row with numbers.
    rows = [
        line for line in done.stdout.splitlines() if line.startswith("| ") and any(c.isdigit() for c in line)
    ]
    assert rows, done.stdout
    assert "nan" not in done.stdout.lower().split()
