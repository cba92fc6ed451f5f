"""[Segment] -> Edition: summaries (model or extractive), verified quotes, grounding checks, the composed edition.

May import: model, errors, config, language, transcript, llm, topics.
Its public face is the names of `__all__`; its modules are private to it.
"""

from importlib import import_module

# Each public name and the module that defines it, imported on first use so that importing the stage
# stays cheap (numpy, jinja2 and apscheduler load only when a name that needs them is used).
_HOMES = {
    "ComposeResult": "compose",
    "compose_edition": "compose",
    "summarise_extractive": "extractive",
    "night_requests": "plan",
    "EDITION_PROMPT_PREFIX": "plan",
    "Verifier": "quotes",
    "word_times": "quotes",
    "removed_all": "report",
    "section_json": "report",
    "ModelCalls": "summariser",
    "SummariseResult": "summariser",
    "summarise": "summariser",
}

__all__ = [
    "EDITION_PROMPT_PREFIX",
    "compose_edition",
    "ComposeResult",
    "ModelCalls",
    "night_requests",
    "removed_all",
    "section_json",
    "summarise",
    "summarise_extractive",
    "SummariseResult",
    "Verifier",
    "word_times",
]


def __getattr__(name: str) -> object:
    """A public name of the stage, from its module (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
