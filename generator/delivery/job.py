"""What a channel module is handed for one send: the edition, its settings, the record, the clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.channels import DeliverySettings
from generator.config import NewsletterSettings
from generator.delivery.approved import ApprovedEdition
from generator.delivery.retry import with_retries
from generator.i18n import _


@dataclass(frozen=True)
class Job:
    """One send of one edition on one channel.

    A channel module offers `plan(job) -> dict` (identifiers chosen before the server is contacted:
    Message-ID, slug, marker), `deliver(job) -> dict` (what the `sent` record keeps) and
    `recover(job) -> dict | None` (after an interrupted send: what the server holds, None when it
    cannot say), and `CAN_LOOKUP` (whether `recover` can find out at all).
    """

    edition: ApprovedEdition
    delivery: DeliverySettings
    options: Any  # the channel's [delivery.<name>] settings
    newsletter: NewsletterSettings
    secret: str | None  # password or key from the environment; never written anywhere
    record: dict[str, Any]  # the `sending` record, with what plan() chose
    update: Callable[[dict[str, Any]], None]  # saves progress (batches done) into the record
    note: Callable[[str], None]
    sleep: Callable[[float], None]
    now: Callable[[], dt.datetime]

    def retrying(self, attempt: Callable[[], Any], what: str) -> Any:
        """`attempt()` with the configured retries and backoff, each retry said through `note`."""
        return with_retries(
            attempt,
            retries=self.delivery.retries,
            backoff_s=self.delivery.backoff_s,
            sleep=self.sleep,
            on_retry=lambda exc, wait: self.note(
                _(
                    "{what} : {error} ; nouvel essai dans {seconds} s",
                    what=what,
                    error=exc,
                    seconds=format(wait, "g"),
                )
            ),
        )


def scrub(text: str, secret: str | None) -> str:
    """The text with the secret (and its halves, as in `id:secret` keys) masked."""
    if secret:
        for part in {secret, *secret.split(":")}:
            if len(part) >= 4:
                text = text.replace(part, "***")
    return text
