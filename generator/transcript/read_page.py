"""Markdown and HTML transcript pages: front matter as metadata, headings as structure, paragraphs as speech.

Markdown is rendered by markdown-it-py (inline HTML passed through), then the page, written in Markdown or
in HTML, is walked with selectolax: headings become topic cues (never speech), link lists, images, code and
page furniture are dropped and counted, inline HTML (`<p>`, `<br>`, a bold question) reads as paragraphs
and turns. Links inside a sentence keep their words; their addresses are markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from rapidfuzz import fuzz
from selectolax.lexbor import LexborHTMLParser, LexborNode

from generator.transcript.fragments import Fragment, Parsed, count_words
from generator.transcript.frontmatter import read_front_matter, split_front_matter
from generator.transcript.speakers import Speakers
from generator.transcript.timestamps import BRACKET, parse_ts

MARKDOWN_PAGE, HTML_PAGE = "markdown_page", "html_page"
PAGE_FORMATS = (MARKDOWN_PAGE, HTML_PAGE)  # what `Parsed.format` says of a page
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP = {"script", "style", "noscript", "template", "svg", "img", "picture", "video", "audio", "iframe",
         "form", "button", "nav", "head", "header", "footer", "figure", "input", "select", "object", "embed"}  # fmt: skip
_CODE = {"pre", "code"}
_LISTS = {"ul", "ol", "dl"}
_BLOCKS = {"p", "li", "dd", "dt", "td", "th", "figcaption", "caption", "address"}
_EMPHASIS = {"strong", "b"}
_URL = re.compile(r"^(?:<?https?://\S+|www\.\S+)$")
# A paragraph that only introduces a link list: "Pour en savoir plus :", "Liens :".
_LIST_INTRO_WORDS = 8
# Share of a block's words inside links above which the block is a link, not speech.
LINK_SHARE = 0.6
# A boxed paragraph of this many words, found again (this similar) in the speech, is an excerpt.
EXCERPT_MIN_WORDS = 15
EXCERPT_SIMILARITY = 85.0
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
# `**Nadia :** Bonjour` or `__Nadia__ : Bonjour`: speaker labels set in bold, Markdown style.
_MD_BOLD_LABEL = re.compile(
    r"^(?:\*\*|__)[^*_\n]{1,60}(?:\*\*|__)\s?:?\s*\S|^(?:\*\*|__)[^*_\n]{1,60}:(?:\*\*|__)", re.MULTILINE
)
_BOLD_LABEL = re.compile(
    r"^<p[^>]*>\s*<(strong|b)>\s*(?P<name>[^<:]{1,60}?)\s*:?\s*</\1>\s*:?", re.IGNORECASE
)
_MD_LINK = re.compile(r"\[[^\]\n]+\]\((?:https?://|/)[^)\s]+\)")
_HTML_BLOCK = re.compile(r"<(?:p|div|article|section|br|h[1-6]|strong|blockquote)\b[^>]*>", re.IGNORECASE)
_HTML_DOC = re.compile(r"^\s*(?:<!DOCTYPE html|<html\b|<body\b|<article\b|<main\b)", re.IGNORECASE)


def looks_like_page(text: str) -> bool:
    """A Markdown page (headings, links) or an HTML page of paragraphs, not a caption or turn file."""
    head = text[:20000]
    if _HTML_DOC.match(head):
        return True
    blocks = len(_HTML_BLOCK.findall(head))
    return (
        blocks >= 4
        or len(_MD_HEADING.findall(head)) >= 2
        or len(_MD_LINK.findall(head)) >= 2
        or len(_MD_BOLD_LABEL.findall(head)) >= 2
    )


@dataclass
class _Block:
    """A block of the page in reading order: a heading, speech, or what is dropped and why."""

    kind: str  # "heading", "speech" or "drop"
    lines: list[str]
    set_apart: bool = False
    reason: str = ""
    boxed: bool = False  # inside a `<div>`, `<blockquote>` or `<aside>`: maybe a pull quote


@dataclass
class _Walk:
    blocks: list[_Block] = field(default_factory=list)
    boxed: bool = False
    bold_labels: set[str] = field(default_factory=set)  # `<strong>Nadia :</strong>` opening a paragraph


def parse_page(text: str, path: str) -> Parsed:
    """A Markdown or HTML page -> fragments, with its front matter as metadata."""
    raw, body = split_front_matter(text)
    parsed = Parsed(format=MARKDOWN_PAGE)
    if raw is not None:
        front = read_front_matter(raw)
        parsed.noise_words["front matter"] += front.words
        parsed.description = front.description
        parsed.people = front.people
        parsed.meta.update(
            {
                k: v
                for k, v in (
                    ("title", front.title),
                    ("show", front.show),
                    ("date", front.date),
                    ("host", front.host),
                    ("source_url", front.url),
                )
                if v
            }  # fmt: skip
        )
    if _HTML_DOC.match(body):
        parsed.format = HTML_PAGE
        html = body
    else:
        html = MarkdownIt("commonmark", {"html": True}).render(body)
    tree = LexborHTMLParser(html)
    if parsed.format == HTML_PAGE:
        _head_meta(tree, parsed)
    root = tree.body or tree.root
    walk = _Walk()
    if root is not None:
        _walk(root, walk)
    _to_fragments(walk.blocks, parsed, walk.bold_labels)
    return parsed


def _head_meta(tree: LexborHTMLParser, parsed: Parsed) -> None:
    """An HTML page's own title, description and site name (`<title>`, `<meta>`), when no front matter."""
    found = {
        "title": tree.css_first('meta[property="og:title"]') or tree.css_first("title"),
        "show": tree.css_first('meta[property="og:site_name"]'),
        "description": tree.css_first('meta[name="description"]')
        or tree.css_first('meta[property="og:description"]'),
    }
    for key, node in found.items():
        if node is None:
            continue
        value = " ".join((node.attributes.get("content") or node.text(deep=True) or "").split())
        if not value:
            continue
        if key == "description":
            parsed.description = parsed.description or value
        else:
            parsed.meta.setdefault(key, value)


def _inline(node: LexborNode) -> tuple[list[str], int, int]:
    """A block's text as lines (`<br>` breaks a line), its word count and the words inside links."""
    lines: list[str] = [""]
    linked = 0

    def visit(n: LexborNode, in_link: bool) -> None:
        nonlocal linked
        for child in n.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                words = child.text(deep=False)
                # A line break of the source may start a labelled turn; sentences are rebuilt later.
                first, *rest = words.split("\n")
                lines[-1] += first
                lines.extend(rest)
                if in_link:
                    linked += count_words(words)
            elif tag == "br":
                lines.append("")
            elif tag in _SKIP or tag in _CODE and tag == "pre":
                continue
            else:
                visit(child, in_link or tag == "a")

    visit(node, False)
    out = [" ".join(line.split()) for line in lines]
    out = [line for line in out if line]
    return out, sum(count_words(line) for line in out), linked


def _whole_emphasis(node: LexborNode) -> bool:
    """The block's words are all inside `<strong>`/`<b>`: a question the page sets apart."""
    text = " ".join(node.text(deep=True).split())
    if not text:
        return False
    bold = " ".join(" ".join(b.text(deep=True).split()) for b in node.css("strong, b"))
    return count_words(bold) >= count_words(text) > 0


def _walk(node: LexborNode, walk: _Walk) -> None:
    """Blocks of the page in reading order."""
    loose: list[str] = []
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            if child.text(deep=False).strip():
                loose.append(child.text(deep=False))
            continue
        if tag in _EMPHASIS | {"a", "em", "i", "span", "br", "u", "mark", "small", "sup", "sub", "abbr"}:
            loose.append(child.text(deep=True))
            continue
        _flush_loose(loose, walk)
        if tag in _SKIP:
            walk.blocks.append(_Block("drop", [child.text(deep=True)], reason="page element"))
        elif tag in _CODE:
            walk.blocks.append(_Block("drop", [child.text(deep=True)], reason="code"))
        elif tag in _HEADINGS:
            title = " ".join(child.text(deep=True).split())
            walk.blocks.append(_Block("heading", [title]))
        elif tag in _LISTS:
            _walk_list(child, walk)
        elif tag in _BLOCKS:
            _paragraph(child, walk)
        elif tag == "hr":
            continue
        else:  # div, blockquote, section, table...: their blocks, in order
            boxed = walk.boxed
            walk.boxed = boxed or tag in ("div", "blockquote", "aside")
            _walk(child, walk)
            walk.boxed = boxed
    _flush_loose(loose, walk)


def _flush_loose(loose: list[str], walk: _Walk) -> None:
    text = " ".join(" ".join(loose).split())
    loose.clear()
    if text:
        walk.blocks.append(_Block("speech", [text], boxed=walk.boxed))


def _paragraph(node: LexborNode, walk: _Walk) -> None:
    lines, words, linked = _inline(node)
    if not words:
        return
    text = " ".join(lines)
    if linked and linked >= LINK_SHARE * words:
        walk.blocks.append(_Block("drop", lines, reason="link"))
        return
    if text.rstrip().endswith(":") and words <= _LIST_INTRO_WORDS and _next_is_list(node):
        walk.blocks.append(_Block("drop", lines, reason="link list"))
        return
    label = _BOLD_LABEL.match(node.html or "")
    if label:
        walk.bold_labels.add(" ".join(label["name"].split()))
    walk.blocks.append(_Block("speech", lines, set_apart=_whole_emphasis(node), boxed=walk.boxed))


def _next_is_list(node: LexborNode) -> bool:
    nxt = node.next
    while nxt is not None and nxt.tag == "-text" and not nxt.text(deep=False).strip():
        nxt = nxt.next
    return nxt is not None and nxt.tag in _LISTS


def _walk_list(node: LexborNode, walk: _Walk) -> None:
    """A list: each item is speech (a quick exchange `- Nom : ...`), unless it is mostly links."""
    items = [li for li in node.iter() if li.tag in ("li", "dt", "dd")]
    inlines = [_inline(li) for li in items]
    total = sum(w for _, w, _ in inlines)
    linked = sum(n for _, _, n in inlines)
    if total and linked >= LINK_SHARE * total:
        for lines, _, _ in inlines:
            walk.blocks.append(_Block("drop", lines, reason="link list"))
        return
    for li, (lines, words, link_words) in zip(items, inlines, strict=True):
        if li.css_first("ul, ol"):  # nested list: its items are walked on their own
            _walk(li, walk)
            continue
        if words and link_words >= LINK_SHARE * words:
            walk.blocks.append(_Block("drop", lines, reason="link"))
        elif words:
            walk.blocks.append(_Block("speech", lines, set_apart=_whole_emphasis(li)))


def _without_urls(line: str, parsed: Parsed | None) -> str:
    """A bare web address inside speech is markup: dropped (and counted, given `parsed`)."""
    kept = []
    for token in line.split():
        if _URL.match(token.strip("()[]<>.,;")):
            if parsed is not None:
                parsed.noise_words["link"] += count_words(token)
        else:
            kept.append(token)
    return " ".join(kept)


def _unstamped(line: str) -> str:
    stamp = BRACKET.match(line)
    return stamp["text"] if stamp and stamp["text"] else line


def _drop_excerpts(blocks: list[_Block]) -> None:
    """A boxed paragraph repeating speech said elsewhere on the page is a pull quote, not speech again."""
    for k, block in enumerate(blocks):
        if block.kind != "speech" or not block.boxed:
            continue
        text = " ".join(block.lines)
        if count_words(text) < EXCERPT_MIN_WORDS:
            continue
        rest = " ".join(" ".join(b.lines) for j, b in enumerate(blocks) if j != k and b.kind == "speech")
        if fuzz.partial_ratio(text, rest, score_cutoff=EXCERPT_SIMILARITY):
            block.kind, block.reason = "drop", "repeated excerpt"


def _to_fragments(blocks: list[_Block], parsed: Parsed, labels: set[str]) -> None:
    """Speech blocks -> fragments (one per line), with speaker labels, headings and set-apart questions."""
    _drop_excerpts(blocks)
    speech = [_without_urls(_unstamped(line), None) for b in blocks if b.kind == "speech" for line in b.lines]
    speakers = Speakers(
        [line for line in speech if line],
        known=[*parsed.people, parsed.meta.get("host", ""), *sorted(labels)],
    )
    heading: str | None = None
    previous_apart = False
    number = 0
    last_start: float | None = None
    for block in blocks:
        if block.kind == "heading":
            parsed.drop(block.lines[0], "heading")
            heading = block.lines[0] or heading
            speakers.current, speakers.pending = None, True  # a heading ends the turn above it
            continue
        if block.kind == "drop":
            for line in block.lines:
                parsed.drop(line, block.reason)
            continue
        for k, raw in enumerate(block.lines):
            number += 1
            line = _without_urls(raw, parsed)
            if not line or speakers.alone(line):
                continue
            start = last_start  # an untimed paragraph goes on from the last time given
            stamp = BRACKET.match(line)  # "[00:12:05] Nom : texte": a timed paragraph
            if stamp and stamp["text"]:
                start, line = parse_ts(stamp["ts"]), stamp["text"]
                last_start = start
            content, speaker, new = speakers.apply(line)
            if not count_words(content):
                parsed.drop(content, "no words")
                continue
            if k == 0 and (block.set_apart or previous_apart) and speaker == speakers.current and not new:
                speaker = speakers.current = None  # a set-apart question, or the answer to it
            turn = new or (k == 0 and (block.set_apart or previous_apart))
            parsed.fragments.append(
                Fragment(
                    content, start, number, None, speaker, turn, heading=heading, set_apart=block.set_apart
                )
            )
            heading = None
        previous_apart = block.set_apart
    parsed.noise_words["speaker label"] += speakers.label_words
