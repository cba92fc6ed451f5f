"""The unattended night: inbox, ledger (SQLite), run lock, the run with its crash points, the scheduler.

May import: model, errors, config, edition (to write drafts). The pipeline hands it the work to do.
Its public face is the names of `__all__`; its modules are private to it.
"""

from generator.faces import lazy_face

# Each public name and the module that defines it, imported on first use so that importing the stage
# stays cheap (numpy, jinja2 and apscheduler load only when a name that needs them is used).
_HOMES = {
    "BatchNight": "batches",
    "Ledger": "ledger",
    "InboxFile": "inbox",
    "NightOptions": "night",
    "NightStages": "night",
    "run_night": "night",
    "RunResult": "result",
    "WrittenDraft": "result",
    "BATCH_POLL_S": "scheduler",
    "NightlyScheduler": "scheduler",
    "build_trigger": "scheduler",
    "next_fire_times": "scheduler",
    "run_logger": "scheduler",
    "drafts_holding": "sorting",
    "remove_unfinished_drafts": "sorting",
    "RunLock": "lock",
}

__all__ = [
    "BATCH_POLL_S",
    "BatchNight",
    "build_trigger",
    "drafts_holding",
    "InboxFile",
    "Ledger",
    "next_fire_times",
    "NightlyScheduler",
    "NightOptions",
    "NightStages",
    "remove_unfinished_drafts",
    "run_logger",
    "run_night",
    "RunLock",
    "RunResult",
    "WrittenDraft",
]


__getattr__ = lazy_face(__name__, _HOMES)
