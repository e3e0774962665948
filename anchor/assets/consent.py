"""Every face agreed: who a presenter shows, and whether they consented to present.

The deep-synthesis provisions (2023) ask for the *separate consent* of a person whose
face or voice is edited, and a newsroom that airs a reporter's digital double needs
that consent on file. A presenter's TOML records it in ``[consent]``::

    [consent]                      # a real person
    real_person = true
    person = "Mei Li, reporter, Xiang News"
    agreed = true
    date = "2026-12-05"
    record = "signed release, HR file 2026/113"   # where the consent is kept

    [consent]                      # a drawing: no one's face
    real_person = false
    note = "drawn by scripts/make_avatar.py"

A render refuses (``require_consent``) a presenter whose TOML records no consent: a real
person without the agreement and where it is kept, or a presenter that does not say
which it is. Presenters kept for tests of a photographed face (``tests_only = true``)
never render through the pipeline; a test that must do so opts in, in code only, with
``allow_unconsented(name)`` (no setting, flag or variable reaches it), and the manifest
and ``anchor check`` then say the clip may not be published.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import threading
from collections.abc import Iterator
from typing import Any

from anchor.core.errors import ConfigError, InputError
from anchor.core.values import Avatar, Consent

__all__ = ["ConsentMissing", "allow_unconsented", "consent_from_toml", "consent_record",
           "consent_status", "consent_toml", "publishable", "require_consent",
           "with_consent_table"]

_ALLOWED: set[str] = set()
_LOCK = threading.Lock()
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ConsentMissing(InputError):
    """A presenter that may not be rendered: no consent on record."""


def consent_from_toml(table: Any, where: str) -> Consent:
    """The ``[consent]`` table of a presenter's TOML; ConfigError naming what is wrong."""
    if table is None:
        return Consent()
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [consent] must be a table")
    known = {"real_person", "person", "agreed", "date", "record", "note", "tests_only"}
    unknown = set(table) - known
    if unknown:
        raise ConfigError(f"{where}: unknown key [consent] {', '.join(sorted(unknown))}",
                          hint=f"known: {', '.join(sorted(known))}")
    for key in ("real_person", "agreed", "tests_only"):
        if key in table and not isinstance(table[key], bool):
            raise ConfigError(f"{where}: [consent] {key} must be true or false")
    for key in ("person", "date", "record", "note"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"{where}: [consent] {key} must be a string")
    date = str(table.get("date", ""))
    if date and not _DATE.match(date):
        raise ConfigError(f"{where}: [consent] date {date!r} is not YYYY-MM-DD")
    return Consent(real_person=table.get("real_person"), person=str(table.get("person", "")),
                   agreed=bool(table.get("agreed", False)), date=date,
                   record=str(table.get("record", "")), note=str(table.get("note", "")),
                   tests_only=bool(table.get("tests_only", False)))


def publishable(consent: Consent) -> bool:
    """May a clip with this presenter be published: a drawing, or a real person whose
    agreement, date and record are on file (and not one kept for tests only)."""
    if consent.tests_only or consent.real_person is None:
        return False
    if consent.real_person is False:
        return True
    return consent.agreed and bool(consent.person.strip()) and bool(consent.record.strip())


def consent_status(consent: Consent) -> str:
    """One line for listings and the manifest."""
    if consent.tests_only:
        return "tests only: a real person who did not consent"
    if consent.real_person is None:
        return "no consent record"
    if consent.real_person is False:
        return "no real person" + (f" ({consent.note})" if consent.note else "")
    if publishable(consent):
        when = f" on {consent.date}" if consent.date else ""
        return f"{consent.person} agreed{when}; kept at: {consent.record}"
    return f"{consent.person or 'a real person'}: consent not on record"


def consent_record(avatar: Avatar) -> dict[str, Any]:
    """What the manifest records of a clip's presenter and its consent."""
    c = avatar.consent
    return {"name": avatar.name, "display_name": avatar.display_name,
            "real_person": c.real_person, "person": c.person, "agreed": c.agreed,
            "date": c.date, "record": c.record, "note": c.note, "tests_only": c.tests_only,
            "publishable": publishable(c), "status": consent_status(c),
            **({"allowed_unconsented": True} if avatar.name in _ALLOWED
               and not publishable(c) else {})}


def require_consent(avatar: Avatar) -> None:
    """ConsentMissing unless ``avatar`` may be rendered."""
    c = avatar.consent
    if publishable(c):
        return
    with _LOCK:
        if avatar.name in _ALLOWED:
            return
    name = avatar.name
    if c.tests_only:
        raise ConsentMissing(
            f"presenter {name!r} shows a real person ({c.person or 'unnamed'}) who never "
            "agreed to present: it is kept for tests of a photographed face only",
            hint="pick a drawn presenter (`anchor avatars`; the default is xia), or add "
                 "your own reporter with `anchor avatars add PHOTO --consent ...`")
    if c.real_person is None:
        raise ConsentMissing(
            f"presenter {name!r} has no consent record: whose face is it?",
            hint=f'record it: `anchor avatars consent {name} --consent "where the signed '
                 f'consent is kept" --person "who"`, or `anchor avatars consent {name} '
                 '--no-consent-needed` for a drawing of no real person')
    raise ConsentMissing(
        f"presenter {name!r} shows a real person ({c.person or 'unnamed'}) with no consent "
        "on record",
        hint=f'record it: `anchor avatars consent {name} --consent "where the signed '
             'consent is kept" --person "who"` (their separate agreement to be a presenter)')


@contextlib.contextmanager
def allow_unconsented(*names: str) -> Iterator[None]:
    """Let the pipeline render these presenters without consent, for tests of what a
    photographed face exercises. Code only; the manifest marks such clips."""
    with _LOCK:
        added = [n for n in names if n not in _ALLOWED]
        _ALLOWED.update(added)
    try:
        yield
    finally:
        with _LOCK:
            _ALLOWED.difference_update(added)


def consent_toml(*, real_person: bool, person: str = "", record: str = "", date: str = "",
                 note: str = "") -> str:
    """The ``[consent]`` table for a presenter's TOML. A real person needs who and where
    the consent is kept (InputError otherwise); the date defaults to today."""
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'

    if real_person:
        if not person.strip() or not record.strip():
            raise InputError("a real person's consent needs who they are and where their "
                             "signed consent is kept",
                             hint='--person "Mei Li, reporter" --consent "HR file 2026/113"')
        date = date or datetime.date.today().isoformat()
        if not _DATE.match(date):
            raise InputError(f"consent date {date!r} is not YYYY-MM-DD")
        return "\n".join(["[consent]", "real_person = true", f"person = {q(person)}",
                          "agreed = true", f"date = {q(date)}", f"record = {q(record)}", ""])
    return "\n".join(["[consent]", "real_person = false",
                      f"note = {q(note or 'declared when it was added')}",
                      ""])


def with_consent_table(toml_text: str, table: str) -> str:
    """``toml_text`` with its ``[consent]`` table replaced by ``table`` (or added at the
    end); every other line, comments included, kept."""
    out: list[str] = []
    skipping = False
    for line in toml_text.splitlines():
        head = line.strip()
        if head.startswith("["):
            skipping = head.split("#")[0].strip() == "[consent]"
        if not skipping:
            out.append(line)
    body = "\n".join(out).rstrip("\n")
    return f"{body}\n\n{table}" if body else table
