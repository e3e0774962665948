"""`anchor check`: does a rendered clip say, show and time what the script says?

For each clip of a render folder:

- **Speech**: the clip's audio goes through speech recognition (Whisper base,
  offline) and is compared with the script: character error rate for Mandarin,
  word error rate for English (``anchor.speech.asr``). Mandarin is judged by sound by
  default (toneless pinyin syllables): on the sample article Whisper base wrote
  示例 as 势力 and 双语 as 双鱼, 15 % CER for a voice that was 3.8 % off by sound.
- **Facts**: every figure, date and Latin-script name of the source-language
  summary must appear in the script of each language the clip speaks or shows
  (the same comparison the translation stage runs, ``anchor.translate.checks``).
  A reporter's edit or a translation that changed "95%" into "85%" fails here.
- **Caption timing**: each cue of the spoken language should appear when the
  word that opens it is spoken. Cue text and recognised words are matched by
  their letters (not by time, so a shifted track is found as shifted), and the
  offset is the cue's start minus that word's start. Whisper's word starts swallow
  the pause before a word, so they are first moved onto the audible onset.
- **Reading speed**: characters per second of each cue, per language (flagged
  above the limit, not failed: a fast cue is uncomfortable, not wrong).
- **AI labels and consent** (``labels``): each MP4's ``AIGC`` metadata key and the
  thumbnail's, the visible label found in the decoded frames where the manifest says it
  is, and a presenter whose consent is on record; any of them missing fails the clip.

Library code: returns values, raises AnchorError; the CLI prints and sets the exit code.

The package: ``thresholds`` (the bars, defaulted from defaults.toml), ``metrics`` (what
is measured), ``labels`` (the AI labels and consent), ``verdicts`` (one clip judged) and
``report`` (a render folder, and the report written into its manifest).
"""

from __future__ import annotations

from .metrics import (
    CaptionTiming,
    FactCheck,
    ReadingSpeed,
    caption_offsets,
    check_captions,
    check_facts,
    extract_audio_args,
    language_track,
    reading_speed,
    sound_error_rate,
)
from .report import check_output, report_dict, write_into_manifest
from .thresholds import Thresholds
from .verdicts import CheckReport, ClipCheck, check_clip

__all__ = [
    "CaptionTiming",
    "CheckReport",
    "ClipCheck",
    "FactCheck",
    "ReadingSpeed",
    "Thresholds",
    "caption_offsets",
    "check_captions",
    "check_clip",
    "check_facts",
    "check_output",
    "extract_audio_args",
    "language_track",
    "reading_speed",
    "report_dict",
    "sound_error_rate",
    "write_into_manifest",
]
