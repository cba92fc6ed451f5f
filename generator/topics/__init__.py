"""Episode -> [Segment]: topic boundaries (evidence, pick, units), kinds, titles, embeddings, scoring.

May import: model, errors, config, language, transcript, llm (the optional model pass in refine).
Its public face is the names of `__all__`; its modules are private to it.
"""

from generator.faces import lazy_face

# Each public name and the module that defines it, imported on first use so that importing the stage
# stays cheap (numpy, jinja2 and apscheduler load only when a name that needs them is used).
_HOMES = {
    "USEEmbedder": "embeddings",
    "model_pass": "blocks",
    "refine": "refinement",
    "as_json": "segmenter",
    "segment": "segmenter",
    "TitleModel": "titles",
    "title_problem": "titles",
}

__all__ = [
    "as_json",
    "model_pass",
    "refine",
    "segment",
    "TitleModel",
    "title_problem",
    "USEEmbedder",
]


__getattr__ = lazy_face(__name__, _HOMES)
