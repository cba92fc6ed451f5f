"""The email of an edition: multipart/alternative (text, then the inlined HTML), ready for SMTP or a file.

Python's SMTP policy folds any header longer than 78 columns, and folds a long URL by encoding it as
RFC 2047 words: `List-Unsubscribe` then no longer holds a URL and one-click unsubscribe (RFC 8058)
breaks. Raising `max_line_length` for the whole message would also make over-long encoded words in the
Subject and 8-bit bodies, so the policy below keeps the usual folding and writes only the headers of
ONE_LINE unfolded, each on one line of at most 998 characters (their values are checked ASCII URLs).
"""

from __future__ import annotations

import datetime as dt
import email.utils
from email.message import EmailMessage
from email.policy import EmailPolicy
from typing import Any

from generator.delivery.approved import ApprovedEdition
from generator.errors import ConfigError
from generator.i18n import _

ONE_LINE = ("list-unsubscribe", "list-unsubscribe-post")
MAX_LINE = 998  # RFC 5322 2.1.1


class OneLineHeaders(EmailPolicy):
    """SMTP policy (CRLF, 78-column folding) except for List-Unsubscribe*, never folded."""

    def _one_line(self, name: str, value: Any) -> str | None:
        if name.lower() not in ONE_LINE:
            return None
        line = f"{name}: {' '.join(str(value).split())}"
        if len(line) > MAX_LINE or not line.isascii():
            raise ConfigError(
                _("en-tête {name} trop long ou non ASCII : raccourcissez unsubscribe_url", name=name)
            )
        return line + self.linesep

    def fold(self, name: str, value: Any) -> str:
        return self._one_line(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        line = self._one_line(name, value)
        return line.encode("ascii") if line else super().fold_binary(name, value)


POLICY = OneLineHeaders(linesep="\r\n")


def address(value: str, *, what: str) -> tuple[str, str]:
    """(display name, address) of a `from`/`to` setting; ConfigError naming it when it is no address."""
    name, addr = email.utils.parseaddr(value)
    if not addr or "@" not in addr or any(c.isspace() for c in addr) or addr.count("@") != 1:
        raise ConfigError(
            _("{what} : « {value} » n'est pas une adresse électronique", what=what, value=value)
        )
    return name, addr


def build_message(
    edition: ApprovedEdition,
    *,
    sender: str,
    unsubscribe_url: str | None,
    message_id: str,
    date: dt.datetime,
) -> EmailMessage:
    """The message every recipient gets (addresses go in the envelope only: `To` stays undisclosed)."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = email.utils.formataddr(address(sender, what="[delivery] from"))
    msg["To"] = "undisclosed-recipients:;"
    msg["Subject"] = " ".join(edition.title.split()) or edition.id
    msg["Date"] = email.utils.format_datetime(date)
    msg["Message-ID"] = message_id
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(edition.txt, subtype="plain", charset="utf-8")
    msg.add_alternative(edition.html, subtype="html", charset="utf-8")
    return msg


def new_message_id(sender: str) -> str:
    """A fresh Message-ID on the sender's domain."""
    domain = address(sender, what="[delivery] from")[1].rsplit("@", 1)[1]
    return email.utils.make_msgid(domain=domain)
