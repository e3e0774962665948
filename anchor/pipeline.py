"""The only place that knows the order of the stages.

article ─ingest→ Article ─summarize→ Summary ─translate→ Script ─edit→ Script
  per language: ─speak→ Speech ─level→ ─align→ ─timeline→ ─caption→ Captions
                ─compose→ RenderSpec ─render→ clip (+ thumbnail) ─manifest→ folder

``STEPS`` names every step in that order; the README's diagram shows the same. Each clip
renders as soon as its voice is ready while the next language is spoken. Translation runs
alone: llama.cpp's threads wait for each other at every operator, and with another busy
thread on the two cores they wait far longer than they save (a Mandarin voice read beside
the translation made it over 10x slower in a trial on a busy machine).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from anchor import __version__
from anchor.compose.spec import bumper_ms, compose, content_id, producer, timeline_speech
from anchor.core import keys, script_io
from anchor.core.ai_labels import aigc_json, aigc_label
from anchor.core.cache import atomic_write_text, cached, file_sha256
from anchor.core.cpu_gate import CPU
from anchor.core.errors import AnchorError, InputError, RenderError, ReviewNeeded
from anchor.core.settings import Settings
from anchor.core.slug import slugify
from anchor.core.values import (
    Article,
    Avatar,
    Captions,
    Lang,
    RenderResult,
    Script,
    Speech,
    Summary,
    to_dict,
)
from anchor.jobs.preflight import preflight
from anchor.language.glossary import load_glossary
from anchor.speech.align import speech_word_timings

# The stages that load heavy packages are imported in the functions that run them, so
# that `import anchor.pipeline` (and with it `anchor --help`, batch and the web app's
# start) does not pay for them: ingest (markdown-it), summarize (the embedding runtime),
# translate, speak (every speech backend: asyncio, ssl, onnxruntime wrappers), loudness
# and check (numpy, Whisper), captions (pysubs2), render and manifest (OpenCV, PIL). A
# call-time import also finds the functions tests put in their place on the package
# (anchor.summarize.summarize, anchor.translate.translate, anchor.speech.speak).

__all__ = ["RunResult", "article_from_script", "load_script", "plan_script_edit", "prepare_script",
           "render_article"]

log = logging.getLogger(__name__)

# Every step, in order, with what it does (the stage table of `scripts/bench --pipeline`
# and the timings in the manifest use these names, per language where it says so).
STEPS: tuple[tuple[str, str], ...] = (
    ("ingest", "decode the article, clean it, find its language, title and paragraphs"),
    ("summarize", "pick the broadcast sentences (cached by article and backend)"),
    ("translate", "both languages' scripts, names and figures checked (cached)"),
    ("edit", "each sentence's shot and visual: the story's pictures, charts, quotes"),
    ("speak", "one voice track per language, sentence by sentence (cached)"),
    ("level", "one loudness measurement and a gain, true-peak limited"),
    ("align", "word times from Whisper, only for a voice that gave none"),
    ("timeline", "the brand's intro and outro around the voice, captions timed to the MP4"),
    ("caption", "reading-speed cues from the word times"),
    ("compose", "the render spec: layout, presenter, cues, headline"),
    ("render", "frames piped into ffmpeg; the thumbnail beside the first clip"),
    ("manifest", "script.json and manifest.json, written last: they mark a finished folder"),
)

Progress = Callable[[str], None]

# The LLM and the TTS model are loaded once per process and shared by every worker thread
# (batch, web): each is used by one thread at a time. Beyond that, the translation holds the
# cores alone and everything else shares them (cpu_gate.CPU says why).
_SCRIPT_LOCK = threading.Lock()
_SPEECH_LOCK = threading.Lock()


@dataclass(slots=True)
class RunResult:
    """What one article produced; the manifest is this, written as JSON."""

    out_dir: Path
    article: Article
    script: Script
    clips: dict[str, RenderResult] = field(default_factory=dict)
    speech: dict[str, Speech] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    backends: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    manifest: Path | None = None
    cached: bool = False  # True when an up-to-date earlier render was reused
    loudness: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, Any] | None = None
    presenter: Avatar | None = None  # whose face reads the clips (its consent: the manifest)


class _Timer:
    """Wall time per named stage. Stages may run at once on threads (speech beside video):
    each keeps its own time, so the stages can add up to more than the total."""

    def __init__(self, timings: dict[str, float], progress: Progress) -> None:
        self.timings = timings
        self.progress = progress
        self._lock = threading.Lock()

    @contextmanager
    def stage(self, name: str, what: str) -> Iterator[None]:
        self.progress(what)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            with self._lock:
                self.timings[name] = round(
                    self.timings.get(name, 0.0) + time.perf_counter() - t0, 3)


def load_script(path: Path) -> Script:
    """Read an edited script: a script.json written by Anchor, or a bare Script object
    (validated by the same rules as an edit on the web: anchor.core.script_io)."""
    return script_io.load_script(path)


def article_from_script(script: Script, path: Path | None = None) -> Article:
    """The article an edited script stands for, when only the script is given: its
    source-language sentences, under the title of the render it came from (so it goes back
    into the same output folder) or else its own headline."""
    lang = script.source_language
    title = script.title(lang)
    if path is not None:
        with contextlib.suppress(OSError, ValueError, AttributeError, TypeError):
            data = json.loads(path.read_text("utf-8"))
            title = str((data.get("summary") or {}).get("title") or title)
    paragraphs = script.texts(lang)
    text = "\n".join(paragraphs)
    return Article(title=title, paragraphs=paragraphs, language=lang,
                   variant=script.zh_variant if lang == "zh" else "",
                   source=str(path) if path is not None else "script",
                   sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def _summary_key(article: Article, settings: Settings) -> str:
    from anchor.summarize import get_backend  # deferred: heavy, see the note at the imports

    return keys.summary_key(article.sha256, settings.sentences,
                                  _resolved(get_backend, settings.summarizer))


def _script_key(summary: Summary, settings: Settings, glossary_fingerprint: str) -> str:
    from anchor.translate import get_backend  # deferred: see the note at the imports

    return keys.script_key(summary, settings.zh_variant,
                                 _resolved(get_backend, settings.translator),
                                 glossary_fingerprint)


def _resolved(get_backend: Callable[[str], Any], name: str) -> Any:
    """The backend ``name`` will run as (``auto`` resolved), for its cache key. One that
    cannot run here keys as such: nothing cached matches, and the stage itself then
    reports why it cannot run."""
    try:
        return get_backend(name)
    except AnchorError:
        return f"unavailable:{name}"


def plan_script_edit(script: Script, article: Article, settings: Settings) -> Script:
    """``script`` with a shot and a visual on each sentence that has none yet (anchor.edit.plan),
    sized for this render's layout."""
    from anchor.edit.plan import plan_edit  # deferred: PIL and OpenCV, see the note at the imports
    from anchor.render.graphics.layout import studio_layout

    layout = studio_layout(*settings.size)
    full, ots = layout.full, layout.ots
    assert full is not None and ots is not None
    return plan_edit(script, article.images, article.paragraphs, full=(full.w, full.h),
                     ots=(ots.w, ots.h), portrait=layout.orientation != "landscape")


def settings_glossary(settings: Settings) -> Any:
    """The glossary a render uses: base < brand < project folder < settings.glossary."""
    return load_glossary(settings.brand, settings.glossary)


def require_reviewed(script: Script, settings: Settings) -> None:
    """With ``strict``, a script with sentences marked for review stops here."""
    if settings.strict and script.flagged:
        where = ", ".join("headline" if i < 0 else f"sentence {i + 1}" for i in script.flagged)
        first = next(iter(script.warnings), "")
        raise ReviewNeeded(
            f"the script needs review before rendering ({where}): {first}",
            hint="run `anchor script ARTICLE`, correct script.json, then "
                 "`anchor render --script script.json`; or render without --strict")


def make_script(article: Article, settings: Settings, timer: _Timer,
                backends: dict[str, str], *, keep_models: bool = True
                ) -> tuple[Summary, Script]:
    """Summary and script; ``keep_models=False`` frees the translation model afterwards, so
    it does not sit beside the speech models for the rest of a one-article run."""
    from anchor.summarize import summarize  # deferred: see the note at the imports
    from anchor.translate import release_models, translate

    glossary = settings_glossary(settings)

    with _SCRIPT_LOCK, timer.stage("summarize", "summarizing"):
        summary, _ = cached("summary", _summary_key(article, settings), Summary,
                            lambda: summarize(article, settings.sentences,
                                              backend=settings.summarizer))
    backends["summarize"] = summary.backend
    with _SCRIPT_LOCK, CPU.exclusive(), timer.stage("translate",
                                   f"translating {len(summary.sentences)} sentences"):
        script, _ = cached("script", _script_key(summary, settings, glossary.fingerprint),
                           Script,
                           lambda: translate(summary, zh_variant=settings.zh_variant,
                                             backend=settings.translator, glossary=glossary))
        if not keep_models:
            release_models()
    backends["translate"] = script.backend
    return summary, script


def prepare_script(
    source: str | Path | Article, settings: Settings, progress: Progress | None = None
) -> tuple[Article, Summary, Script]:
    """Ingest, summarise and translate only: the script a reporter reviews before rendering."""
    from anchor.ingest import read_article  # deferred: see the note at the imports

    timer = _Timer({}, progress or (lambda msg: log.info(msg)))
    with timer.stage("ingest", "reading the article"):
        article = source if isinstance(source, Article) else read_article(str(source))
    summary, script = make_script(article, settings, timer, {})
    return article, summary, script


def render_article(
    source: str | Path | Article | None,
    settings: Settings,
    *,
    script_file: Path | None = None,
    script: Script | None = None,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    keep_models: bool = False,
) -> RunResult:
    """Run every stage for one article and write its folder of outputs.

    ``script`` or ``script_file`` (an edited script) skips summarising and translating;
    with one of them, ``source`` may be None: the article is then rebuilt from the script.
    ``keep_models``: keep the translation model loaded after the script is made (batches,
    which translate again soon); by default it is freed before the speech models load.
    """
    from anchor.ingest import read_article  # deferred: see the note at the imports

    say = progress or (lambda msg: log.info(msg))
    timings: dict[str, float] = {}
    backends: dict[str, str] = {}
    timer = _Timer(timings, say)
    t_start = time.perf_counter()

    # Everything that can be checked in a second is, so a bad option, presenter, voice,
    # ffmpeg or script fails before minutes of work.
    ready = preflight(settings)
    avatar = ready.avatar
    voices = {"zh": ready.voice_zh, "en": ready.voice_en}
    if script is None and script_file is not None:
        script = load_script(script_file)
        backends["translate"] = f"edited script ({script_file.name})"
    elif script is not None:
        backends["translate"] = f"edited script ({script.backend})"
    if source is None and script is None:
        raise InputError("nothing to render", hint="give an article, or --script script.json")

    _prepare_out(out_dir.parent if out_dir is not None else settings.out)

    with timer.stage("ingest", "reading the article"):
        if isinstance(source, Article):
            article = source
        elif source is not None:
            article = read_article(str(source))
        else:
            assert script is not None
            article = article_from_script(script, script_file)

    summary: Summary | None = None
    if script is None:
        summary, script = make_script(article, settings, timer, backends,
                                      keep_models=keep_models)
    require_reviewed(script, settings)
    if settings.studio:
        # the edit list, chosen after translation: the script's cache key never holds it
        with timer.stage("edit", "choosing each sentence's shot"):
            script = plan_script_edit(script, article, settings)

    if out_dir is None:
        out_dir = settings.out / slugify(article.title, f"article-{article.sha256[:8]}")
    render_key = keys.render_key(script, _render_settings(settings), avatar,
                                       file_sha256(avatar.image), voices["zh"], voices["en"],
                                       ready.ffmpeg.version, __version__)
    previous = _up_to_date(out_dir, render_key, article, script)
    if previous is not None:
        say(f"up to date: {out_dir}")
        if settings.check:
            _run_checks(previous, settings, say)
        return previous

    _prepare_out(out_dir)
    # the manifest marks a finished folder: an earlier one must not vouch for a half re-render
    (out_dir / "manifest.json").unlink(missing_ok=True)
    work = out_dir / ".work"
    work.mkdir(exist_ok=True)
    result = RunResult(out_dir=out_dir, article=article, script=script, timings=timings,
                       backends=backends, warnings=list(script.warnings), presenter=avatar)
    try:
        _speak_and_render(result, settings, avatar, voices, work, timer, render_key)
    finally:
        # half-made audio and subtitle scratch files never outlive the run
        shutil.rmtree(work, ignore_errors=True)
    backends["render"] = settings.renderer
    timings["total"] = round(time.perf_counter() - t_start, 3)
    _write_script_json(out_dir, summary, script, result)
    result.manifest = _write_manifest(out_dir, settings, result, summary, render_key)
    if settings.check:
        _run_checks(result, settings, say)
    say(f"done: {out_dir}")
    return result


def _run_checks(result: RunResult, settings: Settings, say: Progress) -> None:
    """`render --check`: ASR round trip, facts, caption timing; a miss fails the job."""
    # deferred: see the note at the imports
    from anchor.check import Thresholds, check_output, report_dict, write_into_manifest

    say("checking the clips (speech recognition round trip)")
    report = check_output(result.out_dir, Thresholds.from_mapping(settings.checks),
                          progress=say)
    write_into_manifest(result.out_dir, report)
    result.checks = report_dict(report)
    if not report.passed:
        raise RenderError("check failed: " + "; ".join(report.problems[:3]),
                          hint=f'see "checks" in {result.out_dir / "manifest.json"}')


def _render_settings(settings: Settings) -> dict[str, Any]:
    """The settings that change the pictures or sound (not where they are written)."""
    data = to_dict(settings)
    # ffmpeg: the request is not the build; the key holds the chosen build's version instead
    for key in ("out", "summarizer", "translator", "sentences", "zh_variant", "check", "checks",
                "ffmpeg"):
        data.pop(key, None)
    return data


def _up_to_date(out_dir: Path, key: str, article: Article, script: Script) -> RunResult | None:
    """A finished earlier run with the same inputs: reuse it instead of rendering again."""
    manifest = out_dir / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        data = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("render_key") != key:
        return None
    clips: dict[str, RenderResult] = {}
    for label, clip in data.get("clips", {}).items():
        video = out_dir / clip["video"]["path"]
        if not video.is_file():
            return None
        sub = {k: out_dir / clip[k]["path"] if clip.get(k) else None for k in ("srt", "vtt")}
        clips[label] = RenderResult(label, video, sub["srt"], sub["vtt"], clip["duration_ms"],
                                    clip["width"], clip["height"], clip["renderer"])
    return RunResult(out_dir=out_dir, article=article, script=script, clips=clips,
                     timings={"total": 0.0}, backends=data.get("backends", {}),
                     warnings=list(data.get("warnings", [])), manifest=manifest, cached=True)


def _speak_and_render(result: RunResult, settings: Settings, avatar: Any,
                      voices: dict[str, Any], work: Path, timer: _Timer,
                      render_key: str = "") -> None:
    """Speech, captions and clips. Two lanes: one thread speaks the languages one after
    another (the quickest voice first) while this thread renders each clip as soon as its
    voice is ready; the thumbnail is drawn on a third thread while video encodes."""
    # deferred: see the note at the imports
    from anchor.captions import bilingual_cues, make_captions, write_captions
    from anchor.render import render
    from anchor.render.encode.fast import thumbnail

    script, out_dir = result.script, result.out_dir
    speak_langs: list[Lang] = [lang for lang in ("zh", "en") if lang in settings.langs]
    if settings.bilingual and settings.bilingual_voice not in speak_langs:
        speak_langs.append(settings.bilingual_voice)  # type: ignore[arg-type]
    # The quickest voice first, so its clip encodes while the slow one speaks instead of
    # every clip waiting for it (English by hibari takes seconds, Mandarin by Kokoro most
    # of a minute). On a tie, the bilingual clip's voice first: two clips wait on it.
    speak_langs.sort(key=lambda lang: (_voice_cost(voices[lang], lang),
                                       settings.bilingual and lang != settings.bilingual_voice))
    captions: dict[str, Captions] = {}
    speech_lane = ThreadPoolExecutor(1, thread_name_prefix="anchor-speech")
    side_lane = ThreadPoolExecutor(1, thread_name_prefix="anchor-thumbnail")
    try:
        spoken_futures: dict[str, Future[Speech]] = {
            lang: speech_lane.submit(_speak_one, result, settings, voices, work, timer, lang,
                                     captions)
            for lang in speak_langs
        }
        thumb: Future[None] | None = None
        # the thumbnail shows the first clip of zh, en, bilingual that is made
        thumb_of = next((lang for lang in ("zh", "en") if lang in settings.langs), "bilingual")

        def voice(lang: str) -> Speech:
            return spoken_futures[lang].result()

        for lang in speak_langs:
            if lang not in settings.langs:
                continue
            speech = voice(lang)
            spec = compose(label=lang, script=script, speech=speech, cues=captions[lang].cues,
                           avatar=avatar, settings=settings, headline_lang=lang,
                           key=render_key)
            if lang == thumb_of:
                thumb = side_lane.submit(_thumbnail, thumbnail, _cover_spec(spec, settings,
                                                                            render_key),
                                         out_dir, timer)
            srt, vtt = out_dir / f"{lang}.srt", out_dir / f"{lang}.vtt"
            write_captions(captions[lang], srt, vtt)
            with CPU.shared(), timer.stage(f"render_{lang}", f"rendering {lang}.mp4"):
                clip = render(spec, out_dir / f"{lang}.mp4", renderer=settings.renderer)
            result.clips[lang] = replace(clip, srt=srt, vtt=vtt)

        if settings.bilingual:
            spoken: Lang = settings.bilingual_voice  # type: ignore[assignment]
            other: Lang = "en" if spoken == "zh" else "zh"
            speech = voice(spoken)
            with timer.stage("caption", "captioning bilingual"):
                # the other language's text, timed on the spoken track's sentences
                on_spoken = make_captions(script.texts(other), speech.sentences, other)
                zh_caps, en_caps = ((captions[spoken], on_spoken) if spoken == "zh"
                                    else (on_spoken, captions[spoken]))
                cues = bilingual_cues(zh_caps, en_caps, spoken=spoken)
            spec = compose(label="bilingual", script=script, speech=speech, cues=cues,
                           avatar=avatar, settings=settings, headline_lang=spoken,
                           key=render_key)
            if thumb_of == "bilingual":
                thumb = side_lane.submit(_thumbnail, thumbnail, _cover_spec(spec, settings,
                                                                            render_key),
                                         out_dir, timer)
            with CPU.shared(), timer.stage("render_bilingual", "rendering bilingual.mp4"):
                result.clips["bilingual"] = render(spec, out_dir / "bilingual.mp4",
                                                   renderer=settings.renderer)
        for future in spoken_futures.values():
            future.result()  # a voice no clip used still fails the run if it failed
        # the manifest lists the clips in one order, whichever voice was ready first
        result.clips = {k: result.clips[k] for k in ("zh", "en", "bilingual")
                        if k in result.clips}
        if thumb is not None:
            thumb.result()
    finally:
        speech_lane.shutdown(wait=True, cancel_futures=True)
        side_lane.shutdown(wait=True, cancel_futures=True)


def _voice_cost(voice: Any, lang: Lang) -> float:
    """CPU seconds per second of speech of the local engine that reads ``voice``."""
    # deferred: see the note at the imports
    from anchor.speech.registry import BACKENDS, offline_name

    return float(BACKENDS[offline_name(lang, voice)].cost)


def _speak_one(result: RunResult, settings: Settings, voices: dict[str, Any], work: Path,
               timer: _Timer, lang: Lang, captions: dict[str, Captions]) -> Speech:
    """One language: speak, level, align (only where the voice gave no word times), put on
    the clip's timeline, caption."""
    from anchor.captions import make_captions  # deferred: see the note at the imports
    from anchor.speech import speak
    from anchor.speech.level import music_bed, normalize

    script, backends = result.script, result.backends
    with _SPEECH_LOCK, CPU.shared(), timer.stage(f"speak_{lang}",
                                                 f"speaking {lang} ({voices[lang].label})"):
        speech = speak(script.texts(lang), lang, voices[lang], backend=settings.tts,
                       out_wav=work / f"{lang}.wav")
    backends[f"speak_{lang}"] = f"{speech.backend}:{speech.voice}"
    with timer.stage("level", f"levelling {lang} to {settings.loudness:g} LUFS"):
        if settings.music_bed:
            music_bed(speech.audio, speech.audio)
        loud = normalize(speech.audio, speech.audio, settings.loudness, settings.true_peak)
    result.loudness[lang] = loud.as_dict()
    if not speech.words and lang in settings.align.split(","):
        with CPU.shared(), timer.stage(f"align_{lang}",
                                       f"aligning {lang} words for the captions"):
            speech = replace(speech, words=speech_word_timings(speech))
    # the clip's timeline: the brand's intro and outro around the voice, so the
    # captions (and the SRT/VTT written from them) are timed as the MP4 plays
    with timer.stage("timeline", f"placing {lang} between the intro and outro"):
        speech = timeline_speech(speech, *bumper_ms(settings), work / f"{lang}.clip.wav")
    result.speech[lang] = speech
    with timer.stage("caption", f"captioning {lang}"):
        captions[lang] = make_captions(script.texts(lang), speech.sentences, lang,
                                       speech.words)
    return speech


def _cover_spec(spec: Any, settings: Settings, render_key: str) -> Any:
    """The thumbnail's spec: its clip's, with a content ID of its own in the AIGC label."""
    return replace(spec, aigc=aigc_json(aigc_label(producer(settings),
                                                   content_id(render_key, "thumbnail"))))


def _thumbnail(draw: Callable[[Any, Path], Any], spec: Any, out_dir: Path,
               timer: _Timer) -> None:
    with CPU.shared(), timer.stage("thumbnail", "making the thumbnail"):
        draw(spec, out_dir / "thumbnail.png")


def _prepare_out(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # a unique probe name: batch workers check the same folder at the same time
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise InputError(f"cannot write to {out_dir}: {exc.strerror}",
                         hint="choose another folder with --out") from exc


def _spans(speech: Speech) -> list[dict[str, Any]]:
    return [to_dict(s) for s in speech.sentences]


def _write_script_json(out_dir: Path, summary: Summary | None, script: Script,
                       result: RunResult) -> None:
    data = {
        "anchor": __version__,
        "summary": to_dict(summary) if summary else None,
        "script": to_dict(script),
        "timings": {lang: _spans(sp) for lang, sp in result.speech.items()},
    }
    atomic_write_text(out_dir / "script.json", json.dumps(data, ensure_ascii=False, indent=2))


def _write_manifest(out_dir: Path, settings: Settings, result: RunResult,
                    summary: Summary | None, render_key: str) -> Path:
    from anchor.jobs.manifest import build_manifest  # deferred: see the note at the imports

    path = out_dir / "manifest.json"
    data = build_manifest(out_dir, settings, result, summary)
    data["render_key"] = render_key
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return path
