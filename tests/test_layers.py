"""The house rules, checked on the source: stages import downwards only, one job per module, small functions."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "generator"

# Lower ranks are lower layers; a module may import its own rank or below, never above.
RANK = {
    "model": 0,
    "errors": 0,
    "registry": 0,
    "styles": 1,
    "config": 1,
    "language": 2,
    "transcript": 3,
    "llm": 3,
    "topics": 4,
    "writing": 5,
    "edition": 6,
    "weekly": 6.5,  # the weekly edition: reads drafts (edition), never the night's machinery
    "nightly": 7,
    "pipeline": 8,
    "cli": 9,
    "cli_weekly": 9,  # the weekly edition's commands (issue 25), handed over by cli.py
    "__main__": 10,
}
STAGES = ("language", "transcript", "llm", "topics", "writing", "edition", "weekly", "nightly")


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def unit_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return rel.parts[0]


def imports_of(path: Path) -> list[tuple[str, int]]:
    """(dotted generator module or package imported, line) for every import in the file."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            for alias in node.names:
                found.append((f"{node.module}.{alias.name}", node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("generator")]
    return found


def test_every_top_level_unit_has_a_rank():
    units = {unit_of(p) for p in modules()} - {"__init__"}
    assert units <= set(RANK), f"unranked: {units - set(RANK)}"
    assert set(STAGES) <= units


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_downwards_only(path):
    here = unit_of(path)
    if here == "__init__":
        return
    for target, line in imports_of(path):
        parts = target.split(".")
        if len(parts) < 2 or parts[1] not in RANK:
            continue  # `from generator import __version__`
        there = parts[1]
        assert RANK[there] <= RANK[here], f"{path.name}:{line} imports {target} (upward: {here} -> {there})"


@pytest.mark.parametrize("stage", STAGES)
def test_other_stages_use_only_the_public_face(stage):
    public = set(importlib.import_module(f"generator.{stage}").__all__)
    for path in modules():
        if unit_of(path) == stage:
            continue
        for target, line in imports_of(path):
            parts = target.split(".")
            if len(parts) >= 3 and parts[1] == stage:
                assert parts[2] in public, f"{path.relative_to(PACKAGE)}:{line} uses private {target}"


def test_only_llm_imports_openai_and_tiktoken():
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {
            n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
        }
        rel = str(path.relative_to(PACKAGE))
        if "openai" in names:
            assert rel in ("llm/client.py", "llm/batch.py"), f"{rel} imports openai"
        if "tiktoken" in names:
            assert rel == "llm/tokens.py", f"{rel} imports tiktoken"


def test_only_the_cli_prints():
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n.lineno
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
        ]
        if path.name not in ("cli.py", "cli_weekly.py"):
            assert not calls, f"{path.relative_to(PACKAGE)} prints at line(s) {calls}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_stay_small(path):
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= 600, f"{path.name} has {source.count(chr(10))} lines (limit 600)"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= 80, f"{path.name}:{node.lineno} {node.name} is {length} lines (limit 80)"


def test_no_prompt_text_in_python():
    # Prompts live in prompts/<verb_object>/v<N>.md; a role marker in a Python string means one leaked in.
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 200:
                text = node.value.lower()
                assert not ("tu es" in text and "résume" in text), (
                    f"{path.name}:{node.lineno} holds prompt text"
                )
