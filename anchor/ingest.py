"""Ingest: bytes or text of a news article in, a clean :class:`Article` out.

The stage reads ``.txt``, ``.md``, ``.json`` and stdin, works out the encoding
(UTF-8/16, GB18030, Big5, then whatever charset-normalizer finds), strips what a
newspaper page or a web page adds around the story (page numbers, bylines, photo
captions, editor lines, navigation), mends paragraphs cut by a page break, and
detects the language (zh/en) and the Chinese script (Hans/Hant).

Everything it rejects raises :class:`InputError` with a one-line message and a hint.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import InputError
from .models import Article, Lang
from .text import HAN, jieba, to_simplified, to_traditional

__all__ = [
    "MAX_CHARS",
    "MAX_UNPUNCTUATED_LINE",
    "MIN_LETTERS",
    "ZH_RATIO",
    "clean_paragraphs",
    "decode_bytes",
    "detect_language",
    "detect_variant",
    "ingest",
    "read_article",
]

log = logging.getLogger(__name__)

MAX_CHARS = 200_000
"""Longest article accepted, in characters of decoded text (about 100 pages)."""
MAX_UNPUNCTUATED_LINE = 2_000
"""A line this long with no punctuation anywhere cannot be split into sentences."""
MIN_LETTERS = 10
"""Fewer letters than this is not an article (emoji, symbols, a stray number)."""
ZH_RATIO = 0.3
"""Han share of the letters from which a text counts as Chinese. Low on purpose:
one Latin word ("Trapped in the Billionaire's Golden Cage") weighs many letters."""

_MAX_BYTES = MAX_CHARS * 4 + 4  # UTF-8 needs at most 4 bytes a character; read no more

# ============================================================ character classes

_HAN = HAN
_HAN_RE = re.compile(f"[{_HAN}]")
_KANA_RE = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL_RE = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
# Characters after which no space is put when two lines are joined.
_CJK_JOIN_RE = re.compile(f"[{_HAN}\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026\u2014]")

# Sentence ends. "：" counts: a paragraph ending on one introduces a quote or a list
# and is not a sentence cut by a page break.
_SENTENCE_END = set("。！？!?….；;：:")
_CLOSERS = "」』”’）)】》〉］]\"'"
_PAIRS = dict(zip("「『“（(【《〈", "」』”）)】》〉", strict=True))
_CLAUSE_PUNCT = "，、；：,;:"

# Fullwidth punctuation that Chinese text uses as its own: NFKC would turn it into
# ASCII ("，" → ","), which breaks caption rules and reads worse. Kept as is.
_KEEP_FULLWIDTH = set("！（），：；？［］｛｝～｟｠＂＇．－")
# Emoji and pictographs: removed from otherwise good text (they have no reading).
_EMOJI_RE = re.compile(
    "["
    "\U0001f000-\U0001faff"  # mahjong .. symbols & pictographs ext-A, flags
    "\u2600-\u27bf"  # misc symbols, dingbats
    "\u231a\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa"
    "\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe"
    "\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
    "\ufe0e\ufe0f\u20e3\u200d"  # presentation selectors, keycap, zero-width joiner
    "\U000e0020-\U000e007f"  # tag characters (subdivision flags)
    "]"
)
_ZERO_WIDTH = set("\u200b\u200c\u2060\ufeff\u00ad")
_LINE_BREAKS = {"\u2028": "\n", "\u2029": "\n\n", "\u0085": "\n", "\f": "\n", "\v": "\n"}


def _is_han(c: str) -> bool:
    return _HAN_RE.match(c) is not None


def _normalize_chars(text: str) -> str:
    """NFC, unified line ends, one kind of space, no emoji, careful NFKC.

    NFKC is applied only to fullwidth letters/digits/symbols, halfwidth CJK forms,
    compatibility ideographs and ligatures — never to Chinese punctuation, "…" or
    superscripts, which NFKC would turn into ASCII or plain digits.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for c in text:
        o = ord(c)
        if c in _LINE_BREAKS:
            out.append(_LINE_BREAKS[c])
        elif c == "\n":
            out.append(c)
        elif c == "\t" or (unicodedata.category(c) == "Zs"):
            out.append(" ")  # NBSP, ideographic space U+3000, thin spaces, tabs
        elif c in _ZERO_WIDTH or _EMOJI_RE.match(c):
            continue
        elif unicodedata.category(c) == "Cc":
            continue  # stray control characters (counted as binary before we get here)
        elif 0xFF00 <= o <= 0xFFEF:
            out.append(c if c in _KEEP_FULLWIDTH else unicodedata.normalize("NFKC", c))
        elif 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F or 0xFB00 <= o <= 0xFB06:
            out.append(unicodedata.normalize("NFKC", c))
        else:
            out.append(c)
    text = "".join(out)
    # "．" and "－" between digits are a decimal point and a minus/range dash.
    text = re.sub(r"(?<=\d)．(?=\d)", ".", text)
    text = re.sub(r"(?<=\d)－(?=\d)", "-", text)
    # Collapse runs of spaces; trim each line (indents, incl. Chinese 　　 indents).
    text = re.sub(r" {2,}", " ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


# ============================================================ decoding

_MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (Word .docx, .odt?)"),
    (b"\xd0\xcf\x11\xe0", "an old Word/Office file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF file"),
)
_BINARY_HINT = "Save the article as plain text (.txt, UTF-8) or Markdown, then try again."


def _binary_error(what: str) -> InputError:
    return InputError(f"The article is binary, not text: {what}.", hint=_BINARY_HINT)


@lru_cache(maxsize=1)
def _common_han() -> frozenset[str]:
    """The ~9,000 most used Han characters: GB2312 level 1+2 and Big5 frequent.

    Bytes of one Chinese encoding read as the other mostly decode without error
    but give rare characters, kana or symbols; the share of common ones tells them apart.
    """
    chars: set[str] = set()
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("gb2312"))
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("big5"))
    return frozenset(c for c in chars if _is_han(c))


def _chinese_score(text: str) -> float:
    """How much a decoding looks like Chinese: common-Han share plus a word check.

    The word check counts adjacent Han pairs that are jieba dictionary words (after
    t2s), which separates "國際傳播" from its GB18030 misreading "瓣悔肚冀" even
    where both are common characters.
    """
    non_ascii = [c for c in text if ord(c) > 0x7F]
    if not non_ascii:
        return 0.0
    common = _common_han()
    good = sum(
        1
        for c in non_ascii
        if c in common
        or 0x3000 <= ord(c) <= 0x303F
        or 0xFF00 <= ord(c) <= 0xFFEF
        or c in "…—–“”‘’·•"
    )
    han_runs = re.findall(f"[{_HAN}]{{2,}}", to_simplified(text[:4000]))
    pairs = [run[i : i + 2] for run in han_runs for i in range(len(run) - 1)]
    freq = _jieba_freq()
    words = sum(1 for p in pairs if freq.get(p, 0) > 0) / len(pairs) if pairs else 0.0
    return good / len(non_ascii) + words


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode an article's bytes; return (text, encoding name).

    BOMs first (UTF-8, UTF-16, UTF-32), then strict UTF-8, then GB18030 and Big5
    (the one whose result looks more like Chinese), then charset-normalizer.
    Raises InputError for NUL bytes, known binary formats and undecodable bytes.
    """
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _binary_error(what)
    for bom, enc in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                what = f"it starts with a {enc} mark but does not decode ({e.reason})"
                raise _binary_error(what) from None
    if b"\x00" in data:
        raise InputError(
            "The article is binary, not text: it contains NUL bytes.",
            hint=_BINARY_HINT + " UTF-16 text needs a byte-order mark.",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Chinese legacy encodings before charset-normalizer: it often calls short GB or
    # Big5 text "big5"/"shift_jis" the wrong way round (tested: "中文" in GB → "笢恅").
    candidates: list[tuple[float, str, str]] = []
    for enc in ("gb18030", "big5", "cp950"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "cp950" and any(e == "big5" for _, e, _ in candidates):
            continue  # cp950 is Big5 plus a few symbols: only needed when big5 fails
        candidates.append((_chinese_score(text), "big5" if enc == "cp950" else enc, text))
    if candidates:
        score, enc, text = max(candidates, key=lambda c: c[0])
        if score >= 1.0:  # mostly common Han, or common enough and real words
            return text, enc
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise _binary_error("its bytes match no text encoding")
    return str(best), best.encoding


def _check_text(text: str) -> None:
    """Reject text that is empty, binary-looking or too long (before any cleaning)."""
    if not text.strip():
        raise InputError(
            "The article is empty.", hint="Give a file or text with the article's title and body."
        )
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f\v")
    if "\x00" in text or controls > max(3, len(text) // 100):
        raise _binary_error(f"{controls} control characters")
    if len(text) > MAX_CHARS:
        raise InputError(
            f"The article is too long: {len(text):,} characters (the limit is {MAX_CHARS:,}).",
            hint="Split it into several articles, or pass a summary of it.",
        )


# ============================================================ language


def _jieba_freq() -> dict[str, int]:
    return jieba().dt.FREQ  # type: ignore[no-any-return]


# Function words that make up a quarter of any English text and few of other
# Latin-script languages; used to turn away French, Spanish, German... articles.
_EN_WORDS = frozenset(
    """the and of to is was that for with are it this be by from has have he she they
    said will not an which were their its been who would there also after but had""".split()
)


def _letter_counts(text: str) -> tuple[int, int, int, int, Counter[str]]:
    """(letters, han, latin, kana+hangul, other scripts by Unicode script name)."""
    letters = han = latin = kana = 0
    other: Counter[str] = Counter()
    for c in text:
        if not unicodedata.category(c).startswith("L"):
            continue
        letters += 1
        if _HAN_RE.match(c):
            han += 1
        elif _LATIN_RE.match(c):
            latin += 1
        elif _KANA_RE.match(c) or _HANGUL_RE.match(c):
            kana += 1
        else:
            other[unicodedata.name(c, "OTHER ?").split()[0].title()] += 1
    return letters, han, latin, kana, other


def detect_language(text: str) -> Lang:
    """ "zh" when Han characters are at least ZH_RATIO of the letters, else "en".

    Raises InputError for text that is neither: Japanese or Korean (kana/hangul),
    another script (Cyrillic, Arabic...), or long Latin-script text with almost
    no English function words (French, Spanish...), or too few letters at all.
    """
    letters, han, latin, kana, other = _letter_counts(text)
    hint = "Translate the article into Chinese or English first, or pass a summary in one of them."
    if letters < MIN_LETTERS:
        raise InputError(
            f"The article has almost no text: {letters} letters; it is mostly emoji, "
            "symbols or numbers.",
            hint="Give the article's text (at least a sentence of Chinese or English).",
        )
    if kana > 0.1 * letters:
        name = "Japanese" if _KANA_RE.search(text) else "Korean"
        raise InputError(
            f"Not Chinese (zh) or English (en): the article looks like {name}.", hint=hint
        )
    if han / letters >= ZH_RATIO:
        return "zh"
    if latin / letters >= 0.5:
        words = re.findall(r"[a-z]+", text.lower())
        if len(words) >= 40 and sum(w in _EN_WORDS for w in words) < 0.05 * len(words):
            raise InputError(
                "Not Chinese (zh) or English (en): the article looks like another Latin-script "
                "language.",
                hint=hint,
            )
        return "en"
    script = other.most_common(1)[0][0] if other else "unknown"
    raise InputError(
        f"Not Chinese (zh) or English (en): the article looks like {script}-script text.",
        hint=hint,
    )


def detect_variant(text: str) -> str:
    """ "Hant" or "Hans": which OpenCC direction changes more of the characters.

    t2s changes Traditional-only characters, s2t Simplified-only ones; text with
    neither (all characters shared) is called "Hans", the mainland default.
    """
    han = "".join(_HAN_RE.findall(text))[:20_000]
    if not han:
        return ""
    t2s = _changed(han, to_simplified(han))
    s2t = _changed(han, to_traditional(han))
    return "Hant" if t2s > s2t else "Hans"


def _changed(a: str, b: str) -> int:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True))
    import difflib  # phrase conversions may change the length: rare, so import lazily

    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return len(a) - sum(m.size for m in sm.get_matching_blocks())


# ============================================================ noise lines

_NAV = (
    r"上一[頁页篇]|下一[頁页篇]|首[頁页]|尾[頁页]|末[頁页]|返回(?:[頂顶]部|首[頁页]|列表)?|回到[頂顶]部"
    r"|打印|列印|[關关]閉|分享到?|收藏|[點点]擊查看|更多|previous|next|prev|back to top|print"
    r"|share|[«»‹›<>|｜·•/]|\d{1,3}"
)
_NOISE_RES = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # page numbers and lone numbers: "3", "- 3 -", "— 12 —", "3/10", "[3]"
        r"[-–—－\s\[(（]*\d{1,6}[-–—－\s\])）]*",
        r"\d{1,4}\s*[/／]\s*\d{1,4}",
        r"第\s*[\d一二三四五六七八九十百]+\s*[頁页版](?:\s*[/／,，]?\s*共\s*\d+\s*[頁页版])?",
        r"共\s*\d+\s*[頁页](?:\s*[/／,，]?\s*第\s*\d+\s*[頁页])?",
        r"(?:page|p\.|pg\.?)\s*\d+(?:\s*(?:of|/)\s*\d+)?",
        # continuation markers
        r"[(（\[]?\s*(?:continued|cont(?:'d|\.)?)(?:\s+(?:on|from)\s+(?:page|p\.)\s*\d+)?"
        r"\s*[)）\]]?\.?",
        r"[(（]?\s*(?:continued|turn)\s+(?:on|to|from)\s+(?:page|p\.)\s*\d+\s*[)）]?\.?",
        r"[(（]\s*(?:未完待[續续]|[續续](?:上|前|完)?|[下上](?:[轉转接])第?\s*[\d一二三四五六七八九十]+\s*版"
        r"|[轉转接]第?\s*[\d一二三四五六七八九十]+\s*版)\s*[)）]",
        # navigation bars: "上一頁 下一頁", "« Previous | Next »", "1 2 3 下一页"
        rf"(?:(?:{_NAV})\s*)+",
        # web furniture
        r"advertisement|scroll to continue(?: with content)?|skip advertisement"
        r"|(?:©|\(c\)|copyright).{0,80}|all rights reserved\.?|版[權权]所有.{0,60}"
        r"|.{0,60}版[權权]所有|[廣广]告",
    )
)
# Editor / source / credit lines, Chinese and English: "责任编辑：王某", "來源：新華社".
_CREDIT_RE = re.compile(
    r"[（(【\[]?\s*(?:[責责]任[編编][輯辑]|[編编][輯辑]|[責责][編编]|[審审][核稿]|[校][對对]|[來来]源"
    r"|稿源|出[處处]|作者|撰文|文字|[攝摄]影|[圖图]片?(?:[來来]源|提供)?|[視视][頻频]|[製制][圖图]"
    r"|本文[來来]源|[記记]者|通[訊讯]員|通[訊讯]员|實習生|实习生|主[編编]|值班[編编][輯辑]|[監监]制"
    r"|source|editor|edited by|reporting by|writing by|additional reporting by|photo(?:graph)?s?"
    r"|images?|pictures?|credits?|photo credits?|pictured|above|below|top|main picture)"
    r"\s*[：:／/|｜]",
    re.IGNORECASE,
)
# Photo captions by their opening words: "圖為…", "▲ …", "(Photo by …)".
_CAPTION_START_RE = re.compile(
    r"[(（]?\s*(?:[圖图][為为]|[圖图][說说]|[圖图]\s*\d|上[圖图]|下[圖图]|左[圖图]|右[圖图]|[組组][圖图]"
    r"|[▲△▼▽↑↓]|photo(?:graph)?\s+(?:by|courtesy|credit)|picture\s+by|image\s+(?:by|courtesy)"
    r"|file photo)",
    re.IGNORECASE,
)
# Whole line in brackets about a picture: "（圖片來源：網絡）", "(Photo: Xinhua)".
_BRACKET_PHOTO_RE = re.compile(
    r"[(（【\[][^()（）]{0,60}(?:[圖图]|[攝摄]|photo|image|picture)[^()（）]{0,60}[)）】\]]",
    re.IGNORECASE,
)
_HAN_NAME = f"[{_HAN}][{_HAN}·・]{{0,5}}"
# A bare name in a list of names: 2-3 characters (4-character tokens are usually
# phrases, as in the headline "智能聚力 系統變革"), or a transcribed name with "·".
_BARE_NAME = f"(?:[{_HAN}]{{2,3}}|[{_HAN}]{{1,4}}[·・][{_HAN}·・]{{1,8}})"
# "化定興 易泓", "记者 王小明 李四 摄", "新华社记者 张三 摄影报道", "文/王某 圖/李某".
_BYLINE_RES = (
    re.compile(rf"(?:{_BARE_NAME}\s+){{1,4}}{_BARE_NAME}"),
    re.compile(
        rf"(?:本[報报]|新[華华]社|中新社|[記记]者|通[訊讯][員员]|特約|特约|實習生|实习生|\s)*"
        rf"(?:[記记]者|通[訊讯][員员]|實習生|实习生)\s*(?:{_HAN_NAME}\s*){{1,5}}(?:[攝摄]影?|報道|报道)?"
    ),
    re.compile(rf"(?:(?:{_HAN_NAME}\s*){{1,4}}|[（(])\s*(?:[攝摄]|[攝摄]影)\s*[）)]?"),
    re.compile(rf"(?:(?:文|[圖图]|文[圖图]|[攝摄]影?)\s*[/／|｜]\s*{_HAN_NAME}\s*){{1,4}}"),
    re.compile(
        r"(?:by|written by|story by|words by)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
        r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})*"
        r"(?:\s*[,|/]\s*[A-Z][\w .'’-]{0,40})?",
        re.IGNORECASE,
    ),
)


def _noise_reason(line: str) -> str | None:
    """Why a whole line is page furniture, or None when it is article text."""
    if any(r.fullmatch(line) for r in _NOISE_RES):
        return "page"
    short = len(line) <= 80
    ends = _ends_sentence(line)
    if short and _CREDIT_RE.match(line) and not re.search(r"[。！？!?]", line[:-1]):
        return "credit"
    if _CAPTION_START_RE.match(line) and len(line) <= 160:
        return "photo caption"
    if short and _BRACKET_PHOTO_RE.fullmatch(line):
        return "photo caption"
    if short and not ends and any(r.fullmatch(line) for r in _BYLINE_RES[:4]):
        return "byline"
    if short and _BYLINE_RES[4].fullmatch(line) and not line.endswith("."):
        return "byline"
    return None


# ============================================================ paragraphs


def _strip_closers(s: str) -> str:
    return s.rstrip(_CLOSERS + " ")


def _ends_sentence(s: str) -> bool:
    core = _strip_closers(s)
    return bool(core) and core[-1] in _SENTENCE_END


def _unclosed(s: str) -> bool:
    """An opening bracket or quote left open at the end of ``s``."""
    return _open_closer(s) is not None


def _looks_like_heading(s: str, lang: Lang) -> bool:
    """A short line that is not a sentence: a title or a subhead."""
    if _ends_sentence(s) or s[-1] in _CLAUSE_PUNCT or _unclosed(s):
        return False
    if lang == "zh":
        return len(s) <= 40 and not re.search("[，。；,;]", s)
    return len(s) <= 100 and not re.search(r"[.;!?]\s", s)


def _join(a: str, b: str) -> str:
    """Join two pieces of one paragraph: no space at a CJK seam, else one space."""
    if not a or not b:
        return a + b
    if _CJK_JOIN_RE.match(a[-1]) or _CJK_JOIN_RE.match(b[0]) or a.endswith("-"):
        return a + b
    return f"{a} {b}"


def _continues(a: str, b: str, lang: Lang) -> bool:
    """Does paragraph ``b`` carry on the sentence that ``a`` leaves unfinished?"""
    if _ends_sentence(a):
        return False
    if _resumes(a, b) or _unclosed(a):
        return True  # "…「零距" + "離」一體…", "…「新聞+政務+" + "服務」等場景…"
    if a[-1] in _CLAUSE_PUNCT or a[-1] in "-–—+&/":
        return True
    if _looks_like_heading(a, lang):
        return False
    # A long line that stops mid-sentence: cut by a page or column break.
    return lang == "zh" or len(a) > 100


@dataclass(slots=True)
class _Block:
    lines: list[str]
    gap: int  # blank lines before it (0 for the first block)


def _blocks(lines: Iterable[str], removed: list[tuple[str, str]]) -> list[_Block]:
    """Group lines into blank-line separated blocks, dropping noise lines.

    A dropped noise line splits a run of blank lines, so "\\n\\n- 3 -\\n\\n" counts
    as an ordinary paragraph gap and not as the wide gap that marks a caption.
    """
    blocks: list[_Block] = []
    blank = 0
    gap = 0
    for line in lines:
        if not line:
            blank += 1
            gap = max(gap, blank)
            continue
        reason = _noise_reason(line)
        if reason:
            removed.append((reason, line))
            blank = 0
            continue
        if blocks and gap == 0 and blank == 0:
            blocks[-1].lines.append(line)
        else:
            blocks.append(_Block([line], gap if blocks else 0))
        blank = gap = 0
    return blocks


def _unwrap(block: _Block, lang: Lang, *, soft_wraps: bool = False) -> list[str]:
    """Paragraphs of one block: hard-wrapped lines joined, one-per-line kept apart.

    A line is a wrap of the next when the sentence visibly goes on (``_continues``),
    or when it fills the block's width: mid-sentence always, and after a sentence
    end too once the block shows other wraps (an English column ending on ".").
    """
    lines = block.lines
    if soft_wraps:
        paras = [lines[0]]
        for line in lines[1:]:
            paras[-1] = _join(paras[-1], line)
        return paras
    width = max(len(line) for line in lines)
    wrapped = any(_continues(a, b, lang) for a, b in itertools.pairwise(lines))
    paras = [lines[0]]
    for last_line, line in itertools.pairwise(lines):
        full = width >= 40 and len(last_line) >= 0.75 * width
        if _continues(paras[-1], line, lang) or (
            full and (wrapped or not _ends_sentence(last_line))
        ):
            paras[-1] = _join(paras[-1], line)
        else:
            paras.append(line)
    return paras


def _is_caption_sized(line: str, lang: Lang) -> bool:
    """Short and at most one sentence: what a photo caption looks like."""
    inner = re.search(r"[。！？!?](?=.)", _strip_closers(line)) or re.search(r"\.\s", line)
    return len(line) <= (60 if lang == "zh" else 160) and not inner


def _is_gap_caption(block: _Block, lang: Lang) -> bool:
    """A caption-sized line set off by a wide gap: a photo caption from the page layout."""
    return block.gap >= 2 and len(block.lines) == 1 and _is_caption_sized(block.lines[0], lang)


def _resumes(a: str, b: str) -> bool:
    """``b`` plainly carries on the unfinished ``a``: it opens with a closing quote,
    clause punctuation or a lower-case letter, or closes the quote ``a`` left open
    ("…「零距" + "離」一體…")."""
    if _ends_sentence(a):
        return False
    if b[0] in _CLOSERS.strip("\"'") or b[0] in "，。、；：！？,.;:!?…" or b[0].islower():
        return True
    expected = _open_closer(a)
    if expected is None:
        return False
    for c in b:
        if c in _PAIRS:
            return False  # a new quote opens first: b does not finish a's
        if c == expected:
            return True
    return False


def _open_closer(s: str) -> str | None:
    """The closer of the innermost bracket or quote left open at the end of ``s``."""
    stack: list[str] = []
    for c in s:
        if c in _PAIRS:
            stack.append(_PAIRS[c])
        elif stack and c == stack[-1]:
            stack.pop()
    return stack[-1] if stack else None


def clean_paragraphs(
    text: str, language: Lang, *, markdown: bool = False
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Clean an article body; return (paragraphs, removed lines with their reason).

    ``text`` should have gone through character normalisation (``ingest`` does it).
    Removes page numbers, navigation, editor/source/credit lines, bylines and photo
    captions, mends paragraphs split by page breaks or hard wrapping, and keeps the
    paragraph structure. Captions set off by a wide gap (two or more blank lines in
    a document that otherwise uses one) are removed too: that is how copied pages
    carry the caption of a photo that sat between two paragraphs.

    ``markdown=True``: a blank line is structure (a heading and a list item are never
    one sentence) and a single newline is a soft wrap, so blocks are joined inside
    and kept apart from each other, and no gap is read as a caption.
    """
    removed: list[tuple[str, str]] = []
    blocks = _blocks(text.split("\n"), removed)
    gaps = [b.gap for b in blocks[1:]]
    wide = sum(g >= 2 for g in gaps)
    wide_is_rare = not markdown and len(gaps) >= 5 and wide * 3 <= len(gaps)
    paras: list[str] = []
    # A short complete line right after an unfinished sentence: a photo caption that
    # the page dropped into the sentence, if the line after it carries the sentence on.
    pending: str | None = None

    def add(para: str) -> None:
        if not markdown and paras and _continues(paras[-1], para, language):
            paras[-1] = _join(paras[-1], para)
        else:
            paras.append(para)

    for block in blocks:
        if wide_is_rare and _is_gap_caption(block, language):
            removed.append(("photo caption", block.lines[0]))
            continue
        for para in _unwrap(block, language, soft_wraps=markdown):
            if pending is not None:
                if _resumes(paras[-1], para):
                    removed.append(("photo caption", pending))
                    paras[-1] = _join(paras[-1], para)
                    pending = None
                    continue
                add(pending)
                pending = None
            if (
                not markdown
                and paras
                and _continues(paras[-1], para, language)
                and not _resumes(paras[-1], para)
                and _is_caption_sized(para, language)
            ):
                pending = para
                continue
            add(para)
    if pending is not None:
        add(pending)
    for reason, line in removed:
        log.debug("ingest removed %s: %s", reason, line)
    return tuple(paras), tuple(f"{reason}: {line}" for reason, line in removed)


# ============================================================ formats


def _from_json(text: str, where: str) -> tuple[str | None, str]:
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


_MD_ESCAPABLE = "\\`*_{}[]()#+-.!|>~"


def _from_markdown(text: str) -> tuple[str | None, str]:
    """Plain text of a Markdown article; the first heading (or front-matter title) as title."""
    title: str | None = None
    fm = re.match(r"---\n(.*?)\n(?:---|\.\.\.)\n", text, re.S)
    if fm:
        m = re.search(r"^title:\s*(.+?)\s*$", fm.group(1), re.M)
        if m:
            title = m.group(1).strip("'\"")
        text = text[fm.end() :]
    # Hide escaped characters from the emphasis and link rules, restore them at the end.
    text = re.sub(
        r"\\([" + re.escape(_MD_ESCAPABLE) + "])", lambda m: chr(0xE000 + ord(m.group(1))), text
    )
    text = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.S | re.M)  # fenced code
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"</?[A-Za-z][^>\n]*>", "", text)  # inline HTML tags (their text stays)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]", "", text)  # images
    text = re.sub(r"\[\^[^\]]+\]:.*$|\[\^[^\]]+\]", "", text, flags=re.M)  # footnotes
    text = re.sub(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", "", text, flags=re.M)  # link definitions
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url)
    text = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", text)  # [text][ref]
    text = re.sub(r"<((?:https?|mailto):[^>\s]+)>", r"\1", text)  # autolinks
    out: list[str] = []
    first_block = True
    for raw in text.split("\n"):
        line = raw.strip()
        if re.fullmatch(r"(?:[-*_]\s*){3,}", line) and not (out and out[-1] and line[0] == "-"):
            out.append("")  # horizontal rule ("---" under text is a setext heading instead)
            continue
        if re.fullmatch(r"=+|-+", line) and out and out[-1]:
            heading = out.pop()  # setext heading: the line above was it
            if first_block and title is None and not any(out):
                title = heading
            else:
                out += ["", heading, ""]
            first_block = False
            continue
        m = re.match(r"#{1,6}\s+(.*?)(?:\s+#+)?\s*$", line)
        if m:
            if first_block and title is None and not any(out):
                title = m.group(1)
            else:
                out += ["", m.group(1), ""]
            first_block = False
            continue
        if re.fullmatch(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?", line):
            continue  # table separator row
        if line.startswith("|") and line.endswith("|"):
            line = " ".join(c.strip() for c in line.strip("|").split("|") if c.strip())
        line = re.sub(r"^(?:>\s?)+", "", line)  # block quotes
        item = re.match(r"(?:[-*+]|\d{1,3}[.)])\s+(.*)", line)
        if item:
            out += ["", item.group(1), ""]  # each list item its own paragraph
            first_block = False
            continue
        out.append(line)
        if line:
            first_block = False
    body = "\n".join(out)
    body = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", body)  # strong
    body = re.sub(r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)", r"\1", body)  # emphasis
    body = re.sub(r"(?<![A-Za-z0-9_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![A-Za-z0-9_])", r"\1", body)
    body = re.sub(r"~~(.+?)~~", r"\1", body)
    body = re.sub(r"`+([^`\n]*)`+", r"\1", body)
    restore = {0xE000 + ord(c): c for c in _MD_ESCAPABLE}
    body = body.translate(restore)
    if title is not None:
        title = _from_markdown_inline(title).translate(restore)
    return title, re.sub(r"\n{3,}", "\n\n", body)


def _from_markdown_inline(s: str) -> str:
    s = re.sub(r"(\*\*|__|\*|_|~~|`)(.+?)\1", r"\2", s)
    return s.strip()


def _sniff_format(text: str) -> str:
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


_SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".json": "json", ".txt": "txt", ".text": "txt"}


# ============================================================ title


def _first_sentence(para: str) -> str:
    m = re.search(r"[。！？!?]|\.(?=\s|$)", para)
    return para[: m.start()] if m else para


def _trim_title(s: str, lang: Lang) -> str:
    """Shorten a sentence used as title: cut at a clause break before the limit, else
    between words (jieba's for Chinese), never inside a word. The translate stage fits
    it to the lower third by measure afterwards."""
    from .headline import fit_headline

    s = _strip_closers(s).rstrip("。！？!?.…；;：:，,、 ") or s
    limit = 40 if lang == "zh" else 100
    return fit_headline(s, measure=lambda t: len(t) <= limit)


def _pick_title(paras: list[str], lang: Lang) -> str:
    """First paragraph when it is a heading (then removed from the body), else the
    first sentence trimmed."""
    first = paras[0]
    if len(paras) > 1 and _looks_like_heading(first, lang):
        paras.pop(0)
        return first
    return _trim_title(_first_sentence(first), lang)


# ============================================================ entry points


def ingest(
    source: str | Path | bytes, *, title: str | None = None, name: str = "inline"
) -> Article:
    """Turn article text, bytes or a file into a cleaned :class:`Article`.

    ``str`` is the article's text, ``bytes`` its encoded text (stdin), a ``Path`` a
    .txt/.md/.json file. ``title`` overrides the one found in the text; ``name`` is
    what ``Article.source`` says for text and bytes.
    """
    fmt: str | None = None
    if isinstance(source, Path):
        data = _read_path(source)
        fmt = _SUFFIX_FORMATS.get(source.suffix.lower())
        name = str(source)
        source = data
    if isinstance(source, bytes):
        if len(source) > _MAX_BYTES:
            raise InputError(
                f"The article is too long: {len(source):,} bytes (the limit is {MAX_CHARS:,} "
                "characters).",
                hint="Split it into several articles, or pass a summary of it.",
            )
        if not source.strip():
            _check_text("")
        text, encoding = decode_bytes(source)
        log.debug("ingest %s: decoded as %s", name, encoding)
    else:
        text = source
    _check_text(text)
    fmt = fmt or _sniff_format(text)
    found_title: str | None = None
    if fmt == "json":
        found_title, text = _from_json(text, name)
        _check_text(text)
    elif fmt == "md":
        found_title, text = _from_markdown(text)

    body = _normalize_chars(text)
    head = _normalize_chars(title if title is not None else found_title or "").replace("\n", " ")
    language = detect_language(head + "\n" + body)
    paras, removed = clean_paragraphs(body, language, markdown=fmt == "md")
    if not paras:
        raise InputError(
            "Nothing is left of the article after removing page numbers, bylines and captions.",
            hint="Check that the file holds the article's body, not only its page furniture.",
        )
    _check_sentences(paras)
    para_list = list(paras)
    if head.strip():
        head = head.strip()
        if len(para_list) > 1 and para_list[0] == head:
            para_list.pop(0)  # the body repeats its title as first line
    else:
        head = _pick_title(para_list, language)
    text_out = "\n".join(para_list)
    variant = detect_variant(head + text_out) if language == "zh" else ""
    digest = hashlib.sha256(f"{head}\n\n{text_out}".encode()).hexdigest()
    if removed:
        log.info("ingest %s: removed %d noise line(s)", name, len(removed))
    return Article(
        title=head,
        paragraphs=tuple(para_list),
        language=language,
        variant=variant,
        source=name,
        sha256=digest,
    )


def _check_sentences(paras: Iterable[str]) -> None:
    paras = list(paras)
    if any(re.search(r"[。！？!?.,，;；:：、]", p) for p in paras):
        return
    longest = max(len(p) for p in paras)
    if longest > MAX_UNPUNCTUATED_LINE:
        raise InputError(
            f"The article has no sentences: a line of {longest:,} characters without any "
            "punctuation.",
            hint="Add sentence punctuation (or at least line breaks) so it can be read aloud "
            "sentence by sentence.",
        )


def _read_path(path: Path) -> bytes:
    if path.is_dir():
        raise InputError(
            f"{path} is a folder, not an article file.",
            hint="Pass one .txt, .md or .json file (use `anchor batch` for a folder).",
        )
    if not path.exists():
        raise InputError(
            f"Article file not found: {path.name} (in {path.parent})",
            hint="Check the path, or pass - to read stdin.",
        )
    size = path.stat().st_size
    if size > _MAX_BYTES:
        raise InputError(
            f"The article is too long: {path} has {size:,} bytes (the limit is {MAX_CHARS:,} "
            "characters).",
            hint="Split it into several articles, or pass a summary of it.",
        )
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"Cannot read {path}: {e.strerror}.", hint="Check its permissions.") from e


def read_article(path_or_dash: str) -> Article:
    """Read an article from a .txt/.md/.json file, or from stdin when given ``-``."""
    if path_or_dash == "-":
        return ingest(sys.stdin.buffer.read(), name="-")
    return ingest(Path(path_or_dash).expanduser())
