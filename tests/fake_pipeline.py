"""A fast stand-in pipeline for tests and for working on the web pages without models.

It lives with the tests, not in the product. From the repository root,
``PYTHONPATH=tests ANCHOR_SERVE_PIPELINE=fake_pipeline:FakePipeline anchor serve``
runs the whole service on it: jobs go
through every status in seconds, with a real (tiny) mp4 when ffmpeg is there.
``ANCHOR_FAKE_DELAY`` (seconds per stage) makes progress visible; an article that
contains ``FAIL-RENDER`` fails at the render step, ``FAIL-SCRIPT`` at the script step.
``STUBBORN-SCRIPT`` makes the script step spin in Python without ever reporting progress
(model work that only an interrupt stops); ``STUBBORN-RENDER`` makes the render step run
a ten-minute ffmpeg (an encode that only killing the process stops). Cancel tests use them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from anchor.core.cache import atomic_write_text
from anchor.core.errors import InputError, RenderError
from anchor.core.settings import Settings
from anchor.core.values import Article, ArticleImage, Lang, RenderResult, Script, Segment, to_dict
from anchor.language.text import is_han
from anchor.pipeline import RunResult
from anchor.web.service import Choices

__all__ = ["SAMPLE_ARTICLE", "STUBBORN_MARK", "FakePipeline", "fake_choices", "make_test_app",
           "serve_in_thread", "tiny_mp4", "wait_for_status"]

STUBBORN_MARK = "anchor-stubborn-"
_SENTENCE = re.compile(r"[^。！？.!?]+[。！？.!?]?")
_tiny_lock = threading.Lock()


def tiny_mp4(path: Path, seconds: int = 1) -> None:
    """A real, playable 320x180 H.264/AAC clip, made once per process and copied."""
    from anchor.core.ffmpeg import run_ffmpeg

    cache = Path(os.environ.get("TMPDIR", "/tmp")) / f"anchor-fake-{os.getpid()}-{seconds}.mp4"
    with _tiny_lock:
        if not cache.is_file():
            tmp = cache.with_suffix(".part.mp4")
            run_ffmpeg(["-f", "lavfi", "-i", f"color=c=0x14213D:s=320x180:r=25:d={seconds}",
                        "-f", "lavfi", "-i", f"sine=f=440:d={seconds}",
                        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast",
                        "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(tmp)],
                       "tiny test clip")
            os.replace(tmp, cache)
    shutil.copyfile(cache, path)


class FakePipeline:
    """Implements ``anchor.web.runner.Pipeline`` with string tricks instead of models."""

    def __init__(self, delay: float | None = None, real_video: bool | None = None) -> None:
        env_delay = os.environ.get("ANCHOR_FAKE_DELAY", "")
        self.delay = delay if delay is not None else float(env_delay or 0)
        env_video = os.environ.get("ANCHOR_FAKE_VIDEO", "")
        self.real_video = real_video if real_video is not None else env_video not in ("", "0")
        self.calls: list[tuple[str, str]] = []  # (phase, article title): what ran, in order
        self._calls_lock = threading.Lock()
        self.spins = 0  # iterations of STUBBORN-SCRIPT's busy loop: stops growing when stopped

    def _record(self, phase: str, title: str) -> None:
        with self._calls_lock:
            self.calls.append((phase, title))

    def ingest(self, source: str | bytes, *, title: str | None, name: str,
               images: Sequence[ArticleImage] = ()) -> Article:
        text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
        if name.endswith(".json"):
            try:
                data = json.loads(text)
                title = title or str(data.get("title", ""))
                text = str(data.get("body", data.get("text", "")))
            except (ValueError, AttributeError) as exc:
                raise InputError("the .json file is not an article",
                                 hint='use {"title": ..., "body": ...}') from exc
        paras = tuple(p.strip().lstrip("# ") for p in text.split("\n") if p.strip())
        if not paras:
            raise InputError("The article is empty.",
                             hint="Give a file or text with the article's title and body.")
        if len(text) > 200_000:
            raise InputError("The article is too long.", hint="Split it into several articles.")
        head = (title or paras[0]).strip()
        body = paras[1:] if not title and len(paras) > 1 else paras
        cjk = sum(1 for c in text if is_han(c))
        lang: Lang = "zh" if cjk > len(text) * 0.2 else "en"
        sha = hashlib.sha256(f"{head}\n\n{text}".encode()).hexdigest()
        return Article(title=head, paragraphs=body, language=lang,
                       variant="Hans" if lang == "zh" else "", source=name, sha256=sha,
                       images=tuple(images))

    def _wait(self) -> None:
        if self.delay:
            time.sleep(self.delay)

    def prepare(self, article: Article, settings: Settings,
                progress: Callable[[str], None]) -> Script:
        say = progress
        self._record("prepare", article.title)
        say("reading the article")
        say("summarizing")
        self._wait()
        if "STUBBORN-SCRIPT" in article.text:
            say("translating 1 sentences")
            while True:  # like a long native model call: no progress, no check of its own
                self.spins += 1
                sum(range(2000))
        if "FAIL-SCRIPT" in article.text:
            raise InputError("the summary came out empty", hint="give a longer article")
        sentences = [s.strip() for s in _SENTENCE.findall(article.text) if s.strip()]
        sentences = sentences[: settings.sentences] or [article.title]
        say(f"translating {len(sentences)} sentences")
        self._wait()
        segs = []
        for i, s in enumerate(sentences):
            zh, en = (s, f"[en] {s}") if article.language == "zh" else (f"【中】{s}", s)
            numbers = re.findall(r"\d[\d,.]*%?", s)
            warns = (f"number {numbers[0]} missing in {'en' if article.language == 'zh' else 'zh'}"
                     ,) if numbers and i == 0 else ()
            segs.append(Segment(index=i, zh=zh, en=en, warnings=warns))
        title_zh, title_en = ((article.title, f"[en] {article.title}") if article.language == "zh"
                              else (f"【中】{article.title}", article.title))
        return Script(title_zh=title_zh, title_en=title_en, source_language=article.language,
                      zh_variant=settings.zh_variant, segments=tuple(segs), backend="fake")

    def render(self, article: Article, settings: Settings, script: Script, out_dir: Path,
               progress: Callable[[str], None]) -> RunResult:
        say = progress
        self._record("render", article.title)
        if "FAIL-RENDER" in " ".join(script.texts("en")) + article.text:
            raise RenderError("ffmpeg failed: fake failure", hint="this is the fake pipeline")
        if "STUBBORN-RENDER" in article.text:
            from anchor.core.ffmpeg import run_ffmpeg

            say("rendering en.mp4")
            # real time (-re) for ten minutes; the marker lets a test find the process
            run_ffmpeg(["-re", "-f", "lavfi", "-i", "testsrc=s=160x120:r=10:d=600",
                        "-metadata", f"comment={STUBBORN_MARK}{article.sha256[:12]}",
                        "-f", "null", "-"], "stubborn encode")
        w, h = settings.size
        clips: dict[str, RenderResult] = {}
        for lang in settings.langs:
            say(f"speaking {lang}")
            self._wait()
            say(f"rendering {lang}.mp4")
            video = out_dir / f"{lang}.mp4"
            if self.real_video:
                tiny_mp4(video)
            else:
                video.write_bytes(b"\x00\x00\x00\x18ftypmp42fake")
            texts = script.texts(lang)  # type: ignore[arg-type]
            srt = "".join(f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i},900\n{t}\n\n"
                          for i, t in enumerate(texts[:9]))
            vtt = "WEBVTT\n\n" + "".join(f"00:00:0{i}.000 --> 00:00:0{i}.900\n{t}\n\n"
                                         for i, t in enumerate(texts[:9]))
            atomic_write_text(out_dir / f"{lang}.srt", srt)
            atomic_write_text(out_dir / f"{lang}.vtt", vtt)
            clips[lang] = RenderResult(language=lang, video=video, srt=out_dir / f"{lang}.srt",
                                       vtt=out_dir / f"{lang}.vtt", duration_ms=1000, width=w,
                                       height=h, renderer="fake")
        atomic_write_text(out_dir / "script.json",
                          json.dumps({"script": to_dict(script)}, ensure_ascii=False))
        manifest = out_dir / "manifest.json"
        atomic_write_text(manifest, json.dumps({"clips": sorted(clips), "fake": True}))
        return RunResult(out_dir=out_dir, article=article, script=script, clips=clips,
                         warnings=list(script.warnings), manifest=manifest)


def wait_for_status(get: Callable[[], dict[str, object]], statuses: tuple[str, ...],
                    timeout: float = 30.0, every: float = 0.05) -> dict[str, object]:
    """Poll ``get()`` (a job's JSON) until its status is one of ``statuses``."""
    deadline = time.monotonic() + timeout
    while True:
        job = get()
        if job.get("status") in statuses:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job still {job.get('status')} after {timeout}s: {job}")
        time.sleep(every)


SAMPLE_ARTICLE = ("City opens three riverside parks\n"
                  "The city opened 3 new parks on Saturday. Residents cheered the new paths. "
                  "More parks will follow next year.")


def fake_choices() -> Choices:
    """Form choices that do not depend on the asset folders."""
    return Choices(avatars=(("xia", "Xia Yu · drawn"), ("lin", "Lin Hao · drawn")),
                   voices={"zh": (("zh-female", "zh-female"),),
                           "en": (("en-female", "en-female"), ("en-male", "en-male"))})


def make_test_app(data: Path, pipeline: FakePipeline | None = None, **cfg: Any) -> Any:
    """``create_app`` on a fresh data folder with the fake pipeline and choices."""
    from anchor.web.app import create_app
    from anchor.web.config import ServeConfig

    return create_app(ServeConfig(data=data, **cfg), pipeline=pipeline or FakePipeline(),
                      choices=fake_choices)


@contextmanager
def serve_in_thread(app: Any, port: int = 0) -> Iterator[str]:
    """Run ``app`` under uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    import socket

    import uvicorn

    if not port:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           lifespan="on", access_log=False))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
