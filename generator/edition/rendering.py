"""Edition -> Markdown, email-safe HTML and plain text, through templates/<style>/."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import css_inline
import jinja2
import markdown
import nh3
from markupsafe import Markup

from generator.config import NewsletterSettings
from generator.errors import RenderError
from generator.i18n import _
from generator.model import Citation, Edition, Provenance, Quote, Section, Source, format_ts
from generator.styles import STYLES

FORMATS = ("md", "html", "txt")
TEXT_WIDTH = 72

# The only HTML the Markdown body may contain once sanitised: what our templates produce.
ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "blockquote",
    "em",
    "strong",
    "a",
    "code",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https"}

# Invisible characters that can reorder or hide text (bidi overrides) or drive a terminal (C0/C1).
_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")
_MD_INLINE = re.compile(r"([\\`*_\[\]])")
# Markdown that only means something at the start of a line (headings, quotes, lists, rules).
_MD_LINE_START = re.compile(r"^(#|>|[-+=]|\d+(?=[.)]))")
# Characters kept as-is in a URL; everything else (spaces, quotes, brackets, parentheses) is %-encoded so a
# URL can never close the Markdown link or the HTML attribute it sits in.
_URL_SAFE = "/:?#=&%@+,;~-._!$*"


def clean_text(text: str | None) -> str:
    """NFC, invisible/control characters removed, line endings normalised."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", text.replace("\t", " "))


def paragraphs(text: str | None) -> list[str]:
    """Blank-line separated paragraphs, each on one line with single spaces."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", clean_text(text)) if p.strip()]


def md_escape(text: str) -> str:
    """Escape one line of untrusted text so Markdown renders it literally (no links, HTML, lists)."""
    text = _MD_INLINE.sub(r"\\\1", text).replace("<", "&lt;")
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit() else "\\" + m.group(1), text
    )


def safe_url(url: str | None, seconds: float | None = None) -> str | None:
    """An http(s) URL fit for a link, with `#t=<seconds>` when given; None if not a web URL."""
    url = clean_text(url).strip()
    if not url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.netloc or not parts.netloc.isascii():
        return None
    fragment = f"t={int(seconds)}" if seconds is not None and seconds >= 0 else parts.fragment
    rebuilt = urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, parts.query, fragment))
    return quote(rebuilt, safe=_URL_SAFE)


# ------------------------------------------------------------------------------------------ context


def _citation_ctx(c: Citation, source: dict[str, Any], url: str | None) -> dict[str, Any]:
    """Another show that told a weekly idea's story: where, and the link to its moment."""
    link = safe_url(url, c.start_s) if c.start_s is not None else None
    return {"source": source, "start": c.start, "end": format_ts(c.end_s), "url": link}


def _context(
    edition: Edition, provenance: Provenance, newsletter: NewsletterSettings, esc: Callable[[str], str]
) -> dict[str, Any]:
    """Plain data for the templates; every piece of edition text is already passed through `esc`."""

    def line(text: str | None) -> str:
        return esc(" ".join(paragraphs(text)))

    def block(text: str | None) -> list[str]:
        return [esc(p) for p in paragraphs(text)]

    def source_url(source: Source) -> str | None:
        return source.source_url or newsletter.source_url

    def quote_ctx(q: Quote, source: Source | None) -> dict[str, Any]:
        return {
            "text": line(q.text),
            "speaker": line(q.speaker) or None,
            "start": format_ts(q.start_s),
            "start_s": q.start_s,
            "url": safe_url(source_url(source), q.start_s) if source and q.start_s is not None else None,
        }

    def source_ctx(source: Source) -> dict[str, Any]:
        return {
            "show": line(source.show) or None,
            "date": source.date,
            "file": line(Path(source.path).name),
            "host": line(source.host) or None,
            "guests": [{"name": line(g.name), "role": line(g.role) or None} for g in source.guests if g.name],
            "url": safe_url(source_url(source)),
        }

    def section_ctx(section: Section) -> dict[str, Any]:
        # Never an unverified quote; a weekly idea's other sources bring theirs, linked to their show.
        cited = [(q, section.source) for q in section.quotes]
        cited += [(q, c.source) for c in section.also for q in c.quotes]
        lead = [line(t) for t in (section.follow_up, section.framing) if t]
        return {
            "title": line(section.title),
            "summary": lead + block(section.summary),
            "key_points": [line(k) for k in section.key_points if line(k)],
            "synthesis": section.synthesis,  # the key points are a list's parallel points: numbered
            "quotes": [quote_ctx(q, src) for q, src in cited if q.verified],
            "also": [_citation_ctx(c, source_ctx(c.source), source_url(c.source)) for c in section.also],
            "source": source_ctx(section.source),
            "start": format_ts(section.start_s),
            "end": format_ts(section.end_s),
            "url": safe_url(source_url(section.source), section.start_s)
            if section.start_s is not None
            else None,
        }

    sections = [section_ctx(s) for s in edition.sections]
    epigraph = None
    if edition.epigraph is not None and edition.epigraph.verified:
        owner = next((s.source for s in edition.sections if edition.epigraph in s.quotes), None)
        owner = owner or (edition.sources[0] if len(edition.sources) == 1 else None)
        epigraph = quote_ctx(edition.epigraph, owner)
    return {
        "style": edition.style,
        "title": line(edition.title),
        "date": edition.date,
        "intro": block(edition.intro),
        "announcement": line(edition.announcement),
        "closing": block(edition.closing),
        "extractive": edition.extractive,
        "epigraph": epigraph,
        "sections": sections,
        "main": sections[0] if sections else None,
        "others": sections[1:],
        "sources": [source_ctx(s) for s in edition.sources],
        "newsletter": {
            "name": line(newsletter.name),
            "author": line(newsletter.author),
            "sign_off": line(newsletter.sign_off) or None,
        },
        "backend": line(provenance.backend),
        "model": line(provenance.model) or None,
    }


# ------------------------------------------------------------------------------------------ formats


def _environment(templates_dir: Path, *, autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise RenderError(
            _("gabarit introuvable ; réinstallez le dossier templates"),
            path=str(Path(str(env.loader.searchpath[0])) / exc.name),
        ) from exc  # type: ignore[union-attr]
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        raise RenderError(_("erreur de gabarit : {error}", error=exc), path=where) from exc


def _tidy(text: str) -> str:
    """At most one blank line in a row, no trailing spaces, one final newline."""
    lines = [ln.rstrip() for ln in text.splitlines()]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


_LIST_PREFIX = re.compile(r"^(\s*(?:[-*•]\s+|\d+[.)]\s+|>\s?)?)")


def wrap_text(text: str, width: int = TEXT_WIDTH) -> str:
    """Wrap each line at `width` columns, continuing list items and quotes under their first word."""
    out: list[str] = []
    for ln in text.splitlines():
        if len(ln) <= width:
            out.append(ln)
            continue
        prefix = _LIST_PREFIX.match(ln).group(1)  # type: ignore[union-attr]
        indent = "> " if prefix.strip() == ">" else " " * len(prefix)
        out.extend(
            textwrap.wrap(
                ln[len(prefix) :],
                width=width,
                initial_indent=prefix,
                subsequent_indent=indent,
                break_long_words=False,  # URLs stay whole (and clickable) even past 72 columns
                break_on_hyphens=False,
            )
        )
    return "\n".join(out) + "\n"


def markdown_to_safe_html(text: str) -> str:
    """Markdown -> HTML fragment reduced to the tags and http(s) links our templates produce."""
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def removed_html(text: str) -> dict[str, int]:
    """What the sanitiser takes out of an editor's Markdown: {"images", "liens", "balises"} counts."""
    from html.parser import HTMLParser

    class Counter(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.tags: dict[str, int] = {}
            self.links = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags[tag] = self.tags.get(tag, 0) + 1
            self.links += tag == "a" and any(k == "href" for k, _ in attrs)

    def count(html: str) -> Counter:
        counter = Counter()
        counter.feed(html)
        counter.close()
        return counter

    before = count(markdown.markdown(text, extensions=["sane_lists"], output_format="html"))
    after = count(markdown_to_safe_html(text))
    gone = {tag: n - after.tags.get(tag, 0) for tag, n in before.tags.items() if n > after.tags.get(tag, 0)}
    images = gone.pop("img", 0)
    links = max(before.links - after.links, gone.pop("a", 0))
    return {"images": images, "liens": links, "balises": sum(gone.values())}


def render(
    edition: Edition,
    provenance: Provenance,
    newsletter: NewsletterSettings,
    templates_dir: Path,
) -> dict[str, str]:
    """Render an edition in its style; returns {"md", "html", "txt"}."""
    style = edition.style
    if style not in STYLES:
        raise RenderError(
            _("style inconnu « {style} » ; au choix : {choices}", style=style, choices=", ".join(STYLES))
        )
    templates_dir = Path(templates_dir)
    if not (templates_dir / style).is_dir():
        raise RenderError(_("le dossier de gabarits de ce style manque"), path=str(templates_dir / style))

    text_env = _environment(templates_dir, autoescape=False)
    md = _tidy(
        _render_template(
            text_env, f"{style}/newsletter.md.j2", _context(edition, provenance, newsletter, md_escape)
        )
    )
    plain = _context(edition, provenance, newsletter, lambda s: s)
    txt = wrap_text(_tidy(_render_template(text_env, f"{style}/newsletter.txt.j2", plain)))

    html_env = _environment(templates_dir, autoescape=True)
    page = _render_template(
        html_env, f"{style}/newsletter.html.j2", {**plain, "body": Markup(markdown_to_safe_html(md))}
    )
    return {"md": md, "html": _inline_css(page, style), "txt": txt}


def _inline_css(page: str, style: str) -> str:
    """The email's HTML: CSS inlined, the charset kept first in <head>."""
    inliner = css_inline.CSSInliner(
        keep_at_rules=True,  # the dark-mode media query stays in <style> for clients that honour it
        load_remote_stylesheets=False,
    )
    try:
        html = inliner.inline(page)
    except css_inline.InlineError as exc:
        raise RenderError(
            _("échec de la mise en ligne du CSS : {error}", error=exc), path=f"{style}/newsletter.html.j2"
        ) from exc
    # css_inline puts <style> first in <head>; the charset must stay within the first bytes of the page.
    if '<meta charset="utf-8">' in html:
        html = html.replace('<meta charset="utf-8">', "", 1).replace(
            "<head>", '<head><meta charset="utf-8">', 1
        )
    return html


# ------------------------------------------------------------------------------- edited Markdown

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MD_ESCAPED = re.compile(r"\\([\\`*_\[\]#>+=\-.!()])")


def markdown_to_text(md: str) -> str:
    """The plain-text twin of an edited Markdown draft: headings underlined, links spelled out, 72 columns."""
    out: list[str] = []
    for ln in clean_text(md).splitlines():
        heading = _MD_HEADING.match(ln)
        if heading:
            ln = heading.group(2)
        # Escaped characters are set aside (private-use code points) so no emphasis or link pattern sees them.
        ln = _MD_ESCAPED.sub(lambda m: chr(0xE000 + ord(m.group(1))), ln)
        ln = _MD_LINK.sub(
            lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", ln
        )
        ln = _MD_EMPHASIS.sub(r"\2", ln)
        ln = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group()) - 0xE000), ln).replace("&lt;", "<")
        out.append(ln)
        if heading and len(heading.group(1)) <= 2:
            out.append(("=" if len(heading.group(1)) == 1 else "-") * min(len(ln), TEXT_WIDTH))
    return wrap_text(_tidy("\n".join(out)))


def render_markdown(
    md: str,
    *,
    style: str,
    title: str,
    extractive: bool,
    newsletter: NewsletterSettings,
    templates_dir: Path,
) -> dict[str, str]:
    """An editor's Markdown -> {"md", "html", "txt"}: the same page and sanitiser as a generated draft."""
    if style not in STYLES:
        raise RenderError(
            _("style inconnu « {style} » ; au choix : {choices}", style=style, choices=", ".join(STYLES))
        )
    md = _tidy(clean_text(md))
    esc = lambda s: " ".join(paragraphs(s))  # noqa: E731 (autoescape does the HTML escaping)
    # The inbox preview line: the first paragraph of prose (not a heading, quote, list or byline).
    first = next((p for p in paragraphs(md) if p[:1].isalnum() or p[:1] in "«\"'"), None)
    context = {
        "title": esc(title),
        "intro": [esc(markdown_to_text(first))] if first else [],
        "extractive": extractive,
        "newsletter": {"name": esc(newsletter.name), "author": esc(newsletter.author)},
        "body": Markup(markdown_to_safe_html(md)),
    }
    page = _render_template(
        _environment(Path(templates_dir), autoescape=True), f"{style}/newsletter.html.j2", context
    )
    return {"md": md, "html": _inline_css(page, style), "txt": markdown_to_text(md)}
