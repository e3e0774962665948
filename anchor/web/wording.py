"""The pipeline's progress lines, in a reporter's words.

The pipeline speaks to people who run it ("levelling zh to -16 LUFS", "rendering
zh.mp4"); the job page speaks to the person who wrote the article. Unknown lines
pass through with their first letter capitalised, so a new stage never vanishes.
"""

from __future__ import annotations

import re

__all__ = ["for_reporter"]

_LANG = {"zh": "Mandarin", "en": "English", "bilingual": "bilingual"}

_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), w) for p, w in (
        (r"^queued$", "Waiting for a free presenter"),
        (r"^queued for rendering$", "Waiting to record"),
        (r"^started$", "Started"),
        (r"^resumed after a restart$", "Picked up again after the server restarted"),
        (r"^retrying$", "Trying again"),
        (r"^reading the article", "Reading the article"),
        (r"^summari[sz]ing", "Picking the key sentences"),
        (r"^translating 1 sentences?", "Translating 1 sentence"),
        (r"^translating (\d+) sentences?", r"Translating \1 sentences"),
        (r"^translating", "Translating"),
        (r"^checking names and figures", "Checking names and figures"),
        (r"^speaking (zh|en)\b.*", r"Recording the {\1} voice"),
        (r"^levelling (zh|en)\b.*", r"Balancing the {\1} sound level"),
        (r"^aligning (zh|en)\b.*", r"Timing the {\1} captions to the voice"),
        (r"^captioning (zh|en|bilingual)\b.*", r"Writing the {\1} captions"),
        (r"^rendering (zh|en|bilingual)\.mp4.*", r"Making the {\1} video"),
        (r"^making the thumbnail", "Making the thumbnail"),
        (r"^checking the clips.*", "Listening back to the clips to check them"),
        (r"^up to date.*", "Already made: reusing the finished clips"),
        (r"^script ready$", "Script ready for review"),
        (r"^done$", "Clips ready"),
    )
)


def for_reporter(message: str) -> str:
    """``"speaking zh (Xiaoxiao)"`` → ``"Recording the Mandarin voice"``."""
    text = message.strip()
    for pattern, words in _RULES:
        m = pattern.match(text)
        if m:
            out = m.expand(words)
            return re.sub(r"\{(zh|en|bilingual)\}", lambda g: _LANG[g.group(1)], out)
    return text[:1].upper() + text[1:]
