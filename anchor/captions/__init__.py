"""Captions: sentence timings in, cues within reading limits out, and SRT/VTT.

Each sentence is cut into cues at its clause punctuation, or at word boundaries
(jieba words for Chinese, spaces for English) where a clause is too long. The cut
is chosen by a small dynamic programme that weighs where it breaks (a comma is a
good place, inside a quote or after "the" a bad one), how many cues and lines it
makes, and how long each cue stays on screen. Times come from word timings when
the TTS gave them, else from the spoken length of the text (characters for
Chinese, syllables for English).

Decisions worth knowing:

- Chinese lines drop a trailing ，。、；： (Chinese broadcast captions show no
  comma or full stop at a line end; the line end is the pause). Inner punctuation
  and ？！…「」《》 stay. English keeps all punctuation.
- Chinese line width counts a Han character or full-width sign as 1 and a Latin
  letter, digit or space as 1/2 (what it takes on screen), so "5G+AR" does not eat
  five of the sixteen places. English counts characters.
- Cues stay inside their sentence's span and never overlap; they touch inside a
  sentence. A sentence spoken in less than MIN_CUE_MS gives one shorter cue.

The package: ``limits`` (reading limits), ``tokens`` (where a sentence may break),
``lines`` (line layout), ``cues`` (cuts and their times), ``bilingual`` (two
languages on one track) and ``files`` (SRT/VTT).
"""

from __future__ import annotations

from .bilingual import bilingual_cues
from .cues import make_captions
from .files import parse_srt, to_srt, to_vtt, write_captions
from .limits import MAX_CUE_MS, MAX_LINES, MIN_CUE_MS, display_width, line_limit

__all__ = [
    "MAX_CUE_MS",
    "MAX_LINES",
    "MIN_CUE_MS",
    "bilingual_cues",
    "display_width",
    "line_limit",
    "make_captions",
    "parse_srt",
    "to_srt",
    "to_vtt",
    "write_captions",
]
