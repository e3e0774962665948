"""Limits of an article, and the character normalisation every input goes through."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "MAX_BYTES",
    "MAX_CHARS",
    "MAX_UNPUNCTUATED_LINE",
    "MIN_LETTERS",
    "ZH_RATIO",
    "normalize_chars",
]

MAX_CHARS = 200_000
"""Longest article accepted, in characters of decoded text (about 100 pages)."""
MAX_UNPUNCTUATED_LINE = 2_000
"""A line this long with no punctuation anywhere cannot be split into sentences."""
MIN_LETTERS = 10
"""Fewer letters than this is not an article (emoji, symbols, a stray number)."""
ZH_RATIO = 0.3
"""Han share of the letters from which a text counts as Chinese. Low on purpose:
one Latin word ("Trapped in the Billionaire's Golden Cage") weighs many letters."""

MAX_BYTES = MAX_CHARS * 4 + 4  # UTF-8 needs at most 4 bytes a character; read no more


# Fullwidth punctuation that Chinese text uses as its own: NFKC would turn it into
# ASCII ("，" → ","), which breaks caption rules and reads worse. Kept as is.
_KEEP_FULLWIDTH = set("！（），：；？［］｛｝～｟｠＂＇．－")
# Emoji and pictographs: removed from otherwise good text (they have no reading).
_EMOJI_RE = re.compile(
    "["
    "\U0001f000-\U0001faff"  # mahjong .. symbols & pictographs ext-A, flags
    "\u2600-\u27bf"  # misc symbols, dingbats
    "\u231a\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa"
    "\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe"
    "\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
    "\ufe0e\ufe0f\u20e3\u200d"  # presentation selectors, keycap, zero-width joiner
    "\U000e0020-\U000e007f"  # tag characters (subdivision flags)
    "]"
)
_ZERO_WIDTH = set("\u200b\u200c\u2060\ufeff\u00ad")
_LINE_BREAKS = {"\u2028": "\n", "\u2029": "\n\n", "\u0085": "\n", "\f": "\n", "\v": "\n"}


def normalize_chars(text: str) -> str:
    """NFC, unified line ends, one kind of space, no emoji, careful NFKC.

    NFKC is applied only to fullwidth letters/digits/symbols, halfwidth CJK forms,
    compatibility ideographs and ligatures — never to Chinese punctuation, "…" or
    superscripts, which NFKC would turn into ASCII or plain digits.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for c in text:
        o = ord(c)
        if c in _LINE_BREAKS:
            out.append(_LINE_BREAKS[c])
        elif c == "\n":
            out.append(c)
        elif c == "\t" or (unicodedata.category(c) == "Zs"):
            out.append(" ")  # NBSP, ideographic space U+3000, thin spaces, tabs
        elif c in _ZERO_WIDTH or _EMOJI_RE.match(c):
            continue
        elif unicodedata.category(c) == "Cc":
            continue  # stray control characters (counted as binary before we get here)
        elif 0xFF00 <= o <= 0xFFEF:
            out.append(c if c in _KEEP_FULLWIDTH else unicodedata.normalize("NFKC", c))
        elif 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F or 0xFB00 <= o <= 0xFB06:
            out.append(unicodedata.normalize("NFKC", c))
        else:
            out.append(c)
    text = "".join(out)
    # "．" and "－" between digits are a decimal point and a minus/range dash.
    text = re.sub(r"(?<=\d)．(?=\d)", ".", text)
    text = re.sub(r"(?<=\d)－(?=\d)", "-", text)
    # Collapse runs of spaces; trim each line (indents, incl. Chinese 　　 indents).
    text = re.sub(r" {2,}", " ", text)
    return "\n".join(line.strip() for line in text.split("\n"))
