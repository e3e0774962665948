"""Markdown articles: the plain text and the title, through a CommonMark parser.

markdown-it-py parses the document; this module walks its tokens and keeps what a
presenter reads: the text of paragraphs, headings, list items, block quotes and
table rows, with link texts kept and markup, images, code, HTML tags and footnote
marks left out. Each block becomes its own paragraph; a soft line break inside one
stays a newline, for the clean-up to join (``clean_paragraphs(markdown=True)``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .images import RawImage, markdown_images

__all__ = ["from_markdown", "markdown_pictures"]

# YAML front matter is not CommonMark; only its title is read.
_FRONT_MATTER_RE = re.compile(r"---\n(.*?)\n(?:---|\.\.\.)\n", re.S)
_FM_TITLE_RE = re.compile(r"^title:\s*(.+?)\s*$", re.M)
# Footnotes ("[^1]" and "[^1]: text") are an extension CommonMark reads as plain text.
_FOOTNOTE_DEF_RE = re.compile(r"^\s{0,3}\[\^[^\]]+\]:")
_FOOTNOTE_REF_RE = re.compile(r"\[\^[^\]]+\]")
_BREAK_TAG_RE = re.compile(r"<br\s*/?>", re.I)
# a figure's caption and credit go with its picture (ingest.images), not into the text
_HTML_DROP_RE = re.compile(r"<!--.*?-->|<(script|style|figure|figcaption)\b.*?</\1\s*>",
                           re.S | re.I)
_HTML_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")


@cache
def _parser() -> MarkdownIt:
    # "code" (indented code blocks) is off: a news text indented by four spaces is
    # still the story, and it was always read as text.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("code")


def from_markdown(text: str) -> tuple[str | None, str]:
    """Plain text of a Markdown article; the first heading (or front-matter title) as title."""
    title: str | None = None
    fm = _FRONT_MATTER_RE.match(text)
    if fm:
        m = _FM_TITLE_RE.search(fm.group(1))
        if m:
            title = _inline_text(_parser().parseInline(m.group(1).strip("'\""))).strip()
        text = text[fm.end() :]
    blocks: list[str] = []
    tokens = _parser().parse(text)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            heading = _inline_text([tokens[i + 1]]).strip()
            if title is None and not blocks:
                title = heading  # the article's own heading, before any text
            elif heading:
                blocks.append(heading)
            i += 3
        elif tok.type == "paragraph_open":
            blocks.append(_paragraph_text(tokens[i + 1]))
            i += 3
        elif tok.type == "tr_open":
            j = _close_index(tokens, i)
            cells = [_inline_text([t]).strip() for t in tokens[i:j] if t.type == "inline"]
            row = " ".join(c for c in cells if c)
            if blocks and tokens[i - 1].type in ("tr_close", "tbody_open"):
                blocks[-1] += "\n" + row  # the rows of a table make one block
            else:
                blocks.append(row)
            i = j + 1
        elif tok.type == "html_block":
            blocks.append(_html_text(tok.content))
            i += 1
        else:
            # list and quote markers only nest the blocks above; code is not read
            # aloud (fence, code_block); a rule (hr) only separates blocks
            i += 1
    body = "\n\n".join(b.strip("\n") for b in blocks if b.strip())
    return title, body


def markdown_pictures(text: str) -> list[RawImage]:
    """The article's images (``![caption](src "credit")`` and HTML figures), in order."""
    fm = _FRONT_MATTER_RE.match(text)
    if fm:
        text = text[fm.end():]
    return markdown_images(_parser().parse(text))


def _close_index(tokens: Sequence[Token], i: int) -> int:
    """Index of the token closing the one opened at ``tokens[i]``."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _paragraph_text(inline: Token) -> str:
    lines = _inline_text([inline]).split("\n")
    kept = [line for line in lines if not _FOOTNOTE_DEF_RE.match(line)]
    return _FOOTNOTE_REF_RE.sub("", "\n".join(kept))


def _inline_text(tokens: Sequence[Token]) -> str:
    """The reader's text of inline tokens: link texts and code spans kept, markup,
    images and HTML tags dropped, line breaks kept as newlines."""
    out: list[str] = []
    for parent in tokens:
        in_autolink = False
        for tok in parent.children or ():
            if tok.type in ("link_open", "link_close") and tok.markup == "autolink":
                # <https://...>: only an address, nothing to read aloud
                in_autolink = tok.type == "link_open"
            elif in_autolink:
                continue
            elif tok.type in ("text", "code_inline"):
                out.append(tok.content)
            elif tok.type in ("softbreak", "hardbreak") or (
                tok.type == "html_inline" and _BREAK_TAG_RE.fullmatch(tok.content)
            ):
                out.append("\n")
            # images (and their alt text), other HTML tags, and the open/close tokens
            # of links, emphasis and strikethrough carry nothing to read
    return "".join(out)


def _html_text(html: str) -> str:
    """Text between the tags of an HTML block; comments, scripts and styles dropped."""
    html = _BREAK_TAG_RE.sub("\n", _HTML_DROP_RE.sub("", html))
    return _FOOTNOTE_REF_RE.sub("", _HTML_TAG_RE.sub("", html)).strip()
