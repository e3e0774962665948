"""Digest of everything a render makes from fixed inputs: frames, sound, captions, manifest.

Renders one short fixed script (no summary, no translation: the script is given) through the
real console script in two looks (hunan-red 16:9 with ticker and bumpers; default 9:16),
then prints, per output file, the md5 of ffmpeg's framemd5 listing (every video frame and
audio packet decoded), the sha256 of each caption file, and the manifest's values that do
not depend on when or where it ran. Run it before and after a change that must not change
the output (a move of modules, a refactor) and diff the two prints:

    PYTHONPATH=. .venv/bin/python scripts/framemd5.py > before.txt
    ... change ...
    PYTHONPATH=. .venv/bin/python scripts/framemd5.py > after.txt && diff before.txt after.txt

The voices synthesise afresh when their code changed (their cache key holds it), so this
also shows that speech is deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ANCHOR = ROOT / ".venv" / "bin" / "anchor"

SCRIPT = {
    "title_zh": "湘江两岸新开十五条公交线路",
    "title_en": "Fifteen new bus routes open along the Xiang River",
    "source_language": "zh",
    "zh_variant": "Hans",
    "segments": [
        {"index": 0, "zh": "长沙市今天开通了15条新公交线路，覆盖湘江两岸的32个社区。",
         "en": "Changsha opened 15 new bus routes today, serving 32 neighbourhoods on both "
               "banks of the Xiang River."},
        {"index": 1, "zh": "市交通局说，新线路每天可以运送约12万名乘客。",
         "en": "The city's transport bureau said the new routes can carry about 120,000 "
               "passengers a day.",
         # a story picture over the shoulder: the package's visual layers are in the digest
         "shot": "ots", "visual": {"kind": "image",
                                   "image": str(ROOT / "samples/festival/rocket-launch.jpg"),
                                   "caption": "A rocket on its launch pad",
                                   "credit": "Photo: SpaceX (public domain)"}},
        {"index": 2, "zh": "新线路将在明年扩展到浏阳市。",
         "en": "The routes will reach Liuyang next year."},
    ],
    "backend": "fixture",
}

# (name, extra render options)
LOOKS = (
    ("hunan-16x9", ["--brand", "hunan-red", "--aspect", "16:9"]),
    ("default-9x16", ["--brand", "default", "--aspect", "9:16", "--no-bilingual"]),
)

# manifest keys that hold times, paths, versions or hashes of the code, not the output
VOLATILE = {"timings", "created", "render_key", "anchor", "platform", "python", "packages",
            "out_dir", "path", "seconds", "code", "host", "models", "ffmpeg", "manifest",
            "render_seconds", "source", "out", "timings_s"}


def _ffmpeg() -> str:
    import imageio_ffmpeg  # the pinned build the renders use

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def frames_digest(video: Path) -> str:
    """md5 of ffmpeg's framemd5 listing of every decoded video frame and audio packet."""
    out = subprocess.run([_ffmpeg(), "-v", "error", "-i", str(video), "-map", "0",
                          "-f", "framemd5", "-"], capture_output=True, check=True).stdout
    lines = [ln for ln in out.splitlines() if not ln.startswith(b"#")]
    return hashlib.md5(b"\n".join(lines)).hexdigest()


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in sorted(value.items()) if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    if isinstance(value, str):  # assets are found in the checkout: where it is varies
        return value.replace(str(ROOT), "<checkout>")
    return value


def digest_folder(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in sorted(folder.iterdir()):
        if f.suffix == ".mp4":
            out[f.name] = "frames " + frames_digest(f)
        elif f.suffix in (".srt", ".vtt"):
            out[f.name] = "sha256 " + hashlib.sha256(f.read_bytes()).hexdigest()
        elif f.name == "manifest.json":
            stable = _stable(json.loads(f.read_text("utf-8")))
            out[f.name] = "values " + hashlib.sha256(
                json.dumps(stable, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="keep the renders in this folder")
    ap.add_argument("--manifest", action="store_true",
                    help="also print the manifest's stable values (to see what differs)")
    ap.add_argument("--fresh", action="store_true",
                    help="use empty stage caches (speech synthesised again)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="anchor-framemd5-"))
    try:
        script = work / "script.json"
        script.write_text(json.dumps(SCRIPT, ensure_ascii=False), "utf-8")
        env = {**os.environ, "ANCHOR_DATE": "2026-01-05"}
        if args.fresh:
            # a cache of its own (the models linked in): every stage computes afresh
            home = Path(os.environ.get("ANCHOR_HOME", Path.home() / ".cache" / "anchor"))
            (work / "home").mkdir()
            for entry in home.iterdir():
                if entry.name != "stages":
                    (work / "home" / entry.name).symlink_to(entry)
            env["ANCHOR_HOME"] = str(work / "home")
        for name, options in LOOKS:
            out = work / name
            subprocess.run([str(ANCHOR), "-q", "render", "--script", str(script),
                            "--out", str(out), "--seed", "7", *options],
                           check=True, env=env, cwd=work, stdout=subprocess.DEVNULL)
            (folder,) = [p for p in out.iterdir() if p.is_dir()]
            for file, value in digest_folder(folder).items():
                print(f"{name}/{file}: {value}")
            if args.manifest:
                stable = _stable(json.loads((folder / "manifest.json").read_text("utf-8")))
                print(json.dumps(stable, indent=1, sort_keys=True, ensure_ascii=False))
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
