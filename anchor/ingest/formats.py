"""The input formats besides plain text: JSON, and which format a text without a file
name is in."""

from __future__ import annotations

import json
import re

from anchor.core.errors import InputError

__all__ = ["SUFFIX_FORMATS", "from_json", "sniff_format"]


def from_json(text: str, where: str) -> tuple[str | None, str]:
    hint = 'Give an object like {"title": "…", "body": "…"} (or "text" instead of "body").'
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(
            f"{where} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}.", hint=hint
        ) from None
    if not isinstance(data, dict):
        raise InputError(f"{where} holds JSON {type(data).__name__}, not an object.", hint=hint)
    body = data.get("body", data.get("text"))
    if isinstance(body, list) and all(isinstance(p, str) for p in body):
        body = "\n\n".join(body)
    if not isinstance(body, str):
        raise InputError(f'{where} has no "body" or "text" string.', hint=hint)
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise InputError(f'{where}: "title" must be a string.', hint=hint)
    return title, body


def sniff_format(text: str) -> str:
    """Format of text without a file name (stdin, inline): json, md or txt."""
    head = text.lstrip()
    if head.startswith("{"):
        try:
            if isinstance(json.loads(head), dict):
                return "json"
        except json.JSONDecodeError:
            pass
    md_signs = (
        r"^#{1,6}\s+\S",
        r"^```",
        r"!\[[^\]]*\]\(",
        r"\[[^\]]+\]\([^)\s]+\)",
        r"^---\ntitle:",
    )
    if any(re.search(p, text, re.M) for p in md_signs):
        return "md"
    return "txt"


SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".json": "json", ".txt": "txt", ".text": "txt"}
