"""Write the ready message as `newsletter.eml` in the draft's folder, for any other mail tool."""

from __future__ import annotations

from typing import Any

from generator.atomic import write_atomic
from generator.delivery.job import Job
from generator.delivery.message import build_message, new_message_id
from generator.delivery.retry import Permanent
from generator.i18n import _

CAN_LOOKUP = True
EML = "newsletter.eml"


def plan(job: Job) -> dict[str, Any]:
    return {"message_id": job.record.get("message_id") or new_message_id(job.options.sender)}


def recover(job: Job) -> dict[str, Any] | None:
    """The file is written whole or not at all: there means done."""
    path = job.edition.path / EML
    return {"path": str(path), "message_id": job.record.get("message_id")} if path.is_file() else None


def deliver(job: Job) -> dict[str, Any]:
    o = job.options
    message = build_message(
        job.edition,
        sender=o.sender,
        unsubscribe_url=o.unsubscribe_url,
        message_id=job.record["message_id"],
        date=job.now(),
    )
    if o.to:
        message.replace_header("To", ", ".join(o.to))
    path = job.edition.path / EML
    try:
        write_atomic(path, message.as_bytes())
    except OSError as exc:
        raise Permanent(
            _("impossible d'écrire {path} ({error})", path=path, error=exc.strerror or exc)
        ) from None
    return {"path": str(path), "message_id": job.record["message_id"], "recipients": len(o.to)}
