"""File -> Episode: decoding, one reader per format family, metadata, name repair, cleaning, inspection.

May import: model, errors, config, language. Readers are `read_<family>.py`, detected and dispatched by
`formats.py`; the names of `__all__` are the public face the other stages use.
"""

from generator.faces import lazy_face

# Each public name and the module that defines it, imported on first use so that importing the stage
# stays cheap (numpy, jinja2 and apscheduler load only when a name that needs them is used).
_HOMES = {
    "clean": "cleaning",
    "ingest": "ingestion",
    "load_episode": "ingestion",
    "max_bytes_of": "ingestion",
    "report": "inspection",
    "report_lines": "inspection",
    "apply_fixes": "names",
    "is_voice_label": "names",
    "origin_of": "sidecar",
}

__all__ = [
    "apply_fixes",
    "clean",
    "ingest",
    "is_voice_label",
    "load_episode",
    "max_bytes_of",
    "origin_of",
    "report",
    "report_lines",
]


__getattr__ = lazy_face(__name__, _HOMES)
