"""Fidelity of the translation on real news: before (model alone) and after (names and
figures fixed before the model, checks, retries, review flags).

    PYTHONPATH=. python scripts/fidelity_report.py [--articles samples/real/voa.jsonl]
        [--sentences 5] [--limit N] [--backend llama] [--threads N] [--show]

Each article goes the way `anchor script` takes it: ingest, then the summary of
``--sentences`` sentences (the extractive summarizer on e5, as configured by default),
then ``translate(summary)``, the stage that writes script.json, once with
``fidelity=False`` (before: the plain prompt, no glossary, figures as written; the
checks still run and flag) and once with ``fidelity=True`` (after). Same summary, same
model, same run, one path after the other.

A summary sentence "keeps its facts" when its translation has every figure of the
source (value, unit, qualifier) and every name in its fixed rendering, adds no figure,
year, magnitude or name the source lacks, and ties no person to another's party; the goal
is that every sentence keeps its facts or is flagged for review. The headline is judged
the same way and reported on its own line. Printed: those fractions, the flags, the
invented figures, and seconds per translated text (sentences and headline) for each path.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from anchor.core.settings import load_settings
from anchor.core.values import Summary
from anchor.ingest import ingest
from anchor.language.figures import figure_problems
from anchor.language.glossary import load_glossary
from anchor.language.names import find_names, title_names
from anchor.language.text import to_simplified
from anchor.translate import get_backend, translate
from anchor.translate.affiliation import affiliation_problems
from anchor.translate.checks import name_problems
from anchor.translate.invented import invented_names, invented_zh_names


@dataclass
class Tally:
    sentences: int = 0
    kept: int = 0
    flagged: int = 0
    right_or_flagged: int = 0
    invented: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)


def summary_of(rec: dict[str, str], n: int) -> Summary:
    """The summary `anchor script` makes of this article (ingest, then summarize)."""
    art = ingest(rec["text"], title=rec.get("title") or None, name=rec["url"])
    from anchor.summarize import summarize

    return summarize(art, n)


def facts_problems(src: str, out: str, lang: str, glossary: object,
                   body: list[str] | None = None) -> list[str]:
    """What ``out`` lost or added; ``body``: the summary's sentences when ``src`` is its
    headline (a Title Case headline's names are the story's, see names.title_names)."""
    target = "en" if lang == "zh" else "zh"
    names = (find_names(to_simplified(src), lang, glossary) if body is None  # type: ignore[arg-type]
             else title_names(to_simplified(src), lang, glossary,  # type: ignore[arg-type]
                              [to_simplified(b) for b in body]))
    probs = [p.message for p in figure_problems(src, out, target)]
    probs += [str(p) for p in name_problems(names, out, target)]  # type: ignore[arg-type]
    if lang == "zh":  # a name the source does not have ("Binbin" for 彬彬有礼)
        probs += [str(p) for p in invented_names(to_simplified(src), out, names,  # type: ignore[arg-type]
                                                 glossary)]  # type: ignore[arg-type]
        probs += [str(p) for p in affiliation_problems(to_simplified(src), out, names)]  # type: ignore[arg-type]
    else:  # a place or body the English source does not name (俄罗斯 for "Baltic")
        probs += [str(p) for p in invented_zh_names(src, out, glossary)]  # type: ignore[arg-type]
    return probs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=Path, default=Path("samples/real/voa.jsonl"))
    ap.add_argument("--sentences", type=int, default=load_settings().sentences,
                    help="summary length (default: the configured one)")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--backend", default="llama")
    ap.add_argument("--threads", type=int, default=0,
                    help="llama.cpp threads (default: the backend's)")
    ap.add_argument("--show", action="store_true", help="print every translation")
    ap.add_argument("--rescore", type=Path, default=None,
                    help="re-judge the translations printed by an earlier --show run with "
                         "today's checks (flags and times as recorded), without the model")
    args = ap.parse_args()
    if args.rescore:
        rescore(args.rescore)
        return
    recs = [json.loads(line) for line in args.articles.read_text("utf-8").splitlines() if line]
    if args.limit:
        recs = recs[: args.limit]
    if args.threads and args.backend == "llama":
        import anchor.translate as tr
        from anchor.translate.llama import LlamaTranslator

        tr._INSTANCES["llama"] = LlamaTranslator(n_threads=args.threads)
    engine = get_backend(args.backend)
    glossary = load_glossary()
    tallies = {"before": Tally(), "after": Tally()}
    heads = {"before": Tally(), "after": Tally()}
    # load the model and e5 before timing, so "before" does not pay for the loading
    from anchor.translate import translate_text

    for pair in (("zh", "en", "今天下雨。"), ("en", "zh", "It rained today.")):
        translate_text(engine, pair[2], pair[0], pair[1], glossary=glossary)  # type: ignore[arg-type]
    for k, rec in enumerate(recs, 1):
        summary = summary_of(rec, args.sentences)
        lang = summary.language
        print(f"[{k}/{len(recs)}] {summary.title} ({lang}, {len(summary.sentences)} sentences)",
              file=sys.stderr)
        for mode, fidelity in (("before", False), ("after", True)):
            t0 = time.perf_counter()
            script = translate(summary, backend=engine.name, glossary=glossary,
                               fidelity=fidelity)
            per_text = (time.perf_counter() - t0) / (len(summary.sentences) + 1)
            texts = [(summary.title, script.title_en if lang == "zh" else script.title_zh,
                      bool(script.title_warnings), "; ".join(script.title_warnings), heads)]
            texts += [(src, seg.en if lang == "zh" else seg.zh, seg.review,
                       "; ".join(seg.warnings), tallies)
                      for src, seg in zip(summary.sentences, script.segments, strict=True)]
            for src, out, flagged, flags, book in texts:
                probs = facts_problems(src, out, lang, glossary,
                                       list(summary.sentences) if book is heads else None)
                tally = book[mode]
                tally.sentences += 1
                tally.seconds += per_text
                tally.kept += not probs
                tally.flagged += flagged
                tally.right_or_flagged += (not probs) or flagged
                tally.invented += any("adds" in p for p in probs)
                if probs and not flagged:
                    tally.misses.append(f"{src} → {out}: {'; '.join(probs)}")
                if args.show:
                    label = mode if book is tallies else f"{mode}-headline"
                    print(f"  {label:6} {src}\n         → {out}\n         "
                          f"{'; '.join(probs) or 'facts kept'}"
                          f"{' [FLAGGED: ' + flags + ']' if flagged else ''}"
                          f" ({per_text:.1f} s)", flush=True)
        print_table(tallies, k, args.backend, file=sys.stderr)
    print_table(tallies, len(recs), args.backend, file=sys.stdout)
    print_heads(heads, file=sys.stdout)
    for mode in ("after", "before"):
        if tallies[mode].misses or heads[mode].misses:
            print(f"\nnot kept and not flagged ({mode}):")
            for m in tallies[mode].misses + heads[mode].misses:
                print("  " + m)


def print_heads(heads: dict[str, Tally], file: object) -> None:
    for mode, t in heads.items():
        n = max(t.sentences, 1)
        print(f"headlines {mode}: {t.kept}/{t.sentences} keep their facts, {t.flagged} flagged, "
              f"{t.right_or_flagged / n:.0%} kept or flagged, {t.invented} invented",
              file=file)  # type: ignore[arg-type]


def rescore(log: Path) -> None:
    """Tallies of an earlier --show log, judged by the current figure and name checks."""
    import re

    glossary = load_glossary()
    tallies = {"before": Tally(), "after": Tally()}
    heads = {"before": Tally(), "after": Tally()}
    lines = log.read_text("utf-8").splitlines()
    articles = 0
    for i, line in enumerate(lines):
        m = re.match(r"  (before|after)(-headline)?\s+(.*)$", line)
        if not m or i + 2 >= len(lines):
            continue
        mode, head, src = m.groups()
        articles += bool(head) and mode == "before"
        out = lines[i + 1].strip().removeprefix("→ ").strip()
        verdict = lines[i + 2]
        flagged = "[FLAGGED:" in verdict
        secs = re.search(r"\(([\d.]+) s\)\s*$", verdict)
        lang = "zh" if re.search(r"[\u4e00-\u9fff]", src) else "en"
        probs = facts_problems(src, out, lang, glossary)
        t = (heads if head else tallies)[mode]
        t.sentences += 1
        t.kept += not probs
        t.flagged += flagged
        t.right_or_flagged += (not probs) or flagged
        t.invented += any("adds" in p for p in probs)
        t.seconds += float(secs.group(1)) if secs else 0.0
        if probs and not flagged:
            t.misses.append(f"[{mode}] {src} → {out}: {'; '.join(probs)}")
    print_table(tallies, articles, f"llama, rescored from {log}", file=sys.stdout)
    print_heads(heads, file=sys.stdout)
    for book in (tallies, heads):
        for mode in book:
            for miss in book[mode].misses:
                print("  " + miss)


def print_table(tallies: dict[str, Tally], articles: int, backend: str, file: object) -> None:
    out = file  # stderr for the running tally, stdout for the final one
    print(f"\n{articles} articles, {tallies['after'].sentences} summary sentences, "
          f"backend {backend}", file=out)  # type: ignore[arg-type]
    print(f"{'':8}{'facts kept':>12}{'flagged':>10}{'kept or flagged':>18}"
          f"{'invented':>10}{'s/sentence':>12}", file=out)  # type: ignore[arg-type]
    for mode, t in tallies.items():
        n = max(t.sentences, 1)
        print(f"{mode:8}{t.kept / n:>12.0%}{t.flagged:>10}{t.right_or_flagged / n:>18.0%}"
              f"{t.invented:>10}{t.seconds / n:>12.2f}", file=out)  # type: ignore[arg-type]
    ratio = tallies["after"].seconds / max(tallies["before"].seconds, 1e-9)
    print(f"time after/before: {ratio:.2f}x (retries included)", file=out)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
