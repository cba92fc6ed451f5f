"""Buttondown: the edition becomes a draft email (never a send), found again by its metadata marker.

The API version is pinned: from 2026-04-01 an email created without a status is a draft (before, it was
sent at once); the status is also given explicitly. The body is the Markdown without front matter.
"""

from __future__ import annotations

from typing import Any

from generator.delivery import http
from generator.delivery.job import Job
from generator.delivery.retry import Ambiguous, Permanent, Transient
from generator.i18n import _

CAN_LOOKUP = True
LABEL = "Buttondown"
MARKER = "newsletter_attempt"  # metadata key carrying this attempt's token


def _headers(job: Job) -> dict[str, str]:
    if not job.secret:
        raise Permanent(_("clé Buttondown absente : définissez NEWSLETTER_BUTTONDOWN_API_KEY"))
    return {
        "Authorization": f"Token {job.secret}",
        "X-API-Version": job.options.api_version,
        "Accept": "application/json",
    }


def plan(job: Job) -> dict[str, Any]:
    return {"marker": job.record["token"]}


def _found(job: Job, email: dict[str, Any]) -> dict[str, Any]:
    return {
        "platform_id": str(email.get("id")),
        "url": email.get("absolute_url") or f"{http.base(job.options.base_url)}/emails/{email.get('id')}",
        "platform_status": email.get("status"),
    }


def recover(job: Job) -> dict[str, Any] | None:
    """The draft this attempt created, if Buttondown has it (first page of drafts, newest first)."""
    url = f"{http.base(job.options.base_url)}/v1/emails?status=draft&ordering=-creation_date"
    response = http.request(job, "GET", url, headers=_headers(job), label=LABEL)
    doc = http.answer(response, LABEL) if response.status_code == 200 else {}
    for email in (doc.get("results") if isinstance(doc, dict) else None) or []:
        if isinstance(email, dict) and (email.get("metadata") or {}).get(MARKER) == job.record["marker"]:
            return _found(job, email)
    return None


def deliver(job: Job) -> dict[str, Any]:
    edition = job.edition
    body = {
        "subject": edition.title,
        "body": edition.markdown_body,
        "status": "draft",
        "metadata": {MARKER: job.record["marker"], "newsletter_draft": edition.id},
    }
    if edition.link:
        body["canonical_url"] = edition.link
    url = f"{http.base(job.options.base_url)}/v1/emails"

    def attempt() -> dict[str, Any]:
        try:
            response = http.request(job, "POST", url, headers=_headers(job), json=body, label=LABEL)
        except Ambiguous:
            found = recover(job)  # did the lost reply create it? then it is done
            if found is not None:
                return found
            raise Transient(_("{label} n'a pas répondu ; aucun brouillon créé", label=LABEL)) from None
        return _found(job, http.answer(response, LABEL))

    return job.retrying(attempt, LABEL)
