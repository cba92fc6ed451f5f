"""Delivery tests: a project with an approved draft of the invented show, and a newsletter.toml per channel."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from review_fixtures import write_review_draft

from generator.cli import main
from generator.edition import outbox

ROOT = Path(__file__).resolve().parents[1]
SMTP_PASSWORD = "mdp-Secret-7f3a9c"
API_KEY = "cle-api-5b2e8d41"
GHOST_KEY = "65f1c0ffee00000000000001:" + "a1b2c3d4" * 8
# Longer than 78 columns: Python's default SMTP policy would fold (and encode) it.
UNSUBSCRIBE = (
    "https://lettre.exemple.fr/desinscription?liste=la-lettre-tech&jeton=0123456789abcdef0123456789abcdef"
)
SECRETS = (SMTP_PASSWORD, API_KEY, GHOST_KEY, GHOST_KEY.split(":")[1])


@dataclass
class Project:
    root: Path
    config: Path
    outbox: Path
    draft: outbox.DraftInfo

    def configure(self, delivery: str) -> None:
        self.config.write_text(
            '[paths]\noutbox = "outbox"\nstate = "state"\ninbox = "inbox"\n\n' + delivery, encoding="utf-8"
        )

    def send(self, *argv: str) -> int:
        return main(["send", self.draft.id, *argv, "--config", str(self.config)])

    def send_process(self, *argv: str, crash_at: str | None = None, env: dict | None = None):
        """`newsletter send` in a child process, killed at `crash_at` (generator/crashpoint.py)."""
        run_env = {**env} if env else {}
        if crash_at:
            run_env["NEWSLETTER_TEST_CRASH_AT"] = crash_at
        import os

        return subprocess.run(
            [sys.executable, "-m", "generator", "send", self.draft.id, *argv, "--config", str(self.config)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, **run_env},
            timeout=60,
        )

    def record_file(self, channel: str) -> Path:
        return self.draft.path / f"delivery-{channel}.json"

    def written_bytes(self) -> list[tuple[Path, bytes]]:
        """Every file of the project folder: outbox, state (ledger, logs, records) and the config."""
        return [(p, p.read_bytes()) for p in sorted(self.root.rglob("*")) if p.is_file()]


def smtp_config(port: int, *, extra: str = "", to: str = '["lectrice@exemple.fr"]') -> str:
    return f"""[delivery]
method = "smtp"
retries = 2
backoff_s = 0.01
timeout_s = 5

[delivery.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
username = "lettre"
from = "La Lettre Tech <lettre@exemple.fr>"
to = {to}
unsubscribe_url = "{UNSUBSCRIBE}"
{extra}
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    """An approved draft; secrets in the environment as a user would set them."""
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "NEWSLETTER_BACKEND",
        "NEWSLETTER_STYLE",
        "NEWSLETTER_TEST_CRASH_AT",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("NEWSLETTER_BUTTONDOWN_API_KEY", API_KEY)
    monkeypatch.setenv("NEWSLETTER_LISTMONK_TOKEN", API_KEY)
    monkeypatch.setenv("NEWSLETTER_GHOST_ADMIN_KEY", GHOST_KEY)
    box = tmp_path / "outbox"
    draft = write_review_draft(box)
    draft = outbox.approve(box, draft.id, user="relectrice")
    return Project(tmp_path, tmp_path / "newsletter.toml", box, draft)
