"""Small charts drawn on the server as SVG (no script, no CDN): a bar chart of values by
label, with every number also written out, so the chart is readable without colour."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def bar_chart(
    points: list[tuple[str, int]], *, title: str, width: int = 720, height: int = 220
) -> SafeString:
    if not points:
        return mark_safe("")
    top = max(value for _, value in points) or 1
    left, bottom, gap = 8, 36, 4
    slot = min((width - left * 2) / len(points), 64)
    bar_width = max(slot - gap, 2)
    usable = height - bottom - 18
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(points):
        bar = usable * value / top
        x = left + index * slot
        y = height - bottom - bar
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{bar:.1f}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        parts.append(
            f'<text class="bar-label" x="{x + bar_width / 2:.1f}" y="{y - 3:.1f}" '
            f'text-anchor="middle">{value}</text>'
        )
        if len(points) <= 12 or index % max(len(points) // 12, 1) == 0:
            parts.append(
                f'<text class="bar-label" x="{x + bar_width / 2:.1f}" y="{height - bottom + 14}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def hbar_chart(
    points: list[tuple[str, int]], *, title: str, unit: str = "", top: int | None = None, width: int = 720
) -> SafeString:
    """Horizontal bars, one row per label (long labels stay readable), e.g. coverage in %."""
    if not points:
        return mark_safe("")
    top = top or max(value for _, value in points) or 1
    row, label_width, value_width = 24, 190, 56
    height = row * len(points) + 8
    usable = width - label_width - value_width
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(points):
        y = 4 + index * row
        bar = usable * min(value, top) / top
        parts.append(
            f'<text class="bar-label" x="{label_width - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{bar:.1f}" height="{row - 8}">'
            f"<title>{escape(label)}: {value}{escape(unit)}</title></rect>"
            f'<text class="bar-label" x="{label_width + bar + 6:.1f}" y="{y + 15}">'
            f"{value}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
