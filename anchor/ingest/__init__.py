"""Ingest: bytes or text of a news article in, a clean :class:`Article` out.

The stage reads ``.txt``, ``.md``, ``.json`` and stdin, works out the encoding
(UTF-8/16, GB18030, Big5, then whatever charset-normalizer finds), strips what a
newspaper page or a web page adds around the story (page numbers, bylines, photo
captions, editor lines, navigation), mends paragraphs cut by a page break, and
detects the language (zh/en) and the Chinese script (Hans/Hant).

Everything it rejects raises :class:`InputError` with a one-line message and a hint.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from anchor.core.errors import InputError
from anchor.core.values import Article, ArticleImage

from .chars import (
    MAX_BYTES,
    MAX_CHARS,
    MAX_UNPUNCTUATED_LINE,
    MIN_LETTERS,
    ZH_RATIO,
    normalize_chars,
)
from .cleanup import clean_paragraphs
from .decode import check_text, decode_bytes
from .detect import detect_language, detect_variant
from .formats import SUFFIX_FORMATS, from_json, sniff_format
from .images import RawImage, resolve_images
from .markdown import from_markdown, markdown_pictures
from .titles import pick_title

__all__ = [
    "MAX_CHARS",
    "MAX_UNPUNCTUATED_LINE",
    "MIN_LETTERS",
    "ZH_RATIO",
    "clean_paragraphs",
    "decode_bytes",
    "detect_language",
    "detect_variant",
    "ingest",
    "read_article",
]

log = logging.getLogger(__name__)


def ingest(
    source: str | Path | bytes, *, title: str | None = None, name: str = "inline",
    images: Sequence[ArticleImage] = (), base: Path | None = None,
) -> Article:
    """Turn article text, bytes or a file into a cleaned :class:`Article`.

    ``str`` is the article's text, ``bytes`` its encoded text (stdin), a ``Path`` a
    .txt/.md/.json file. ``title`` overrides the one found in the text; ``name`` is
    what ``Article.source`` says for text and bytes. ``images`` (a web upload, a batch
    manifest's column) come after the pictures the article names itself; relative image
    paths are read from ``base`` (the article's folder; the current one for text).
    """
    fmt: str | None = None
    if isinstance(source, Path):
        base = base or source.parent
        data = _read_path(source)
        fmt = SUFFIX_FORMATS.get(source.suffix.lower())
        name = str(source)
        source = data
    if isinstance(source, bytes):
        if len(source) > MAX_BYTES:
            raise InputError(
                f"The article is too long: {len(source):,} bytes (the limit is {MAX_CHARS:,} "
                "characters).",
                hint="Split it into several articles, or pass a summary of it.",
            )
        if not source.strip():
            check_text("")
        text, encoding = decode_bytes(source)
        log.debug("ingest %s: decoded as %s", name, encoding)
    else:
        text = source
    check_text(text)
    fmt = fmt or sniff_format(text)
    found_title: str | None = None
    raw_images: list[RawImage] = []
    if fmt == "json":
        found_title, text = from_json(text, name)
        check_text(text)
    elif fmt == "md":
        raw_images = markdown_pictures(text)
        found_title, text = from_markdown(text)

    body = normalize_chars(text)
    head = normalize_chars(title if title is not None else found_title or "").replace("\n", " ")
    language = detect_language(head + "\n" + body)
    paras, removed = clean_paragraphs(body, language, markdown=fmt == "md")
    if not paras:
        raise InputError(
            "Nothing is left of the article after removing page numbers, bylines and captions.",
            hint="Check that the file holds the article's body, not only its page furniture.",
        )
    _check_sentences(paras)
    para_list = list(paras)
    if head.strip():
        head = head.strip()
        if len(para_list) > 1 and para_list[0] == head:
            para_list.pop(0)  # the body repeats its title as first line
    else:
        head = pick_title(para_list, language)
    text_out = "\n".join(para_list)
    variant = detect_variant(head + text_out) if language == "zh" else ""
    digest = hashlib.sha256(f"{head}\n\n{text_out}".encode()).hexdigest()
    if removed:
        log.info("ingest %s: removed %d noise line(s)", name, len(removed))
    found = resolve_images(raw_images, base, para_list)
    return Article(
        title=head,
        paragraphs=tuple(para_list),
        language=language,
        variant=variant,
        source=name,
        sha256=digest,
        images=(*found, *images),
    )


def _check_sentences(paras: Iterable[str]) -> None:
    paras = list(paras)
    if any(re.search(r"[。！？!?.,，;；:：、]", p) for p in paras):
        return
    longest = max(len(p) for p in paras)
    if longest > MAX_UNPUNCTUATED_LINE:
        raise InputError(
            f"The article has no sentences: a line of {longest:,} characters without any "
            "punctuation.",
            hint="Add sentence punctuation (or at least line breaks) so it can be read aloud "
            "sentence by sentence.",
        )


def _read_path(path: Path) -> bytes:
    if path.is_dir():
        raise InputError(
            f"{path} is a folder, not an article file.",
            hint="Pass one .txt, .md or .json file (use `anchor batch` for a folder).",
        )
    if not path.exists():
        raise InputError(
            f"Article file not found: {path.name} (in {path.parent})",
            hint="Check the path, or pass - to read stdin.",
        )
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(
            f"The article is too long: {path} has {size:,} bytes (the limit is {MAX_CHARS:,} "
            "characters).",
            hint="Split it into several articles, or pass a summary of it.",
        )
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"Cannot read {path}: {e.strerror}.", hint="Check its permissions.") from e


def read_article(path_or_dash: str) -> Article:
    """Read an article from a .txt/.md/.json file, or from stdin when given ``-``."""
    if path_or_dash == "-":
        return ingest(sys.stdin.buffer.read(), name="-")
    return ingest(Path(path_or_dash).expanduser())
