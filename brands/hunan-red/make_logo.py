"""Draw logo.png for the hunan-red brand: a red seal with a gold 湘, and the wordmark.

    .venv/bin/python brands/hunan-red/make_logo.py

A made-up channel: the brand is a template, not any real newspaper's mark.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from anchor.assets.model_store import ensure

H = 240  # drawn large; the renderer scales it to the logo box
RED, GOLD, CREAM = (163, 18, 28, 255), (232, 184, 74, 255), (255, 246, 226, 255)


def main() -> None:
    fonts = ensure("font-cjk")
    serif = str(fonts / "NotoSerifSC-Regular.otf")
    sans = str(fonts / "NotoSansSC-Regular.otf")
    word = ImageFont.truetype(serif, round(0.50 * H))
    small = ImageFont.truetype(sans, round(0.16 * H))
    word_w = round(word.getlength("湘江新闻"))
    w = H + round(0.12 * H) + word_w + round(0.06 * H)
    img = Image.new("RGBA", (w, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    # the seal: a rounded red square, a gold inner ring, a gold 湘
    r = round(0.16 * H)
    d.rounded_rectangle((0, 0, H - 1, H - 1), r, fill=RED)
    m = round(0.07 * H)
    d.rounded_rectangle((m, m, H - 1 - m, H - 1 - m), r - m // 2, outline=GOLD,
                        width=max(2, H // 40))
    seal = ImageFont.truetype(serif, round(0.62 * H))
    d.text((H / 2, H / 2 + 0.02 * H), "湘", font=seal, fill=GOLD, anchor="mm",
           stroke_width=H // 60, stroke_fill=GOLD)
    # the wordmark in cream (it sits on dark red studio walls), a gold rule, the Latin name
    x = H + round(0.12 * H)
    d.text((x, 0.50 * H), "湘江新闻", font=word, fill=CREAM, anchor="ls",
           stroke_width=H // 90, stroke_fill=CREAM)
    d.rectangle((x, round(0.60 * H), x + word_w, round(0.60 * H) + max(2, H // 50)), fill=GOLD)
    d.text((x, 0.90 * H), "X I A N G   N E W S", font=small, fill=GOLD, anchor="ls")
    img.save(Path(__file__).with_name("logo.png"), optimize=True)


if __name__ == "__main__":
    main()
