"""File -> Episode: decoding, one reader per format family, metadata, name repair, cleaning, inspection.

May import: model, errors, config, language. Readers are `read_<family>.py`, detected and dispatched by
`formats.py`; the modules below are the public face the other stages use.
"""

from generator.transcript.sidecar import origin_of

__all__ = ["clean", "decode", "ingest", "inspection", "metadata", "names", "origin_of"]
