"""Episode -> [Segment]: topic boundaries, kinds, titles, sentence embeddings, boundary scoring.

May import: model, errors, config, language, transcript, llm (the optional model pass in refine).
The modules below are its public face; everything else in this folder is private to it.
"""

__all__ = ["cues", "embeddings", "refine", "scoring", "segment", "titles"]
