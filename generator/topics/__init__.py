"""Episode -> [Segment]: topic boundaries (evidence, pick, units), kinds, titles, embeddings, scoring.

May import: model, errors, config, language, transcript, llm (the optional model pass in refine).
The modules below are its public face; everything else in this folder is private to it.
"""

__all__ = [
    "blocks",
    "cues",
    "embeddings",
    "evidence",
    "pick",
    "refine",
    "scoring",
    "segment",
    "titles",
    "units",
]
