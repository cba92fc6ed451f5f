"""listmonk: the edition becomes a draft campaign (never started), found again by its name.

The API user and its token (NEWSLETTER_LISTMONK_TOKEN) authenticate as `Authorization: token user:token`.
The campaign's name ends with the draft id and attempt, so a search finds exactly it; the body is the
Markdown without front matter (content_type markdown).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from generator.delivery import http
from generator.delivery.job import Job
from generator.delivery.retry import Ambiguous, Permanent, Transient
from generator.i18n import _

CAN_LOOKUP = True
LABEL = "listmonk"


def _headers(job: Job) -> dict[str, str]:
    if not job.secret:
        raise Permanent(_("jeton listmonk absent : définissez NEWSLETTER_LISTMONK_TOKEN"))
    return {"Authorization": f"token {job.options.username}:{job.secret}", "Accept": "application/json"}


def plan(job: Job) -> dict[str, Any]:
    tag = f"{job.edition.id}#{job.record.get('attempt', 1)}"
    return {"campaign_name": f"{' '.join(job.edition.title.split())[:150]} [{tag}]"}


def _found(job: Job, campaign: dict[str, Any]) -> dict[str, Any]:
    return {
        "platform_id": str(campaign.get("id")),
        "url": f"{http.base(job.options.base_url)}/admin/campaigns/{campaign.get('id')}",
        "platform_status": campaign.get("status"),
    }


def recover(job: Job) -> dict[str, Any] | None:
    """The campaign named for this attempt, if listmonk has it."""
    url = f"{http.base(job.options.base_url)}/api/campaigns?per_page=50&query={quote(job.edition.id)}"
    response = http.request(job, "GET", url, headers=_headers(job), label=LABEL)
    doc = http.answer(response, LABEL) if response.status_code == 200 else {}
    results = ((doc.get("data") or {}).get("results") if isinstance(doc, dict) else None) or []
    for campaign in results:
        if isinstance(campaign, dict) and campaign.get("name") == job.record["campaign_name"]:
            return _found(job, campaign)
    return None


def deliver(job: Job) -> dict[str, Any]:
    edition = job.edition
    body = {
        "name": job.record["campaign_name"],
        "subject": edition.title,
        "lists": list(job.options.lists),
        "type": "regular",
        "content_type": "markdown",
        "body": edition.markdown_body,
        "tags": ["newsletter"],
    }
    url = f"{http.base(job.options.base_url)}/api/campaigns"

    def attempt() -> dict[str, Any]:
        try:
            response = http.request(job, "POST", url, headers=_headers(job), json=body, label=LABEL)
        except Ambiguous:
            found = recover(job)
            if found is not None:
                return found
            raise Transient(_("{label} n'a pas répondu ; aucune campagne créée", label=LABEL)) from None
        return _found(job, http.answer(response, LABEL).get("data") or {})

    return job.retrying(attempt, LABEL)
