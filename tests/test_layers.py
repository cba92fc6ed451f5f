"""The house rules, checked on the source: stages import downwards only, one job per module, small functions."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Collection, Mapping, Sequence
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
    "nightly": 7,
    "pipeline": 8,
    "cli": 9,
    "__main__": 10,
}
STAGES = ("language", "transcript", "llm", "topics", "writing", "edition", "nightly")


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


# Stages whose package `__all__` still lists submodules (issue 20, to be turned into names): for them the
# face is checked the old way, any listed submodule counts as public. Remove a stage once its face is names.
# `language` is the French toolkit's, reworked at the same time.
FACE_OF_MODULES = ("language", "transcript", "topics", "writing", "edition", "nightly")


def modules_in_all(package: str, names: Sequence[str], is_module: Callable[[str], bool]) -> list[str]:
    """Problems: the names of `package.__all__` that are submodules, not functions, classes or constants."""
    return [f"{package}.__all__ lists the module {name!r}" for name in names if is_module(name)]


def private_uses(source: str, here: str, faces: Mapping[str, Collection[str]], where: str = "") -> list[str]:
    """Problems: imports, in a module of stage `here`, of another stage other than by a name of its `__all__`.

    `faces` maps a stage to its `__all__`; `from generator.<stage> import NAME` is the only allowed form.
    """
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator."):
            parts = node.module.split(".")
            stage = parts[1]
            if stage == here or stage not in faces:
                continue
            for alias in node.names:
                if len(parts) > 2 or alias.name not in faces[stage]:
                    problems.append(
                        f"{where}:{node.lineno} imports {node.module}.{alias.name}, not in {stage}.__all__"
                    )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if len(parts) > 2 and parts[0] == "generator" and parts[1] in faces and parts[1] != here:
                    problems.append(f"{where}:{node.lineno} imports {alias.name}, a submodule of {parts[1]}")
    return problems


def _is_submodule(package: str) -> Callable[[str], bool]:
    folder = PACKAGE / package
    return lambda name: (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()


FACED = tuple(s for s in (*STAGES, "pipeline", "cli") if s not in FACE_OF_MODULES)


@pytest.mark.parametrize("stage", FACED)
def test_a_public_face_lists_names_not_modules(stage):
    names = importlib.import_module(f"generator.{stage}").__all__
    assert not modules_in_all(stage, names, _is_submodule(stage))


def test_other_stages_use_only_the_public_face():
    faces = {stage: set(importlib.import_module(f"generator.{stage}").__all__) for stage in FACED}
    problems = []
    for path in modules():
        problems += private_uses(
            path.read_text(encoding="utf-8"), unit_of(path), faces, str(path.relative_to(PACKAGE))
        )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("stage", FACE_OF_MODULES)
def test_stages_not_yet_faced_by_names_are_used_through_their_listed_modules(stage):
    public = set(importlib.import_module(f"generator.{stage}").__all__)
    for path in modules():
        if unit_of(path) == stage:
            continue
        for target, line in imports_of(path):
            parts = target.split(".")
            if len(parts) >= 3 and parts[1] == stage:
                assert parts[2] in public, f"{path.relative_to(PACKAGE)}:{line} uses private {target}"


def test_the_face_checks_fail_on_wrong_code():
    faces = {"llm": {"Backend", "get_tokenizer"}}
    wrong = (
        "from generator.llm.tokens import get_tokenizer\n"  # a name of the face, but through the submodule
        "from generator.llm import _private\n"  # not in __all__
        "import generator.llm.client\n"  # a submodule
        "from generator.llm import Backend\n"  # fine
        "from generator.writing.summarise import x\n"  # another stage, not checked here
    )
    problems = private_uses(wrong, "writing", faces, "w.py")
    assert [p.split(" ")[0] for p in problems] == ["w.py:1", "w.py:2", "w.py:3"]
    assert (
        private_uses("from generator.llm.tokens import Tokenizer\n", "llm", faces) == []
    )  # inside the stage
    listed = modules_in_all("llm", ["Backend", "tokens"], lambda name: name == "tokens")
    assert listed == ["llm.__all__ lists the module 'tokens'"]


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
        if path.relative_to(PACKAGE).parts[0] != "cli":
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
