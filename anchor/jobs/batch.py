"""Batches: many articles from a folder or a CSV/JSONL manifest, each failing alone.

Finished articles are skipped on a re-run (their manifest's render key matches), and the
stage caches make an interrupted article resume where it stopped.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anchor.core.errors import AnchorError, InputError
from anchor.core.slug import slugify
from anchor.core.values import Article, ArticleImage
from anchor.pipeline import render_article

__all__ = ["ARTICLE_SUFFIXES", "BatchItem", "ItemResult", "read_batch", "run_batch"]

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md", ".json")
# Columns a manifest row may set per article (a producer's spreadsheet export).
ITEM_OPTIONS = ("avatar", "voice_zh", "voice_en", "langs", "aspect", "sentences", "zh_variant")


@dataclass(frozen=True, slots=True)
class BatchItem:
    id: str  # folder name under the output folder
    source: str  # path of the article, or "" when the row holds the text itself
    text: str = ""
    title: str = ""
    options: tuple[tuple[str, str], ...] = ()
    images: tuple[str, ...] = ()  # the story's pictures (absolute paths), the "images" column


@dataclass(slots=True)
class ItemResult:
    item: BatchItem
    ok: bool
    out_dir: str = ""
    clips: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    hint: str = ""
    cached: bool = False
    seconds: float = 0.0


def _slug_ids(items: list[BatchItem]) -> list[BatchItem]:
    """Make ids unique: two articles with the same title must not share a folder."""
    seen: dict[str, int] = {}
    out = []
    for it in items:
        n = seen.get(it.id, 0) + 1
        seen[it.id] = n
        out.append(it if n == 1 else BatchItem(f"{it.id}-{n}", it.source, it.text, it.title,
                                               it.options, it.images))
    return out


def _row_item(row: Mapping[str, Any], base: Path, line: int) -> BatchItem:
    def get(key: str) -> str:
        value = row.get(key)
        return "" if value is None else str(value).strip()

    path, text, title = get("path"), get("text"), get("title")
    if not path and not text:
        raise InputError(f"manifest row {line}: needs a path or a text column")
    source = str((base / path).resolve()) if path else ""
    ident = get("id") or slugify(title or (Path(path).stem if path else ""), f"row-{line}")
    options = tuple((k, get(k)) for k in ITEM_OPTIONS if get(k))
    # pictures: a list (JSON Lines) or paths split by ";" or "|" (CSV), beside the manifest
    raw = row.get("images")
    names = [str(x) for x in raw] if isinstance(raw, list) else \
        [x for x in re.split(r"[;|]", get("images")) if x.strip()]
    images = tuple(str((base / n.strip()).resolve()) for n in names)
    return BatchItem(ident, source, text, title, options, images)


def read_batch(target: Path) -> list[BatchItem]:
    """Articles of a folder (sorted), or rows of a .csv / .jsonl manifest."""
    if target.is_dir():
        # READMEs and hidden files sit beside articles in real folders; they are not news
        files = sorted(p for p in target.iterdir()
                       if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                       and not p.name.startswith(".") and p.stem.upper() != "README")
        if not files:
            raise InputError(f"no articles in {target}",
                             hint=f"put {', '.join(ARTICLE_SUFFIXES)} files there")
        return _slug_ids([BatchItem(slugify(p.stem, p.stem), str(p.resolve())) for p in files])
    if not target.is_file():
        raise InputError(f"{target} not found", hint="pass a folder or a .csv/.jsonl manifest")
    suffix = target.suffix.lower()
    rows: list[tuple[int, Mapping[str, Any]]] = []
    try:
        if suffix == ".csv":
            with target.open(encoding="utf-8-sig", newline="") as f:
                rows = [(i + 2, r) for i, r in enumerate(csv.DictReader(f))]
        elif suffix in (".jsonl", ".ndjson"):
            for i, line in enumerate(target.read_text("utf-8-sig").splitlines(), 1):
                if line.strip():
                    obj = json.loads(line)
                    if not isinstance(obj, dict):
                        raise InputError(f"{target}:{i}: each line must be a JSON object")
                    rows.append((i, obj))
        else:
            raise InputError(f"{target}: not a folder or a .csv/.jsonl manifest",
                             hint="for one article use `anchor render`")
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise InputError(f"{target}: cannot parse manifest ({exc})",
                         hint="save it as UTF-8 CSV with a header row, or JSON Lines") from exc
    if not rows:
        raise InputError(f"{target}: the manifest has no rows")
    return _slug_ids([_row_item(r, target.parent, line) for line, r in rows])


Runner = Callable[[BatchItem, Callable[[str], None]], ItemResult]


def run_one(item: BatchItem, settings_for: Callable[[BatchItem], Any],
            say: Callable[[str], None]) -> ItemResult:
    """Render one batch item; every failure becomes an ItemResult, never an exception."""
    from anchor.ingest import ingest  # deferred: markdown-it, not needed at CLI start

    t0 = time.perf_counter()
    try:
        settings = settings_for(item)
        source: str | Article = item.source
        pictures = [ArticleImage(Path(p)) for p in item.images]
        if not item.source:
            source = ingest(item.text, title=item.title or None, name=item.id, images=pictures)
        elif pictures:
            source = ingest(Path(item.source), images=pictures)
        # keep_models: the next article translates again soon; loading costs seconds each time
        result = render_article(source, settings, out_dir=settings.out / item.id, progress=say,
                                keep_models=True)
    except AnchorError as exc:
        return ItemResult(item, False, error=exc.message, hint=exc.hint,
                          seconds=time.perf_counter() - t0)
    except Exception as exc:  # a bug must not stop the batch; the report shows it
        log.debug("article %s failed", item.id, exc_info=True)
        return ItemResult(item, False, error=f"{type(exc).__name__}: {exc}",
                          hint="run `anchor render` on it with -vv for details",
                          seconds=time.perf_counter() - t0)
    clips = {
        label: {"video": str(c.video), "srt": str(c.srt) if c.srt else None,
                "vtt": str(c.vtt) if c.vtt else None, "duration_ms": c.duration_ms}
        for label, c in result.clips.items()
    }
    return ItemResult(item, True, out_dir=str(result.out_dir), clips=clips,
                      timings=dict(result.timings), warnings=list(result.warnings),
                      cached=result.cached, seconds=time.perf_counter() - t0)


def run_batch(items: Iterable[BatchItem], runner: Runner, workers: int,
              on_start: Callable[[BatchItem, int], None] | None = None,
              on_progress: Callable[[BatchItem, int, str], None] | None = None,
              on_done: Callable[[ItemResult, int], None] | None = None) -> list[ItemResult]:
    """Run items on ``workers`` threads (slots); results come back in input order."""
    todo = list(items)
    results: dict[int, ItemResult] = {}
    free = list(range(workers))
    lock = threading.Lock()

    def work(index: int, item: BatchItem) -> ItemResult:
        with lock:
            slot = free.pop(0)
        try:
            if on_start:
                on_start(item, slot)
            say = (lambda msg: on_progress(item, slot, msg)) if on_progress else (lambda _m: None)
            res = runner(item, say)
            if on_done:
                on_done(res, slot)
            return res
        finally:
            with lock:
                free.append(slot)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="anchor-batch") as pool:
        futures = {pool.submit(work, i, it): i for i, it in enumerate(todo)}
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
    return [results[i] for i in range(len(todo))]
