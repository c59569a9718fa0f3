"""Draw the field app's icon, a red seal-like mark reading 双随机 / 一公开, and write the PNGs (192, 512).

Run `python -m webapp.faces.field.icons` after changing the drawing; the PNGs under static/field/icons/ are committed
so the server needs no CJK font at run time. The plain icons' mark fills a centred circle of 80 %; the maskable
ones (icon-maskable-*.png) draw it at 80 % of that, so it sits inside the safe zone with padding whatever mask
(circle, squircle, rounded square) the launcher cuts.
"""
import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

RED = (179, 38, 30)
PAPER = (252, 246, 236)
SIZES = (192, 512)
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)
OUT = Path(__file__).resolve().parents[3] / "static" / "field" / "icons"


def _font(px: int) -> ImageFont.FreeTypeFont:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, px, index=2)  # the SC face of the collection
    sys.exit("需要 Noto CJK 字体（apt-get install fonts-noto-cjk）才能绘制图标。")


def _star(draw, cx, cy, r, fill):
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.4
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=fill)


MASKABLE_SCALE = 0.8


def draw(size: int, maskable: bool = False) -> Image.Image:
    scale = 4  # draw large, then downsample for smooth edges
    full = size * scale
    im = Image.new("RGB", (full, full), PAPER)
    d = ImageDraw.Draw(im)
    c = full / 2
    s = full * (MASKABLE_SCALE if maskable else 1)  # the mark's own size: smaller on the maskable canvas
    outer = s * 0.40
    ring = s * 0.035
    d.ellipse((c - outer, c - outer, c + outer, c + outer), outline=RED, width=int(ring))
    inner = outer - ring * 1.8
    d.ellipse((c - inner, c - inner, c + inner, c + inner), outline=RED, width=max(1, int(ring * 0.35)))
    _star(d, c, c - s * 0.19, s * 0.07, RED)
    big = _font(int(s * 0.17))
    d.text((c, c + s * 0.02), "双随机", font=big, fill=RED, anchor="mm")
    small = _font(int(s * 0.085))
    d.text((c, c + s * 0.18), "一公开", font=small, fill=RED, anchor="mm")
    return im.resize((size, size), Image.LANCZOS)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        for maskable in (False, True):
            path = OUT / f"icon-{'maskable-' if maskable else ''}{size}.png"
            draw(size, maskable).save(path, "PNG", optimize=True)
            print(path)


if __name__ == "__main__":
    main()
