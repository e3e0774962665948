"""The newsroom glossary of the web service: editors' names, with an audit trail.

Entries live in ``DATA/glossary.sqlite`` (not the server's working folder) with three
tables: ``entries`` (what is in force), ``audit`` (who changed what and when, before
and after) and ``suggestions`` (a reporter's "add to glossary": an editor accepts or
rejects it). After every change the entries are exported to ``DATA/glossary.toml``,
the file every job's translation reads as its newsroom layer (over the base and brand
glossaries; see ``anchor.language.glossary``), written through a temporary name.

Every entry is validated: its length, its characters (Chinese on the left, a Latin
spelling on the right, no quotes, controls or private-use characters), and it may not
replace a base-glossary entry — or take an English name the base glossary gives to
another Chinese name (王建国 = "Xi Jinping") — unless the editor says so (``override``).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
import time
import tomllib
import unicodedata
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anchor.core.errors import AnchorError, InputError
from anchor.language.glossary import BASE_GLOSSARY
from anchor.language.names import person_pinyin, pinyin_split, spelt_in
from anchor.language.text import HAN

from .sqlite import immediate

__all__ = ["Entry", "GlossaryConflict", "GlossaryNotFound", "NewsroomGlossary", "Suggestion",
           "validate_entry"]

log = logging.getLogger(__name__)

MAX_ZH = 40  # the longest names (organisations) stay well under this
MAX_EN = 80  # one spelling
MAX_SPELLINGS = 6
_HAN_RE = re.compile(f"[{HAN}]")
_ZH_OK = re.compile(f"^[{HAN}A-Za-z0-9·・•\\-]+$")
# Latin letters with accents, digits, spaces and the punctuation of names
_EN_OK = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏ0-9 .,'’&()/\-]+$")


class GlossaryConflict(AnchorError):
    """An entry that would replace or shadow a base-glossary name without ``override``."""


class GlossaryNotFound(AnchorError):
    """No such entry or suggestion."""


@dataclass(frozen=True, slots=True)
class Entry:
    zh: str
    en: str
    note: str
    override: bool  # the editor knowingly replaces or shadows a base-glossary name
    updated: float
    updated_by: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: int
    zh: str
    en: str
    by: str
    job_id: str
    note: str
    at: float
    state: str  # pending, accepted, rejected
    decided_by: str
    decided_at: float | None
    reason: str


def _base() -> dict[str, str]:
    data = tomllib.loads(BASE_GLOSSARY.read_text("utf-8"))
    return {k.strip(): v.strip() for k, v in data.get("names", {}).items()}


_BASE: dict[str, str] | None = None
_BASE_EN: dict[str, str] | None = None


def base_names() -> tuple[dict[str, str], dict[str, str]]:
    """(zh → en, en spelling casefolded → zh) of the shipped base glossary."""
    global _BASE, _BASE_EN
    if _BASE is None or _BASE_EN is None:
        _BASE = _base()
        _BASE_EN = {}
        for zh, en_all in _BASE.items():
            for en in en_all.split("|"):
                _BASE_EN.setdefault(en.strip().casefold(), zh)
    return _BASE, _BASE_EN


def _bad_char(text: str) -> str | None:
    for i, c in enumerate(text):
        cat = unicodedata.category(c)
        if cat in ("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"):
            return f"an invisible or private character (U+{ord(c):04X}) at position {i + 1}"
    return None


def validate_entry(zh: str, en: str, override: bool = False) -> tuple[str, str]:
    """The entry, trimmed and normalised; InputError for a malformed one, and
    GlossaryConflict for one that would change a base-glossary name without override."""
    zh = unicodedata.normalize("NFC", zh.strip())
    spellings = [unicodedata.normalize("NFC", " ".join(e.split())) for e in en.split("|")]
    spellings = [e for e in spellings if e]
    for side, text in (("Chinese", zh), ("English", en)):
        bad = _bad_char(text.strip())
        if bad:
            raise InputError(f"the {side} name holds {bad}", hint="retype it")
    if not zh:
        raise InputError("the Chinese name is empty", hint="e.g. 章立凡 = Zhang Lifan")
    if len(zh) > MAX_ZH:
        raise InputError(f"the Chinese name is {len(zh)} characters; at most {MAX_ZH}",
                         hint="a glossary entry is one name, not a sentence")
    if not _HAN_RE.search(zh) or not _ZH_OK.match(zh):
        raise InputError(f"{zh[:40]!r} is not a Chinese name",
                         hint="Chinese characters (with Latin letters, digits, · or - where "
                              "the name has them); no spaces, quotes or punctuation")
    if not spellings:
        raise InputError("the English name is empty", hint="e.g. 章立凡 = Zhang Lifan")
    if len(spellings) > MAX_SPELLINGS:
        raise InputError(f"{len(spellings)} spellings; at most {MAX_SPELLINGS}",
                         hint="the written one first, then accepted ones, separated by |")
    for e in spellings:
        if len(e) > MAX_EN:
            raise InputError(f"the English name is {len(e)} characters; at most {MAX_EN}",
                             hint="a glossary entry is one name, not a sentence")
        if _HAN_RE.search(e) or not _EN_OK.match(e) or not re.search(r"[A-Za-zÀ-ɏ]", e):
            raise InputError(f"{e[:40]!r} is not an English name",
                             hint="Latin letters, digits, spaces and . , ' - & ( ) / only")
    base, base_en = base_names()
    if not override:
        wrong = _misspelt_pinyin(zh, spellings[0])
        if wrong:
            raise GlossaryConflict(
                f"\u201c{spellings[0]}\u201d is pinyin, but not of {zh} (which reads "
                f"{wrong})", hint="check the name; say so (override) if the person really "
                                  "writes it that way")
        if zh in base and base[zh].split("|")[0].strip() != spellings[0]:
            raise GlossaryConflict(
                f"{zh} is in the base glossary as \u201c{base[zh].split('|')[0]}\u201d",
                hint="say so to replace it for this newsroom (override), or keep the base "
                     "spelling")
        for e in spellings:
            owner = base_en.get(e.casefold())
            if owner is not None and owner != zh:
                raise GlossaryConflict(
                    f"\u201c{e}\u201d is the base glossary's name for {owner}, not {zh}",
                    hint="two Chinese names with one English name read back wrongly; check "
                         "the name, or say so (override) if it really is right")
    return zh, "|".join(spellings)


def _misspelt_pinyin(zh: str, en: str) -> str:
    """The pinyin of ``zh`` when ``en`` is all pinyin (two syllables or more) that no
    characters of ``zh`` read as: 王建国 = "Xi Jinping". "" when it fits or is not pinyin."""
    syl: list[str] = []
    for word in re.findall(r"[A-Za-z'’]+", en):
        got = pinyin_split(word)
        if not got:
            return ""  # an English word ("Daily", "Bank"): not a pinyin spelling
        syl += got
    if len(syl) < 2 or spelt_in(zh, syl):
        return ""
    return person_pinyin(zh) or "?"


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class NewsroomGlossary:
    """Entries, audit and suggestions in one SQLite file; the TOML export beside it."""

    def __init__(self, data: Path) -> None:
        self.path = data / "glossary.sqlite"
        self.export_path = data / "glossary.toml"
        data.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._tx() as con:
            con.execute("CREATE TABLE IF NOT EXISTS entries (zh TEXT PRIMARY KEY,"
                        " en TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',"
                        " override INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL,"
                        " updated_by TEXT NOT NULL)")
            con.execute("CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY"
                        " AUTOINCREMENT, at REAL NOT NULL, who TEXT NOT NULL,"
                        " action TEXT NOT NULL, zh TEXT NOT NULL, old TEXT, new TEXT,"
                        " note TEXT NOT NULL DEFAULT '')")
            con.execute("CREATE TABLE IF NOT EXISTS suggestions (id INTEGER PRIMARY KEY"
                        " AUTOINCREMENT, zh TEXT NOT NULL, en TEXT NOT NULL,"
                        " by TEXT NOT NULL, job_id TEXT NOT NULL DEFAULT '',"
                        " note TEXT NOT NULL DEFAULT '', at REAL NOT NULL,"
                        " state TEXT NOT NULL DEFAULT 'pending',"
                        " decided_by TEXT NOT NULL DEFAULT '', decided_at REAL,"
                        " reason TEXT NOT NULL DEFAULT '')")
        if not self.export_path.is_file() and self.entries():
            self._export()

    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA busy_timeout=30000")
            self._local.con = con
        return con

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate(self._con())

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    # ------------------------------------------------------------------ reading

    def entries(self) -> list[Entry]:
        rows = self._con().execute("SELECT zh, en, note, override, updated, updated_by"
                                   " FROM entries ORDER BY zh").fetchall()
        return [Entry(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) for r in rows]

    def get(self, zh: str) -> Entry | None:
        r = self._con().execute("SELECT zh, en, note, override, updated, updated_by"
                                " FROM entries WHERE zh = ?", (zh.strip(),)).fetchone()
        return Entry(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) if r else None

    def audit(self, limit: int = 200) -> list[dict[str, Any]]:
        rows = self._con().execute("SELECT at, who, action, zh, old, new, note FROM audit"
                                   " ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [{"at": r[0], "who": r[1], "action": r[2], "zh": r[3], "old": r[4],
                 "new": r[5], "note": r[6]} for r in rows]

    def suggestions(self, state: str | None = "pending", limit: int = 200) -> list[Suggestion]:
        sql = ("SELECT id, zh, en, by, job_id, note, at, state, decided_by, decided_at,"
               " reason FROM suggestions")
        args: tuple[Any, ...] = ()
        if state:
            sql += " WHERE state = ?"
            args = (state,)
        rows = self._con().execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))
        return [Suggestion(*r) for r in rows.fetchall()]

    def suggestion(self, sid: int) -> Suggestion | None:
        r = self._con().execute("SELECT id, zh, en, by, job_id, note, at, state, decided_by,"
                                " decided_at, reason FROM suggestions WHERE id = ?",
                                (sid,)).fetchone()
        return Suggestion(*r) if r else None

    # ------------------------------------------------------------------ changing

    def put(self, zh: str, en: str, who: str, *, override: bool = False, note: str = "",
            action: str = "") -> Entry:
        """Add or change an entry (an editor's call: the caller checks the role)."""
        zh, en = validate_entry(zh, en, override)
        note = " ".join(note.split())[:300]
        now = time.time()
        with self._tx() as con:
            row = con.execute("SELECT en FROM entries WHERE zh = ?", (zh,)).fetchone()
            old = row[0] if row else None
            con.execute("INSERT OR REPLACE INTO entries (zh, en, note, override, updated,"
                        " updated_by) VALUES (?, ?, ?, ?, ?, ?)",
                        (zh, en, note, int(override), now, who))
            con.execute("INSERT INTO audit (at, who, action, zh, old, new, note) VALUES"
                        " (?, ?, ?, ?, ?, ?, ?)",
                        (now, who, action or ("change" if old is not None else "add"), zh,
                         old, en, note + (" (overrides the base glossary)" if override
                                          else "")))
        self._export()
        log.info("glossary: %s set %s = %s", who, zh, en)
        return Entry(zh, en, note, override, now, who)

    def remove(self, zh: str, who: str, note: str = "") -> bool:
        zh = zh.strip()
        with self._tx() as con:
            row = con.execute("SELECT en FROM entries WHERE zh = ?", (zh,)).fetchone()
            if row is None:
                return False
            con.execute("DELETE FROM entries WHERE zh = ?", (zh,))
            con.execute("INSERT INTO audit (at, who, action, zh, old, new, note) VALUES"
                        " (?, ?, 'remove', ?, ?, NULL, ?)", (time.time(), who, zh, row[0],
                                                             note[:300]))
        self._export()
        log.info("glossary: %s removed %s", who, zh)
        return True

    def suggest(self, zh: str, en: str, who: str, job_id: str = "", note: str = ""
                ) -> Suggestion:
        """A reporter's "add to glossary": checked like an entry, waiting for an editor.
        A conflict with the base glossary is allowed here: the editor decides."""
        try:
            zh, en = validate_entry(zh, en)
        except GlossaryConflict as exc:
            note = (note + " — " if note else "") + exc.message
            zh, en = validate_entry(zh, en, override=True)
        with self._tx() as con:
            dup = con.execute("SELECT id FROM suggestions WHERE zh = ? AND en = ? AND"
                              " state = 'pending'", (zh, en)).fetchone()
            if dup is not None:
                sid = int(dup[0])
            else:
                cur = con.execute("INSERT INTO suggestions (zh, en, by, job_id, note, at)"
                                  " VALUES (?, ?, ?, ?, ?, ?)",
                                  (zh, en, who, job_id, note[:300], time.time()))
                sid = int(cur.lastrowid or 0)
        found = self.suggestion(sid)
        assert found is not None
        return found

    def decide(self, sid: int, who: str, accept: bool, *, en: str | None = None,
               override: bool = False, reason: str = "") -> Suggestion:
        """An editor accepts (the entry goes in, audited) or rejects a suggestion."""
        s = self.suggestion(sid)
        if s is None:
            raise GlossaryNotFound(f"no suggestion {sid}", hint="see the glossary page")
        if s.state != "pending":
            raise GlossaryConflict(f"suggestion {sid} was {s.state} by {s.decided_by} already",
                             hint="see the glossary page")
        if accept:
            self.put(s.zh, en or s.en, who, override=override,
                     note=f"suggested by {s.by}" + (f" on job {s.job_id}" if s.job_id else ""),
                     action="accept")
        with self._tx() as con:
            con.execute("UPDATE suggestions SET state = ?, decided_by = ?, decided_at = ?,"
                        " reason = ? WHERE id = ?",
                        ("accepted" if accept else "rejected", who, time.time(),
                         reason[:300], sid))
            if not accept:
                con.execute("INSERT INTO audit (at, who, action, zh, old, new, note) VALUES"
                            " (?, ?, 'reject', ?, NULL, ?, ?)",
                            (time.time(), who, s.zh, s.en, f"suggested by {s.by}"
                             + (f": {reason[:200]}" if reason else "")))
        done = self.suggestion(sid)
        assert done is not None
        return done

    def _export(self) -> None:
        """The TOML the jobs read, written whole through a temporary name."""
        lines = ["# The newsroom glossary of `anchor serve`, written from glossary.sqlite.",
                 "# Edit it on the server's Glossary page (editors), not here.", "",
                 "[names]"]
        lines += [f"{_toml_str(e.zh)} = {_toml_str(e.en)}" for e in self.entries()]
        tmp = self.export_path.with_name(f".{self.export_path.name}.{os.getpid()}.tmp")
        tmp.write_text("\n".join(lines) + "\n", "utf-8")
        os.replace(tmp, self.export_path)
