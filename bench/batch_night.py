"""A batch night end to end (issue 27): rounds, batches, calls per path (batched / synchronous) and their cost.

The real `pipeline.run_nightly` with `[llm] batch = true`, in front of tests/batch_server.py (a loopback
Batch API) that forwards each line to a chat server: the repository's fake model (default) or a real
one (`--llm-url`, e.g. `LOCAL_LLM_HOME=/work/.llmcache ../shared/tools/local-llm url`). The night is
run again after each batch finishes, until the draft is written. Synchronous chat calls are counted at
the loopback server. Costs: the draft's own figures, and the same tokens priced as gpt-4o-mini (a
local model has no price), synchronous against batch.

    .venv/bin/python bench/batch_night.py [--llm-url URL] [--model NAME] [FILE ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "nightly"))

from batch_server import BatchServer  # noqa: E402
from fake_llm_server import FakeLLMServer  # noqa: E402

from generator import pipeline  # noqa: E402
from generator.config import DEFAULT_BATCH_PRICES, DEFAULT_PRICES, load_settings  # noqa: E402
from generator.edition import outbox  # noqa: E402
from generator.llm import cost, make_backend  # noqa: E402
from generator.model import Usage  # noqa: E402
from generator.nightly.ledger import Ledger  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "run"
DEFAULT_FILES = (FIXTURES / "ciel-ouvert.srt", FIXTURES / "pedales-et-circuits.srt")


def _settings(root: Path, url: str, model: str):
    now = dt.datetime.now(ZoneInfo("Europe/Paris"))
    deadline = (now + dt.timedelta(hours=3)).strftime("%H:%M")
    send = (now + dt.timedelta(hours=4)).strftime("%H:%M")
    (root / "newsletter.toml").write_text(
        f'[llm]\nbatch = true\nbatch_deadline = "{deadline}"\n[schedule]\ntime = "{send}"\n', encoding="utf-8"
    )
    env = {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": "bench", "NEWSLETTER_MODEL": model}
    llm = {
        "timeout": 900.0,
        "max_retries": 1,
        "max_concurrency": 1,
        "context_window": 8192,
        "temperature": 0.0,
    }
    return load_settings(root / "newsletter.toml", env=env, overrides={"llm": llm})


def _night(root: Path, url: str, model: str):
    settings = _settings(root, url, model)
    with Ledger(settings.paths.state / "ledger.sqlite") as ledger:
        return pipeline.run_nightly(
            pipeline.build_tools(settings, make_backend(settings, ledger)), ledger=ledger
        )


def _as_4o_mini(tokens: dict, batch: bool) -> float:
    usage = Usage(tokens["input"], tokens["output"])
    if batch:
        usage = Usage(usage.input, usage.output, 0, 0, False, usage.input, usage.output)
    return cost(usage, "gpt-4o-mini", DEFAULT_PRICES, DEFAULT_BATCH_PRICES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--llm-url", help="a real chat server (default: the repository's fake model)")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    files = args.files or list(DEFAULT_FILES)
    fake = None
    if args.llm_url:
        upstream, model = args.llm_url, args.model or "qwen2.5-coder-1.5b-instruct"
    else:
        from test_batches import responder

        fake = FakeLLMServer().start()
        fake.responder, fake.models = responder, ("gpt-4o-mini",)
        upstream, model = fake.base_url, args.model or "gpt-4o-mini"
    loop = BatchServer(upstream).start()
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "inbox").mkdir()
            for f in files:
                shutil.copy(f, root / "inbox" / f.name)
                old = time.time() - 3600
                os.utime(root / "inbox" / f.name, (old, old))
            runs = [_night(root, loop.base_url, model)]
            while runs[-1].status == "waiting" and len(runs) < 8:
                loop.process()  # the batch runs its lines one by one against the chat server
                runs.append(_night(root, loop.base_url, model))
            last = runs[-1]
            drafts = outbox.list_drafts(root / "outbox")
            extra = (
                json.loads((drafts[0].path / "draft.json").read_text(encoding="utf-8"))["extra"]
                if drafts
                else {}
            )
    finally:
        loop.stop()
        if fake is not None:
            fake.stop()
    calls = extra.get("calls") or (last.calls or {})
    lines = sum(len(loop.files[b["input_file_id"]].decode().splitlines()) for b in loop.batches.values())
    batched, sync = calls.get("batched", {}), calls.get("synchronous", {})
    every = {k: batched["tokens"][k] + sync["tokens"][k] for k in ("input", "output")} if batched else {}
    print(
        json.dumps(
            {
                "files": [f.name for f in files],
                "model": model,
                "status": last.status,
                "runs": len(runs),
                "rounds": len(loop.created),
                "batches": list(loop.batches),
                "batch_lines": lines,
                "synchronous_chat_calls_at_server": loop.sync_calls,
                "draft_batches": extra.get("batches"),
                "calls": calls,
                "as_gpt_4o_mini": {
                    "all_synchronous": round(_as_4o_mini(every, False), 6) if every else None,
                    "this_night": round(
                        _as_4o_mini(batched["tokens"], True) + _as_4o_mini(sync["tokens"], False), 6
                    )
                    if batched
                    else None,
                },
                "seconds": round(time.monotonic() - started, 1),
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
