"""The biweekly grid and the CompStat windows, across year ends and leap years."""
import datetime as dt

import pytest

from seastat.periods import Grid, Window, comparison, same_day_last_year

D = dt.date
GRID = Grid(D(2024, 1, 1), 14)


def test_periods_are_14_days_from_the_anchor_both_ways():
    assert GRID.period_containing(D(2024, 1, 1)) == Window(D(2024, 1, 1), D(2024, 1, 15))
    assert GRID.period_containing(D(2024, 1, 14)) == Window(D(2024, 1, 1), D(2024, 1, 15))
    assert GRID.period_containing(D(2023, 12, 31)) == Window(D(2023, 12, 18), D(2024, 1, 1))
    p = GRID.period_containing(D(2026, 11, 20))
    assert p.days == 14 and p.start.weekday() == 0 and D(2026, 11, 20) in p


def test_latest_complete_period_needs_its_last_day_in_the_data():
    assert GRID.latest_complete(D(2024, 1, 14)) == Window(D(2024, 1, 1), D(2024, 1, 15))
    assert GRID.latest_complete(D(2024, 1, 13)) == Window(D(2023, 12, 18), D(2024, 1, 1))


def test_comparison_windows_across_a_year_end():
    c = comparison(GRID, Window(D(2024, 12, 30), D(2025, 1, 13)))
    assert c.previous == Window(D(2024, 12, 16), D(2024, 12, 30))
    assert c.last_year == Window(D(2024, 1, 1), D(2024, 1, 15))          # 52 weeks back: same weekdays
    assert c.last_year.start.weekday() == c.current.start.weekday()
    assert c.rolling == Window(D(2024, 12, 16), D(2025, 1, 13))
    assert c.prior_rolling == Window(D(2024, 11, 18), D(2024, 12, 16))
    assert c.ytd == Window(D(2025, 1, 1), D(2025, 1, 13))                 # year of the period's last day
    assert c.prior_ytd == Window(D(2024, 1, 1), D(2024, 1, 13))


def test_year_to_date_in_a_leap_year():
    c = comparison(GRID, Window(D(2024, 2, 16), D(2024, 3, 1)))            # ends on Feb 29, 2024
    assert c.ytd == Window(D(2024, 1, 1), D(2024, 3, 1)) and c.ytd.days == 60
    assert c.prior_ytd == Window(D(2023, 1, 1), D(2023, 3, 1)) and c.prior_ytd.days == 59
    c = comparison(GRID, Window(D(2025, 2, 17), D(2025, 3, 3)))
    assert c.prior_ytd == Window(D(2024, 1, 1), D(2024, 3, 3))


@pytest.mark.parametrize("day,expected", [(D(2024, 2, 29), D(2023, 2, 28)), (D(2025, 3, 1), D(2024, 3, 1)),
                                          (D(2025, 1, 1), D(2024, 1, 1))])
def test_same_day_last_year(day, expected):
    assert same_day_last_year(day) == expected


def test_periods_back_are_oldest_first_and_contiguous():
    p = GRID.period_containing(D(2025, 6, 1))
    back = GRID.periods_back(p, 3)
    assert [w.end for w in back] == [back[1].start, back[2].start, p.start]
