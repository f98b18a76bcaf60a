"""Tiny inline-SVG charts: self-contained, print well, need no JavaScript or network."""

from __future__ import annotations

from html import escape

CLASS_COLOURS = {"A": "#2e7d32", "B": "#1565c0", "C": "#ef6c00", "D": "#c62828"}
PALETTE = ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#c62828", "#5d4037"]


def stacked_bars(
    rows: list[tuple[str, dict[str, int]]], keys: list[str], colours: dict[str, str] | None = None, width: int = 720, bar: int = 18
) -> str:
    """Horizontal stacked bars: one row per label, one segment per key (counts)."""
    colours = colours or {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}
    label_w, gap = 130, 6
    total_max = max([sum(v.values()) for _, v in rows] + [1])
    scale = (width - label_w - 60) / total_max
    height = len(rows) * (bar + gap) + 30
    parts = [f'<svg width="{width}" height="{height}" role="img" font-size="12">']
    for i, (label, values) in enumerate(rows):
        y = i * (bar + gap)
        parts.append(f'<text x="{label_w - 6}" y="{y + bar - 5}" text-anchor="end">{escape(label)}</text>')
        x = label_w
        for key in keys:
            n = values.get(key, 0)
            if n:
                w = n * scale
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colours[key]}">'
                    f"<title>{escape(label)} {escape(key)}: {n}</title></rect>"
                )
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + bar - 5}" fill="#555">{sum(values.values())}</text>')
    legend_y = len(rows) * (bar + gap) + 14
    for i, key in enumerate(keys):
        parts.append(
            f'<rect x="{label_w + i * 70}" y="{legend_y - 10}" width="12" height="12" fill="{colours[key]}"/>'
            f'<text x="{label_w + i * 70 + 16}" y="{legend_y}">{escape(key)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(series: dict[str, list[float]], bins: int = 20, width: int = 720, height: int = 220) -> str:
    """Overlaid histograms of one or more groups of values (e.g. total score per scale group)."""
    values = [v for vs in series.values() for v in vs]
    if not values:
        return "<p>（无数据）</p>"
    low, high = min(values), max(values)
    step = (high - low) / bins or 1
    counts = {name: [0] * bins for name in series}
    for name, vs in series.items():
        for v in vs:
            counts[name][min(int((v - low) / step), bins - 1)] += 1
    top = max(max(c) for c in counts.values()) or 1
    left, bottom = 40, 30
    plot_w, plot_h = width - left - 10, height - bottom - 10
    bw = plot_w / bins
    parts = [
        f'<svg width="{width}" height="{height}" role="img" font-size="11">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#888"/>',
    ]
    for s, (name, cs) in enumerate(counts.items()):
        colour = PALETTE[s % len(PALETTE)]
        for i, n in enumerate(cs):
            if n:
                h = n / top * plot_h
                parts.append(
                    f'<rect x="{left + i * bw + 1:.1f}" y="{height - bottom - h:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" '
                    f'fill="{colour}" fill-opacity="0.55">'
                    f"<title>{escape(name)} {low + i * step:.1f}–{low + (i + 1) * step:.1f}: {n}</title></rect>"
                )
        parts.append(
            f'<rect x="{left + s * 90}" y="2" width="12" height="12" fill="{colour}" fill-opacity="0.55"/>'
            f'<text x="{left + s * 90 + 16}" y="12">{escape(name)}</text>'
        )
    for i in range(0, bins + 1, max(bins // 5, 1)):
        parts.append(f'<text x="{left + i * bw:.1f}" y="{height - bottom + 14}" text-anchor="middle">{low + i * step:.0f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars(items: list[tuple[str, float]], width: int = 520, bar: int = 18, unit: str = "", label_w: int = 110) -> str:
    """Simple horizontal bars with values (e.g. a benchmark across years); label_w fits longer labels."""
    gap = 6
    top = max([v for _, v in items] + [1e-9])
    scale = (width - label_w - 90) / top
    height = len(items) * (bar + gap) + 4
    parts = [f'<svg width="{width}" height="{height}" role="img" font-size="12">']
    for i, (label, value) in enumerate(items):
        y = i * (bar + gap)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar - 5}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{value * scale:.1f}" height="{bar}" fill="#1565c0"/>'
            f'<text x="{label_w + value * scale + 4:.1f}" y="{y + bar - 5}">{value:,.2f}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
