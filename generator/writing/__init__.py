"""[Segment] -> Edition: summaries (model or extractive), verified quotes, grounding checks, the composed edition.

May import: model, errors, config, language, transcript, llm, topics.
The modules below are its public face.
"""

__all__ = [
    "claims",
    "compose",
    "extractive",
    "grounding",
    "plan",
    "quotes",
    "report",
    "sections",
    "summarise",
    "tidy",
]
