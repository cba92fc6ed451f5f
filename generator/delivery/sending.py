"""`send`: an approved draft to its readers through the configured channel, exactly once.

Order, under the draft folder's lock, so that a kill at any point is recovered by the next `send`:

1. the draft must be approved and its files those approved (approved.py);
2. the channel's record: `sent` refuses (unless --force); `sending`/`unknown` (an interrupted send)
   asks the platform what it holds (by slug, marker or name) and records it; SMTP cannot be asked, so
   it needs --force (with --force, batches recorded as accepted are not sent again);
3. record `sending` with the identifiers chosen beforehand (Message-ID, slug, marker);
4. deliver (transient failures retried with backoff inside the channel);
5. record `sent`, or `failed` (nothing accepted: the draft stays approved and can be sent later),
   or `unknown` (the server may have it: the next send asks as in 2).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.channels import CHANNELS, DEFAULT_METHOD
from generator.config import Settings
from generator.crashpoint import Crash, never
from generator.delivery.approved import ApprovedEdition, load_approved
from generator.delivery.job import Job, scrub
from generator.delivery.record import (
    FAILED,
    SENDING,
    SENT,
    UNKNOWN,
    UNRESOLVED,
    locked,
    read_record,
    write_record,
)
from generator.delivery.retry import Ambiguous, Permanent, Transient
from generator.errors import ConfigError, DeliveryError
from generator.i18n import Messages, _, current
from generator.language import MONTHS


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class SendOptions:
    force: bool = False  # send again although sent, or after an interrupted SMTP send
    env: Mapping[str, str] | None = None  # where secrets are read; os.environ when None
    now: Callable[[], dt.datetime] = _utcnow
    sleep: Callable[[float], None] = time.sleep
    crash: Crash = never  # test hook (crashpoint): "delivery_recorded", "delivery_accepted"...
    progress: Callable[[str], None] = field(default=lambda message: None)


@dataclass(frozen=True)
class SendOutcome:
    """What `send` did: `sent`, or `recovered` (an interrupted send found done on the platform)."""

    draft: str
    channel: str
    result: str
    record: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        keys = (
            "status",
            "finished",
            "message_id",
            "platform_id",
            "url",
            "path",
            "recipients",
            "accepted",
            "refused",
        )
        return {
            "draft": self.draft,
            "channel": self.channel,
            "result": self.result,
            **{k: self.record[k] for k in keys if self.record.get(k) is not None},
        }


def french_datetime(iso: str | None) -> str:
    """'8 mai 2026 à 08:12 (CEST)', local time, from an ISO timestamp; the text itself if it is not one."""
    try:
        when = dt.datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    when = when.astimezone() if when.tzinfo else when  # the reader's local time
    day = "1er" if when.day == 1 else str(when.day)
    zone = f" ({when.tzname()})" if when.tzinfo else ""
    return f"{day} {MONTHS[when.month - 1]} {when.year} à {when:%H:%M}{zone}"


def when_text(iso: str | None, t: Messages | None = None) -> str:
    """`french_datetime` in French; in English, CLDR's date and time ("May 8, 2026 at 8:12 AM (CEST)").

    `t`: the messages of the reader (a review page's request); the process's language by default.
    """
    t = t or current()
    if t.lang == "fr":
        return french_datetime(iso)
    try:
        when = dt.datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    when = when.astimezone() if when.tzinfo else when
    zone = f" ({when.tzname()})" if when.tzinfo else ""
    return t.datetime(when) + zone


def _iso(now: dt.datetime) -> str:
    return now.isoformat(timespec="seconds")


def _already(record: dict[str, Any], label: str) -> DeliveryError:
    where = record.get("platform_id") or record.get("message_id") or record.get("path") or ""
    return DeliveryError(
        _(
            "{draft} : déjà envoyé le {when} par {label}{where} ; rien n'a été renvoyé. "
            "`newsletter send --force` pour l'envoyer une seconde fois",
            draft=record["draft"],
            when=when_text(record.get("finished")),
            label=label,
            where=" (" + where + ")" if where else "",
        )
    )


def _interrupted(record: dict[str, Any], label: str) -> DeliveryError:
    done = (
        _(
            " ; {done} lot(s) sur {batches} confirmé(s)",
            done=record["batches_done"],
            batches=record["batches"],
        )
        if record.get("batches")
        else ""
    )
    return DeliveryError(
        _(
            "{draft} : l'envoi commencé le {when} par {label} n'a pas de résultat connu (interruption){done}. "
            "Des lecteurs l'ont peut-être reçu : vérifiez sur le serveur, puis `newsletter send --force` "
            "pour envoyer ce qui n'est pas confirmé",
            draft=record["draft"],
            when=when_text(record.get("started")),
            label=label,
            done=done,
        )
    )


def send(settings: Settings, draft_id: str, options: SendOptions | None = None) -> SendOutcome:
    """Send one approved draft on `[delivery] method`; DeliveryError/ConfigError say what to fix."""
    options = options or SendOptions()
    if settings.delivery.method == DEFAULT_METHOD:
        raise ConfigError(
            _(
                'aucun canal d\'envoi ([delivery] method = "{method}") : choisissez-en un dans '
                "newsletter.toml parmi {choices}",
                method=DEFAULT_METHOD,
                choices=", ".join(n for n in CHANNELS.names() if n != DEFAULT_METHOD),
            )
        )
    edition = load_approved(settings.paths.outbox, draft_id)
    with locked(edition.path):
        return _Send(settings, load_approved(settings.paths.outbox, edition.id), options).run()


class _Send:
    """One send under the draft's lock: the record as it evolves, and the channel's module."""

    def __init__(self, settings: Settings, edition: ApprovedEdition, options: SendOptions) -> None:
        self.settings, self.edition, self.options = settings, edition, options
        self.channel = settings.delivery.channel
        self.module = importlib.import_module(f"generator.delivery.{self.channel.name}")
        env = os.environ if options.env is None else options.env
        self.secret = env.get(self.channel.secret_env) if self.channel.secret_env else None
        self.previous = read_record(edition.path, self.channel.name)
        prev = self.previous
        self.history = [*(prev or {}).get("previous", []), *([_trim(prev)] if prev else [])]
        self.record: dict[str, Any] = {
            "draft": edition.id,
            "channel": self.channel.name,
            "status": SENDING,
            "revision": edition.revision,
            "files": edition.files,
            "approved": edition.approved_at,
            "attempt": len(self.history) + 1,
            "token": secrets.token_hex(8),
            "started": _iso(options.now()),
            "finished": None,
            "forced": options.force,
        }

    def save(self, changes: dict[str, Any]) -> None:
        self.record = {**self.record, **changes}
        write_record(self.edition.path, self.channel.name, {**self.record, "previous": self.history})

    def job(self) -> Job:
        o = self.options
        return Job(
            self.edition, self.settings.delivery, self.settings.delivery.options(self.channel.name),
            self.settings.newsletter, self.secret, self.record, self.save, o.progress, o.sleep, o.now,
        )  # fmt: skip

    def outcome(self, result: str) -> SendOutcome:
        return SendOutcome(self.edition.id, self.channel.name, result, self.record)

    def run(self) -> SendOutcome:
        prev, label, secret = self.previous, _(self.channel.label), self.secret
        if prev and prev["status"] == SENT and not self.options.force:
            raise _already(prev, label)
        if prev and prev["status"] in UNRESOLVED and self.resolve(prev):
            return self.outcome("recovered")
        try:
            self.record = {**self.record, **self.module.plan(self.job())}
            self.save({})
            self.options.crash("delivery_recorded")
            result = self.module.deliver(self.job())
        except Ambiguous as exc:
            self.save({"status": UNKNOWN, "error": scrub(str(exc), secret)})
            raise DeliveryError(
                scrub(
                    _(
                        "{id} : {error} ; le serveur l'a peut-être accepté. Vérifiez, puis "
                        "`newsletter send --force` s'il ne l'a pas reçu",
                        id=self.edition.id,
                        error=exc,
                    ),
                    secret,
                )
            ) from None
        except (Permanent, Transient, ConfigError) as exc:
            partial = bool(self.record.get("batches_done"))  # some readers have it: not a plain failure
            status = UNKNOWN if partial else FAILED
            self.save(
                {"status": status, "finished": _iso(self.options.now()), "error": scrub(str(exc), secret)}
            )
            after = (
                _(
                    " après {done} lot(s) sur {batches} ; `newsletter send --force` enverra les lots restants",
                    done=self.record["batches_done"],
                    batches=self.record.get("batches"),
                )
                if partial
                else _(" ; rien n'est marqué envoyé, le brouillon reste approuvé")
            )
            raise DeliveryError(
                scrub(
                    _(
                        "{id} : envoi par {label} impossible : {error}{after}",
                        id=self.edition.id,
                        label=label,
                        error=exc,
                        after=after,
                    ),
                    secret,
                )
            ) from None
        self.options.crash("delivery_accepted")
        self.save({**result, "status": SENT, "finished": _iso(self.options.now()), "error": None})
        self.options.crash("delivery_sent")
        return self.outcome("sent")

    def resolve(self, prev: dict[str, Any]) -> bool:
        """An interrupted attempt: True when the platform holds its result (now recorded as sent).

        False lets a new attempt go: the platform said it has nothing, or (SMTP) --force was given,
        in which case the new attempt keeps the Message-ID and skips the batches already accepted.
        """
        keep = ("token", "attempt", "marker", "slug", "campaign_name", "message_id", "batches",
                "batches_done", "refused", "recipients_sha256")  # fmt: skip
        interrupted = {**self.record, **{k: prev[k] for k in keep if k in prev}}
        if not self.module.CAN_LOOKUP:
            if not self.options.force:
                raise _interrupted(prev, _(self.channel.label))
            self.record = interrupted
            self.history = self.history[:-1]  # the same attempt goes on
            return False
        saved, self.record = self.record, interrupted
        try:
            found = self.module.recover(self.job())
        except (Permanent, Transient, Ambiguous) as exc:
            raise DeliveryError(
                scrub(
                    _(
                        "{id} : un envoi précédent a été interrompu et {label} ne peut pas dire ce qu'il a "
                        "reçu ({error}) ; rien n'a été envoyé, réessayez plus tard",
                        id=self.edition.id,
                        label=_(self.channel.label),
                        error=exc,
                    ),
                    self.secret,
                )
            ) from None
        if found is None:
            self.record = saved  # nothing there: a fresh attempt
            return False
        self.history = self.history[:-1]
        self.save({**found, "status": SENT, "finished": _iso(self.options.now()), "recovered": True})
        return True


def _trim(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("previous", "schema", "files")}
