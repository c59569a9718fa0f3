"""Small SVG charts drawn on the server: no script, readable on a 360 px phone (the viewBox is phone-sized, so
text stays at about its nominal size), with a <title> for screen readers."""
from xml.sax.saxutils import escape, quoteattr

WIDTH = 340
ROW = 30
LABEL_W = 92
FONT = 'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"'
PALETTE = ("#b3261e", "#e0803a", "#d9b54a", "#6f9b5a", "#4a78a8", "#7b5ea7")


def _svg(height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label={quoteattr(title)} class="chart" {FONT} font-size="13">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def bar_chart(title: str, rows: list[tuple[str, int]], color: str = PALETTE[0]) -> str:
    """Horizontal bars, one row per (label, value)."""
    top = max((v for _, v in rows), default=0) or 1
    bar_w = WIDTH - LABEL_W - 40
    body = []
    for i, (label, value) in enumerate(rows):
        y = i * ROW
        w = round(bar_w * value / top)
        body.append(f'<text x="{LABEL_W - 6}" y="{y + 19}" text-anchor="end" fill="#1b1b1f">{escape(label)}</text>')
        body.append(f'<rect x="{LABEL_W}" y="{y + 6}" width="{max(w, 1) if value else 0}" height="18" rx="3" fill="{color}"/>')
        body.append(f'<text x="{LABEL_W + w + 4}" y="{y + 19}" fill="#1b1b1f">{value}</text>')
    return _svg(max(len(rows), 1) * ROW + 4, title, body)


def stacked_bars(title: str, rows: list[tuple[str, list[int]]], series: list[str]) -> str:
    """Horizontal stacked bars: each row splits into the series (e.g. risk levels); a legend on top."""
    legend_h = 24 * ((len(series) + 1) // 2)
    top = max((sum(v) for _, v in rows), default=0) or 1
    bar_w = WIDTH - LABEL_W - 40
    body = []
    for i, name in enumerate(series):
        x, y = (i % 2) * (WIDTH // 2), (i // 2) * 24
        body.append(f'<rect x="{x}" y="{y + 5}" width="14" height="14" fill="{PALETTE[i % len(PALETTE)]}"/>')
        body.append(f'<text x="{x + 20}" y="{y + 17}" fill="#1b1b1f">{escape(name)}</text>')
    for r, (label, values) in enumerate(rows):
        y = legend_h + r * ROW
        body.append(f'<text x="{LABEL_W - 6}" y="{y + 19}" text-anchor="end" fill="#1b1b1f">{escape(label)}</text>')
        x = LABEL_W
        for i, value in enumerate(values):
            w = round(bar_w * value / top)
            if w:
                body.append(f'<rect x="{x}" y="{y + 6}" width="{w}" height="18" fill="{PALETTE[i % len(PALETTE)]}">'
                            f"<title>{escape(label)} · {escape(series[i])}：{value}</title></rect>")
            x += w
        body.append(f'<text x="{x + 4}" y="{y + 19}" fill="#1b1b1f">{sum(values)}</text>')
    return _svg(legend_h + max(len(rows), 1) * ROW + 4, title, body)
