"""Fidelity of the translation on real news: before (model alone) and after (names and
figures fixed before the model, checks, retries, review flags).

    PYTHONPATH=. python scripts/fidelity_report.py [--articles samples/real/voa.jsonl]
        [--sentences 3] [--limit N] [--backend llama] [--show]

For every summary sentence of every article, both paths translate it with the same
model in the same run, one after the other. A sentence "keeps its facts" when its
translation has every figure of the source (value, unit, qualifier) and every name in
its fixed rendering, and adds no figure, year or magnitude the source lacks; the goal
is that every sentence keeps its facts or is flagged for review. Printed: those
fractions, the flags, the invented figures, and seconds per sentence for each path.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from anchor.figures import figure_problems
from anchor.glossary import load_glossary
from anchor.ingest import ingest
from anchor.models import Summary
from anchor.names import find_names
from anchor.text import split_sentences, to_simplified
from anchor.translate import translate
from anchor.translate.checks import name_problems


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
    art = ingest(rec["text"], title=rec["title"], name=rec["url"])
    try:
        from anchor.summarize import summarize

        return summarize(art, n)
    except Exception as exc:  # no embedding model here: the lead sentences
        print(f"  (extractive summary unavailable: {exc}; using the first {n} sentences)",
              file=sys.stderr)
        sents = tuple(split_sentences(art.text)[:n])
        return Summary(art.language, art.title, sents, (), "lead")


def facts_problems(src: str, out: str, lang: str, glossary: object) -> list[str]:
    target = "en" if lang == "zh" else "zh"
    names = find_names(to_simplified(src), lang, glossary)  # type: ignore[arg-type]
    probs = [p.message for p in figure_problems(src, out, target)]
    probs += [str(p) for p in name_problems(names, out, target)]  # type: ignore[arg-type]
    return probs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=Path, default=Path("samples/real/voa.jsonl"))
    ap.add_argument("--sentences", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--backend", default="llama")
    ap.add_argument("--show", action="store_true", help="print every translation")
    args = ap.parse_args()
    recs = [json.loads(line) for line in args.articles.read_text("utf-8").splitlines() if line]
    if args.limit:
        recs = recs[: args.limit]
    glossary = load_glossary()
    tallies = {"before": Tally(), "after": Tally()}
    for k, rec in enumerate(recs, 1):
        summary = summary_of(rec, args.sentences)
        print(f"[{k}/{len(recs)}] {rec['title']} ({summary.language}, "
              f"{len(summary.sentences)} sentences)", file=sys.stderr)
        for mode, fidelity in (("before", False), ("after", True)):
            t0 = time.perf_counter()
            script = translate(summary, backend=args.backend, glossary=glossary,
                               fidelity=fidelity)
            tally = tallies[mode]
            tally.seconds += time.perf_counter() - t0
            for seg, src in zip(script.segments, summary.sentences, strict=True):
                out = seg.en if summary.language == "zh" else seg.zh
                probs = facts_problems(src, out, summary.language, glossary)
                tally.sentences += 1
                tally.kept += not probs
                tally.flagged += seg.review
                tally.right_or_flagged += (not probs) or seg.review
                tally.invented += any("adds" in p for p in probs)
                if probs and not seg.review:
                    tally.misses.append(f"{src} → {out}: {'; '.join(probs)}")
                if args.show:
                    print(f"  {mode:6} {src}\n         → {out}\n         "
                          f"{'; '.join(probs) or 'facts kept'}"
                          f"{' [REVIEW: ' + '; '.join(seg.warnings) + ']' if seg.review else ''}")
    print()
    print(f"{len(recs)} articles, {tallies['after'].sentences} summary sentences, "
          f"backend {args.backend}")
    print(f"{'':8}{'facts kept':>12}{'flagged':>10}{'kept or flagged':>18}"
          f"{'invented':>10}{'s/sentence':>12}")
    for mode, t in tallies.items():
        n = max(t.sentences, 1)
        print(f"{mode:8}{t.kept / n:>12.0%}{t.flagged:>10}{t.right_or_flagged / n:>18.0%}"
              f"{t.invented:>10}{t.seconds / n:>12.2f}")
    ratio = tallies["after"].seconds / max(tallies["before"].seconds, 1e-9)
    print(f"time after/before: {ratio:.2f}x (headline, retries and mixed sentences included; "
          "s/sentence = the whole translate stage divided by summary sentences)")
    if tallies["after"].misses:
        print("\nnot kept and not flagged (after):")
        for m in tallies["after"].misses:
            print("  " + m)


if __name__ == "__main__":
    main()
