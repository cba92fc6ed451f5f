"""What the review page needs from delivery, handed to it by the CLI (the review app sits below delivery)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.config import Settings
from generator.delivery.auto import describe
from generator.delivery.record import FAILED, SENT, UNRESOLVED, read_record
from generator.delivery.sending import SendOptions, send, when_text
from generator.errors import NewsletterError
from generator.i18n import Messages, current


@dataclass(frozen=True)
class ReviewSender:
    """The configured channel as the review page shows and uses it (never with --force)."""

    settings: Settings
    options: SendOptions = SendOptions()

    @property
    def label(self) -> str:
        return self.settings.delivery.channel.label

    def state(self, draft_path: Any, t: Messages | None = None) -> dict[str, Any]:
        """{"text": a line on the delivery in the reader's language (`t`), "can_send": whether the button is offered}."""
        t = t or current()
        channel = self.settings.delivery.channel
        try:
            record = read_record(draft_path, channel.name)
        except NewsletterError as exc:
            return {"text": str(exc), "can_send": False}
        if record is None:
            return {"text": t._("Pas encore envoyé ({channel}).", channel=channel.label), "can_send": True}
        when = when_text(record.get("finished") or record.get("started"), t)
        if record["status"] == SENT:
            return {
                "text": t._("Envoyé le {when} par {channel}.", when=when, channel=channel.label),
                "can_send": False,
            }
        if record["status"] == FAILED:
            text = t._("Dernier essai échoué le {when} : {error}", when=when, error=record.get("error"))
            return {"text": text, "can_send": True}
        assert record["status"] in UNRESOLVED
        if channel.platform:
            text = t._(
                "Envoi interrompu le {when} : {channel} sera interrogé.", when=when, channel=channel.label
            )
            return {"text": text, "can_send": True}
        text = t._(
            "Envoi interrompu le {when} : vérifiez le serveur, puis `newsletter send --force`.", when=when
        )
        return {"text": text, "can_send": False}

    def send(self, draft_id: str) -> str:
        """Send it; the French line saying what happened. NewsletterError when refused or failed."""
        return describe(send(self.settings, draft_id, self.options))
