"""Whole renders, checked the way a user would: streams, durations, captions, manifest.

Slow: these run the real offline voices, alignment and encoder (the LLM test too).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import av
import pytest

from anchor.captions import parse_srt
from anchor.core.settings import load_settings
from anchor.core.values import Script, Segment, to_dict
from anchor.pipeline import render_article
from anchor.render.encode.probe import probe

pytestmark = pytest.mark.slow

EN_ARTICLE = """Volunteers clear the riverbank

More than 3,400 volunteers cleared litter from the river on Saturday,
removing about 12 tonnes of waste.

Organisers said plastic bottles made up 62% of everything collected.

The city will add 200 recycling stations by June 2026.
"""

SCRIPT = Script(
    title_zh="志愿者清理河岸",
    title_en="Volunteers clear the riverbank",
    source_language="en",
    zh_variant="Hans",
    segments=(
        Segment(0, "三千四百多名志愿者周六清理了河岸，共清除约12吨垃圾。",
                "More than 3,400 volunteers cleared the riverbank on Saturday, "
                "removing about 12 tonnes of waste."),
        Segment(1, "塑料瓶占收集总量的62%。", "Plastic bottles made up 62% of the total."),
    ),
    backend="test",
)


def _settings(tmp_path: Path, **overrides):
    return load_settings(None, {"out": str(tmp_path), **overrides}, env={})


def _frame_hashes(video: Path, every: int = 15) -> list[str]:
    out = []
    with av.open(str(video)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i % every == 0:
                out.append(hashlib.sha256(frame.to_ndarray(format="yuv420p").tobytes())
                           .hexdigest())
    return out


def _assert_clip(video: Path, width: int, height: int) -> None:
    info = probe(video)
    assert (info.width, info.height) == (width, height)
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    assert info.faststart
    frame_ms = 1000 / info.fps
    assert info.video_duration_ms is not None and info.audio_duration_ms is not None
    assert abs(info.video_duration_ms - info.audio_duration_ms) <= frame_ms + 25


def test_edited_script_renders_every_output(tmp_path: Path) -> None:
    script_file = tmp_path / "edited.json"
    script_file.write_text(json.dumps({"script": to_dict(SCRIPT)}, ensure_ascii=False))
    article = tmp_path / "a.txt"
    article.write_text(EN_ARTICLE)
    res = render_article(str(article), _settings(tmp_path / "out"), script_file=script_file,
                         out_dir=tmp_path / "out" / "clip")
    out = res.out_dir
    names = sorted(p.name for p in out.iterdir())
    assert names == ["bilingual.mp4", "en.mp4", "en.srt", "en.vtt", "manifest.json",
                     "script.json", "thumbnail.png", "zh.mp4", "zh.srt", "zh.vtt"]
    for label in ("zh", "en", "bilingual"):
        _assert_clip(out / f"{label}.mp4", 1920, 1080)
    # captions: text from the script, inside the audio, in order
    for lang in ("zh", "en"):
        caps = parse_srt((out / f"{lang}.srt").read_text("utf-8"), lang)
        text = "".join("".join(c.lines) for c in caps.cues).replace(" ", "")
        assert ("62%" in text) and ("12" in text)
        dur = res.clips[lang].duration_ms
        assert all(0 <= c.start_ms < c.end_ms <= dur for c in caps.cues)
        assert all(a.end_ms <= b.start_ms for a, b in zip(caps.cues, caps.cues[1:], strict=False))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["clips"]["zh"]["video"]["sha256"]
    assert manifest["backends"]["speak_zh"].startswith("kokoro")
    assert -17.5 <= manifest["loudness"]["zh"]["after"]["integrated_lufs"] <= -14.5
    timings = json.loads((out / "script.json").read_text())["timings"]
    assert len(timings["zh"]) == 2 and timings["zh"][0]["end_ms"] <= timings["zh"][1]["start_ms"]


def test_same_input_same_frames_captions_and_script(tmp_path: Path) -> None:
    """Issue 7: two runs give frame-identical video and byte-identical captions/script."""
    settings = _settings(tmp_path, langs="en", bilingual=False, seed=7)
    article = tmp_path / "a.txt"
    article.write_text(EN_ARTICLE)
    runs = [render_article(str(article), settings, script=SCRIPT, out_dir=tmp_path / f"r{i}")
            for i in (1, 2)]
    a, b = (r.out_dir for r in runs)
    assert (a / "en.srt").read_bytes() == (b / "en.srt").read_bytes()
    assert (a / "en.vtt").read_bytes() == (b / "en.vtt").read_bytes()
    sa, sb = (json.loads((d / "script.json").read_text()) for d in (a, b))
    assert sa == sb
    assert _frame_hashes(a / "en.mp4") == _frame_hashes(b / "en.mp4")


def test_unchanged_rerun_is_reused_and_avatar_change_rerenders(tmp_path: Path) -> None:
    settings = _settings(tmp_path, langs="en", bilingual=False)
    article = tmp_path / "a.txt"
    article.write_text(EN_ARTICLE)
    first = render_article(str(article), settings, script=SCRIPT, out_dir=tmp_path / "o")
    again = render_article(str(article), settings, script=SCRIPT, out_dir=tmp_path / "o")
    assert not first.cached and again.cached
    other = _settings(tmp_path, langs="en", bilingual=False, avatar="lin", voice_en="en-female")
    third = render_article(str(article), other, script=SCRIPT, out_dir=tmp_path / "o")
    assert not third.cached
    assert third.timings.get("speak_en", 0) < 2.0  # speech came from the sentence cache


def test_real_article_through_the_llm_vertical(tmp_path: Path) -> None:
    article = tmp_path / "river.md"
    article.write_text(EN_ARTICLE)
    res = render_article(str(article), _settings(tmp_path / "out", sentences=2, aspect="9:16",
                                                 bilingual=False))
    assert res.script.source_language == "en"
    assert len(res.script.segments) == 2
    for seg in res.script.segments:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in seg.zh)
    for label in ("zh", "en"):
        _assert_clip(res.out_dir / f"{label}.mp4", 1080, 1920)


def test_script_alone_renders_through_the_cli_with_the_ffmpeg_users_have(tmp_path: Path) -> None:
    """`anchor render --script` needs no article; with Debian's older ffmpeg first on PATH
    and asked for (ffmpeg = system), the clip still renders, on the pinned build, after one
    warning; every output is readable by the group and others, like the clips."""
    import os
    import shutil
    import subprocess
    import sys

    script_file = tmp_path / "script.json"
    script_file.write_text(json.dumps({"script": to_dict(SCRIPT)}, ensure_ascii=False))
    out = tmp_path / "out"
    system = shutil.which("ffmpeg")
    env = {**os.environ, "ANCHOR_FFMPEG": "system"}
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("anchor")), "render", "--script", str(script_file),
         "--langs", "en", "--no-bilingual", "--out", str(out), "--json"],
        capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    folder = Path(data["out_dir"])
    assert folder.parent == out and (folder / "en.mp4").is_file()
    _assert_clip(folder / "en.mp4", 1920, 1080)
    if system is None:
        pytest.skip("no ffmpeg on PATH here: the script-only render was checked, the system "
                    "ffmpeg fallback was not (./scripts/setup --test installs Debian's)")
    used = data["ffmpeg"]["path"]
    from anchor.core.ffmpeg import probe_ffmpeg

    if not probe_ffmpeg(system).ok:
        warnings = [ln for ln in proc.stderr.splitlines() if "using the pinned build" in ln]
        assert len(warnings) == 1, proc.stderr
        assert system not in used
    for f in folder.iterdir():
        assert f.stat().st_mode & 0o044 == 0o044, f"{f.name} is {oct(f.stat().st_mode)}"
