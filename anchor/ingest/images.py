"""The story's own pictures, found in the article: Markdown images and HTML figures.

- Markdown: ``![caption](photo.jpg "Photo: Jane Doe")`` — the alt text is the caption,
  the title the credit (a leading "Photo:", "Credit:", "图：", "摄影：" is dropped).
- HTML (inside Markdown, or an HTML block): ``<figure><img src="..." alt="...">
  <figcaption>Caption. <span class="credit">Jane Doe</span></figcaption></figure>``, or a
  bare ``<img src alt title>``. A caption ending "Photo: X" / "（摄影：X）" gives the credit.

Paths are relative to the article's folder. Web addresses are left out with one warning:
the default run is offline, and fetching a story page is the URL ingest's work. Whether
a file decodes is judged only when it is put on screen (anchor.render.visuals.picture), so
a bad picture fails alone there.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from anchor.core.values import ArticleImage

__all__ = ["RawImage", "html_images", "markdown_images", "resolve_images", "split_credit"]

log = logging.getLogger(__name__)

_CREDIT_PREFIX = re.compile(
    r"^\s*(?:photo(?:graph)?s?|image|picture|credit|source|courtesy|摄影|攝影|图片|圖片|图|圖|"
    r"来源|來源|供图|供圖)\s*(?:by)?\s*[:：]?\s*", re.I)
# "… Photo: Jane Doe" / "…（摄影：王磊）" at the end of a caption
_CREDIT_TAIL = re.compile(
    r"[\s(（\[]*(?:photo(?:graph)?|image|picture|credit|courtesy|摄影|攝影|图片|圖片|供图)\s*(?:by)?"
    r"\s*[:：/]\s*([^)）\]]{1,80})[)）\]]?\s*$", re.I)
_FIGURE_RE = re.compile(r"<figure\b[^>]*>(.*?)</figure\s*>", re.S | re.I)
_IMG_RE = re.compile(r"<img\b([^>]*)>", re.S | re.I)
_CAPTION_RE = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption\s*>", re.S | re.I)
_CREDIT_SPAN_RE = re.compile(
    r"<(span|small|cite|em)\b[^>]*class=[\"'][^\"']*(?:credit|byline|source)[^\"']*[\"'][^>]*>"
    r"(.*?)</\1\s*>", re.S | re.I)
_ATTR_RE = re.compile(r"([a-zA-Z-]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)")
_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class RawImage:
    """An image as written in the article, before its path is resolved."""

    src: str
    caption: str = ""
    credit: str = ""
    alt: str = ""
    after: str = ""  # the start of the text block before it: where it stands in the story


def split_credit(caption: str) -> tuple[str, str]:
    """("Crowds at the gate. Photo: Jane Doe") → ("Crowds at the gate.", "Jane Doe")."""
    m = _CREDIT_TAIL.search(caption)
    if not m:
        return caption.strip(), ""
    return caption[:m.start()].strip(), m.group(1).strip()


def _credit(text: str) -> str:
    return _CREDIT_PREFIX.sub("", text.strip(), count=1).strip()


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", _TAG_RE.sub(" ", fragment))).strip()


def _attrs(tag: str) -> dict[str, str]:
    return {k.lower(): html.unescape(v.strip("\"'")) for k, v in _ATTR_RE.findall(tag)}


def html_images(fragment: str, after: str = "") -> list[RawImage]:
    """Figures (image, caption, credit) and bare images of an HTML fragment."""
    out: list[RawImage] = []
    rest = fragment
    for fig in _FIGURE_RE.finditer(fragment):
        body = fig.group(1)
        img = _IMG_RE.search(body)
        if img is None:
            continue
        a = _attrs(img.group(1))
        cap_m = _CAPTION_RE.search(body)
        cap_html = cap_m.group(1) if cap_m else ""
        credit = ""
        span = _CREDIT_SPAN_RE.search(cap_html)
        if span:
            credit = _credit(_text(span.group(2)))
            cap_html = cap_html.replace(span.group(0), " ")
        caption, tail = split_credit(_text(cap_html))
        out.append(RawImage(a.get("src", ""), caption or a.get("alt", ""),
                            credit or tail or _credit(a.get("title", "")), a.get("alt", ""),
                            after))
        rest = rest.replace(fig.group(0), " ")
    for img in _IMG_RE.finditer(rest):
        a = _attrs(img.group(1))
        caption, credit = split_credit(a.get("alt", ""))
        out.append(RawImage(a.get("src", ""), caption, _credit(a.get("title", "")) or credit,
                            a.get("alt", ""), after))
    return [r for r in out if r.src]


def markdown_images(tokens: Sequence[object]) -> list[RawImage]:
    """Images of a markdown-it token stream, each with the text block before it."""
    out: list[RawImage] = []
    last = ""
    for tok in tokens:
        kind = getattr(tok, "type", "")
        if kind == "inline":
            text_parts = []
            for child in getattr(tok, "children", None) or ():
                ctype = getattr(child, "type", "")
                if ctype == "image":
                    attrs = dict(getattr(child, "attrs", {}) or {})
                    alt = getattr(child, "content", "") or ""
                    caption, tail = split_credit(alt)
                    title = str(attrs.get("title", "") or "")
                    out.append(RawImage(str(attrs.get("src", "")), caption,
                                        _credit(title) or tail, alt, last))
                elif ctype == "html_inline":
                    out += html_images(getattr(child, "content", ""), last)
                elif ctype == "text":
                    text_parts.append(getattr(child, "content", ""))
            joined = "".join(text_parts).strip()
            if joined:
                last = joined
        elif kind == "html_block":
            content = getattr(tok, "content", "")
            out += html_images(content, last)
            if _text(content):
                last = _text(content)
    return [r for r in out if r.src]


def resolve_images(raw: Sequence[RawImage], base: Path | None,
                   paragraphs: Sequence[str] = ()) -> tuple[ArticleImage, ...]:
    """Paths made absolute (relative to ``base``, the article's folder), each image placed
    at the paragraph holding the text written just before it; web addresses and data URLs
    are left out with one warning each."""
    out: list[ArticleImage] = []
    for r in raw:
        src = r.src.strip()
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//|^(?:https?|data|ftp):", src, re.I):
            log.warning("image %s left out: only files beside the article are read "
                        "(download it next to the article and name the file)", src[:80])
            continue
        path = Path(src).expanduser()
        if not path.is_absolute():
            path = (base or Path.cwd()) / path
        key = re.sub(r"\s+", "", r.after)[:24]
        idx = next((i for i, p in enumerate(paragraphs) if key and key in re.sub(r"\s+", "", p)),
                   -1)
        out.append(ArticleImage(path=path.resolve(), caption=r.caption, credit=r.credit,
                                alt=r.alt, paragraph=idx))
    return tuple(out)
