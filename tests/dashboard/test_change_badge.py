"""The year-on-year badge: the percentage a leader reads is the rounded one, in both directions."""

from __future__ import annotations

from dashboard.templatetags.dashboard_tags import change_badge, percent_badge


def test_a_rise_of_one_in_six_reads_16_7_percent_not_16_6():
    assert "▲ 16.7%" in change_badge(7 / 6 - 1)


def test_a_fall_of_two_in_three_reads_66_7_percent():
    assert "▼ 66.7%" in change_badge(-2 / 3)


def test_the_text_and_the_data_attribute_agree():
    badge = change_badge(1 / 3)
    assert 'data-change="33.3"' in badge
    assert "▲ 33.3%" in badge


def test_no_change_and_no_figure_are_shown_plainly():
    assert "0%" in change_badge(0.0)
    assert "▲" not in change_badge(0.0) and "▼" not in change_badge(0.0)
    assert "—" in change_badge(None)


def test_a_change_already_in_percent_is_shown_as_it_is():
    assert "▼ 12.5%" in percent_badge(-12.5)
