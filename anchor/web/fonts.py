"""The pages' Chinese webfont, made from the Noto Sans SC the product already downloads.

A machine without a CJK font shows Chinese as boxes, and the reporters' text is
Chinese. The full font is 8 MB, so the pages get two faces of one family:

- ``cjk-common``: a subset with every character of GB 2312 (the 6,763 hanzi of
  everyday Simplified Chinese) plus CJK punctuation and full-width forms — about a
  quarter of the size, built once per machine into the Anchor cache folder, in the
  background (one build per process at most, however many apps start);
- ``cjk-full``: the whole font, which a browser fetches only if a page has a
  character the subset lacks (``unicode-range`` plus the font fallback list).

Nothing is served, and no @font-face is declared, until the font is on disk
(``anchor models fetch font-cjk``): the page then uses the system's fonts.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from ..modelstore import is_ready, model_path
from ..paths import cache_dir

__all__ = ["WebFonts"]

log = logging.getLogger(__name__)

SOURCE_NAME = "NotoSansSC-Regular.otf"
# Where a browser even considers these faces: CJK punctuation, kana, hanzi, full-width.
UNICODE_RANGE = "U+2E80-2FDF, U+3000-30FF, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FF00-FFEF"


def _common_codepoints() -> list[int]:
    points = set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for cp in range(0x4E00, 0xA000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        points.add(cp)
    return sorted(points)


def find_source() -> Path | None:
    """The downloaded Noto Sans SC, or None when the font model is not fetched."""
    try:
        if not is_ready("font-cjk"):
            return None
        path = model_path("font-cjk") / SOURCE_NAME
    except Exception as exc:  # a broken model store must not take the pages down
        log.warning("CJK webfont unavailable: %s", exc)
        return None
    return path if path.is_file() else None


_builds: dict[Path, threading.Thread] = {}  # target → its builder, process-wide
_builds_lock = threading.Lock()


def _default_cache() -> Path:
    return cache_dir() / "webfonts"


class WebFonts:
    """Builds the subset once (in a thread) and says which faces exist."""

    def __init__(self, cache_dir: Path | None = None, source: Path | None = None) -> None:
        self.cache_dir = cache_dir or _default_cache()
        self.source = source if source is not None else find_source()
        self._target: Path | None = None
        if self.source is not None:
            ext = "woff2" if _has_brotli() else "woff"
            stat = self.source.stat()
            # named by the source's size and time, so a new font is subset again
            self._target = (self.cache_dir /
                            f"cjk-common-{stat.st_size}-{int(stat.st_mtime)}.{ext}")

    @property
    def subset(self) -> Path | None:
        target = self._target
        return target if target is not None and target.is_file() else None

    def start(self) -> None:
        """Begin building the subset if it is missing (returns at once)."""
        if self._target is None or self.subset is not None:
            return
        with _builds_lock:
            if self._target in _builds:
                return
            thread = threading.Thread(target=self._build, name="anchor-webfont", daemon=True)
            _builds[self._target] = thread
            thread.start()

    def wait(self, timeout: float | None = None) -> None:
        thread = _builds.get(self._target) if self._target is not None else None
        if thread is not None:
            thread.join(timeout)

    def _build(self) -> None:
        try:
            from fontTools import subset
        except ImportError:
            log.warning("fontTools missing: serving the full CJK font only")
            return
        assert self.source is not None and self._target is not None
        try:
            options = subset.Options()
            options.flavor = self._target.suffix.lstrip(".")
            options.layout_features = ["*"]
            options.name_IDs = ["*"]
            options.notdef_outline = True
            font = subset.load_font(str(self.source), options)
            sub = subset.Subsetter(options)
            sub.populate(unicodes=_common_codepoints())
            sub.subset(font)
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = self._target.with_suffix(f".{os.getpid()}.part")
            subset.save_font(font, str(tmp), options)
            os.replace(tmp, self._target)
            log.info("CJK webfont subset ready: %s (%d kB)", self._target.name,
                     self._target.stat().st_size // 1000)
        except Exception as exc:
            log.warning("could not subset the CJK webfont (%s): serving the full font", exc)

    def css(self) -> str:
        """@font-face rules for what exists now ("" when no font is on disk)."""
        if self.source is None:
            return ""
        rules = []
        if self.subset is not None:
            fmt = "woff2" if self.subset.suffix == ".woff2" else "woff"
            rules.append(_face("Anchor CJK", f"/fonts/cjk-common.{self.subset.suffix[1:]}",
                               fmt))
        rules.append(_face("Anchor CJK Full", "/fonts/cjk-full.otf", "opentype"))
        return "\n".join(rules) + "\n"


def _face(family: str, url: str, fmt: str) -> str:
    return (f'@font-face {{ font-family: "{family}"; src: local("Noto Sans SC"), '
            f'local("NotoSansSC-Regular"), url("{url}") format("{fmt}"); '
            f"font-display: swap; unicode-range: {UNICODE_RANGE}; }}")


def _has_brotli() -> bool:
    try:
        import brotli  # noqa: F401
    except ImportError:
        return False
    return True
