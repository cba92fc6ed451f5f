"""Delivery: an approved draft reaches its readers (SMTP, a platform draft, an .eml file), exactly once.

May import: model, errors, registry, channels, config, edition (to read approved drafts). One module per
channel of generator/channels.py (`smtp`, `buttondown`, `ghost`, `listmonk`, `file`), each offering
plan/deliver/recover (job.py); `send` orders them crash-safely, `record` keeps the outcome beside the
draft. The names below are its public face.
"""

from generator.delivery.auto import deliver_approved, describe, with_deliveries
from generator.delivery.record import read_record
from generator.delivery.sender import ReviewSender
from generator.delivery.sending import SendOptions, SendOutcome, french_datetime, send

__all__ = [
    "ReviewSender",
    "SendOptions",
    "SendOutcome",
    "deliver_approved",
    "describe",
    "french_datetime",
    "read_record",
    "send",
    "with_deliveries",
]
