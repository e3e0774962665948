"""The studio: the brand's set, and the presenter cut out and standing on it.

The set is the brand's own image (``[studio] image`` in brand.toml, scaled to cover the
frame) or one generated from its colours: a deep gradient, big screens and light panels
far behind, out of focus (blurred as a long lens would), a key light behind the
presenter, and a desk across the bottom that the presenter stands behind.

The presenter is framed as a medium close-up (``Layout.face_px``, the face centre at
``face_x``/``face_y``) without enlarging the photo past ``MAX_FACE_UPSCALE``: a small photo
makes a smaller presenter and one warning, never a blur. The photo is scaled once into its
box, matted (anchor.render.presenter.matte) and laid on the set there; the presenter animation then
moves that picture, so the set behind a nodding head moves a pixel with it, which the
blurred set hides.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import cv2
import numpy as np

from anchor.core.values import Avatar, Box, Branding, RenderSpec
from anchor.render.graphics.layout import Layout
from anchor.render.graphics.lettering import hex_rgb

from .face import FaceRegions, find_face, read_rgb, scale_regions
from .matte import composite_on_set, photo_matte
from .track import PresenterTrack

__all__ = ["MAX_FACE_UPSCALE", "Placement", "desk_top", "head_top", "inset_track",
           "place_presenter", "presenter_on_set", "studio_box", "studio_set", "studio_track"]

log = logging.getLogger(__name__)

MAX_FACE_UPSCALE = 1.5  # past this a photo's face goes soft on screen
_warned: set[str] = set()


def desk_top(layout: Layout) -> int:
    """Where the desk's top edge runs: the presenter is cut there, under the lower third."""
    return layout.presenter_bottom


def _panel(mask: np.ndarray, x0: float, y0: float, x1: float, y1: float, v: float) -> None:
    h, w = mask.shape
    mask[int(y0 * h):int(y1 * h), int(x0 * w):int(x1 * w)] = v


def studio_set(width: int, height: int, branding: Branding, layout: Layout,
               seed: int = 0) -> np.ndarray:
    """The set behind the presenter, RGB uint8 (width x height)."""
    if branding.studio_image is not None:
        return _image_set(branding, width, height, layout)
    top = np.array(hex_rgb(branding.background_top), np.float32)
    bottom = np.array(hex_rgb(branding.background_bottom), np.float32)
    primary = np.array(hex_rgb(branding.primary), np.float32)
    accent = np.array(hex_rgb(branding.accent), np.float32)
    # everything behind is soft: drawn small, blurred, scaled up (4K costs no more)
    s = max(1, min(width, height) // 360)
    lw, lh = max(16, width // s), max(16, height // s)
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    yn, xn = (yy + 0.5) / lh, (xx + 0.5) / lw
    t = yn ** 1.2
    img = top * (1 - t[..., None]) + bottom * t[..., None]
    img *= 0.8
    # far wall: large screens in the primary colour, light columns in the accent
    screens = np.zeros((lh, lw), np.float32)
    columns = np.zeros((lh, lw), np.float32)
    if width >= height:
        for x0 in (0.42, 0.62, 0.82):
            _panel(screens, x0, 0.12, x0 + 0.16, 0.58, 1.0)
        for x0 in (0.04, 0.36, 0.985):
            _panel(columns, x0, 0.0, x0 + 0.018, 0.8, 1.0)
    else:
        for y0 in (0.08, 0.30):
            _panel(screens, 0.08, y0, 0.92, y0 + 0.18, 1.0)
        for x0 in (0.03, 0.955):
            _panel(columns, x0, 0.0, x0 + 0.02, 0.8, 1.0)
    rng = np.random.default_rng([seed, 7])
    pattern = cv2.resize(rng.uniform(0.6, 1.0, (6, 10)).astype(np.float32), (lw, lh),
                         interpolation=cv2.INTER_LINEAR)
    blur = max(2.0, lw / 90)
    screens = np.asarray(cv2.GaussianBlur(screens * pattern, (0, 0), blur), np.float32)
    columns = np.asarray(cv2.GaussianBlur(columns, (0, 0), blur * 0.8), np.float32)
    img += screens[..., None] * 0.55 * (primary * 1.6 - img).clip(-255, 255) * 0.6
    img += columns[..., None] * 0.45 * (accent - img)
    # bokeh: a few soft discs of light far behind
    bokeh = np.zeros((lh, lw), np.float32)
    for _ in range(14):
        cx, cy = rng.uniform(0.35, 1.0) * lw, rng.uniform(0.05, 0.6) * lh
        cv2.circle(bokeh, (int(cx), int(cy)), int(rng.uniform(0.01, 0.025) * lw),
                   float(rng.uniform(0.3, 1.0)), -1, cv2.LINE_AA)
    bokeh = np.asarray(cv2.GaussianBlur(bokeh, (0, 0), blur * 0.6), np.float32)
    img += bokeh[..., None] * 0.25 * (255 - img)
    # key light behind the presenter's head
    aspect = width / height
    d2 = ((xn - layout.face_x) * aspect) ** 2 + (yn - layout.face_y) ** 2
    img += np.exp(-d2 / (2 * 0.20**2))[..., None] * 0.30 * (235 - img)
    # vignette
    r2 = ((xn - 0.5) * min(aspect, 1.6)) ** 2 + (yn - 0.45) ** 2
    img *= (1 - 0.45 * np.clip(r2, 0, 1))[..., None]
    full = cv2.resize(img, (width, height), interpolation=cv2.INTER_CUBIC)
    _desk(full, layout, primary, accent)
    full += rng.uniform(-0.5, 0.5, size=(height, width, 1)).astype(np.float32)  # no banding
    return np.clip(full + 0.5, 0, 255).astype(np.uint8)


def _desk(img: np.ndarray, layout: Layout, primary: np.ndarray, accent: np.ndarray) -> None:
    """The desk's front from ``desk_top`` down: lit along its top edge, glossy where the
    key light behind her falls on it, darker towards the floor (in 9:16 the apps draw
    their own text over its lower part, so it carries no text, but reads as a desk)."""
    h, w = img.shape[:2]
    y0 = desk_top(layout)
    if y0 >= h:
        return
    n = h - y0
    rows = np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None, None]
    front = primary * (0.55 - 0.30 * rows) + 14.0
    # a soft reflection of the light under the presenter
    xs = (np.arange(w, dtype=np.float32) / w - layout.face_x)[None, :, None]
    ys = np.arange(n, dtype=np.float32)[:, None, None] / h
    gloss = np.exp(-(xs / 0.28) ** 2) * np.exp(-ys / 0.10)
    img[y0:] = front + gloss * 0.35 * (235 - front)
    line = max(2, round(0.004 * h))
    img[y0:y0 + line] = accent * 0.9 + 25
    glow = np.exp(-np.arange(min(n - line, 6 * line), dtype=np.float32) / (1.5 * line))
    img[y0 + line:y0 + line + len(glow)] += glow[:, None, None] * 0.25 * accent


def _image_set(branding: Branding, width: int, height: int, layout: Layout) -> np.ndarray:
    assert branding.studio_image is not None
    rgb = read_rgb(branding.studio_image)
    ih, iw = rgb.shape[:2]
    s = max(width / iw, height / ih)
    sw, sh = max(width, round(iw * s)), max(height, round(ih * s))
    scaled = cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA if s < 1
                        else cv2.INTER_CUBIC)
    x0, y0 = (sw - width) // 2, (sh - height) // 2
    return np.ascontiguousarray(scaled[y0:y0 + height, x0:x0 + width])


@dataclass(frozen=True, slots=True)
class Placement:
    """The presenter's box in the frame and the photo's scale into it."""

    box: Box
    scale: float
    offset: tuple[int, int]  # the photo's top-left corner in the frame, scaled pixels


def place_presenter(layout: Layout, regions: FaceRegions, photo_w: int, photo_h: int,
                    name: str = "", *, inset: bool = False, head_top: float | None = None
                    ) -> Placement:
    """The medium close-up: the face ``face_px`` tall (never enlarged past
    MAX_FACE_UPSCALE), its centre at (face_x, face_y), cut at ``presenter_bottom``.
    ``inset``: the second framing (9:16, 1:1), ``inset_face_px`` tall with the top of her
    head (``head_top``, photo pixels) at ``inset_head_top``, never larger than the first.
    Either way the photo's bottom edge never shows above the desk: a short photo stands
    lower."""
    W, H = layout.width, layout.height
    face_h = max(1, regions.landmarks.face_height if regions.landmarks is not None
                 else regions.face.h)
    want = layout.face_px / face_h
    s = min(want, MAX_FACE_UPSCALE)
    if want > MAX_FACE_UPSCALE * 1.05 and name not in _warned and not inset:
        _warned.add(name)
        # a little smaller is a looser shot; much smaller, the newsroom should know
        say = log.warning if s / want < 0.6 else log.info
        say("presenter photo %s is small (face %d px): drawn %.0f%% of a medium close-up so "
            "it stays sharp; a photo with a face of %d px or more fills it",
            name, face_h, 100 * s / want, round(layout.face_px / MAX_FACE_UPSCALE))
    f = regions.face
    if inset:
        s = min(s, layout.inset_face_px / face_h)
    ox = round(layout.face_x * W - (f.x + f.w / 2) * s)
    if inset:
        top = head_top if head_top is not None else f.y - 0.45 * f.h
        oy = round(layout.inset_head_top - top * s)
    else:
        oy = round(layout.face_y * H - (f.y + f.h / 2) * s)
    oy = max(oy, layout.presenter_bottom - round(photo_h * s))  # no photo edge above the desk
    x0, y0 = max(0, ox), max(0, oy)
    x1 = min(W, ox + round(photo_w * s))
    y1 = min(layout.presenter_bottom, oy + round(photo_h * s))
    x0, y0 = x0 + x0 % 2, y0 + y0 % 2
    x1, y1 = x1 - (x1 - x0) % 2, y1 - (y1 - y0) % 2
    return Placement(Box(x0, y0, max(2, x1 - x0), max(2, y1 - y0)), s, (ox, oy))


def head_top(alpha: np.ndarray | None, regions: FaceRegions) -> float:
    """The top of the head in photo pixels: the matte's first row over the face (the hair
    included), else an estimate from the face box."""
    f = regions.face
    if alpha is not None:
        x0, x1 = max(0, round(f.x + 0.25 * f.w)), round(f.x + 0.75 * f.w)
        rows = np.flatnonzero((alpha[:, x0:max(x0 + 1, x1)] > 0.5).any(axis=1))
        if rows.size:
            return float(rows[0])
    return f.y - 0.45 * f.h


def _fit(img: np.ndarray, p: Placement, interp: int) -> np.ndarray:
    """``img`` (photo pixels) scaled by the placement and cut to its box."""
    m = np.array([[p.scale, 0, p.offset[0] - p.box.x], [0, p.scale, p.offset[1] - p.box.y]],
                 np.float32)
    return cv2.warpAffine(img, m, (p.box.w, p.box.h), flags=interp,
                          borderMode=cv2.BORDER_REPLICATE)


def presenter_on_set(avatar: Avatar, layout: Layout, set_rgb: np.ndarray,
                     backdrop: str = "set", *, inset: bool = False
                     ) -> tuple[Placement, np.ndarray, FaceRegions, np.ndarray | None]:
    """Where the presenter stands, the photo on the set in that box, its face regions in
    the box's pixels, and the matte (None: the photo's own backdrop is kept). ``inset``:
    the second, smaller framing (place_presenter)."""
    rgb = read_rgb(avatar.image)
    found = find_face(avatar, rgb)
    from .track import landmarks_for  # the same landmarks the animation uses

    found = FaceRegions(found.face, found.eyes, found.mouth, found.source,
                        landmarks_for(avatar, rgb, found))
    h, w = rgb.shape[:2]
    alpha = None if backdrop == "photo" else photo_matte(avatar.image, rgb, avatar.matte)
    p = place_presenter(layout, found, w, h, avatar.name, inset=inset,
                        head_top=head_top(alpha, found))
    interp = cv2.INTER_AREA if p.scale < 1 else cv2.INTER_LANCZOS4
    photo = _fit(rgb, p, interp)
    regions = scale_regions(found, p.scale, p.scale, p.offset[0] - p.box.x,
                            p.offset[1] - p.box.y)
    b = p.box
    behind = set_rgb[b.y:b.y + b.h, b.x:b.x + b.w]
    if alpha is None:
        if backdrop != "photo" and avatar.name not in _warned:
            _warned.add(avatar.name)
            log.warning("no matte for presenter %s (mediapipe is not installed): the photo "
                        "keeps its own backdrop", avatar.name)
        return p, photo, regions, None
    a = np.clip(_fit(alpha, p, cv2.INTER_LINEAR), 0, 1)
    # the photo's own edges (a body cut by its frame) fade out where they show
    ramp = max(4, round(0.02 * layout.height))
    for side in ("left", "right", "top"):
        edge = {"left": p.offset[0] - b.x, "right": p.offset[0] + round(w * p.scale) - b.x,
                "top": p.offset[1] - b.y}[side]
        inside = (0 <= edge <= b.w) if side != "top" else (0 <= edge <= b.h)
        if not inside:
            continue
        if side == "top":
            r = np.clip((np.arange(b.h) - edge) / ramp, 0, 1)[:, None]
        else:
            d = np.arange(b.w) - edge if side == "left" else edge - np.arange(b.w)
            r = np.clip(d / ramp, 0, 1)[None, :]
        a = a * r.astype(np.float32)
    return p, composite_on_set(photo, a, behind), regions, a


def studio_box(layout: Layout) -> Box:
    """A presenter box for a stand-in track (tests): a third of the width at ``face_x``,
    from a fifth of the height down to the cut."""
    w = 2 * round(layout.width / 6)
    x = 2 * round((layout.face_x * layout.width - w / 2) / 2)
    y = 2 * round(0.1 * layout.height)
    return Box(max(0, x), y, w, layout.presenter_bottom - y - (layout.presenter_bottom - y) % 2)


def studio_track(spec: RenderSpec, layout: Layout, set_rgb: np.ndarray
                 ) -> tuple[Box, PresenterTrack, bool]:
    """The presenter animation on the set: its box, the track, and whether she is cut
    out (False: the photo's own backdrop shows, in a box)."""
    p, composed, regions, alpha = presenter_on_set(spec.avatar, layout, set_rgb,
                                                   spec.branding.studio_backdrop)
    track = PresenterTrack(
        avatar=spec.avatar, box=p.box, fps=spec.fps, duration_ms=spec.duration_ms,
        audio=spec.audio, seed=spec.seed, words=spec.words, language=spec.voice_language,
        fitted=(composed, regions),
    )
    return p.box, track, alpha is not None


def inset_track(spec: RenderSpec, layout: Layout) -> tuple[np.ndarray, Box, PresenterTrack]:
    """The second framing (9:16, 1:1: she stands under a visual): ``layout.inset`` of a
    set lit for her there with her at rest on it, her box in the frame, and her own
    track. It moves exactly as the first (the same seed, voice and words), and costs a
    frame only while it shows: the first framing is hidden then, and is not drawn."""
    assert layout.inset is not None
    # her key light follows her: the set is lit where her face now is
    lit = replace(layout, face_y=(layout.inset_head_top + 0.9 * layout.inset_face_px)
                  / layout.height)
    set_rgb = studio_set(spec.width, spec.height, spec.branding, lit, spec.seed)
    p, composed, regions, _alpha = presenter_on_set(spec.avatar, layout, set_rgb,
                                                    spec.branding.studio_backdrop, inset=True)
    b, r = p.box, layout.inset
    still = np.ascontiguousarray(set_rgb[r.y:r.y + r.h, r.x:r.x + r.w])
    still[b.y - r.y:b.y - r.y + b.h, b.x - r.x:b.x - r.x + b.w] = composed
    track = PresenterTrack(
        avatar=spec.avatar, box=b, fps=spec.fps, duration_ms=spec.duration_ms,
        audio=spec.audio, seed=spec.seed, words=spec.words, language=spec.voice_language,
        fitted=(composed, regions),
    )
    return still, b, track

