#!/usr/bin/env python3
"""Measure the presenter's mouth on rendered frames, with a face tracker that did not
draw them (MediaPipe FaceMesh), and make before/after contact sheets.

    # 1. a speech sample: offline TTS, its own word times (Whisper's where the voice gives
    #    none), phonemes timed as the lip-sync times them (new code) and as the voice did
    PYTHONPATH=. .venv/bin/python scripts/presenter_metrics.py sample --lang en -o /tmp/pm/en
    # 2. measure an avatar with the code on PYTHONPATH (works with old checkouts too)
    PYTHONPATH=/tmp/before .venv/bin/python scripts/presenter_metrics.py measure \\
        --sample /tmp/pm/en --avatar lin --label before -o /tmp/pm/lin-before
    PYTHONPATH=. .venv/bin/python scripts/presenter_metrics.py measure \\
        --sample /tmp/pm/en --avatar lin --label after -o /tmp/pm/lin-after
    # 3. side by side: the two strips and the numbers
    .venv/bin/python scripts/presenter_metrics.py compare /tmp/pm/lin-before /tmp/pm/lin-after \\
        -o /tmp/pm/lin.png

Measured per frame (FaceMesh with refined lips on the rendered presenter box):
- jaw drop: the chin (landmark 152) below where it is on the still, as a share of the
  face height (10 to 152) of the still; reported at the widest openings (95th percentile);
- lips closed: the inner lips (13, 14) closer than 0.8 % of the face height;
  the share of speech frames (inside the aligned words) with closed lips, and the share
  of m/b/p sounds with closed lips on at least one frame of the sound (±1 frame), twice:
  on the m/b/p times the lip-sync derived (each word's phonemes spread over the word),
  and on the voice's own phoneme durations (``Speech.phonemes``, from the TTS's duration
  model: Kokoro or hibari), which the lip-sync never saw;
- lip/voice correlation: Pearson's r of the inner-lip gap and the voice's loudness (dB,
  per frame) over the speech frames.
--avatar also takes a path to a TOML (an avatar added with `anchor avatars add --dir`).
"""

from __future__ import annotations

import argparse
import inspect
import json
import wave
from pathlib import Path

import numpy as np

FPS = 30
BOX = (820, 1080)  # the presenter box of a 1080p 16:9 clip
CLOSED_SHARE = 0.008
SHEET_W = 2680  # a JPEG sheet is scaled down to this width (a PNG keeps every pixel)
TEXT = {
    "en": "Members of the public may bring a bag of empty bottles to the museum, "
          "and volunteers will pay five pounds for every full box.",
    "zh": "北京市民可以把旧报纸和塑料瓶送到博物馆门口，志愿者每天早上八点开门。",
}


def _sample(args: argparse.Namespace) -> None:
    from anchor.render.presenter.visemes import phones_of, time_phones
    from anchor.speech import speak
    from anchor.speech.align import speech_word_timings
    from anchor.speech.kokoro import phonemize
    from anchor.speech.voices import load_voice

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    lang = args.lang
    voice = load_voice(args.voice or f"{lang}-female")
    speech = speak((TEXT[lang],), lang, voice, backend="auto", out_wav=out / "speech.wav")
    words = speech.words or speech_word_timings(speech)
    phones = time_phones(words, [phonemize(w.text, lang) for w in words])
    (out / "sample.json").write_text(json.dumps({
        "lang": lang, "text": TEXT[lang], "duration_ms": speech.duration_ms,
        "voice": f"{speech.backend}:{speech.voice}",
        "words": [[w.start_ms, w.end_ms, w.text] for w in words],
        "mbp": [[p.start_ms, p.end_ms] for p in phones if p.viseme == "mbp"],
        # The voice's own timing (the TTS's duration model), independent of Whisper and
        # of the lip-sync's phoneme spreading: what the m/b/p check counts against too.
        "mbp_tts": [[p.start_ms, p.end_ms] for p in speech.phonemes
                    if phones_of(p.text) and set(phones_of(p.text)) == {"mbp"}],
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    print(out / "sample.json")


def _avatar(name: str):  # -> anchor.core.values.Avatar
    from anchor.assets.avatars import _parse, load_avatar

    p = Path(name)
    return _parse(p) if p.suffix == ".toml" else load_avatar(name)


def _track(avatar, wav: Path, duration_ms: int, words, lang: str):
    from anchor.core.values import Box
    from anchor.render.presenter.track import PresenterTrack

    kw = {}
    params = inspect.signature(PresenterTrack).parameters
    if "words" in params:
        kw = {"words": words, "language": lang}
    return PresenterTrack(avatar, Box(0, 0, *BOX), FPS, duration_ms, wav, 0, **kw)


def _loudness_db(wav: Path, n: int) -> np.ndarray:
    with wave.open(str(wav), "rb") as w:
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    hop = rate // FPS
    db = np.full(n, -90.0)
    for f in range(n):
        seg = x[f * hop:f * hop + 2 * hop]
        if seg.size:
            db[f] = 20 * np.log10(np.sqrt(np.mean(seg ** 2)) + 1e-9)
    return db


def _measure(args: argparse.Namespace) -> None:
    import cv2
    from mediapipe.python.solutions import face_mesh

    from anchor.core.values import Span

    sample = json.loads((args.sample / "sample.json").read_text(encoding="utf-8"))
    wav = args.sample / "speech.wav"
    words = tuple(Span(a, b, t) for a, b, t in sample["words"])
    duration = int(sample["duration_ms"])
    track = _track(_avatar(args.avatar), wav, duration, words, sample["lang"])
    n = track.n_frames

    def frame(i: int) -> np.ndarray:
        img = np.array(track.static)
        d = track.dirty
        img[d.y:d.y + d.h, d.x:d.x + d.w] = track.patch(i)
        return img

    chin, gap, fh = np.full(n, np.nan), np.full(n, np.nan), np.nan
    with face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1, refine_landmarks=True,
                            min_detection_confidence=0.5, min_tracking_confidence=0.5) as mesh:
        still = mesh.process(np.ascontiguousarray(track.static)).multi_face_landmarks
        if not still:
            raise SystemExit("FaceMesh finds no face on the still presenter")
        p = still[0].landmark
        h = BOX[1]
        chin0, fh = p[152].y * h, (p[152].y - p[10].y) * h
        for i in range(n):
            res = mesh.process(frame(i)).multi_face_landmarks
            if res:
                q = res[0].landmark
                chin[i] = q[152].y * h
                gap[i] = (q[14].y - q[13].y) * h
    drop = (chin - chin0) / fh
    speech = np.zeros(n, bool)
    t = (np.arange(n) + 0.5) * 1000 / FPS
    for a, b, _ in sample["words"]:
        speech |= (t >= a) & (t < b)
    closed = gap / fh < CLOSED_SHARE

    def closed_on(spans: list[list[float]]) -> list[bool]:
        hits = []
        for a, b in spans:
            lo, hi = int(a * FPS / 1000) - 1, int(np.ceil(b * FPS / 1000)) + 1
            hits.append(bool(closed[max(0, lo):min(n, hi + 1)].any()))
        return hits

    mbp_hit = closed_on(sample["mbp"])
    tts_hit = closed_on(sample.get("mbp_tts", []))
    db = _loudness_db(wav, n)
    ok = speech & np.isfinite(gap)
    r = float(np.corrcoef(gap[ok], db[ok])[0, 1]) if ok.sum() > 3 else float("nan")
    result = {
        "label": args.label, "avatar": args.avatar, "frames": n, "speech_frames": int(ok.sum()),
        "tracked": float(np.isfinite(gap).mean()),
        "jaw_drop_p95_pct": round(100 * float(np.nanpercentile(drop[ok], 95)), 2),
        "jaw_drop_max_pct": round(100 * float(np.nanmax(drop[ok])), 2),
        "closed_speech_pct": round(100 * float(closed[ok].mean()), 1),
        "mbp_closed_pct": round(100 * float(np.mean(mbp_hit)), 1) if mbp_hit else None,
        "mbp_count": len(mbp_hit),
        "mbp_tts_closed_pct": round(100 * float(np.mean(tts_hit)), 1) if tts_hit else None,
        "mbp_tts_count": len(tts_hit),
        "lip_voice_r": round(r, 3),
    }
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    # The strip: ~2 s of speech at 10 fps, the mouth at 2x.
    start = args.start if args.start is not None else int(sample["words"][0][0])
    frames = [round((start + k * 100) * FPS / 1000) for k in range(20)]
    cy, cx = int(chin0 - 0.17 * fh), int(p[152].x * BOX[0])
    half_w, half_h = int(0.3 * fh), int(0.22 * fh)
    tiles = []
    for i in frames:
        if i >= n:
            break
        img = frame(i)[cy - half_h:cy + half_h, cx - half_w:cx + half_w]
        img = cv2.resize(img, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        cv2.putText(img, f"{i * 1000 // FPS}ms", (4, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                    (255, 255, 0), 1, cv2.LINE_AA)
        tiles.append(img)
    strip = np.concatenate([np.concatenate(tiles[k:k + 10], 1) for k in (0, 10)
                            if len(tiles[k:k + 10]) == 10], 0)
    cv2.imwrite(str(out / "strip.png"), cv2.cvtColor(strip, cv2.COLOR_RGB2BGR))
    print(json.dumps(result))


def _compare(args: argparse.Namespace) -> None:
    import cv2

    rows = []
    for d in args.dirs:
        m = json.loads((d / "metrics.json").read_text(encoding="utf-8"))
        strip = cv2.imread(str(d / "strip.png"))
        bar = np.full((34, strip.shape[1], 3), 30, np.uint8)
        who = Path(m["avatar"]).stem  # a TOML path: the avatar's name
        text = (f"{m['label']} {who}: jaw drop p95 {m['jaw_drop_p95_pct']}% | "
                f"lips closed {m['closed_speech_pct']}% of speech frames | m/b/p closed "
                f"{m['mbp_closed_pct']}% (voice's own times {m.get('mbp_tts_closed_pct')}%)"
                f" | lip/voice r {m['lip_voice_r']}")
        cv2.putText(bar, text, (8, 23), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (240, 240, 240), 1,
                    cv2.LINE_AA)
        rows += [bar, strip]
        print(text)
    w = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 0), (0, w - r.shape[1]), (0, 0))) for r in rows]
    sheet = np.concatenate(rows, 0)
    params: list[int] = []
    if args.out.suffix.lower() in (".jpg", ".jpeg"):  # for the docs: modest files
        if sheet.shape[1] > SHEET_W:
            sheet = cv2.resize(sheet, (SHEET_W, round(sheet.shape[0] * SHEET_W / sheet.shape[1])),
                               interpolation=cv2.INTER_AREA)
        params = [cv2.IMWRITE_JPEG_QUALITY, 80]
    cv2.imwrite(str(args.out), sheet, params)
    print(args.out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--lang", choices=("en", "zh"), default="en")
    s.add_argument("--voice", default="")
    s.add_argument("-o", "--out", type=Path, required=True)
    m = sub.add_parser("measure")
    m.add_argument("--sample", type=Path, required=True)
    m.add_argument("--avatar", required=True)
    m.add_argument("--label", default="")
    m.add_argument("--start", type=int, default=None, help="strip start, ms")
    m.add_argument("-o", "--out", type=Path, required=True)
    c = sub.add_parser("compare")
    c.add_argument("dirs", type=Path, nargs="+")
    c.add_argument("-o", "--out", type=Path, required=True)
    args = ap.parse_args()
    {"sample": _sample, "measure": _measure, "compare": _compare}[args.cmd](args)


if __name__ == "__main__":
    main()
