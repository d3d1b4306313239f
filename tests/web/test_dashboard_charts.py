"""The dashboard's charts as geometry: whole-number gridlines, the cumulative response-time
buckets taken apart into bands, bars in proportion, a target line where the target is."""

from __future__ import annotations

from gateway.web.dashboard_charts import (
    WIDTH,
    _nice_top,
    column_chart,
    count_chart,
    measure_chart,
    paired_bar_chart,
    response_bands,
    share_chart,
    stacked_bar_chart,
)


def test_the_axis_ends_on_whole_steps_at_or_above_the_highest_value():
    for highest in (0, 1, 3, 5, 11, 35, 83, 99, 1234):
        top = _nice_top(highest)
        assert top >= highest
        assert top % 4 == 0
    assert _nice_top(83) == 100  # steps of 25, not an axis of 200 for 83


def test_cumulative_buckets_become_bands_that_add_up_to_the_answered_requests():
    row = {"answered": 10, "within_1_week": 3, "within_2_weeks": 6, "within_4_weeks": 9,
           "over_4_weeks": 1}  # fmt: skip

    bands = response_bands(row)

    assert bands == {"within_1_week": 3, "one_to_two_weeks": 3, "two_to_four_weeks": 3,
                     "over_4_weeks": 1}  # fmt: skip
    assert sum(bands.values()) == row["answered"]


def test_bars_are_in_proportion_and_each_says_what_it_is():
    chart = column_chart("c", [("Jan", 10), ("Feb", 20)], str, lambda m, v: f"{m} {v}")

    first, second = chart.rects
    assert second.height == 2 * first.height
    assert [rect.label for rect in chart.rects] == ["Jan 10", "Feb 20"]
    assert all(rect.x >= 0 and rect.x + rect.width <= WIDTH for rect in chart.rects)


def test_a_stacked_bar_fills_the_plot_and_a_share_chart_draws_its_target():
    names = {"within_1_week": "a", "one_to_two_weeks": "b", "two_to_four_weeks": "c",
             "over_4_weeks": "d"}  # fmt: skip
    bands = {"within_1_week": 1, "one_to_two_weeks": 1, "two_to_four_weeks": 0, "over_4_weeks": 2}
    stacked = stacked_bar_chart("s", [("IT", bands)], names, lambda *parts: str(parts))
    shares = share_chart("t", [("IT", 0.5), ("HU", None)], 0.8, str, lambda *parts: "")

    pieces = [rect for rect in stacked.rects if rect.y > 30]  # the legend's swatches are above
    assert len(pieces) == 3  # an empty band draws nothing
    assert round(sum(rect.width for rect in pieces)) == round(WIDTH - 160 - 16)
    (target,) = [line for line in shares.lines if line.dashed]
    assert target.x1 == 160 + (WIDTH - 160 - 16) * 0.8
    assert len(shares.rects) == 1  # nothing to measure: no bar


def test_paired_bars_share_one_axis_and_say_which_of_the_pair_they_are():
    chart = paired_bar_chart(
        "p", [("IT", 20, 10), ("HU", 0, 5)], ("sent", "received"), str,
        lambda label, name, value: f"{label} {name} {value}",
    )  # fmt: skip

    bars = [rect for rect in chart.rects if rect.y > 30]  # the legend's swatches are above
    assert [rect.label for rect in bars] == ["IT sent 20", "IT received 10", "HU received 5"]
    assert bars[0].width == 2 * bars[1].width == 4 * bars[2].width
    assert bars[0].fill != bars[1].fill


def test_a_measure_chart_reaches_its_target_and_a_count_chart_its_highest_bar():
    days = measure_chart("m", [("IT", 10.0), ("HU", None)], 30, str, lambda *parts: "")
    counts = count_chart("c", [("services", 7), ("posting", 3)], str, lambda *parts: "")

    (target,) = [line for line in days.lines if line.dashed]
    assert target.x1 <= WIDTH - 16  # the target lies on the axis
    assert len(days.rects) == 1  # no average yet: no bar
    assert counts.rects[0].width / counts.rects[1].width == 7 / 3
