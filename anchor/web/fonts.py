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

from anchor.assets.model_store import is_ready, model_path
from anchor.core.paths import cache_dir

__all__ = ["WebFonts"]

log = logging.getLogger(__name__)

SOURCE_NAME = "NotoSansSC-Regular.otf"
# Where a browser even considers the subset: CJK punctuation, kana, hanzi, full-width.
UNICODE_RANGE = "U+2E80-2FDF, U+3000-30FF, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FF00-FFEF"
# The blocks a CJK font may cover, every Han plane included (extensions B to I on planes
# 2 and 3): the full face claims each block where the captions font has a glyph, so the
# page covers what the captions cover.
CJK_BLOCKS = ((0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3100, 0x31FF), (0x3200, 0x33FF),
              (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
              (0xFF00, 0xFFEF), (0x20000, 0x2A6DF), (0x2A700, 0x2EBEF), (0x2EBF0, 0x2EE5F),
              (0x2F800, 0x2FA1F), (0x30000, 0x3134F), (0x31350, 0x323AF))
# Fonts with the rare Han planes (extension B and later), looked for on the server: Noto
# Sans SC has only a few hundred of them, so 𠀀 or 𪚥 would be boxes on a reporter's
# machine without such a font. Debian: apt-get install fonts-hanazono.
EXTB_FONTS = ("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
              "/usr/share/fonts/opentype/hanazono/HanaMinB.otf",
              "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf")
EXTB_RANGE = "U+20000-3FFFF"


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

    def __init__(self, cache_dir: Path | None = None, source: Path | None = None,
                 extb: Path | None = None) -> None:
        self.cache_dir = cache_dir or _default_cache()
        self.source = source if source is not None else find_source()
        self.extb = extb if extb is not None else next(
            (Path(p) for p in EXTB_FONTS if Path(p).is_file()), None)
        self._full_range: str | None = None
        self._target: Path | None = None
        if self.source is not None:
            ext = "woff2" if _has_brotli() else "woff"
            stat = self.source.stat()
            # named by the source's size and time, so a new font is subset again
            self._target = (self.cache_dir /
                            f"cjk-common-{stat.st_size}-{int(stat.st_mtime)}.{ext}")

    @property
    def full_range(self) -> str:
        """unicode-range of the full face: every CJK block its cmap has a glyph in."""
        if self._full_range is None:
            self._full_range = UNICODE_RANGE
            if self.source is not None:
                try:
                    from fontTools.ttLib import TTFont

                    cmap = TTFont(str(self.source), lazy=True).getBestCmap() or {}
                    blocks = [(a, b) for a, b in CJK_BLOCKS
                              if any(a <= cp <= b for cp in cmap)]
                    self._full_range = ", ".join(f"U+{a:X}-{b:X}" for a, b in blocks)
                except Exception as exc:  # fontTools missing or the font unreadable
                    log.warning("CJK webfont: cmap unreadable (%s): common blocks only", exc)
        return self._full_range

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
        rules = []
        if self.source is not None:
            if self.subset is not None:
                fmt = "woff2" if self.subset.suffix == ".woff2" else "woff"
                rules.append(_face("Anchor CJK", f"/fonts/cjk-common.{self.subset.suffix[1:]}",
                                   fmt, UNICODE_RANGE))
            rules.append(_face("Anchor CJK Full", "/fonts/cjk-full.otf", "opentype",
                               self.full_range))
        if self.extb is not None:
            rules.append(_face("Anchor CJK ExtB", "/fonts/cjk-extb" + self.extb.suffix,
                               "truetype" if self.extb.suffix == ".ttf" else "opentype",
                               EXTB_RANGE, local=()))
        return "\n".join(rules) + "\n" if rules else ""

    @property
    def preload(self) -> str:
        """The URL of the face every Chinese page needs, for <link rel=preload>."""
        return f"/fonts/cjk-common{self.subset.suffix}" if self.subset is not None else ""


def _face(family: str, url: str, fmt: str, unicode_range: str,
          local: tuple[str, ...] = ("Noto Sans SC", "NotoSansSC-Regular")) -> str:
    # font-display: block, not swap: on a machine without a CJK font the fallback is a
    # box, so a short blank while the face loads beats a flash of boxes (the job list
    # showed them on its first Chinese title, every time)
    src = ", ".join([*(f'local("{n}")' for n in local), f'url("{url}") format("{fmt}")'])
    return (f'@font-face {{ font-family: "{family}"; src: {src}; '
            f"font-display: block; unicode-range: {unicode_range}; }}")


def _has_brotli() -> bool:
    try:
        import brotli  # noqa: F401
    except ImportError:
        return False
    return True
