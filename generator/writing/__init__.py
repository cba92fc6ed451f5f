"""[Segment] -> Edition: summaries (model or extractive), verified quotes, grounding checks, the composed edition.

May import: model, errors, config, language, transcript, llm, topics.
Its public face is the names of `__all__`; its modules are private to it.
"""

from generator.faces import lazy_face

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
    # The weekly edition (issue 25) builds its sections and checks with these.
    "load_phrases": "compose",
    "announcement": "compose",
    "source_of": "compose",
    "framing_line": "compose",
    "section_of": "compose",
    "pick_epigraph": "compose",
    "number_words": "headline",
    "edition_title": "headline",
    "topic_segments": "extractive",
    "Checker": "claims",
    "metadata_texts": "summariser",
    "timed_paragraphs": "summariser",
    "field_problems": "grounding",
    "prune_unsupported": "grounding",
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
    "load_phrases",
    "announcement",
    "source_of",
    "framing_line",
    "section_of",
    "pick_epigraph",
    "number_words",
    "edition_title",
    "topic_segments",
    "Checker",
    "metadata_texts",
    "timed_paragraphs",
    "field_problems",
    "prune_unsupported",
]


__getattr__ = lazy_face(__name__, _HOMES)
