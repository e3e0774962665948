"""Clean-up of an article body: page furniture, bylines and captions out, paragraphs
cut by page breaks or hard wraps mended."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from anchor.core.values import Lang
from anchor.language.text import HAN

__all__ = ["clean_paragraphs", "looks_like_heading", "strip_closers"]

log = logging.getLogger(__name__)

# Characters after which no space is put when two lines are joined.
_CJK_JOIN_RE = re.compile(f"[{HAN}\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026\u2014]")

# Sentence ends. "：" counts: a paragraph ending on one introduces a quote or a list
# and is not a sentence cut by a page break.
_SENTENCE_END = set("。！？!?….；;：:")
_CLOSERS = "」』”’）)】》〉］]\"'"
_PAIRS = dict(zip("「『“（(【《〈", "」』”）)】》〉", strict=True))
_CLAUSE_PUNCT = "，、；：,;:"


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
_HAN_NAME = f"[{HAN}][{HAN}·・]{{0,5}}"
# A bare name in a list of names: 2-3 characters (4-character tokens are usually
# phrases, as in the headline "智能聚力 系統變革"), or a transcribed name with "·".
_BARE_NAME = f"(?:[{HAN}]{{2,3}}|[{HAN}]{{1,4}}[·・][{HAN}·・]{{1,8}})"
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


def strip_closers(s: str) -> str:
    return s.rstrip(_CLOSERS + " ")


def _ends_sentence(s: str) -> bool:
    core = strip_closers(s)
    return bool(core) and core[-1] in _SENTENCE_END


def _unclosed(s: str) -> bool:
    """An opening bracket or quote left open at the end of ``s``."""
    return _open_closer(s) is not None


def looks_like_heading(s: str, lang: Lang) -> bool:
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
    if looks_like_heading(a, lang):
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
    inner = re.search(r"[。！？!?](?=.)", strip_closers(line)) or re.search(r"\.\s", line)
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
