"""Send an edition by SMTP (smtplib): one transaction per batch of recipients, the same message bytes.

What is safe to retry: a refused connection, a timeout or a 4xx before the data went out, a 4xx reply
to the data (nothing was accepted). A 5xx stops with what to fix. A connection lost after the data went
out is `Ambiguous`: the server may hold the message, so the send stops there and the next one asks for
`--force` (an SMTP server cannot be asked whether it took a message).
"""

from __future__ import annotations

import hashlib
import smtplib
import socket
import ssl
from pathlib import Path
from typing import Any

from generator.delivery.job import Job
from generator.delivery.message import address, build_message, new_message_id
from generator.delivery.retry import Ambiguous, Permanent, Transient
from generator.errors import ConfigError
from generator.i18n import _

CAN_LOOKUP = False


def recipients(options: Any) -> list[str]:
    """`to` then `recipients_file` (one address a line, `#` comments), without duplicates."""
    found: list[str] = []
    for n, value in enumerate(options.to, 1):
        found.append(address(value, what=_("[delivery.smtp] to n° {n}", n=n))[1])
    if options.recipients_file is not None:
        path = Path(options.recipients_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                _("liste des destinataires illisible ({error})", error=exc), path=str(path)
            ) from None
        for n, line in enumerate(lines, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                found.append(address(line, what=_("{path}, ligne {n}", path=path, n=n))[1])
    unique = list(dict.fromkeys(a.lower() for a in found))
    if not unique:
        raise ConfigError(_("[delivery.smtp] aucun destinataire (to et recipients_file sont vides)"))
    return unique


def plan(job: Job) -> dict[str, Any]:
    """A Message-ID (kept when an interrupted send goes on), and the recipients' fingerprint.

    Batches already accepted are skipped only if the recipients and batch size are unchanged.
    """
    to = recipients(job.options)
    sha = hashlib.sha256("\n".join([str(job.options.batch_size), *to]).encode()).hexdigest()
    same = job.record.get("recipients_sha256") == sha
    return {
        "message_id": job.record.get("message_id") or new_message_id(job.options.sender),
        "recipients": len(to),
        "recipients_sha256": sha,
        **({} if same else {"batches_done": 0, "refused": 0}),
    }


def recover(job: Job) -> dict[str, Any] | None:  # noqa: ARG001 - same signature as the platforms
    return None


def _where(o: Any) -> str:
    return f"{o.host}:{o.port}"


def _starttls(conn: smtplib.SMTP, context: ssl.SSLContext, o: Any) -> None:
    try:
        conn.starttls(context=context)
    except smtplib.SMTPNotSupportedError:
        raise Permanent(
            _(
                "le serveur {where} ne propose pas STARTTLS : vérifiez security et port dans [delivery.smtp]",
                where=_where(o),
            )
        ) from None


def _connect(job: Job) -> smtplib.SMTP:
    o, timeout = job.options, job.delivery.timeout_s
    context = ssl.create_default_context()
    try:
        if o.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(o.host, o.port, timeout=timeout, context=context)
        else:
            conn = smtplib.SMTP(o.host, o.port, timeout=timeout)
        if o.security == "starttls":
            _starttls(conn, context, o)
        if o.username:
            if not job.secret:
                raise Permanent(_("mot de passe SMTP absent : définissez NEWSLETTER_SMTP_PASSWORD"))
            conn.login(o.username, job.secret)
    except smtplib.SMTPNotSupportedError:  # from login: no AUTH offered (often: not over TLS)
        raise Permanent(
            _(
                "le serveur {where} ne propose pas l'authentification : vérifiez security et port dans "
                "[delivery.smtp] (beaucoup de serveurs ne l'offrent qu'après TLS)",
                where=_where(o),
            )
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise Permanent(
            _(
                "authentification refusée par {where} ({code}) : vérifiez username dans "
                "[delivery.smtp] et NEWSLETTER_SMTP_PASSWORD",
                where=_where(o),
                code=exc.smtp_code,
            )
        ) from None
    except ssl.SSLError as exc:
        raise Permanent(
            _(
                "échec TLS avec {where} ({reason}) : vérifiez security et port",
                where=_where(o),
                reason=exc.reason,
            )
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise _reply_error(exc, _("le serveur {where} refuse la connexion", where=_where(o))) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise Transient(
            _("serveur SMTP {where} injoignable ({reason})", where=_where(o), reason=_reason(exc))
        ) from None
    return conn


def _reason(exc: BaseException) -> str:
    """The cause in the process's language for the usual cases; the system's words otherwise."""
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return _("délai dépassé")
    if isinstance(exc, ConnectionRefusedError):
        return _("connexion refusée")
    if isinstance(exc, socket.gaierror):
        return _("nom d'hôte inconnu")
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionResetError | BrokenPipeError):
        return _("connexion coupée par le serveur")
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _reply_error(exc: smtplib.SMTPResponseException, what: str) -> Exception:
    text = (
        exc.smtp_error.decode("utf-8", "replace")
        if isinstance(exc.smtp_error, bytes)
        else str(exc.smtp_error)
    )
    detail = _("{what} : {code} {reply}", what=what, code=exc.smtp_code, reply=" ".join(text.split()))
    return Transient(detail) if 400 <= exc.smtp_code < 500 else Permanent(detail)


def _transaction(job: Job, batch: list[str], data: bytes, sender: str) -> int:
    """One MAIL/RCPT/DATA exchange; returns how many recipients the server refused (5xx)."""
    conn = _connect(job)
    try:
        try:
            code, reply = conn.mail(sender)
            if code >= 400:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            refused = 0
            for rcpt in batch:
                code, reply = conn.rcpt(rcpt)
                if 400 <= code < 500:
                    raise smtplib.SMTPRecipientsRefused({rcpt: (code, reply)})
                refused += code >= 500
            if refused == len(batch):
                conn.rset()
                return refused
        except smtplib.SMTPRecipientsRefused:
            raise Transient(_("destinataire refusé pour l'instant (4xx) par le serveur")) from None
        except smtplib.SMTPResponseException as exc:
            raise _reply_error(exc, _("adresse d'expédition refusée (vérifiez from)")) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise Transient(
                _("connexion SMTP perdue avant l'envoi ({reason})", reason=_reason(exc))
            ) from None
        try:
            code, reply = conn.data(data)  # smtplib returns the final reply, even a refusal
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except smtplib.SMTPResponseException as exc:  # a reply: the server did not take it
            raise _reply_error(exc, _("message refusé par le serveur")) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise Ambiguous(
                _("connexion perdue pendant la remise du message ({reason})", reason=_reason(exc))
            ) from None
        return refused
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()


def deliver(job: Job) -> dict[str, Any]:
    o, record = job.options, job.record
    to = recipients(o)
    message = build_message(
        job.edition,
        sender=o.sender,
        unsubscribe_url=o.unsubscribe_url,
        message_id=record["message_id"],
        date=job.now(),
    )
    data = message.as_bytes()
    envelope = address(o.sender, what="[delivery.smtp] from")[1]
    batches = [to[i : i + o.batch_size] for i in range(0, len(to), o.batch_size)]
    done, refused = int(record.get("batches_done", 0)), int(record.get("refused", 0))
    for n in range(done, len(batches)):
        batch = batches[n]
        refused += job.retrying(lambda b=batch: _transaction(job, b, data, envelope), "SMTP")
        job.update({"batches": len(batches), "batches_done": n + 1, "refused": refused})
        job.note(_("lot {n}/{total} accepté par {where}", n=n + 1, total=len(batches), where=_where(o)))
    if refused == len(to):
        raise Permanent(
            _("tous les destinataires ont été refusés par {where} : vérifiez les adresses", where=_where(o))
        )
    return {
        "message_id": record["message_id"],
        "recipients": len(to),
        "accepted": len(to) - refused,
        "refused": refused,
        "batches": len(batches),
        "batches_done": len(batches),
    }
