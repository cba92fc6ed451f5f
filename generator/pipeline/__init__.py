"""Chains the stages: ingest -> clean -> segment -> summarise -> compose -> render -> outbox.

`build_tools` makes the toolbox once from the settings; `generate` writes one edition from given files;
`run_nightly` is the unattended night, reusing `prepare` and `write`.
"""

from generator.nightly import NightOptions
from generator.pipeline.edition import estimate_dry_run, generate, load, prepare, write
from generator.pipeline.night import run_nightly
from generator.pipeline.result import GenerateResult, Prepared, provenance_of
from generator.pipeline.tools import (
    Progress,
    Timings,
    Tools,
    build_tools,
    default_templates_dir,
    make_embedder,
    no_progress,
    prompt_registry,
)

__all__ = [
    "GenerateResult",
    "NightOptions",
    "Prepared",
    "Progress",
    "Timings",
    "Tools",
    "build_tools",
    "default_templates_dir",
    "estimate_dry_run",
    "generate",
    "load",
    "make_embedder",
    "no_progress",
    "prepare",
    "prompt_registry",
    "provenance_of",
    "run_nightly",
    "write",
]
