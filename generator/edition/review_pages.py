"""What the review pages show: plain data built from draft.json, rendered by templates/review/ (Jinja2, autoescaped)."""

from __future__ import annotations

import glob
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator.edition import draft_json, outbox
from generator.edition.rendering import markdown_to_safe_html, safe_url
from generator.errors import NewsletterError, RenderError
from generator.i18n import Messages
from generator.model import Utterance, format_ts

# Re-reads a draft's source (path, sha256) into cleaned sentences, for drafts without recorded context.
Reload = Callable[[str, str], Sequence[Utterance] | None]


def status_label(status: str | None, t: Messages) -> str:
    labels = {"draft": t._("à relire"), "approved": t._("approuvé"), "rejected": t._("rejeté")}
    return labels.get(str(status), str(status))


def notice(query: dict[str, list[str]], t: Messages) -> str | None:
    """The fixed message shown after a redirect: the query string only selects one and gives counts."""
    done = (query.get("fait") or [""])[0]
    notices = {
        "approuve": t._("Brouillon approuvé."),
        "rejete": t._("Brouillon rejeté."),
        "enregistre": t._("Révision enregistrée."),
        "envoye": t._("Édition envoyée."),
    }
    if done not in notices:
        return None
    counts = {k: _count(query, k) for k in ("images", "liens", "balises")}
    removed = [
        t.ngettext("{n} image", "{n} images", counts["images"]),
        t.ngettext("{n} lien", "{n} liens", counts["liens"]),
        t.ngettext("{n} autre élément HTML", "{n} autres éléments HTML", counts["balises"]),
    ]
    parts = [text for text, n in zip(removed, counts.values(), strict=True) if n]
    if not parts:
        return notices[done]
    listed = (
        parts[0] if len(parts) == 1 else t._("{first} et {last}", first=", ".join(parts[:-1]), last=parts[-1])
    )
    total = sum(counts.values())
    return notices[done] + " " + t.ngettext("{what} retiré.", "{what} retirés.", total, what=listed)


def _count(query: dict[str, list[str]], key: str) -> int:
    value = (query.get(key) or ["0"])[0]
    return min(int(value), 10_000) if value.isdigit() else 0


class Pages:
    """The Jinja2 environment of templates/review/: autoescape on, undefined names are errors."""

    def __init__(self, templates_dir: Path) -> None:
        self.root = Path(templates_dir) / "review"
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.root)),
            extensions=["jinja2.ext.i18n"],
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, name: str, t: Messages, **context: Any) -> str:
        """The page in the language of `t` (held per request: nothing is installed in the environment)."""
        helpers = {"_": t._, "gettext": t._, "ngettext": t.ngettext, "t": t, "lang": t.lang}
        try:
            return self.env.get_template(name).render(**helpers, **context)
        except jinja2.TemplateError as exc:
            raise RenderError(f"review template error: {exc}", path=str(self.root / name)) from exc

    def asset(self, name: str) -> bytes | None:
        """A static file of templates/review/static/, or None (never a path outside it)."""
        if not name or "/" in name or "\\" in name or name.startswith("."):
            return None
        path = self.root / "static" / name
        return path.read_bytes() if path.is_file() else None


def source_reloader(inbox_dir: Path | None, load: Callable[[Path], Sequence[Utterance]]) -> Reload:
    """A Reload that finds a source at its path or under inbox/processed/, and only if its sha256 still matches."""

    def reload(path: str, sha256: str) -> Sequence[Utterance] | None:
        source = Path(path)
        processed = Path(inbox_dir) / "processed" if inbox_dir else None
        candidates = [source]
        if processed is not None and processed.is_dir():
            candidates += sorted(processed.glob(f"*/{glob.escape(source.name)}"))
        for candidate in candidates:
            try:
                if candidate.is_file() and hashlib.sha256(candidate.read_bytes()).hexdigest() == sha256:
                    return load(candidate)
            except (OSError, NewsletterError):
                continue  # unreadable now: the page says the context is unavailable
        return None

    return reload


def removed_sentences(doc: dict[str, Any], t: Messages) -> list[dict[str, Any]]:
    """Sentences the guard took out, from `removed` and `sections[].removed`, whatever their exact shape."""
    sections = [s for s in doc.get("sections") or [] if isinstance(s, dict)]
    found: list[tuple[Any, str | None]] = [(r, None) for r in _as_list(doc.get("removed"))]
    for section in sections:
        found += [(r, section.get("title")) for r in _as_list(section.get("removed"))]
    out = []
    for item, title in found:
        if isinstance(item, str):
            item = {"sentence": item}
        if not isinstance(item, dict):
            continue
        text = item.get("sentence") or item.get("text")
        if not text:
            continue
        where = item.get("section")
        if isinstance(where, int) and 0 <= where < len(sections):
            where = sections[where].get("title")
        out.append(
            {
                "text": str(text),
                "reason": str(item.get("reason") or t._("raison non précisée")),
                "where": str(title or where or item.get("segment") or "") or None,
            }
        )
    return out


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in _as_list(value) if isinstance(v, dict)]


def draft_row(info: outbox.DraftInfo, t: Messages) -> dict[str, Any]:
    """One line of the drafts list."""
    reason = outbox.last_status(info.doc).get("reason") if info.status == "rejected" else None
    return {
        "id": info.id,
        "date": info.id[:10],
        "date_label": t.date(info.id[:10]),
        "title": info.title,
        "style": info.style,
        "status": info.status,
        "status_label": status_label(info.status, t),
        "reason": str(reason) if reason else None,
        "episodes": list(info.episodes),
        "warnings": len(info.warnings),
        "removed": len(removed_sentences(info.doc, t)),
        "engine": info.backend + (f" · {info.model}" if info.model else ""),
    }


def damaged_row(damaged: outbox.DamagedDraft, t: Messages) -> dict[str, str]:
    """A folder of the outbox whose draft.json cannot be read: listed with its error, not hidden."""
    return {"id": damaged.id, "error": damaged.error, "path": str(damaged.path)}


def _line(line: dict[str, Any], url: str | None) -> dict[str, Any]:
    start_s = line.get("start_s")
    return {
        "text": str(line.get("text") or ""),
        "speaker": line.get("speaker"),
        "start": line.get("start") or format_ts(start_s) or "—",
        "url": safe_url(url, start_s) if url and isinstance(start_s, int | float) else None,
    }


def _context(q: dict[str, Any], source: dict[str, Any] | None, reload: Reload | None, cache: dict) -> Any:
    """The quote's recorded context, else one computed from its source re-read (if unchanged)."""
    if isinstance(q.get("context"), dict):
        return q["context"]
    if reload is None or not source or not isinstance(q.get("utterance"), int):
        return None
    key = (str(source.get("path")), str(source.get("sha256")))
    if key not in cache:
        cache[key] = reload(*key)
    utterances = cache[key]
    return (
        draft_json.quote_context(utterances, q["utterance"], str(q.get("text", ""))) if utterances else None
    )


def quote_views(doc: dict[str, Any], reload: Reload | None, cache: dict, t: Messages) -> list[dict[str, Any]]:
    """Each quote with its speaker, time, link and the transcript lines around it."""
    sources = {s.get("sha256"): s for s in doc.get("sources") or [] if isinstance(s, dict)}
    sections = [s for s in doc.get("sections") or [] if isinstance(s, dict)]
    views = []
    for q in doc.get("quotes") or []:
        if not isinstance(q, dict):
            continue
        source = sources.get(q.get("episode")) or (
            next(iter(sources.values())) if len(sources) == 1 else None
        )
        url = (source or {}).get("source_url")
        context = _context(q, source, reload, cache)
        section = q.get("section")
        views.append(
            {
                "text": str(q.get("text", "")),
                "speaker": q.get("speaker"),
                "start": q.get("start") or t._("horodatage inconnu"),
                "url": safe_url(url, q.get("start_s")) if url and q.get("start_s") is not None else None,
                "verified": bool(q.get("verified")),
                "epigraph": bool(q.get("epigraph")),
                "section": sections[section].get("title")
                if isinstance(section, int) and 0 <= section < len(sections)
                else None,
                "show": (source or {}).get("show"),
                "before": [_line(ln, url) for ln in (context or {}).get("before", [])],
                "lines": [_line(ln, url) for ln in (context or {}).get("lines", [])],
                "after": [_line(ln, url) for ln in (context or {}).get("after", [])],
                "has_context": context is not None,
            }
        )
    return views


def weekly_view(doc: dict[str, Any], t: Messages) -> dict[str, Any] | None:
    """A weekly edition's choice (issue 25): each idea, its sources and why; what was left out."""
    weekly = (doc.get("extra") or {}).get("weekly") if isinstance(doc.get("extra"), dict) else None
    if not isinstance(weekly, dict):
        return None

    def idea(item: dict[str, Any]) -> dict[str, Any]:
        sources = [
            " ".join(str(x) for x in (s.get("show") or s.get("file"), s.get("date"), s.get("start")) if x)
            for s in _dicts(item.get("sources"))
        ]
        follow = item.get("follow_up") if isinstance(item.get("follow_up"), dict) else None
        return {
            "title": item.get("title", ""),
            "why": [str(w) for w in _as_list(item.get("why"))],
            "sources": sources,
            "follow_up": t._("suite de « {of} » ({draft})", of=follow.get("of"), draft=follow.get("draft"))
            if follow
            else None,
            "reason": item.get("why") if isinstance(item.get("why"), str) else None,
        }

    project = weekly.get("project") if isinstance(weekly.get("project"), dict) else None
    return {
        "ideas": [idea(i) for i in _dicts(weekly.get("ideas"))],
        "project": idea(project) if project else None,
        "left_out": [idea(i) for i in _dicts(weekly.get("left_out"))],
    }


def draft_view(info: outbox.DraftInfo, reload: Reload | None, cache: dict, t: Messages) -> dict[str, Any]:
    """Everything the draft page shows, the newsletter's text included."""
    doc = info.doc
    md_path = info.file("md")
    markdown = md_path.read_text(encoding="utf-8") if md_path.is_file() else ""
    history = [
        {
            "label": t._("modifié") if h.get("action") == "edit" else status_label(h.get("status"), t),
            "at": t.datetime(h.get("at")),
            "user": h.get("user") or "?",
            "reason": h.get("reason"),
            "revision": h.get("revision"),
            "diff": h.get("diff"),
        }
        for h in _dicts(doc.get("history"))
    ]
    tokens = doc.get("tokens") if isinstance(doc.get("tokens"), dict) else {}
    return {
        **draft_row(info, t),
        "revision": outbox.revision_of(doc),
        "final": info.status == "approved",
        "can_reject": info.status == "draft",
        "quotes": quote_views(doc, reload, cache, t),
        "weekly": weekly_view(doc, t),
        "removed_sentences": removed_sentences(doc, t),
        "warning_list": list(info.warnings),
        "rejected_quotes": [
            {"text": r.get("text", ""), "reason": r.get("reason", "")}
            for r in _dicts(doc.get("rejected_quotes"))
        ],
        "prompts": [
            {"id": p.get("id", "?"), "version": p.get("version", "?"), "hash": p.get("hash", "")}
            for p in _dicts(doc.get("prompts"))
        ],
        "backend": info.backend,
        "model": info.model,
        "extractive": info.extractive,
        "tokens": {k: t.number(_int(tokens.get(k))) for k in ("input", "output", "cached")},
        "cost": t.money(cost) if isinstance(cost := doc.get("cost_estimate"), int | float) else None,
        "history": history,
        "markdown": markdown,
        "preview": Markup(markdown_to_safe_html(markdown)),
    }


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0
