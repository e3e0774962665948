"""Bytes to text: BOM, UTF-8/16, GB18030, Big5, then charset-normalizer; binary refused."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from functools import lru_cache

from anchor.core.errors import InputError
from anchor.language.text import HAN, is_han, jieba, to_simplified

from .chars import MAX_CHARS

__all__ = ["check_text", "decode_bytes"]

_MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (Word .docx, .odt?)"),
    (b"\xd0\xcf\x11\xe0", "an old Word/Office file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF file"),
)
_BINARY_HINT = "Save the article as plain text (.txt, UTF-8) or Markdown, then try again."


def _binary_error(what: str) -> InputError:
    return InputError(f"The article is binary, not text: {what}.", hint=_BINARY_HINT)


@lru_cache(maxsize=1)
def _common_han() -> frozenset[str]:
    """The ~9,000 most used Han characters: GB2312 level 1+2 and Big5 frequent.

    Bytes of one Chinese encoding read as the other mostly decode without error
    but give rare characters, kana or symbols; the share of common ones tells them apart.
    """
    chars: set[str] = set()
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("gb2312"))
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("big5"))
    return frozenset(c for c in chars if is_han(c))


def _jieba_freq() -> dict[str, int]:
    freq: dict[str, int] = jieba().dt.FREQ
    return freq


def _chinese_score(text: str) -> float:
    """How much a decoding looks like Chinese: common-Han share plus a word check.

    The word check counts adjacent Han pairs that are jieba dictionary words (after
    t2s), which separates "國際傳播" from its GB18030 misreading "瓣悔肚冀" even
    where both are common characters.
    """
    non_ascii = [c for c in text if ord(c) > 0x7F]
    if not non_ascii:
        return 0.0
    common = _common_han()
    good = sum(
        1
        for c in non_ascii
        if c in common
        or 0x3000 <= ord(c) <= 0x303F
        or 0xFF00 <= ord(c) <= 0xFFEF
        or c in "…—–“”‘’·•"
    )
    han_runs = re.findall(f"[{HAN}]{{2,}}", to_simplified(text[:4000]))
    pairs = [run[i : i + 2] for run in han_runs for i in range(len(run) - 1)]
    freq = _jieba_freq()
    words = sum(1 for p in pairs if freq.get(p, 0) > 0) / len(pairs) if pairs else 0.0
    return good / len(non_ascii) + words


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode an article's bytes; return (text, encoding name).

    BOMs first (UTF-8, UTF-16, UTF-32), then strict UTF-8, then GB18030 and Big5
    (the one whose result looks more like Chinese), then charset-normalizer.
    Raises InputError for NUL bytes, known binary formats and undecodable bytes.
    """
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _binary_error(what)
    for bom, enc in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                what = f"it starts with a {enc} mark but does not decode ({e.reason})"
                raise _binary_error(what) from None
    if b"\x00" in data:
        raise InputError(
            "The article is binary, not text: it contains NUL bytes.",
            hint=_BINARY_HINT + " UTF-16 text needs a byte-order mark.",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Chinese legacy encodings before charset-normalizer: it often calls short GB or
    # Big5 text "big5"/"shift_jis" the wrong way round (tested: "中文" in GB → "笢恅").
    candidates: list[tuple[float, str, str]] = []
    for enc in ("gb18030", "big5", "cp950"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "cp950" and any(e == "big5" for _, e, _ in candidates):
            continue  # cp950 is Big5 plus a few symbols: only needed when big5 fails
        candidates.append((_chinese_score(text), "big5" if enc == "cp950" else enc, text))
    if candidates:
        score, enc, text = max(candidates, key=lambda c: c[0])
        if score >= 1.0:  # mostly common Han, or common enough and real words
            return text, enc
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise _binary_error("its bytes match no text encoding")
    return str(best), best.encoding


def check_text(text: str) -> None:
    """Reject text that is empty, binary-looking or too long (before any cleaning)."""
    if not text.strip():
        raise InputError(
            "The article is empty.", hint="Give a file or text with the article's title and body."
        )
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f\v")
    if "\x00" in text or controls > max(3, len(text) // 100):
        raise _binary_error(f"{controls} control characters")
    if len(text) > MAX_CHARS:
        raise InputError(
            f"The article is too long: {len(text):,} characters (the limit is {MAX_CHARS:,}).",
            hint="Split it into several articles, or pass a summary of it.",
        )
