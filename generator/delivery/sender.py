"""What the review page needs from delivery, handed to it by the CLI (the review app sits below delivery)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.config import Settings
from generator.delivery.auto import describe
from generator.delivery.record import FAILED, SENT, UNRESOLVED, read_record
from generator.delivery.sending import SendOptions, french_datetime, send
from generator.errors import NewsletterError


@dataclass(frozen=True)
class ReviewSender:
    """The configured channel as the review page shows and uses it (never with --force)."""

    settings: Settings
    options: SendOptions = SendOptions()

    @property
    def label(self) -> str:
        return self.settings.delivery.channel.label

    def state(self, draft_path: Any) -> dict[str, Any]:
        """{"text": a French line on the delivery, "can_send": whether the button is offered}."""
        channel = self.settings.delivery.channel
        try:
            record = read_record(draft_path, channel.name)
        except NewsletterError as exc:
            return {"text": str(exc), "can_send": False}
        if record is None:
            return {"text": f"Pas encore envoyé ({channel.label}).", "can_send": True}
        when = french_datetime(record.get("finished") or record.get("started"))
        if record["status"] == SENT:
            return {"text": f"Envoyé le {when} par {channel.label}.", "can_send": False}
        if record["status"] == FAILED:
            return {"text": f"Dernier essai échoué le {when} : {record.get('error')}", "can_send": True}
        assert record["status"] in UNRESOLVED
        if channel.platform:
            return {"text": f"Envoi interrompu le {when} : {channel.label} sera interrogé.", "can_send": True}
        return {
            "text": f"Envoi interrompu le {when} : vérifiez le serveur, puis `newsletter send --force`.",
            "can_send": False,
        }

    def send(self, draft_id: str) -> str:
        """Send it; the French line saying what happened. NewsletterError when refused or failed."""
        return describe(send(self.settings, draft_id, self.options))
