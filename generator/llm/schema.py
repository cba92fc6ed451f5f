"""JSON answers: find the object in a reply, validate it (jsonschema, Draft 2020-12), derive the wire schema.

What is ours on top of jsonschema: schemas may only use the keywords listed in _SCHEMA_KEYS (a keyword
the wire cannot carry or we do not check would silently pass bad output), length bounds are checked on
stripped text, the bounds llama.cpp cannot take are removed from what we send and checked here after the
answer, and every error reads `$.path: what to fix`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_SCHEMA_KEYS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "anyOf",
        "description",
        "title",
        "default",
        "$schema",
    }
)

# Bounds we enforce ourselves after the answer, never in what we send: llama.cpp turns a maxLength into a
# grammar with one nested rule per character, and its Python server crashes on maxLength = 1200.
_SERVER_SIDE_DROP = frozenset({"minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"})


def check_schema(schema: Mapping[str, Any], path: str = "$") -> None:
    """Refuse schema keywords outside our subset (a silent gap would pass bad output)."""
    unknown = set(schema) - _SCHEMA_KEYS
    if unknown:
        raise ValueError(f"{path}: unsupported JSON-schema keyword(s) {', '.join(sorted(unknown))}")
    for name, sub in (schema.get("properties") or {}).items():
        check_schema(sub, f"{path}.{name}")
    if isinstance(schema.get("items"), Mapping):
        check_schema(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), Mapping):
        check_schema(schema["additionalProperties"], f"{path}.*")
    for i, sub in enumerate(schema.get("anyOf") or ()):
        check_schema(sub, f"{path}|{i}")


@functools.cache
def _validator_class() -> Any:
    """Draft 2020-12 with our minLength; jsonschema is imported here, not at start-up (offline runs
    never validate a model's answer)."""
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    def min_length_stripped(validator: Any, bound: int, instance: Any, schema: Mapping[str, Any]) -> Any:
        # A model padding a required text with spaces has not written it: count the stripped text.
        if isinstance(instance, str) and len(instance.strip()) < bound:
            yield ValidationError(f"{instance!r} is too short", validator="minLength", validator_value=bound)

    return validators.extend(Draft202012Validator, {"minLength": min_length_stripped})


def _json_path(parts: Any) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _type_name(value: Any) -> str:
    return type(value).__name__


def _messages(error: ValidationError) -> list[str]:
    """Our wording of one jsonschema error (one message per missing or unexpected field)."""
    path, kw, bound, value = (
        _json_path(error.absolute_path),
        error.validator,
        error.validator_value,
        error.instance,
    )
    if kw == "required":
        present = value if isinstance(value, dict) else {}
        return [f"{path}.{name}: required field missing" for name in bound if name not in present]
    if kw == "additionalProperties":
        known = error.schema.get("properties") or {}
        return [f"{path}.{key}: unexpected field" for key in value if key not in known]
    if kw == "type":
        kinds = [bound] if isinstance(bound, str) else list(bound)
        return [f"{path}: expected {' or '.join(kinds)}, got {_type_name(value)}"]
    if kw == "enum":
        return [f"{path}: {value!r} is not one of {bound}"]
    if kw == "minItems":
        return [f"{path}: needs at least {bound} item(s), got {len(value)}"]
    if kw == "maxItems":
        return [f"{path}: at most {bound} item(s), got {len(value)}"]
    if kw == "minLength":
        return [f"{path}: at least {bound} character(s) required"]
    if kw == "maxLength":
        return [f"{path}: at most {bound} characters, got {len(value)}"]
    if kw == "minimum":
        return [f"{path}: {value} is below the minimum {bound}"]
    if kw == "maximum":
        return [f"{path}: {value} is above the maximum {bound}"]
    if kw == "anyOf":
        first = sorted(
            (e for e in error.context or () if e.schema_path and e.schema_path[0] == 0), key=_order
        )
        reason = _messages(first[0])[0] if first else "no shape fits"
        return [f"{path}: matches none of the allowed shapes ({reason})"]
    return [f"{path}: {error.message}"]


def _order(error: ValidationError) -> tuple[int, str]:
    return (len(error.absolute_path), _json_path(error.absolute_path))


def validate_schema(data: Any, schema: Mapping[str, Any]) -> list[str]:
    """Errors of `data` against `schema`, each as `$.path: what is wrong`; empty when valid."""
    errors = sorted(_validator_class()(schema).iter_errors(data), key=lambda e: _json_path(e.absolute_path))
    # A value of the wrong type reports only that (the other keywords of its schema cannot apply).
    wrong_type = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    out: list[str] = []
    for error in errors:
        if error.validator != "type" and tuple(error.absolute_path) in wrong_type:
            continue
        out += _messages(error)
    return out


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object of an answer: the whole text, else the first decodable `{...}` in it."""
    stripped = text.strip()
    try:
        value = json.loads(stripped)
        if isinstance(value, dict):
            return value
    except json.JSONDecodeError:
        pass
    decoder = json.JSONDecoder()
    # Models without JSON mode wrap the object in prose or ``` fences: take the first object that decodes.
    for match in re.finditer(r"\{", stripped):
        try:
            value, _ = decoder.raw_decode(stripped, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    raise ValueError(
        "the answer holds no JSON object" if "{" not in stripped else "the answer is not valid JSON"
    )


def wire_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema sent to the server: the bounds of _SERVER_SIDE_DROP removed (our validator keeps them)."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SERVER_SIDE_DROP:
            continue
        if key == "properties" and isinstance(value, Mapping):
            out[key] = {name: wire_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, Mapping):
            out[key] = wire_schema(value)
        elif key == "anyOf":
            out[key] = [wire_schema(sub) for sub in value]
        else:
            out[key] = value
    return out
