"""Tiny clips for the renderer tests: a fake presenter track, a tone WAV, a spec.

The real presenter animation (anchor.render.presenter.track) is tested on its own; the
renderers only rely on its interface, which the fake here honours.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from anchor.core.errors import ModelError
from anchor.core.values import Avatar, Box, Branding, Cue, RenderSpec

# the patch alternates between these, so consecutive frames always differ
PATCH_COLOURS = ((220, 40, 40), (40, 200, 60))


class FakeTrack:
    """A grey-blue gradient 'presenter' whose dirty box flips colour every frame.
    The dirty box has odd offsets and sizes on purpose: the renderer must align it."""

    def __init__(self, box: Box) -> None:
        ramp = np.linspace(70, 150, box.h, dtype=np.float32)[:, None]
        static = np.zeros((box.h, box.w, 3), np.uint8)
        static[..., 0] = ramp * 0.8
        static[..., 1] = ramp * 0.9
        static[..., 2] = ramp
        self.static = static
        self.dirty = Box(box.w // 3 + 1, box.h // 4 + 1, box.w // 3 + 1, box.h // 6 + 1)

    def patch(self, frame_index: int) -> np.ndarray:
        colour = PATCH_COLOURS[frame_index % 2]
        return np.full((self.dirty.h, self.dirty.w, 3), colour, np.uint8)


def fake_factory(spec: RenderSpec, box: Box) -> FakeTrack:
    return FakeTrack(box)


def tone_wav(path: Path, ms: int, rate: int = 24000) -> Path:
    """A speech-like mono WAV: a 180 Hz buzz pulsing four times a second."""
    t = np.arange(rate * ms // 1000) / rate
    x = 0.3 * np.sin(2 * np.pi * 180 * t) * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t))
    return pcm16_wav(path, x, rate)


def pcm16_wav(path: Path, x: np.ndarray, rate: int) -> Path:
    """Write float samples in [-1, 1] as a mono 16-bit WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def font_file() -> Path:
    from anchor.assets.model_store import ensure, is_ready

    if not is_ready("font-cjk"):
        pytest.skip("the CJK font (model font-cjk) is not fetched: run `anchor models fetch`")
    try:
        return ensure("font-cjk") / "NotoSansSC-Regular.otf"
    except ModelError as exc:  # pragma: no cover - is_ready said yes
        pytest.skip(f"CJK font unavailable: {exc}")


CUES = (
    Cue(0, 1000, ("数字主播播报新闻", "Digital anchor")),
    Cue(1000, 1400, ("第二句",)),
)


def tiny_spec(tmp: Path, width: int = 320, height: int = 180, ms: int = 2000, fps: int = 30,
              cues: tuple[Cue, ...] = CUES[:1]) -> RenderSpec:
    """A 2-second clip: one caption in the first second, none in the second."""
    audio = tone_wav(tmp / "voice.wav", ms)
    return RenderSpec(
        language="bilingual", width=width, height=height, fps=fps, duration_ms=ms,
        audio=audio,
        avatar=Avatar(name="fake", display_name="Fake", title="Test", image=tmp / "none.png"),
        headline="测试标题 Test headline", presenter="Fake 主播", presenter_title="Presenter",
        cues=cues, branding=Branding(), font_file=font_file(),
    )


def decode(path: Path) -> list[np.ndarray]:
    """Every frame of the video as RGB."""
    import av

    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)
