"""HTTP for the platform channels (httpx): one request, its failure sorted as retry, stop or unknown."""

from __future__ import annotations

from typing import Any

import httpx

from generator.channels import CHANNELS
from generator.delivery.job import Job
from generator.delivery.retry import Ambiguous, Permanent, Transient
from generator.i18n import _
from generator.retry_after import retry_after


def _detail(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:200] + ("…" if len(text) > 200 else "")


def request(
    job: Job, method: str, url: str, *, headers: dict[str, str], json: Any = None, label: str
) -> httpx.Response:
    """One call. 2xx: the response. 429/5xx, refused connection: Transient. Another 4xx: Permanent.

    A POST whose reply is lost (timeout, cut connection after sending) is Ambiguous: the caller asks
    the platform before creating anything again. 404 on a GET is returned (not found is an answer).
    """
    try:
        with httpx.Client(timeout=job.delivery.timeout_s, follow_redirects=False) as client:
            response = client.request(method, url, headers=headers, json=json)
    except httpx.ConnectTimeout:
        raise Transient(_("{label} injoignable à {url} (délai dépassé)", label=label, url=url)) from None
    except httpx.ConnectError:
        raise Transient(
            _("{label} injoignable à {url} (connexion impossible)", label=label, url=url)
        ) from None
    except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError) as exc:
        cause = _("délai dépassé") if isinstance(exc, httpx.TimeoutException) else _("connexion coupée")
        if method == "POST":
            raise Ambiguous(_("{label} n'a pas répondu ({cause})", label=label, cause=cause)) from None
        raise Transient(_("{label} n'a pas répondu ({cause})", label=label, cause=cause)) from None
    except httpx.HTTPError as exc:
        raise Transient(
            _("{label} : erreur réseau ({error})", label=label, error=type(exc).__name__)
        ) from None
    status = response.status_code
    if status == 404 and method == "GET":
        return response
    if status == 429 or status >= 500:
        asked = retry_after(response.headers.get("Retry-After"))
        wait = (
            _(" ; le serveur demande d'attendre {seconds} s", seconds=format(asked, ".0f"))
            if asked is not None
            else ""
        )
        raise Transient(
            _(
                "{label} répond {status} {detail}{wait}",
                label=label,
                status=status,
                detail=_detail(response),
                wait=wait,
            ),
            retry_after=asked,
        )
    channel = job.record["channel"]
    if status == 404:
        raise Permanent(
            _(
                "{label} : adresse introuvable (404) {url} ; vérifiez base_url dans [delivery.{channel}]",
                label=label,
                url=url,
                channel=channel,
            )
        )
    if status in (401, 403):
        raise Permanent(
            _(
                "{label} refuse la clé d'API ({status}) : vérifiez la variable {variable}",
                label=label,
                status=status,
                variable=CHANNELS.get(channel).secret_env,
            )
        )
    if status >= 400:
        raise Permanent(
            _(
                "{label} refuse la requête ({status}) : {detail}",
                label=label,
                status=status,
                detail=_detail(response),
            )
        )
    return response


def answer(response: httpx.Response, label: str) -> Any:
    """The JSON body; Permanent when the platform answered something else."""
    try:
        return response.json()
    except ValueError:
        raise Permanent(
            _("{label} a répondu autre chose que du JSON ({detail})", label=label, detail=_detail(response))
        ) from None


def base(url: str) -> str:
    return url.rstrip("/")
