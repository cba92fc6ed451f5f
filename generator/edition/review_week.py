"""The review app's week page: the stories the coming weekly edition may pick from, pinned or dropped here.

The weekly edition is a stage above this one, so the CLI hands the app its collaborator as `app.week`
(generator.weekly.ReviewWeek): `stories()` -> {week, since, until, stories: [{key, show, date, title,
start, state, pinned_by, dropped_by}], unmatched: [{kind, words}]}, `pick(key, kind)` and
`unpick(key, words)` -> False when there is no such story or pick. Without it the page says so.
Its routes are added to the app's own (`review_app.get`/`post`) with the same checks: Host (in the
server), Origin and Sec-Fetch-Site, the CSRF token, then Post/Redirect/Get.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.edition import review_app
from generator.edition.review_app import HTTPError, Response, ReviewApp, check_origin, read_form
from generator.i18n import Messages

WEEK_PATH = "/semaine"
# action path -> (the pick it makes, the notice after the redirect)
ACTIONS = {
    "/semaine/epingler": ("pin", "epingle"),
    "/semaine/ecarter": ("drop", "ecarte"),
    "/semaine/annuler": ("", "annule"),
}


def _notice(query: str, t: Messages) -> str | None:
    done = (parse_qs(query).get("fait") or [""])[0]
    notices = {
        "epingle": t._("Histoire épinglée pour l'édition de la semaine."),
        "ecarte": t._("Histoire écartée de l'édition de la semaine."),
        "annule": t._("Choix annulé."),
    }
    return notices.get(done)


def _state_label(state: str | None, t: Messages) -> str:
    labels = {"pin": t._("épinglée"), "drop": t._("écartée")}
    return labels.get(str(state), t._("ni épinglée ni écartée"))


def week_page(app: ReviewApp, query: str, t: Messages) -> str:
    """The week's stories with their state and buttons (or why there are none)."""
    week = app.week.stories() if app.week is not None else None
    stories = []
    for row in (week or {}).get("stories", []):
        words = [*row["pinned_by"], *row["dropped_by"]]
        stories.append(
            {
                **row,
                "date_label": t.date(row["date"]),
                "state_label": _state_label(row["state"], t),
                "by": words,
            }
        )
    unmatched = [{**u, "kind_label": _state_label(u["kind"], t)} for u in (week or {}).get("unmatched", [])]
    return app.pages.render(
        "week.html.j2",
        t,
        available=week is not None,
        week=week,
        stories=stories,
        unmatched=unmatched,
        csrf_token=app.csrf_token,
        notice=_notice(query, t),
    )


def week_action(app: ReviewApp, path: str, form: dict[str, str], t: Messages) -> str:
    """Pin, drop or undo; the URL to redirect to."""
    app.check_token(form, t)
    if app.week is None:
        raise HTTPError(HTTPStatus.NOT_FOUND, t._("L'édition de la semaine n'est pas disponible ici."))
    kind, done = ACTIONS[path]
    key, words = form.get("histoire", ""), form.get("mots", "")
    found = app.week.pick(key, kind) if kind else app.week.unpick(key, words)
    if not found:
        raise HTTPError(
            HTTPStatus.NOT_FOUND, t._("Histoire ou choix introuvable pour cette semaine : rechargez la page.")
        )
    return f"{WEEK_PATH}?fait={done}"


def get(app: ReviewApp, target: str, t: Messages) -> Response:
    """The app's pages, and the week page."""
    parts = urlsplit(target)
    if parts.path == WEEK_PATH:
        return Response(HTTPStatus.OK, week_page(app, parts.query, t).encode("utf-8"))
    return review_app.get(app, target, t)


def post(app: ReviewApp, target: str, handler: Any, t: Messages) -> Response:
    """The app's actions, and the week's pins, drops and undos."""
    path = urlsplit(target).path
    if path not in ACTIONS:
        return review_app.post(app, target, handler, t)
    check_origin(handler.headers, t)
    location = week_action(app, path, read_form(handler.headers, handler.rfile, t), t)
    return Response(HTTPStatus.SEE_OTHER, ctype="text/plain; charset=utf-8", location=location)
