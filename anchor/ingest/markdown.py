"""Markdown articles: the plain text and the title."""

from __future__ import annotations

import re

__all__ = ["from_markdown"]

_MD_ESCAPABLE = "\\`*_{}[]()#+-.!|>~"


def from_markdown(text: str) -> tuple[str | None, str]:
    """Plain text of a Markdown article; the first heading (or front-matter title) as title."""
    title: str | None = None
    fm = re.match(r"---\n(.*?)\n(?:---|\.\.\.)\n", text, re.S)
    if fm:
        m = re.search(r"^title:\s*(.+?)\s*$", fm.group(1), re.M)
        if m:
            title = m.group(1).strip("'\"")
        text = text[fm.end() :]
    # Hide escaped characters from the emphasis and link rules, restore them at the end.
    text = re.sub(
        r"\\([" + re.escape(_MD_ESCAPABLE) + "])", lambda m: chr(0xE000 + ord(m.group(1))), text
    )
    text = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.S | re.M)  # fenced code
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"</?[A-Za-z][^>\n]*>", "", text)  # inline HTML tags (their text stays)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]", "", text)  # images
    text = re.sub(r"\[\^[^\]]+\]:.*$|\[\^[^\]]+\]", "", text, flags=re.M)  # footnotes
    text = re.sub(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", "", text, flags=re.M)  # link definitions
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url)
    text = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", text)  # [text][ref]
    text = re.sub(r"<((?:https?|mailto):[^>\s]+)>", r"\1", text)  # autolinks
    out: list[str] = []
    first_block = True
    for raw in text.split("\n"):
        line = raw.strip()
        if re.fullmatch(r"(?:[-*_]\s*){3,}", line) and not (out and out[-1] and line[0] == "-"):
            out.append("")  # horizontal rule ("---" under text is a setext heading instead)
            continue
        if re.fullmatch(r"=+|-+", line) and out and out[-1]:
            heading = out.pop()  # setext heading: the line above was it
            if first_block and title is None and not any(out):
                title = heading
            else:
                out += ["", heading, ""]
            first_block = False
            continue
        m = re.match(r"#{1,6}\s+(.*?)(?:\s+#+)?\s*$", line)
        if m:
            if first_block and title is None and not any(out):
                title = m.group(1)
            else:
                out += ["", m.group(1), ""]
            first_block = False
            continue
        if re.fullmatch(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?", line):
            continue  # table separator row
        if line.startswith("|") and line.endswith("|"):
            line = " ".join(c.strip() for c in line.strip("|").split("|") if c.strip())
        line = re.sub(r"^(?:>\s?)+", "", line)  # block quotes
        item = re.match(r"(?:[-*+]|\d{1,3}[.)])\s+(.*)", line)
        if item:
            out += ["", item.group(1), ""]  # each list item its own paragraph
            first_block = False
            continue
        out.append(line)
        if line:
            first_block = False
    body = "\n".join(out)
    body = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", body)  # strong
    body = re.sub(r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)", r"\1", body)  # emphasis
    body = re.sub(r"(?<![A-Za-z0-9_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![A-Za-z0-9_])", r"\1", body)
    body = re.sub(r"~~(.+?)~~", r"\1", body)
    body = re.sub(r"`+([^`\n]*)`+", r"\1", body)
    restore = {0xE000 + ord(c): c for c in _MD_ESCAPABLE}
    body = body.translate(restore)
    if title is not None:
        title = _from_markdown_inline(title).translate(restore)
    return title, re.sub(r"\n{3,}", "\n\n", body)


def _from_markdown_inline(s: str) -> str:
    s = re.sub(r"(\*\*|__|\*|_|~~|`)(.+?)\1", r"\2", s)
    return s.strip()
