#!/usr/bin/env python3
"""Contact sheet of presenter frames: is the mouth open on vowels, shut in pauses,
do the eyes blink, are there seams?

Two sources:

    # straight from the animation (no renderer involved)
    .venv/bin/python scripts/contact_sheet.py --avatar xia --wav speech.wav -o sheet.png
    # with the words and language of a scripts/presenter_metrics.py sample (lip shapes
    # from phonemes, as a real render makes them)
    .venv/bin/python scripts/contact_sheet.py --avatar lin --sample /tmp/pm/en --every
    # consecutive frames from 2.0 s, to watch a blink or a syllable frame by frame
    .venv/bin/python scripts/contact_sheet.py --avatar lin --wav speech.wav --start 2000 --every

    # from a rendered clip: N frames evenly spaced, cropped to the face
    .venv/bin/python scripts/contact_sheet.py --video output/x/zh.mp4 -n 24 -o sheet.png

Each tile is labelled with its time, the mouth shape the lip-sync chose for that
frame (for a video: recomputed from the clip's own audio track) and, from the
animation, the eyelid closure and the head's tilt.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from anchor.core.errors import AnchorError
from anchor.core.timing import frame_at, frame_count, ms_at_frame
from anchor.core.values import Box, Span
from anchor.render.presenter.lipsync import SHAPES, frame_features, mouth_shapes


@dataclass(frozen=True, slots=True)
class Tile:
    image: np.ndarray  # RGB uint8
    label: str


def _times(start_ms: int, end_ms: int, n: int) -> list[int]:
    if n <= 1:
        return [start_ms]
    return [start_ms + (end_ms - start_ms) * i // (n - 1) for i in range(n)]


def _grow(b: Box, frac: float, w: int, h: int) -> Box:
    dx, dy = round(b.w * frac), round(b.h * frac)
    x0, y0 = max(0, b.x - dx), max(0, b.y - dy)
    x1, y1 = min(w, b.x + b.w + dx), min(h, b.y + b.h + dy)
    return Box(x0, y0, x1 - x0, y1 - y0)


# ----------------------------------------------------------------------------- sources


def tiles_from_track(avatar: str, wav: Path, fps: int, size: tuple[int, int], seed: int,
                     n: int, start_ms: int | None, end_ms: int | None,
                     every: bool, words: tuple[Span, ...] = (), language: str = ""
                     ) -> list[Tile]:
    from anchor.assets.avatars import _parse, load_avatar
    from anchor.render.presenter.track import LID_LEVELS, PresenterTrack

    with wave.open(str(wav), "rb") as w:
        duration_ms = w.getnframes() * 1000 // w.getframerate()
    who = _parse(Path(avatar)) if avatar.endswith(".toml") else load_avatar(avatar)
    track = PresenterTrack(who, Box(0, 0, *size), fps, duration_ms, wav, seed, words=words,
                           language=language)
    crop = _grow(track.regions.face, 0.3, *size)
    start = start_ms or 0
    if every:
        frames = [frame_at(start, fps) + i for i in range(n)]
    else:
        end = end_ms if end_ms is not None else duration_ms - 1
        frames = [frame_at(t, fps) for t in _times(start, end, n)]
    tiles = []
    for f in frames:
        if f >= track.n_frames:
            break
        s = track.state(f)
        img = track.frame(f)[crop.y:crop.y + crop.h, crop.x:crop.x + crop.w]
        lid = f"  lid {s.lid}/{LID_LEVELS}" if s.lid else ""
        tilt = f"  tilt {s.roll:+.1f}°" if getattr(s, "roll", 0.0) else ""  # old checkouts: none
        tiles.append(Tile(img, f"{ms_at_frame(f, fps) / 1000:6.2f}s #{f}  {s.shape_name}{lid}"
                               f"{tilt}"))
    return tiles


def _audio_shapes(container_path: Path, fps: int, duration_ms: int) -> np.ndarray | None:
    """Mouth shape per frame from the clip's own audio track (None without audio)."""
    import av

    with av.open(str(container_path)) as c:
        if not c.streams.audio:
            return None
        rate = 24000
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        parts = []
        for frame in c.decode(audio=0):
            for out in resampler.resample(frame):
                parts.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            parts.append(out.to_ndarray().reshape(-1))
    if not parts:
        return None
    samples = np.concatenate(parts).astype(np.float32) / 32768.0
    n = frame_count(duration_ms, fps)
    rms, centroid = frame_features(samples, rate, fps, n)
    return mouth_shapes(rms, centroid, fps)


def _face_box(rgb: np.ndarray, crop: str | None) -> Box:
    h, w = rgb.shape[:2]
    if crop:
        x, y, cw, ch = (int(v) for v in crop.split(","))
        return Box(x, y, cw, ch)
    from anchor.render.presenter.face import detect_regions

    try:
        return _grow(detect_regions(rgb).face, 0.3, w, h)
    except AnchorError:
        print("no face found in the first frame: showing whole frames (use --crop)",
              file=sys.stderr)
        return Box(0, 0, w, h)


def tiles_from_video(video: Path, n: int, start_ms: int | None, end_ms: int | None,
                     crop: str | None) -> list[Tile]:
    import av

    with av.open(str(video)) as c:
        stream = c.streams.video[0]
        fps = round(float(stream.average_rate or 25))
        duration_ms = int((c.duration or 0) / 1000) or int(
            float(stream.duration * stream.time_base) * 1000)
        wanted = _times(start_ms or 0, end_ms if end_ms is not None else duration_ms - 1000 // fps,
                        n)
        targets = sorted({frame_at(t, fps) for t in wanted})
        frames: dict[int, np.ndarray] = {}
        # Decode straight through: seeking to every target costs more for short clips
        # and lands on keyframes; a news clip of a minute decodes in seconds.
        for i, frame in enumerate(c.decode(video=0)):
            if i in targets:
                frames[i] = frame.to_ndarray(format="rgb24")
            if i >= targets[-1]:
                break
    shapes = _audio_shapes(video, fps, duration_ms)
    box = _face_box(frames[targets[0]], crop)
    tiles = []
    for i in targets:
        if i not in frames:
            continue
        img = frames[i][box.y:box.y + box.h, box.x:box.x + box.w]
        shape = SHAPES[int(shapes[i])] if shapes is not None and i < len(shapes) else "?"
        tiles.append(Tile(img, f"{ms_at_frame(i, fps) / 1000:6.2f}s #{i}  {shape}"))
    return tiles


# ----------------------------------------------------------------------------- sheet


def sheet(tiles: list[Tile], cols: int, tile_w: int) -> Image.Image:
    if not tiles:
        raise SystemExit("no frames to show")
    h0, w0 = tiles[0].image.shape[:2]
    tile_h = round(tile_w * h0 / w0)
    label_h = 20
    rows = -(-len(tiles) // cols)
    out = Image.new("RGB", (cols * tile_w, rows * (tile_h + label_h)), (24, 24, 28))
    draw = ImageDraw.Draw(out)
    font = ImageFont.load_default(size=13)
    for i, t in enumerate(tiles):
        x, y = (i % cols) * tile_w, (i // cols) * (tile_h + label_h)
        im = Image.fromarray(t.image).resize((tile_w, tile_h), Image.LANCZOS)
        out.paste(im, (x, y + label_h))
        draw.text((x + 4, y + 3), t.label, fill=(235, 235, 235), font=font)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="Contact sheet of presenter frames.")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--video", type=Path, help="rendered mp4 to sample")
    src.add_argument("--avatar", help="avatar name or TOML path: animate it directly "
                                      "(needs --wav or --sample)")
    ap.add_argument("--wav", type=Path, help="voice track for --avatar")
    ap.add_argument("--sample", type=Path,
                    help="a presenter_metrics.py sample folder: its speech.wav, words, language")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--size", default="820x1080", help="presenter box WxH for --avatar")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-n", type=int, default=24, help="how many frames")
    ap.add_argument("--start", type=int, default=None, help="first time, ms")
    ap.add_argument("--end", type=int, default=None, help="last time, ms")
    ap.add_argument("--every", action="store_true", help="consecutive frames from --start")
    ap.add_argument("--crop", help="x,y,w,h of the face in video frames (default: detect)")
    ap.add_argument("--cols", type=int, default=6)
    ap.add_argument("--tile", type=int, default=240, help="tile width in pixels")
    ap.add_argument("-o", "--out", type=Path,
                    default=Path(tempfile.gettempdir()) / "contact_sheet.png")
    args = ap.parse_args()
    try:
        if args.video:
            tiles = tiles_from_video(args.video, args.n, args.start, args.end, args.crop)
        else:
            words: tuple[Span, ...] = ()
            language = ""
            if args.sample:
                import json

                data = json.loads((args.sample / "sample.json").read_text(encoding="utf-8"))
                words = tuple(Span(a, b, t) for a, b, t in data["words"])
                language, args.wav = data["lang"], args.sample / "speech.wav"
            if not args.wav:
                ap.error("--avatar needs --wav or --sample")
            w, h = (int(v) for v in args.size.lower().split("x"))
            tiles = tiles_from_track(args.avatar, args.wav, args.fps, (w, h), args.seed,
                                     args.n, args.start, args.end, args.every, words, language)
    except AnchorError as exc:
        hint = f"\nhint: {exc.hint}" if exc.hint else ""
        raise SystemExit(f"error: {exc.message}{hint}") from None
    img = sheet(tiles, args.cols, args.tile)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    img.save(args.out)
    print(args.out)


if __name__ == "__main__":
    main()
