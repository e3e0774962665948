"""Bad pictures fail alone: each gets one warning and its sentence stays on the presenter."""

from __future__ import annotations

import logging
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from anchor.core.values import ArticleImage, Script, Segment
from anchor.edit.plan import image_shot, plan_edit
from anchor.render.visuals.picture import PictureError, check_picture, load_picture


def _png_header_only(path: Path, w: int, h: int) -> Path:
    """A PNG that claims w x h pixels (a decompression bomb: the header is all it takes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    return path


def _photo(path: Path, w: int = 1600, h: int = 1000, mode: str = "RGB", **kw: object) -> Path:
    rng = np.random.default_rng(1)
    img = Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8))
    img.convert(mode).save(path, **kw)  # type: ignore[arg-type]
    return path


def _bad(tmp: Path) -> dict[str, Path]:
    corrupt = tmp / "corrupt.jpg"
    good = _photo(tmp / "ok.jpg", format="JPEG")
    corrupt.write_bytes(good.read_bytes()[:300])
    gif = tmp / "anim.gif"
    frames = [Image.new("RGB", (900, 600), c) for c in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=100)
    svg = tmp / "chart.svg"
    svg.write_text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="900" '
                   'height="600"><rect width="900" height="600"/></svg>')
    big = tmp / "fifty.bmp"
    # 50 megapixels, written as a bare header + rows of zeros would be 150 MB: a BMP header
    # that says 8660x5780 is what the check reads, and all it needs to refuse
    header = b"BM" + struct.pack("<IHHI", 54, 0, 0, 54) + struct.pack(
        "<IiiHHIIiiII", 40, 8660, 5780, 1, 24, 0, 0, 2835, 2835, 0, 0)
    big.write_bytes(header)
    return {
        "missing": tmp / "nowhere.jpg",
        "corrupt": corrupt,
        "cmyk": _photo(tmp / "cmyk.jpg", mode="CMYK", format="JPEG"),
        "50mp": big,
        "bomb": _png_header_only(tmp / "bomb.png", 30000, 30000),
        "gif": gif,
        "svg": svg,
        "small": _photo(tmp / "small.png", 200, 120),
    }


@pytest.mark.parametrize("case", ["missing", "corrupt", "cmyk", "50mp", "bomb", "gif", "svg"])
def test_a_bad_picture_is_refused_with_a_reason(tmp_path: Path, case: str) -> None:
    path = _bad(tmp_path)[case]
    with pytest.raises(PictureError) as info:
        load_picture(path, 640, 360)
    assert info.value.hint
    assert path.name in info.value.message


def test_a_picture_smaller_than_its_box_is_refused(tmp_path: Path) -> None:
    path = _bad(tmp_path)["small"]
    assert check_picture(path).width == 200  # readable...
    with pytest.raises(PictureError, match="smaller than its"):
        load_picture(path, 640, 360)  # ...but it would be enlarged 3x


def test_a_good_picture_loads_reduced_for_its_box(tmp_path: Path) -> None:
    rgb = load_picture(_photo(tmp_path / "big.jpg", 3200, 2000, format="JPEG"), 640, 360)
    assert rgb.dtype == np.uint8 and rgb.shape[2] == 3
    assert rgb.shape[1] < 3200  # JPEG draft mode decoded it smaller


def test_each_bad_picture_warns_once_and_its_sentence_keeps_the_presenter(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bad = _bad(tmp_path)
    good = _photo(tmp_path / "good.jpg", 2000, 1200, format="JPEG")
    # every picture is about the rocket sentence: only the bad ones keep it off
    caption = "A rocket on its launch pad before lift-off"
    images = [ArticleImage(p, caption) for p in bad.values()] + [ArticleImage(good, caption)]
    n = len(images) + 2
    texts = [(f"第{i}句。", f"Sentence {i} is here.") for i in range(n)]
    texts[1] = ("火箭在发射台上等待升空。", "The rocket stood on its launch pad before lift-off.")
    script = Script("标题", "Title", "en", "Hans",
                    tuple(Segment(i, zh, en) for i, (zh, en) in enumerate(texts)), "test")
    with caplog.at_level(logging.WARNING):
        out = plan_edit(script, images)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == len(bad)  # one line per bad picture, nothing else
    pictures = [s.visual.image for s in out.segments if s.visual is not None]
    assert pictures == [good.resolve()]
    assert all(s.shot == "presenter" for s in out.segments if s.visual is None)


def test_image_shot_by_size(tmp_path: Path) -> None:
    big = ArticleImage(_photo(tmp_path / "a.jpg", 2000, 1200, format="JPEG"))
    mid = ArticleImage(_photo(tmp_path / "b.jpg", 700, 420, format="JPEG"))
    assert image_shot(big, (1920, 1080), (844, 474)) == "full"
    assert image_shot(mid, (1920, 1080), (844, 474)) == "ots"
