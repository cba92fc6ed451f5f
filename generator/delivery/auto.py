"""`[delivery] auto`: the nightly run sends the editions a person approved, and only those.

An approved draft not yet sent on the configured channel goes out, if it was approved at most
`auto_max_age_days` ago (turning `auto` on never floods readers with a backlog of old editions: those
go with `newsletter send`). A draft nobody approved is never sent; an interrupted SMTP send is left
for a person to check (`newsletter send --force`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from generator.config import Settings
from generator.delivery.approved import load_approved
from generator.delivery.record import SENT, read_record
from generator.delivery.sending import SendOptions, SendOutcome, send
from generator.edition import list_drafts
from generator.errors import NewsletterError
from generator.i18n import _, ngettext


def _recent(approved_at: str, now: dt.datetime, max_age_days: float) -> bool:
    try:
        when = dt.datetime.fromisoformat(approved_at)
    except ValueError:
        return False
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return now - when <= dt.timedelta(days=max_age_days)


def deliver_approved(
    settings: Settings, options: SendOptions | None = None
) -> tuple[list[SendOutcome], list[str], int]:
    """Send every recent approved, unsent draft; the outcomes, one note per event, and how many failed."""
    delivery = settings.delivery
    if not delivery.auto or delivery.method == "none":
        return [], [], 0
    options = replace(options or SendOptions(), force=False)  # the night never forces anything
    now = options.now()
    outcomes: list[SendOutcome] = []
    notes: list[str] = []
    failed = 0
    for draft in list_drafts(settings.paths.outbox):
        if draft.status != "approved":
            continue
        try:
            record = read_record(draft.path, delivery.method)
            if record is not None and record["status"] == SENT:
                continue
            if not _recent(
                load_approved(settings.paths.outbox, draft.id).approved_at, now, delivery.auto_max_age_days
            ):
                continue
            outcome = send(settings, draft.id, options)
        except NewsletterError as exc:
            notes.append(_("envoi automatique de {id} : {error}", id=draft.id, error=exc))
            failed += 1
            continue
        outcomes.append(outcome)
        notes.append(describe(outcome))
    return outcomes, notes, failed


def with_deliveries(settings: Settings, result: Any, progress: Callable[[str], None]) -> Any:
    """A nightly RunResult with one note per edition sent (or not) after the run; a send that failed
    counts in `failed_deliveries` (the run's exit code is then 1, and its log line names it)."""
    _, notes, failed = deliver_approved(settings, SendOptions(progress=progress))
    if not notes:
        return result
    return replace(result, notes=(*result.notes, *notes), failed_deliveries=result.failed_deliveries + failed)


def describe(outcome: SendOutcome) -> str:
    """One line for the terminal and the run's notes, in the process's language."""
    r = outcome.record
    if outcome.channel in ("smtp",):
        count = r.get("accepted", r.get("recipients"))
        recipients = (
            ngettext("{n} destinataire", "{n} destinataires", count)
            if isinstance(count, int)
            else _("? destinataire(s)")
        )
        what = _(
            "envoyé à {recipients} (Message-ID {message_id})",
            recipients=recipients,
            message_id=r.get("message_id"),
        )
        if isinstance(r.get("refused"), int) and r["refused"]:
            what += ", " + ngettext("{n} adresse refusée", "{n} adresses refusées", r["refused"])
    elif outcome.channel == "file":
        what = _("message écrit dans {path}", path=r.get("path"))
    else:
        what = _(
            "brouillon créé sur la plateforme (id {platform_id}) : à envoyer depuis {url}",
            platform_id=r.get("platform_id"),
            url=r.get("url") or _("la plateforme"),
        )
    again = _(" (envoi interrompu retrouvé)") if outcome.result == "recovered" else ""
    return _("{draft} : {what}{again}", draft=outcome.draft, what=what, again=again)
