"""AI labels: the visible tab (size, place, time) and the AIGC metadata label in the files."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from render_helpers import CUES, decode, fake_factory, font_file, tiny_spec

from anchor.assets.brands import load_brand, visible_label
from anchor.core.ai_labels import (
    AIGC_FIELDS,
    DEFAULT_TEXT,
    MIN_OPENING_MS,
    MIN_TEXT_SHARE,
    VisibleLabel,
    aigc_json,
    aigc_label,
    check_label,
    parse_aigc,
)
from anchor.core.errors import ConfigError, InputError
from anchor.core.ffmpeg import MUX_ARGS, ffmpeg_exe
from anchor.core.settings import load_settings
from anchor.core.values import Box, RenderSpec
from anchor.render.encode.fast import encode_args, render_fast, thumbnail
from anchor.render.graphics.bumper import bumper_layers
from anchor.render.graphics.label_tab import label_plan, text_height
from anchor.render.graphics.layout import inside, intersects, layout_for
from anchor.render.graphics.lettering import font
from anchor.render.scene import build_scene

SIZES = [(1920, 1080), (1280, 720), (3840, 2160), (320, 180), (1440, 1080), (1080, 1920),
         (720, 1280), (2160, 3840), (360, 640), (1080, 1350), (1080, 1080), (720, 720)]
TEXTS = [DEFAULT_TEXT["zh"], DEFAULT_TEXT["en"], f"{DEFAULT_TEXT['zh']}\n{DEFAULT_TEXT['en']}"]
AIGC = aigc_json(aigc_label("湘江新闻融媒体中心", "anchor:0123abcd:zh"))


def _crop(img: np.ndarray, b: Box) -> np.ndarray:
    return img[b.y : b.y + b.h, b.x : b.x + b.w].astype(int)


def _labelled(spec: RenderSpec, **label: object) -> RenderSpec:
    return dataclasses.replace(spec, ai_label=VisibleLabel(**{"text": TEXTS[2], **label}),
                               aigc=AIGC)


# ------------------------------------------------------------------ the standard's minimums


def test_wording_must_say_ai_and_generated() -> None:
    for text in (*DEFAULT_TEXT.values(), "人工智能生成", "AI生成内容", "Synthetic AI presenter"):
        check_label(VisibleLabel(text), "test")
    for bad in ("数字主播", "Virtual presenter", "AI presenter", "合成主播"):
        with pytest.raises(ConfigError, match="must say"):
            check_label(VisibleLabel(bad), "test")


def test_size_and_time_below_the_standard_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"outside 0\.05") as info:
        check_label(VisibleLabel(TEXTS[0], size=0.04), "test")
    assert "GB 45438-2025" in info.value.hint
    with pytest.raises(ConfigError, match="under 2000"):
        check_label(VisibleLabel(TEXTS[0], opening_ms=1500), "test")
    with pytest.raises(ConfigError, match="position"):
        check_label(VisibleLabel(TEXTS[0], position="bottom-right"), "test")


def test_a_brand_sets_wording_place_and_size(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(Path(__file__).resolve().parent.parent / "brands", tmp_path / "brands")
    monkeypatch.setenv("ANCHOR_ASSETS", str(tmp_path))
    toml = tmp_path / "brands" / "default" / "brand.toml"
    toml.write_text(toml.read_text().replace('position = "top-right"', 'position = "top-left"')
                    .replace("size = 0.05", "size = 0.06")
                    + '\n[text.en]\nai_label = "AI-generated anchor"\n', "utf-8")
    label = visible_label(load_brand("default"), ("zh", "en"))
    assert label.lines == ("AI合成主播", "AI-generated anchor")
    assert (label.position, label.size) == ("top-left", 0.06)
    toml.write_text(toml.read_text().replace("size = 0.06", "size = 0.03"), "utf-8")
    with pytest.raises(ConfigError, match=r"outside 0\.05"):
        load_brand("default")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("text", TEXTS)
def test_text_is_at_least_five_percent_of_the_shorter_side(size: tuple[int, int],
                                                           text: str) -> None:
    lay = layout_for(*size)
    plan = label_plan(VisibleLabel(text), font_file(), lay)
    short = min(size)
    assert plan.text_px >= MIN_TEXT_SHARE * short
    assert plan.share >= MIN_TEXT_SHARE
    # measured independently of the plan: the ink of a capital and of a Han character
    f = font(font_file(), plan.px)
    for glyph in ("H", "I", "国"):
        top, bottom = f.getbbox(glyph, anchor="ls")[1::2]
        assert bottom - top >= MIN_TEXT_SHARE * short, glyph
    assert text_height(f, text) == plan.text_px


@pytest.mark.parametrize("position", ["top-right", "top-left"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("ticker", [False, True])
def test_the_label_is_clear_of_captions_logo_lower_third_and_app_ui(
        size: tuple[int, int], position: str, ticker: bool) -> None:
    lay = layout_for(*size, ticker=ticker)
    for room in (lay.label, lay.label_left):
        assert inside(room, lay.safe)
        for other in (lay.caption, lay.lower_third, lay.logo):
            assert not intersects(room, other), (room, other)
        for ui in (lay.ui_zone, lay.ui_side, lay.ticker):
            assert ui is None or not intersects(room, ui)
    if lay.orientation == "portrait":  # below the apps' tab bar
        assert lay.label.y >= 0.07 * size[1]
    for text in TEXTS:
        plan = label_plan(VisibleLabel(text, position=position), font_file(), lay)
        assert inside(plan.box, lay.label if position == "top-right" else lay.label_left)
        assert plan.box.x % 2 == plan.box.y % 2 == plan.box.w % 2 == plan.box.h % 2 == 0
        if position == "top-right":  # its default place: the top-right corner
            assert plan.box.x + plan.box.w == lay.safe.x + lay.safe.w
            assert plan.box.y == lay.label.y


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1080, 1080)])
@pytest.mark.parametrize("brand", ["default", "hunan-red"])
def test_the_bumpers_logo_and_headline_leave_the_label_free(
        tmp_path: Path, size: tuple[int, int], brand: str) -> None:
    spec = dataclasses.replace(tiny_spec(tmp_path, *size, ms=6000), branding=load_brand(brand),
                               intro_ms=2500, outro_ms=2000, dateline="2025年11月12日",
                               ai_label=VisibleLabel(TEXTS[2]))
    lay = layout_for(*size)
    plan = label_plan(VisibleLabel(TEXTS[2]), font_file(), lay)
    n = 180
    for layer in bumper_layers(spec, lay, n):
        for frame in (0, 40, 74, n - 10, n - 1):
            sp = layer.sprite(frame)
            if sp is None or sp.opaque:  # the card's background lies under everything
                continue
            ys, xs = np.nonzero(sp.rgba[..., 3] > 0)
            if not len(xs):  # not revealed yet
                continue
            box = Box(sp.box.x + int(xs.min()), sp.box.y + int(ys.min()),
                      int(xs.max() - xs.min()) + 1, int(ys.max() - ys.min()) + 1)
            assert not intersects(box, plan.box), (frame, box, plan.box)


def test_a_label_that_cannot_fit_is_an_error_not_a_smaller_label() -> None:
    with pytest.raises(InputError, match="does not fit"):
        label_plan(VisibleLabel("AI-generated " + "synthetic " * 12), font_file(),
                   layout_for(360, 640))


# ------------------------------------------------------------------ drawn in the frames


def test_the_label_is_on_the_first_frame_over_the_intro_and_stays(tmp_path: Path) -> None:
    plain = dataclasses.replace(tiny_spec(tmp_path, 320, 180, ms=3000, cues=CUES),
                                intro_ms=500, outro_ms=500)
    scene = build_scene(_labelled(plain), fake_factory)
    bare = build_scene(plain, fake_factory)
    assert scene.label is not None
    box = scene.label.box
    for frame in (0, 10, 45, 89):  # the intro, the studio, the outro, the last frame
        a, b = scene.frame_rgb(frame), bare.frame_rgb(frame)
        assert np.abs(_crop(a, box) - _crop(b, box)).mean() > 20, frame
        outside = np.ones(a.shape[:2], bool)
        outside[box.y : box.y + box.h, box.x : box.x + box.w] = False
        assert (a[outside] == b[outside]).all(), frame  # nothing else changes


def test_an_opening_only_label_goes_after_its_time(tmp_path: Path) -> None:
    spec = _labelled(tiny_spec(tmp_path, 320, 180, ms=4000), throughout=False,
                     opening_ms=MIN_OPENING_MS)
    scene = build_scene(spec, fake_factory)
    bare = build_scene(dataclasses.replace(spec, ai_label=None), fake_factory)
    assert scene.label is not None
    box = scene.label.box
    on = [np.abs(_crop(scene.frame_rgb(f), box) - _crop(bare.frame_rgb(f), box)).mean() > 20
          for f in (0, 59, 60, 119)]
    assert on == [True, True, False, False]  # 2 s at 30 fps, then gone


def test_a_card_keeps_clear_of_the_label(tmp_path: Path) -> None:
    from anchor.core.values import FigureCard

    spec = dataclasses.replace(tiny_spec(tmp_path, 1920, 1080),
                               cards=(FigureCard(0, 1500, "95%", "", "相似度", 95.0),))
    labelled = build_scene(_labelled(spec), fake_factory)
    bare = build_scene(spec, fake_factory)
    assert labelled.card_box is not None and labelled.label is not None
    assert not intersects(labelled.card_box, labelled.label.box)
    assert bare.card_box is not None and intersects(bare.card_box, labelled.label.box)


def test_the_cover_carries_the_label_and_the_metadata(tmp_path: Path) -> None:
    spec = _labelled(tiny_spec(tmp_path, 320, 180))
    png = thumbnail(spec, tmp_path / "thumb.png", track_factory=fake_factory)
    bare = thumbnail(dataclasses.replace(spec, ai_label=None, aigc=""), tmp_path / "bare.png",
                     track_factory=fake_factory)
    scene = build_scene(spec, fake_factory)
    assert scene.label is not None
    a, b = (np.asarray(Image.open(p).convert("RGB")) for p in (png, bare))
    assert np.abs(_crop(a, scene.label.box) - _crop(b, scene.label.box)).mean() > 20
    with Image.open(png) as im:
        assert parse_aigc(im.text.get("AIGC")) == json.loads(AIGC)
    with Image.open(bare) as im:
        assert "AIGC" not in im.text


# ------------------------------------------------------------------ the AIGC label in files


def test_the_aigc_label_has_annex_e_fields_in_order() -> None:
    label = aigc_label("湘江新闻", "anchor:abc:zh")
    assert tuple(label) == AIGC_FIELDS
    assert label["Label"] == "1" and label["ContentProducer"] == "湘江新闻"
    assert parse_aigc(aigc_json(label)) == label
    assert parse_aigc('{"Label": "1"}') is None  # incomplete
    assert parse_aigc(aigc_json({**label, "Label": "0"})) is None
    assert parse_aigc("not json") is None and parse_aigc(None) is None


def test_both_renderers_write_it_with_the_same_options() -> None:
    args = encode_args(dataclasses.replace(_spec_stub(), aigc=AIGC))
    assert args[args.index("-metadata") + 1] == f"AIGC={AIGC}"
    assert "+use_metadata_tags" in args[args.index("-movflags") + 1]
    assert "-metadata" not in encode_args(_spec_stub())


def _spec_stub() -> RenderSpec:
    from anchor.core.values import Avatar, Branding

    return RenderSpec(language="zh", width=64, height=64, fps=30, duration_ms=100,  # type: ignore[arg-type]
                      audio=Path("a.wav"), avatar=Avatar("a", "A", "", Path("a.png")),
                      headline="", presenter="", presenter_title="", cues=(),
                      branding=Branding(), font_file=Path("f.otf"))


# The clips' container options that bear on metadata (MUX_ARGS less -shortest and its
# buffer, which Debian 12's 5.1 lacks: the probe refuses that build for renders).
METADATA_ARGS = [a for a in MUX_ARGS if a not in ("-shortest", "-shortest_buf_duration", "0.25")]


def _ffmpegs() -> list[str]:
    found = [ffmpeg_exe()]
    system = shutil.which("ffmpeg")
    if system and system not in found:
        found.append(system)  # Debian 12's 5.1, which the test set-up installs
    return found


@pytest.mark.parametrize("exe", _ffmpegs())
def test_every_ffmpeg_we_may_use_writes_the_label_bit_exact(tmp_path: Path, exe: str) -> None:
    """With -fflags +bitexact and without: the key survives, PyAV and ffprobe read it,
    and two encodes are byte-identical."""
    outs = []
    for i in range(2):
        out = tmp_path / f"{i}.mp4"
        subprocess.run([exe, "-hide_banner", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i", "color=c=navy:s=64x64:r=10:d=0.5",
                        "-f", "lavfi", "-i", "sine=f=440:d=0.5",
                        "-c:v", "libx264", "-c:a", "aac", *METADATA_ARGS,
                        "-metadata", f"AIGC={AIGC}", "-f", "mp4", str(out)], check=True)
        outs.append(out)
    assert outs[0].read_bytes() == outs[1].read_bytes()
    with av.open(str(outs[0])) as c:
        assert parse_aigc(c.metadata.get("AIGC")) == json.loads(AIGC)
    ffprobe = shutil.which("ffprobe")
    if ffprobe:
        shown = subprocess.run([ffprobe, "-v", "error", "-show_entries", "format_tags=AIGC",
                                "-of", "json", str(outs[0])], capture_output=True, text=True,
                               check=True).stdout
        assert json.loads(json.loads(shown)["format"]["tags"]["AIGC"]) == json.loads(AIGC)


def test_a_rendered_clip_carries_it_and_stripping_it_is_found(tmp_path: Path) -> None:
    from anchor.check.labels import read_aigc

    spec = _labelled(tiny_spec(tmp_path, 320, 180))
    clip = render_fast(spec, tmp_path / "zh.mp4", track_factory=fake_factory).video
    assert read_aigc(clip) == json.loads(AIGC)
    stripped = tmp_path / "stripped.mp4"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(clip),
                    "-map_metadata", "-1", "-c", "copy", str(stripped)], check=True)
    assert read_aigc(stripped) is None
    assert len(decode(stripped)) == len(decode(clip))  # the pictures are all still there


def test_compose_labels_every_clip_unless_switched_off(tmp_path: Path) -> None:
    from anchor.compose.spec import clip_label

    on = load_settings(None, {}, env={})
    off = load_settings(None, {"ai_label": False}, env={})
    assert on.ai_label and not off.ai_label
    label = clip_label(on, "bilingual", "zh")
    assert label is not None and label.lines == (DEFAULT_TEXT["zh"], DEFAULT_TEXT["en"])
    en = clip_label(on, "en", "en")
    assert en is not None and en.lines == (DEFAULT_TEXT["en"],)
    assert clip_label(off, "zh", "zh") is None


# ------------------------------------------------------------------ anchor check reads them


def _folder(root: Path, *, label: bool = True, presenter: str = "xia") -> Path:
    """A render folder with one tiny labelled clip, its thumbnail and a manifest."""
    from anchor.assets.avatars import load_avatar
    from anchor.assets.consent import consent_record
    from anchor.jobs.manifest import _clip_labels

    root.mkdir(parents=True)
    spec = _labelled(tiny_spec(root, 320, 180, ms=2000))
    shown = spec if label else dataclasses.replace(spec, ai_label=None)
    clip = render_fast(shown, root / "zh.mp4", track_factory=fake_factory)
    thumbnail(spec, root / "thumbnail.png", track_factory=fake_factory)
    # what the renderer reports of the labelled spec, whatever it drew
    recorded = render_fast(spec, root / ".ref.mp4", track_factory=fake_factory)
    (root / ".ref.mp4").unlink()
    manifest = {
        "clips": {"zh": {"video": {"path": "zh.mp4"}, "duration_ms": clip.duration_ms,
                         "labels": _clip_labels(recorded.extra, True)}},
        "presenter": consent_record(load_avatar(presenter)),
    }
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return root


def _check(root: Path, require_visible: bool = True) -> tuple[list[str], list[str], str]:
    from anchor.check.labels import check_labels

    manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    clips, folder = check_labels(root, manifest, require_visible)
    return [*clips["zh"].problems, *folder], list(clips["zh"].warnings), clips["zh"].visible


def test_check_finds_both_labels_in_a_good_clip(tmp_path: Path) -> None:
    problems, warnings, visible = _check(_folder(tmp_path / "ok"))
    assert problems == [] and warnings == []
    assert visible == "found at 0 s, 1 s, 1.97 s"  # first frame, middle, last


def test_check_fails_a_clip_whose_metadata_label_was_stripped(tmp_path: Path) -> None:
    root = _folder(tmp_path / "stripped")
    clip = root / "zh.mp4"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(clip),
                    "-map_metadata", "-1", "-c", "copy", "-f", "mp4", str(root / "x.mp4")],
                   check=True)
    (root / "x.mp4").replace(clip)
    problems, _, visible = _check(root)
    assert problems == ["no AIGC metadata label in zh.mp4 (GB 45438-2025 asks for one in the "
                        "file)"]
    assert visible.startswith("found")  # the pixels are still there; the file lost its label


def test_check_fails_a_clip_without_the_visible_label(tmp_path: Path) -> None:
    problems, _, visible = _check(_folder(tmp_path / "bare", label=False))
    assert visible == "missing"
    assert problems == ["the visible AI label is not in the frames at 0 s, 1 s, 1.97 s"]


def test_a_label_switched_off_fails_unless_the_check_allows_it(tmp_path: Path) -> None:
    root = _folder(tmp_path / "off", label=False)
    data = json.loads((root / "manifest.json").read_text("utf-8"))
    data["clips"]["zh"]["labels"]["visible"] = {"on": False,
                                                "why": "ai_label = false in the settings"}
    (root / "manifest.json").write_text(json.dumps(data), "utf-8")
    problems, warnings, _ = _check(root)
    assert problems == ["no visible AI label (ai_label = false in the settings)"]
    problems, warnings, _ = _check(root, require_visible=False)
    assert problems == [] and warnings == ["no visible AI label (ai_label = false in the "
                                           "settings)"]


def test_check_fails_an_unconsented_face_and_an_unlabelled_thumbnail(tmp_path: Path) -> None:
    root = _folder(tmp_path / "astra", presenter="astra")
    Image.open(root / "thumbnail.png").save(root / "thumbnail.png")  # re-saved: no chunk
    problems, _, _ = _check(root)
    assert any("presenter 'astra'" in p and "not for publication" in p for p in problems)
    assert "no AIGC label in thumbnail.png's metadata" in problems


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1080, 1080)])
@pytest.mark.parametrize("text", TEXTS)
def test_the_label_leaves_the_default_presenters_eyes_brows_and_mouth_free(
        size: tuple[int, int], text: str) -> None:
    """Placed where the shipped layouts put the drawn default presenter, the tab keeps off
    her features (in 9:16 the face sits high: the tab may reach the forehead's top)."""
    from anchor.assets.avatars import load_avatar
    from anchor.render.presenter.face import FaceRegions, find_face, read_rgb
    from anchor.render.presenter.landmarks import landmarks_from_avatar
    from anchor.render.presenter.track import fit_to_box

    avatar = load_avatar(load_settings(None, {}, env={}).avatar)
    rgb = read_rgb(avatar.image)
    found = find_face(avatar, rgb)
    found = FaceRegions(found.face, found.eyes, found.mouth, found.source,
                        landmarks_from_avatar(avatar.landmarks))
    lay = layout_for(*size)
    p = lay.presenter
    _, regions = fit_to_box(rgb, found, p.w, p.h)
    lm = regions.landmarks
    assert lm is not None
    features = lm.box("brow_r", "brow_l", "eye_r_upper", "eye_l_lower", "lips_outer_lower",
                      pad=6)
    features = Box(features.x + p.x, features.y + p.y, features.w, features.h)
    plan = label_plan(VisibleLabel(text), font_file(), lay)
    assert not intersects(plan.box, features), (plan.box, features)
