"""The dashboard's chart: an hour of values as inline SVG, with gaps where a value is unknown."""

import re

import pytest

from services.portal.dashboard.chart import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, ago, line_chart, nice_ceiling, runs


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (1, 1), (1.5, 2), (3, 5), (7, 10), (11, 20), (480, 500), (501, 1000)]
)
def test_the_scale_ends_at_a_round_number(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_unknown_values_split_the_line():
    assert runs([(0, 1), (1, None), (2, 3), (3, 4), (4, None)]) == [[(0, 1)], [(2, 3), (3, 4)]]
    assert runs([]) == []


def _polylines(svg: str) -> list[list[tuple[float, float]]]:
    return [
        [_point(pair) for pair in points.split()]
        for points in re.findall(r'<polyline class="line" points="([^"]+)"', svg)
    ]


def _point(pair: str) -> tuple[float, float]:
    x, y = pair.split(",")
    return float(x), float(y)


def test_time_runs_left_to_right_and_lag_upwards_from_zero():
    svg = line_chart([(0, 0), (1800, 5), (3600, 10)], now=3600, span=3600, label="Achterstand")
    [[start, middle, end]] = _polylines(svg)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    assert start == (LEFT, TOP + plot_h)
    assert middle == (LEFT + plot_w / 2, TOP + plot_h / 2)
    assert end == (LEFT + plot_w, TOP)
    assert ">10</text>" in svg and ">nu</text>" in svg and ">−60 min</text>" in svg


def test_a_gap_draws_two_lines_and_older_points_stay_on_the_edge():
    svg = line_chart([(-600, 5), (100, None), (3000, 10)], now=3600, span=3600, label="x")
    first, second = _polylines(svg)
    assert first == [(LEFT, TOP + (HEIGHT - TOP - BOTTOM) * 0.5)]
    assert len(second) == 1 and svg.count("<circle") == 2


def test_the_chart_is_labelled_for_screen_readers_and_escaped():
    svg = line_chart([], now=0, span=3600, label='lag <"x">', css_class="stop")
    assert svg.startswith('<svg class="chart stop"') and 'role="img"' in svg
    assert "<title>lag &lt;&#34;x&#34;&gt;</title>" in svg
    assert "<polyline" not in svg


def test_the_time_labels_say_how_long_ago():
    svg = line_chart([], now=0, span=90, label="x")
    assert ">−90 s</text>" in svg and ">−45 s</text>" in svg
    assert ago(3600) == "−60 min" and ago(600) == "−10 min"
