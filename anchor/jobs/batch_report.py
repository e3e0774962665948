"""Batch reports: report.json for machines, report.html (with thumbnails) for people."""

from __future__ import annotations

import html
import json
import os
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from anchor.core.cache import atomic_write_text

from .batch import ItemResult

__all__ = ["report_data", "write_reports"]


def report_data(results: list[ItemResult], seconds: float) -> dict[str, Any]:
    ok = [r for r in results if r.ok]
    rendered = [r for r in ok if not r.cached]
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": len(results),
        "succeeded": len(ok),
        "failed": len(results) - len(ok),
        "reused": len(ok) - len(rendered),
        "seconds": round(seconds, 1),
        "articles_per_minute": round(len(results) / seconds * 60, 2) if seconds else None,
        "items": [
            {**{k: v for k, v in asdict(r).items() if k != "item"},
             "id": r.item.id, "source": r.item.source or "(inline text)",
             "seconds": round(r.seconds, 1)}
            for r in results
        ],
    }


def _rel(path: str, base: Path) -> str:
    return os.path.relpath(path, base) if path else ""


def _html(data: dict[str, Any], base: Path) -> str:
    rows = []
    for it in data["items"]:
        e = html.escape
        if it["ok"]:
            thumb = Path(it["out_dir"]) / "thumbnail.png"
            img = (f'<img src="{e(_rel(str(thumb), base))}" alt="">' if thumb.exists() else "")
            links = " ".join(
                f'<a href="{e(_rel(c["video"], base))}">{e(label)}</a> '
                f'({c["duration_ms"] / 1000:.1f} s)' for label, c in it["clips"].items())
            status = "reused" if it["cached"] else "ok"
            detail = "<br>".join(e(w) for w in it["warnings"]) or "—"
            stages = ", ".join(f"{e(k)} {v:.0f}s" for k, v in it["timings"].items()
                               if k != "total")
        else:
            img, links, status = "", "", "failed"
            detail = f'<b>{e(it["error"])}</b><br><i>{e(it["hint"])}</i>'
            stages = ""
        rows.append(f'<tr class="{status}"><td>{img}</td><td>{e(it["id"])}<br>'
                    f'<small>{e(it["source"])}</small></td><td>{status}</td><td>{links}</td>'
                    f"<td>{stages}</td><td>{detail}</td></tr>")
    return f"""<!doctype html><html lang="en"><meta charset="utf-8">
<title>Anchor batch report</title>
<style>
body{{font:14px system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#1d2433}}
table{{border-collapse:collapse;width:100%}} td,th{{border-bottom:1px solid #dde;padding:.5em;
vertical-align:top;text-align:left}} img{{width:160px;border-radius:4px}}
tr.failed td{{background:#fff2f0}} tr.reused td{{color:#556}} small{{color:#778}}
</style>
<h1>Anchor batch report</h1>
<p>{data["succeeded"]} of {data["articles"]} articles rendered ({data["reused"]} reused),
{data["failed"]} failed, in {data["seconds"]} s ({data["articles_per_minute"]} articles/min).
Generated {html.escape(data["created"])}.</p>
<table><tr><th></th><th>article</th><th>status</th><th>clips</th><th>stage times</th>
<th>warnings / error</th></tr>
{"".join(rows)}
</table></html>
"""


def write_reports(results: list[ItemResult], out: Path, seconds: float) -> tuple[Path, Path]:
    data = report_data(results, seconds)
    out.mkdir(parents=True, exist_ok=True)
    jpath, hpath = out / "report.json", out / "report.html"
    atomic_write_text(jpath, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(hpath, _html(data, out))
    return jpath, hpath
