"""A line chart of the last hour (or less) as inline SVG: drawn on the server, readable without JavaScript.

Pure: points in, markup out. Time runs left (an hour ago) to right (now); the
vertical scale starts at 0 and ends at a round number above the highest value.
A missing value (None) breaks the line instead of pretending it was 0.
"""

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 360, 140
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 8, 20
"""Room for the scale's labels on the left and the time labels underneath."""


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power: int = 10 ** math.floor(math.log10(value))  # a whole number: value > 1, so the exponent is not negative
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def runs(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """The stretches of consecutive known values."""
    found: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for at, value in points:
        if value is None:
            if current:
                found.append(current)
            current = []
        else:
            current.append((at, value))
    return found + [current] if current else found


def line_chart(
    points: Sequence[tuple[float, float | None]],
    *,
    now: float,
    span: float,
    label: str,
    css_class: str = "",
    now_label: str = "nu",
) -> Markup:
    """``points``: (epoch seconds, value) oldest first; ``label`` names the chart for screen readers; ``now_label``
    marks its right end, in the page's language."""
    top = nice_ceiling(max((v for _, v in points if v is not None), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at: float) -> float:
        return LEFT + plot_w * min(1.0, max(0.0, (at - (now - span)) / span))

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg class="chart {escape(css_class)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>',
        f'<line class="axis" x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(0):.1f}"/>',
        f'<line class="grid" x1="{LEFT}" y1="{y(top):.1f}" x2="{WIDTH - RIGHT}" y2="{y(top):.1f}"/>',
        _text(LEFT - 4, y(top) + 4, _number(top), "end"),
        _text(LEFT - 4, y(0) + 4, "0", "end"),
        _text(LEFT, HEIGHT - 4, ago(span), "start"),
        _text(LEFT + plot_w / 2, HEIGHT - 4, ago(span / 2), "middle"),
        _text(WIDTH - RIGHT, HEIGHT - 4, now_label, "end"),
    ]
    for run in runs(points):
        coordinates = " ".join(f"{x(at):.1f},{y(v):.1f}" for at, v in run)
        parts.append(f'<polyline class="line" points="{coordinates}"/>')
        at, v = run[-1]
        parts.append(f'<circle class="dot" cx="{x(at):.1f}" cy="{y(v):.1f}" r="2.5"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def ago(seconds: float) -> str:
    return f"−{seconds:.0f} s" if seconds < 120 else f"−{seconds / 60:.0f} min"


def _text(x: float, y: float, text: str, anchor: str) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")
