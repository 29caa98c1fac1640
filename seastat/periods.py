"""SeaStat's biweekly period grid and the CompStat comparison windows.

Every window is half-open, [start, end), in Seattle local dates. Periods are the blocks of
`length_days` counted forward and backward from the anchor date in config.toml.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> dt.date:
        return self.end - DAY

    def label(self) -> str:
        return f"{self.start:%b %d, %Y} – {self.last_day:%b %d, %Y}"

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day < self.end


@dataclass(frozen=True)
class Grid:
    anchor: dt.date
    length_days: int = 14

    def period_containing(self, day: dt.date) -> Window:
        index = (day - self.anchor).days // self.length_days
        start = self.anchor + dt.timedelta(days=index * self.length_days)
        return Window(start, start + dt.timedelta(days=self.length_days))

    def latest_complete(self, last_day_in_data: dt.date) -> Window:
        """The newest period whose every day is on or before the last day with data."""
        period = self.period_containing(last_day_in_data)
        return period if period.last_day == last_day_in_data else self.shift(period, -1)

    def shift(self, period: Window, n: int) -> Window:
        delta = dt.timedelta(days=n * self.length_days)
        return Window(period.start + delta, period.end + delta)

    def periods_back(self, period: Window, n: int) -> list[Window]:
        """The n periods before `period`, oldest first."""
        return [self.shift(period, -k) for k in range(n, 0, -1)]


def complete_periods(grid: Grid, first_day: dt.date, last_day: dt.date) -> list[Window]:
    """The periods wholly inside [first_day, last_day], newest first (the latest even if the data is shorter)."""
    latest = grid.latest_complete(last_day)
    periods, p = [], latest
    while p.start >= first_day:
        periods.append(p)
        p = grid.shift(p, -1)
    return periods or [latest]


def same_day_last_year(day: dt.date) -> dt.date:
    """The same calendar day a year earlier; Feb 29 maps to Feb 28."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Comparison:
    """The CompStat windows for one period."""
    current: Window
    previous: Window
    last_year: Window      # same weekdays 52 weeks earlier
    rolling: Window        # the last `rolling_days` days of the period's end ...
    prior_rolling: Window  # ... and as many days before them
    ytd: Window
    prior_ytd: Window


def comparison(grid: Grid, period: Window, rolling_days: int = 28) -> Comparison:
    end = period.end
    rolling = Window(end - rolling_days * DAY, end)
    ytd = Window(dt.date(period.last_day.year, 1, 1), end)
    prior_ytd = Window(dt.date(ytd.start.year - 1, 1, 1), same_day_last_year(period.last_day) + DAY)
    return Comparison(
        current=period,
        previous=grid.shift(period, -1),
        last_year=Window(period.start - 364 * DAY, period.end - 364 * DAY),
        rolling=rolling,
        prior_rolling=Window(rolling.start - rolling_days * DAY, rolling.start),
        ytd=ytd,
        prior_ytd=prior_ytd,
    )
