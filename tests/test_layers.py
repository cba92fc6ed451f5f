"""The house rules, checked on the source: stages import downwards only, one job per module, small functions."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "generator"

# Lower ranks are lower layers; a module may import its own rank or below, never above.
RANK = {
    "model": 0,
    "errors": 0,
    "registry": 0,
    "atomic": 0,
    "retry_after": 0,
    "crashpoint": 0,
    "faces": 0,
    "i18n": 0,
    "styles": 1,
    "source_kinds": 1,
    "backends": 1,
    "channels": 1,
    "config": 1,
    "cadences": 1,
    "language": 2,
    "transcript": 3,
    "llm": 3,
    "topics": 4,
    "writing": 5,
    "edition": 6,
    "sources": 6,
    "delivery": 6.5,  # sends approved drafts: reads the outbox, used by the nightly run and the CLI
    "weekly": 6.5,  # the weekly edition (issue 25): reads drafts (edition), never the night's machinery
    "nightly": 7,
    "pipeline": 8,
    "cli": 9,
    "__main__": 10,
}
STAGES = (
    "language",
    "transcript",
    "llm",
    "topics",
    "writing",
    "edition",
    "sources",
    "delivery",
    "weekly",
    "nightly",
)


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


# Units that need less than everything below them: the highest rank they may import besides their own.
# edition/ renders and stores an Edition: it needs the model, errors, settings and styles, nothing else.
CEILING = {"edition": RANK["styles"]}


def import_problems(here: str, imports: list[tuple[str, int]], name: str) -> list[str]:
    """Imports of unit `here` that go up the layers, or above the unit's ceiling."""
    problems = []
    for target, line in imports:
        parts = target.split(".")
        if len(parts) < 2 or parts[1] not in RANK or parts[1] == here:
            continue  # `from generator import __version__`, or its own unit
        there = parts[1]
        limit = min(RANK[here], CEILING.get(here, RANK[here]))
        if RANK[there] > limit:
            problems.append(
                f"{name}:{line} imports {target} ({here} may import up to rank {limit}, {there} is {RANK[there]})"
            )
    return problems


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_downwards_only(path):
    here = unit_of(path)
    if here == "__init__":
        return
    problems = import_problems(here, imports_of(path), str(path.relative_to(PACKAGE)))
    assert not problems, "; ".join(problems)


def test_the_import_check_catches_an_upward_import_and_a_ceiling_breach():
    assert (
        import_problems(
            "writing", [("generator.topics.segmenter", 3), ("generator.model.Edition", 4)], "w.py"
        )
        == []
    )
    assert import_problems("topics", [("generator.writing.compose", 7)], "t.py") == [
        "t.py:7 imports generator.writing.compose (topics may import up to rank 4, writing is 5)"
    ]
    assert import_problems("edition", [("generator.styles.STYLES", 1)], "e.py") == []
    assert import_problems("edition", [("generator.language.lexicon", 2)], "e.py") == [
        "e.py:2 imports generator.language.lexicon (edition may import up to rank 1, language is 2)"
    ]


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


FACED = (*STAGES, "pipeline", "cli")


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


@pytest.mark.parametrize("stage", FACED)
def test_every_name_of_a_public_face_resolves(stage):
    """Stages load their names lazily (PEP 562): a name listed but not defined would fail only when used."""
    package = importlib.import_module(f"generator.{stage}")
    missing = [name for name in package.__all__ if not hasattr(package, name)]
    assert not missing, f"{stage}.__all__ lists undefined names: {missing}"


def test_the_face_checks_fail_on_wrong_code():
    faces = {"llm": {"Backend", "get_tokenizer"}}
    wrong = (
        "from generator.llm.tokens import get_tokenizer\n"  # a name of the face, but through the submodule
        "from generator.llm import _private\n"  # not in __all__
        "import generator.llm.client\n"  # a submodule
        "from generator.llm import Backend\n"  # fine
        "from generator.writing.summariser import x\n"  # another stage, not checked here
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
            assert rel in ("llm/client.py", "llm/batch.py", "llm/speech.py"), f"{rel} imports openai"
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


MAX_LINES = 500  # per module
MAX_FUNCTION_LINES = 80
MAX_PARAMETERS = 8  # positional, keyword-only, *args and **kwargs; not self/cls


def parameter_count(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Parameters a caller may pass: every kind counts, a leading `self`/`cls` does not."""
    a = node.args
    positional = [*a.posonlyargs, *a.args]
    if positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    return len(positional) + len(a.kwonlyargs) + (a.vararg is not None) + (a.kwarg is not None)


def size_problems(source: str, name: str) -> list[str]:
    """What breaks the size rules in one module's source: too many lines, a long function, many parameters."""
    problems = []
    lines = source.count("\n")
    if lines > MAX_LINES:
        problems.append(f"{name} has {lines} lines (limit {MAX_LINES})")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                problems.append(
                    f"{name}:{node.lineno} {node.name} is {length} lines (limit {MAX_FUNCTION_LINES})"
                )
            count = parameter_count(node)
            if count > MAX_PARAMETERS:
                problems.append(
                    f"{name}:{node.lineno} {node.name} takes {count} parameters (limit {MAX_PARAMETERS})"
                )
    return problems


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_stay_small(path):
    problems = size_problems(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))
    assert not problems, "; ".join(problems)


def test_the_size_check_catches_a_long_module_and_a_nine_parameter_function():
    nine = "def f(a, b, /, c, d=1, *args, e, f=2, g, **kwargs):\n    return a\n"
    assert size_problems(nine, "m.py") == ["m.py:1 f takes 9 parameters (limit 8)"]
    method = "class C:\n    def m(self, a, b, c, d, e, f, g, h):\n        return a\n"
    assert size_problems(method, "m.py") == []  # self is not a parameter a caller passes
    assert size_problems(method.replace("h)", "h, i)"), "m.py") == ["m.py:2 m takes 9 parameters (limit 8)"]
    assert size_problems("x = 1\n" * MAX_LINES, "m.py") == []
    assert size_problems("x = 1\n" * (MAX_LINES + 1), "m.py") == ["m.py has 501 lines (limit 500)"]
    long_body = "def g():\n" + "    x = 1\n" * MAX_FUNCTION_LINES
    assert size_problems(long_body, "m.py") == ["m.py:1 g is 81 lines (limit 80)"]


VULTURE_WHITELIST = Path(__file__).resolve().parent / "vulture_whitelist.py"


def vulture_findings(*paths: Path) -> list[str]:
    """What `vulture --min-confidence 80` reports on these paths (and the commented whitelist)."""
    extra = [str(VULTURE_WHITELIST)] if VULTURE_WHITELIST.exists() else []
    done = subprocess.run(
        [sys.executable, "-m", "vulture", "--min-confidence", "80", *map(str, paths), *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 3), done.stderr  # 3: dead code found; anything else: vulture failed
    return done.stdout.splitlines()


def test_vulture_finds_no_dead_code():
    pytest.importorskip("vulture")
    assert vulture_findings(PACKAGE) == []


def test_vulture_check_catches_dead_code(tmp_path):
    pytest.importorskip("vulture")
    (tmp_path / "dead.py").write_text("import os\n\n\ndef f():\n    return 1\n    print('never')\n")
    found = vulture_findings(tmp_path)
    assert any("unused import 'os'" in line for line in found), found
    assert any("unreachable code after 'return'" in line for line in found), found


def test_no_prompt_text_in_python():
    # Prompts live in prompts/<verb_object>/v<N>.md; a role marker in a Python string means one leaked in.
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 200:
                text = node.value.lower()
                assert not ("tu es" in text and "résume" in text), (
                    f"{path.name}:{node.lineno} holds prompt text"
                )
