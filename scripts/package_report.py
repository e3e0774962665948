#!/usr/bin/env python3
"""Look at a rendered package: one frame per shot, the presenter's silhouette at 2x,
the share of screen time on a story visual, and the halo at the matte's edge.

    .venv/bin/python scripts/package_report.py output/festival/<slug> -o /work/team/shots/20

For each clip (zh.mp4, en.mp4, bilingual.mp4) of the folder:

- ``sheet-<clip>.png``: a contact sheet, one frame from the middle of each cut, labelled
  with the sentence, its shot and its visual;
- ``edge-<clip>.png``: 2x crops of the presenter's silhouette on the set (hair, shoulder);
- the share of the clip's time on a visual (pictures, charts, quote cards), from the cuts
  of script.json on the clip's own sentence timings (goal >= 40 % for a story with two
  or more pictures or a figure comparison);
- the halo: in the 4 px just outside the person (matte under 0.05), above the lower
  third, the mean absolute difference in 8-bit levels between the rendered frame and the
  set alone (with the person's soft shadow, which is meant to be there). The old backdrop
  leaking through shows as a large difference; encoding noise alone is a level or two.
  Printed beside the same figure for two cruder cut-outs composed here (not rendered):
  the segmentation mask as it comes, and
  the ``anchor avatars add --backdrop`` cut (mask sharpened and blurred, no colour clean-up).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from anchor.compose.spec import cuts_of
from anchor.core.settings import load_settings
from anchor.core.values import Script, Span, from_dict


def _frames(video: Path, times_ms: list[int]) -> tuple[dict[int, np.ndarray], float, int]:
    import av

    with av.open(str(video)) as c:
        stream = c.streams.video[0]
        fps = float(stream.average_rate or 30)
        wanted = {round(t * fps / 1000): t for t in times_ms}
        out: dict[int, np.ndarray] = {}
        last = max(wanted)
        for i, frame in enumerate(c.decode(video=0)):
            if i in wanted:
                out[wanted[i]] = frame.to_ndarray(format="rgb24")
            if i >= last:
                break
        duration = int((c.duration or 0) / 1000)
    return out, fps, duration


def _label(img: Image.Image, text: str) -> Image.Image:
    out = Image.new("RGB", (img.width, img.height + 26), (24, 24, 28))
    out.paste(img, (0, 26))
    ImageDraw.Draw(out).text((6, 5), text, fill=(235, 235, 235),
                             font=ImageFont.load_default(size=15))
    return out


def sheet(video: Path, script: Script, spans: tuple[Span, ...], lang: str, out: Path,
          tile_w: int) -> float:
    cuts = cuts_of(script, spans, "zh" if lang == "zh" else "en")
    mids = [(c.start_ms + c.end_ms) // 2 for c in cuts]
    frames, _fps, duration = _frames(video, mids)
    tiles = []
    for k, (c, t) in enumerate(zip(cuts, mids, strict=True)):
        if t not in frames:
            continue
        img = Image.fromarray(frames[t])
        img = img.resize((tile_w, round(tile_w * img.height / img.width)), Image.LANCZOS)
        what = c.visual.kind if c.visual is not None else "-"
        tiles.append(_label(img, f"{k + 1}. {t / 1000:.1f}s  {c.shot} / {what}"))
    cols = min(3, len(tiles))
    rows = -(-len(tiles) // cols)
    w, h = tiles[0].size
    board = Image.new("RGB", (cols * w, rows * h), (24, 24, 28))
    for k, tile in enumerate(tiles):
        board.paste(tile, ((k % cols) * w, (k // cols) * h))
    board.save(out)
    on_visual = sum(c.end_ms - c.start_ms for c in cuts
                    if c.visual is not None and c.shot in ("ots", "full"))
    return on_visual / max(1, duration)


def _band_diff(frame: np.ndarray, set_rgb: np.ndarray, alpha: np.ndarray, rows: int,
               first: int = 0) -> float:
    """Mean |frame - set| over the 4 px just outside the person (where the matte is under
    0.05 and the person within 4 px), in rows ``first`` to ``rows`` (under a headline band
    drawn above her in 9:16, above the lower third)."""
    import cv2

    person = (alpha > 0.5).astype(np.uint8)
    near = cv2.dilate(person, np.ones((9, 9), np.uint8)) > 0
    band = near & (alpha < 0.05)
    band[rows:] = False
    band[:first] = False
    d = np.abs(frame.astype(np.float32) - set_rgb.astype(np.float32)).mean(axis=2)
    return float(d[band].mean()) if band.any() else float("nan")


def halo(video: Path, at_ms: int, aspect: str, brand: str, avatar: str, edge_out: Path
         ) -> dict[str, float]:
    import cv2

    from anchor.assets.avatars import load_avatar
    from anchor.assets.brands import load_brand
    from anchor.render.graphics.layout import studio_layout
    from anchor.render.presenter.face import read_rgb
    from anchor.render.presenter.matte import composite_on_set, segment_person, shadowed
    from anchor.render.presenter.studio import presenter_on_set, studio_set

    settings = load_settings(None, {"aspect": aspect, "brand": brand}, env={})
    w, h = settings.size
    layout = studio_layout(w, h)
    branding = load_brand(brand)
    set_rgb = studio_set(w, h, branding, layout, 0)
    av_ = load_avatar(avatar)
    p, _composed, _regions, alpha = presenter_on_set(av_, layout, set_rgb)
    assert alpha is not None, "no matte: mediapipe is not installed"
    frames, _fps, _d = _frames(video, [at_ms])
    frame = frames[at_ms]
    b = p.box
    sub_frame = frame[b.y:b.y + b.h, b.x:b.x + b.w]
    sub_set = set_rgb[b.y:b.y + b.h, b.x:b.x + b.w]
    rows = max(1, layout.name_plate.y - b.y)  # above the lower third's name tab
    # 9:16 runs the headline across the top, over the set above her head: not the edge
    first = max(0, layout.headline.y + layout.headline.h - b.y) \
        if layout.headline.y < layout.name_plate.y else 0
    ideal = np.clip(shadowed(sub_set.astype(np.float32), alpha) + 0.5, 0, 255).astype(np.uint8)
    result = {"rendered": _band_diff(sub_frame, ideal, alpha, rows, first)}
    # cruder cut-outs of the same photo, composed here for comparison
    rgb = read_rgb(av_.image)
    raw = segment_person(rgb)
    assert raw is not None
    m = np.array([[p.scale, 0, p.offset[0] - b.x], [0, p.scale, p.offset[1] - b.y]], np.float32)
    photo = cv2.warpAffine(rgb, m, (b.w, b.h), flags=cv2.INTER_LANCZOS4,
                           borderMode=cv2.BORDER_REPLICATE)
    raw_a = np.clip(cv2.warpAffine(raw, m, (b.w, b.h), flags=cv2.INTER_LINEAR), 0, 1)
    plain = (sub_set * (1 - raw_a[..., None]) + photo * raw_a[..., None]).astype(np.uint8)
    result["raw mask"] = _band_diff(plain, sub_set, alpha, rows, first)
    add = np.clip((raw_a - 0.3) / 0.4, 0, 1)
    add = cv2.GaussianBlur(add, (0, 0), 1.0)
    old = (sub_set * (1 - add[..., None]) + photo * add[..., None]).astype(np.uint8)
    result["avatars add --backdrop"] = _band_diff(old, sub_set, alpha, rows, first)
    result["refined, composed here"] = _band_diff(composite_on_set(photo, alpha, sub_set),
                                                  ideal, alpha, rows, first)
    # 2x crops: the top of the head and a shoulder, rendered beside the raw-mask cut
    ys, xs = np.nonzero(alpha > 0.5)
    top_y, top_x = int(ys.min()), int(xs[ys == ys.min()].mean())
    side_y = int(b.h * 0.55)
    row = np.flatnonzero(alpha[side_y] > 0.5)
    crops = []
    for cy, cx in ((top_y + 30, top_x), (side_y, int(row[0]) if row.size else b.w // 4)):
        y0, x0 = max(0, cy - 60), max(0, cx - 90)
        for img, name in ((sub_frame, "rendered"), (plain, "raw mask")):
            crop = Image.fromarray(np.ascontiguousarray(img[y0:y0 + 120, x0:x0 + 180]))
            crops.append(_label(crop.resize((360, 240), Image.NEAREST), f"{name} 2x"))
    board = Image.new("RGB", (720, 2 * 266))
    for k, c in enumerate(crops):
        board.paste(c, ((k % 2) * 360, (k // 2) * 266))
    board.save(edge_out)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("-o", "--out", type=Path, required=True)
    ap.add_argument("--tile", type=int, default=560)
    ap.add_argument("--brand", help="the render's brand (default: the manifest's)")
    ap.add_argument("--avatar", help="the render's presenter (default: the manifest's)")
    args = ap.parse_args()
    data = json.loads((args.folder / "script.json").read_text("utf-8"))
    manifest = json.loads((args.folder / "manifest.json").read_text("utf-8"))
    script = from_dict(Script, data["script"])
    # the halo is measured against the presenter and set the clip was rendered with
    used = manifest.get("settings", {})
    brand = args.brand or used.get("brand", "default")
    avatar = args.avatar or used.get("avatar", "xia")
    args.out.mkdir(parents=True, exist_ok=True)
    tag = args.folder.name[:24]
    for label in ("zh", "en", "bilingual"):
        video = args.folder / f"{label}.mp4"
        if not video.is_file():
            continue
        spoken = "zh" if label == "bilingual" else label
        spans = tuple(from_dict(Span, s) for s in data["timings"][spoken])
        w, h = manifest["clips"][label]["width"], manifest["clips"][label]["height"]
        aspect = "16:9" if w > h else ("9:16" if h > w else "1:1")
        name = f"{tag}-{aspect.replace(':', 'x')}-{label}"
        share = sheet(video, script, spans, label, args.out / f"sheet-{name}.png",
                      args.tile if w > h else args.tile // 2)
        print(f"{label:<9} {aspect:<5} visual on screen {share:.0%} of the clip "
              f"(goal >= 40 %)  sheet: {args.out / f'sheet-{name}.png'}")
        if label == "en":
            at = (spans[0].start_ms + spans[0].end_ms) // 2
            res = halo(video, at, aspect, brand, avatar,
                       args.out / f"edge-{name}.png")
            print("  halo (mean |frame - set| in the band just outside the person, levels):")
            for k, v in res.items():
                print(f"    {k:<24} {v:5.1f}")


if __name__ == "__main__":
    main()
