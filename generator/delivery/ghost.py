"""Ghost Admin API: the edition becomes a draft post (never published nor emailed), found again by slug.

Authentication is a short-lived JWT (PyJWT, HS256, five minutes) signed with the Admin API key
`id:secret` from NEWSLETTER_GHOST_ADMIN_KEY. The body is the inlined HTML's <body>, sent with
`?source=html`; the show's page, when known, is the post's canonical URL.
"""

from __future__ import annotations

import time
from typing import Any

import jwt

from generator.delivery import http
from generator.delivery.job import Job
from generator.delivery.retry import Ambiguous, Permanent, Transient
from generator.i18n import _

CAN_LOOKUP = True
LABEL = "Ghost"
TOKEN_LIFETIME_S = 300


def token(admin_key: str, *, now: float | None = None) -> str:
    """The Admin API JWT for a key `id:secret` (secret in hexadecimal)."""
    key_id, _sep, secret = admin_key.partition(":")
    try:
        raw = bytes.fromhex(secret)
    except ValueError:
        raw = b""
    if not key_id or not raw:
        raise Permanent(
            _("NEWSLETTER_GHOST_ADMIN_KEY n'a pas la forme id:secret d'une clé d'Admin API Ghost")
        )
    iat = int(now if now is not None else time.time())
    return jwt.encode(
        {"iat": iat, "exp": iat + TOKEN_LIFETIME_S, "aud": "/admin/"},
        raw,
        algorithm="HS256",
        headers={"kid": key_id, "typ": "JWT"},
    )


def _headers(job: Job) -> dict[str, str]:
    if not job.secret:
        raise Permanent(_("clé Ghost absente : définissez NEWSLETTER_GHOST_ADMIN_KEY (id:secret)"))
    return {
        "Authorization": f"Ghost {token(job.secret, now=job.now().timestamp())}",
        "Accept-Version": job.options.api_version,
        "Accept": "application/json",
    }


def _api(job: Job) -> str:
    return f"{http.base(job.options.base_url)}/ghost/api/admin"


def plan(job: Job) -> dict[str, Any]:
    attempt = int(job.record.get("attempt", 1))
    return {"slug": job.edition.id if attempt == 1 else f"{job.edition.id}-envoi-{attempt}"}


def _found(post: dict[str, Any]) -> dict[str, Any]:
    return {"platform_id": str(post.get("id")), "url": post.get("url"), "platform_status": post.get("status")}


def recover(job: Job) -> dict[str, Any] | None:
    """The post with this attempt's slug, if Ghost has it."""
    url = f"{_api(job)}/posts/slug/{job.record['slug']}/"
    response = http.request(job, "GET", url, headers=_headers(job), label=LABEL)
    if response.status_code == 404:
        return None
    posts = http.answer(response, LABEL).get("posts") or []
    return _found(posts[0]) if posts and isinstance(posts[0], dict) else None


def deliver(job: Job) -> dict[str, Any]:
    edition = job.edition
    post: dict[str, Any] = {
        "title": edition.title,
        "html": edition.html_body,
        "status": "draft",
        "slug": job.record["slug"],
    }
    if edition.link:
        post["canonical_url"] = edition.link
    url = f"{_api(job)}/posts/?source=html"

    def attempt() -> dict[str, Any]:
        try:
            response = http.request(
                job, "POST", url, headers=_headers(job), json={"posts": [post]}, label=LABEL
            )
        except Ambiguous:
            found = recover(job)
            if found is not None:
                return found
            raise Transient(_("{label} n'a pas répondu ; aucun article créé", label=LABEL)) from None
        posts = http.answer(response, LABEL).get("posts") or [{}]
        return _found(posts[0])

    return job.retrying(attempt, LABEL)
