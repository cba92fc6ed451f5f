"""The unattended night: inbox, ledger (SQLite), run lock, the run with its crash points, the scheduler.

May import: model, errors, config, edition (to write drafts). The pipeline hands it the work to do.
The modules below are its public face.
"""

__all__ = ["batches", "crashpoint", "inbox", "ledger", "lock", "result", "night", "scheduler", "sorting"]
