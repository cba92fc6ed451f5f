"""Load, validate and render versioned prompt files `prompts/<id>/v<N>.md`."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from generator.errors import PromptError
from generator.model import PromptUse, format_ts

FRONT_MATTER_KEYS = frozenset({"id", "version", "description", "inputs", "output", "params", "changelog"})
REQUIRED_KEYS = ("id", "version", "description", "inputs")
INPUT_KEYS = frozenset({"type", "description", "example", "optional"})
INPUT_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list, tuple),
    "dict": (dict,),
    "any": (object,),
}
# Sampling parameters a prompt may set; temperature and seed otherwise come from [llm] settings.
PARAM_KEYS = frozenset({"temperature", "top_p", "frequency_penalty", "presence_penalty", "max_tokens"})
ROLES = ("system", "user", "assistant")
HASH_LENGTH = 12

_FILE_NAME = re.compile(r"^v([1-9][0-9]*)\.md$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_SECTION = re.compile(r"^(system|user|assistant):[ \t]*$", re.MULTILINE)


def _refuse_unknown(table: dict, allowed: frozenset[str] | set[str], what: str, where: str) -> None:
    """Unknown keys are errors, listed with the allowed ones."""
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise PromptError(f"{what} {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}", path=where)


def default_root() -> Path:
    """The `prompts/` folder shipped next to the `generator` package."""
    return Path(__file__).resolve().parents[2] / "prompts"


@dataclass(frozen=True)
class InputSpec:
    """One declared input of a prompt: its type, meaning and an example value (used by tests)."""

    name: str
    type: str
    description: str
    example: Any
    optional: bool = False


@dataclass(frozen=True)
class RenderedPrompt:
    """Messages ready to send, with the identity of the prompt file that produced them."""

    id: str
    version: int
    hash: str
    messages: tuple[dict[str, str], ...]
    params: dict[str, Any]
    schema: dict[str, Any] | None = None

    @property
    def use(self) -> PromptUse:
        return PromptUse(self.id, self.version, self.hash)


def _environment() -> ImmutableSandboxedEnvironment:
    # Sandboxed: prompt files are data, they must not reach Python internals. StrictUndefined: a typo
    # in a variable name is an error, not an empty string silently sent to the model.
    env = ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ts"] = format_ts
    return env


_ENV = _environment()


@dataclass(frozen=True)
class PromptFile:
    """A parsed, validated prompt file; `render` turns inputs into chat messages."""

    id: str
    version: int
    description: str
    inputs: tuple[InputSpec, ...]
    output: dict[str, Any] | None
    params: dict[str, Any]
    changelog: tuple[str, ...]
    path: Path
    hash: str
    sections: tuple[tuple[str, str], ...]  # (role, template source), split before rendering
    _templates: tuple[jinja2.Template, ...] = field(repr=False, compare=False, default=())

    @property
    def use(self) -> PromptUse:
        return PromptUse(self.id, self.version, self.hash)

    def example_inputs(self) -> dict[str, Any]:
        """The example values declared in the front matter, for tests and dry runs."""
        return {spec.name: spec.example for spec in self.inputs}

    def render(self, **inputs: Any) -> RenderedPrompt:
        """Render each section separately: input text can never open a new message."""
        declared = {spec.name: spec for spec in self.inputs}
        unknown = sorted(set(inputs) - set(declared))
        if unknown:
            raise PromptError(
                f"unknown input(s) {', '.join(unknown)}; declared: {', '.join(declared)}", path=str(self.path)
            )
        for spec in self.inputs:
            if spec.name not in inputs:
                if not spec.optional:
                    raise PromptError(f"missing input {spec.name!r}", path=str(self.path))
                continue
            value = inputs[spec.name]
            if not isinstance(value, INPUT_TYPES[spec.type]) or (
                spec.type in ("int", "float") and isinstance(value, bool)
            ):
                raise PromptError(
                    f"input {spec.name!r} must be {spec.type}, got {type(value).__name__}",
                    path=str(self.path),
                )
        context = {spec.name: None for spec in self.inputs if spec.optional} | inputs
        messages = []
        for (role, _), template in zip(self.sections, self._templates, strict=True):
            try:
                text = template.render(context).strip()
            except jinja2.TemplateError as exc:
                raise PromptError(f"cannot render the {role} section: {exc}", path=str(self.path)) from exc
            messages.append({"role": role, "content": text})
        return RenderedPrompt(
            self.id, self.version, self.hash, tuple(messages), dict(self.params), self.output
        )


def _parse_inputs(raw: Any, where: str) -> tuple[InputSpec, ...]:
    if not isinstance(raw, dict):
        raise PromptError(
            "`inputs` must be a table of input name -> {type, description, example}", path=where
        )
    specs = []
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            raise PromptError(f"inputs.{name} must be a table with type, description and example", path=where)
        _refuse_unknown(spec, INPUT_KEYS, f"inputs.{name}: unknown key(s)", where)
        type_ = spec.get("type", "str")
        if type_ not in INPUT_TYPES:
            raise PromptError(f"inputs.{name}.type must be one of {', '.join(INPUT_TYPES)}", path=where)
        if "example" not in spec:
            raise PromptError(
                f"inputs.{name} needs an `example` value (the prompt tests render it)", path=where
            )
        if not isinstance(spec["example"], INPUT_TYPES[type_]):
            raise PromptError(f"inputs.{name}.example is not a {type_}", path=where)
        specs.append(
            InputSpec(
                name,
                type_,
                str(spec.get("description", "")),
                spec["example"],
                bool(spec.get("optional", False)),
            )
        )
    return tuple(specs)


def _split_sections(body: str, where: str) -> list[tuple[str, str]]:
    """Split the body at `system:` / `user:` / `assistant:` lines, before any rendering."""
    marks = list(_SECTION.finditer(body))
    if not marks:
        raise PromptError("the body has no `system:` or `user:` section line", path=where)
    if body[: marks[0].start()].strip():
        raise PromptError("text before the first `system:`/`user:` line", path=where)
    sections = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        text = body[mark.end() : end].strip("\n")
        if not text.strip():
            raise PromptError(f"empty `{mark.group(1)}:` section", path=where)
        sections.append((mark.group(1), text))
    if not any(role == "user" for role, _ in sections):
        raise PromptError("a prompt needs a `user:` section", path=where)
    return sections


def load_prompt(path: Path) -> PromptFile:
    """Parse and validate one prompt file; PromptError names the file and the problem."""
    where = str(path)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except OSError as exc:
        raise PromptError(f"cannot read prompt file: {exc.strerror}", path=where) from exc
    except UnicodeDecodeError as exc:
        raise PromptError("prompt file is not UTF-8", path=where) from exc
    text = text.replace("\r\n", "\n")
    parts = re.split(r"^\+\+\+[ \t]*$\n?", text, maxsplit=2, flags=re.MULTILINE)
    if len(parts) != 3 or parts[0].strip():
        raise PromptError("expected TOML front matter between two `+++` lines at the top", path=where)
    try:
        meta = tomllib.loads(parts[1])
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"invalid TOML front matter: {exc}", path=where) from exc
    _refuse_unknown(meta, FRONT_MATTER_KEYS, "unknown front-matter key(s)", where)
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise PromptError(f"missing front-matter key(s) {', '.join(missing)}", path=where)

    match = _FILE_NAME.match(path.name)
    if not match or path.parent.name != meta["id"] or not _ID.match(str(meta["id"])):
        raise PromptError(
            f"file must be prompts/<id>/v<N>.md with id = {path.parent.name!r} "
            f"(lowercase letters, digits, _)",
            path=where,
        )
    if meta["version"] != int(match.group(1)):
        raise PromptError(
            f"version = {meta['version']!r} does not match the file name {path.name}", path=where
        )
    output = meta.get("output")
    if output is not None and not isinstance(output, dict):
        raise PromptError("`output` must be a table holding the JSON schema of the answer", path=where)
    params = meta.get("params", {})
    if not isinstance(params, dict) or set(params) - PARAM_KEYS:
        raise PromptError(f"`params` may only set {', '.join(sorted(PARAM_KEYS))}", path=where)
    changelog = meta.get("changelog", ())
    changelog = (changelog,) if isinstance(changelog, str) else tuple(str(c) for c in changelog)

    sections = _split_sections(parts[2], where)
    try:
        templates = tuple(_ENV.from_string(source) for _, source in sections)
    except jinja2.TemplateSyntaxError as exc:
        raise PromptError(f"Jinja2 syntax error line {exc.lineno}: {exc.message}", path=where) from exc
    return PromptFile(
        id=meta["id"],
        version=meta["version"],
        description=str(meta["description"]),
        inputs=_parse_inputs(meta["inputs"], where),
        output=output,
        params=dict(params),
        changelog=changelog,
        path=path,
        hash=hashlib.sha256(data).hexdigest()[:HASH_LENGTH],
        sections=tuple(sections),
        _templates=templates,
    )


class PromptRegistry:
    """Every prompt file under `root`, validated on load; `pins` choose a version per prompt id."""

    def __init__(self, root: Path, pins: Mapping[str, int] | None = None) -> None:
        self.root = Path(root)
        self.pins = dict(pins or {})
        if not self.root.is_dir():
            raise PromptError("prompts folder not found", path=str(self.root))
        self._files: dict[str, dict[int, PromptFile]] = {}
        for path in sorted(self.root.glob("*/v*.md")):
            prompt = load_prompt(path)
            self._files.setdefault(prompt.id, {})[prompt.version] = prompt
        for pid, version in self.pins.items():
            if pid not in self._files:
                raise PromptError(
                    f"[prompts] pins {pid!r} but there is no such prompt; "
                    f"known: {', '.join(sorted(self._files))}"
                )
            if version not in self._files[pid]:
                raise PromptError(
                    f"[prompts] pins {pid} = {version} but only versions "
                    f"{', '.join(map(str, sorted(self._files[pid])))} exist"
                )

    def ids(self) -> list[str]:
        """Known prompt ids, sorted."""
        return sorted(self._files)

    def get(self, id: str, version: int | None = None) -> PromptFile:
        """A prompt by id: the given version, else the pinned one, else the highest."""
        versions = self._files.get(id)
        if not versions:
            raise PromptError(
                f"no prompt {id!r}; known: {', '.join(self.ids()) or 'none'}", path=str(self.root)
            )
        wanted = version if version is not None else self.pins.get(id, max(versions))
        if wanted not in versions:
            raise PromptError(f"prompt {id!r} has no version {wanted}", path=str(self.root))
        return versions[wanted]

    def selected(self) -> list[PromptFile]:
        """The version of every prompt that `get(id)` returns (pinned or latest)."""
        return [self.get(pid) for pid in self.ids()]

    def all(self) -> list[PromptFile]:
        """Every prompt file, every version, sorted by id then version."""
        return [p for pid in self.ids() for _, p in sorted(self._files[pid].items())]
