"""The expected count of a period that knows the time of year. Pure numpy/pandas; no Streamlit.

Why. The flat expected level (seastat.compstat: the mean of the previous 26 periods) is a year's
average. Calls for service, crime and use of force run higher in summer than in winter, so
against a flat mean nearly every summer period is ▲ and nearly every winter period ▼: the flags
then say "it is summer", and commanders learn to ignore them.

Method: the same periods of earlier years, scaled by the recent level (a ratio estimator, the
"historical limits" idea of Stroup et al. 1989 used in public-health surveillance). For a
period t, an area, the previous m = `baseline_periods` periods and P = periods per year (26 for
14-day periods: 364 days, the CompStat table's "same period last year"):

    recent level     R   = the area's count over the m periods before t (the flat baseline)
    season index     I   = [S / (2w + 1)] / [R' / m], where, summed over up to `years` earlier years y,
                     S   = the periods t − yP − w … t − yP + w (the same time of year, ± w periods)
                     R'  = the m periods before t − yP (the level that year, measured as R is now)
    expected         E   = (R / m) · I

The index asks "how did this time of year compare with the year before it, in earlier years",
so a trend common to the years cancels out, and the expected level still moves with the area's
own recent level (a step change is flagged when it happens, not a year later). The index is
estimated from the pooled series (by default the sum of all areas: the season is a city-wide
rhythm of daylight, weather and the school year, and a beat's few events in five periods a year
are too few to estimate a season of its own), the level from the area's own counts.

Choices, and why not the alternatives. A Poisson regression on Fourier terms and a trend fits
the same shape but needs an iterative fit per area and period, hides its assumptions (the number
of harmonics, the form of the trend) and extrapolates the trend at the series' end; the ratio
estimator is a few sums a commander can check by hand ("this time of year runs 14 % above its
year, and the last 26 periods averaged 212, so 242 is expected"). w = 2 (five periods, ten weeks)
smooths the noise of one year's periods and flattens a yearly sine by only 6 %.

Flags. The flags stay the exact conditional Poisson test of seastat.compstat: p_value(now,
before, k) with expected = before / k. Here before and k are chosen so that the expected value
is E and the test allows for the noise of estimating E: with the delta method,
Var(E) / E² ≈ 1/R + 1/S + 1/R', and a baseline of `before` events over k periods has
Var = E / k, so k = 1 / (E · (1/R + 1/S + 1/R')) and before = E · k (rounded to a whole count;
k is then before / E, so E is kept exactly). With the flat mean, S and R' drop out and this is
before = R, k = m, the current test. A wider, honest band for the noisier estimate.

Overdispersion (quasi-Poisson, as Farrington et al. 1996 and Noufaily et al. 2013 do for the same
surveillance problem). Real counts vary more than Poisson: one incident with several officers is
several use-of-force rows, a heat wave or a protest lifts a whole fortnight. SPD's use-of-force
counts by precinct vary about twelve times as much as Poisson around any expected level, so the
exact Poisson test flags a quarter of their periods as changes, whatever the expected level. The
dispersion φ of an area is measured from its own history: the mean over the `baseline_periods`
periods before t of the Pearson residual (x − E)² / (E (1 + 1/k)) of each period against its own
expected level (the 1/k term is that level's own estimation noise, so φ ≈ 1 for Poisson counts),
at least 1 and 1 where fewer than half of those periods have an expected level. The test then
divides both counts by φ (compstat.p_value's `dispersion`): a change must stand out from the
area's own usual variation, not only from Poisson noise.

Fallback. A period without `years` = 1 full earlier year of history (m + P + w periods before
it), or whose pooled S or R' is zero, gets the flat mean, as today; `Baseline.seasonal` says
which periods have the seasonal value. The trend charts therefore need more history loaded:
history_periods() says how many periods before the first one shown.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

YEARS = 3            # earlier years pooled into the season index (where the data reach back)
HALF_WINDOW = 2      # ± periods around the same time of year (5 periods of 14 days: ten weeks)
METHODS = ("mean", "seasonal")


def periods_per_year(length_days: int) -> int:
    """Periods in a year as the CompStat table counts one: 364 days (52 weeks) for 7-, 14- and
    28-day periods; the nearest whole number otherwise."""
    return max(1, round(364 / length_days))


def history_periods(baseline_periods: int, per_year: int, years: int = YEARS, half_window: int = HALF_WINDOW) -> int:
    """Periods needed before a period for its seasonal expected level to use `years` earlier years."""
    return baseline_periods + years * per_year + half_window


@dataclass(frozen=True)
class Baseline:
    """Per period (rows) and area (columns), the expected count and its test inputs:
    expected = before / k; compstat.p_value(now, before, k) and compstat.flags(now, before, k,
    level) are the flags; compstat.expected_range(before, k, level) the band. NaN where the
    flat mean has fewer than half of its periods."""
    expected: np.ndarray
    before: np.ndarray
    k: np.ndarray
    seasonal: np.ndarray       # bool: True where the seasonal estimate is used, False the flat mean
    dispersion: np.ndarray     # φ >= 1 (all 1 without overdispersion): the test divides both counts by it


def _window_sums(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sum of x[lo:hi] (rows, all columns) for each pair, via a cumulative sum; lo >= 0, hi <= len(x)."""
    c = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
    return c[hi] - c[lo]


def flat(history: np.ndarray, baseline_periods: int) -> tuple[np.ndarray, np.ndarray]:
    """(before, k): the count over up to `baseline_periods` prior periods and how many there were,
    NaN with fewer than half of them — exactly compstat.trend_series' rolling baseline."""
    h = np.asarray(history, dtype=float)
    h2 = h.reshape(len(h), -1)
    known = (~np.isnan(h2)).astype(float)
    t = np.arange(len(h2))
    lo, hi = np.clip(t - baseline_periods, 0, None), t
    before = _window_sums(np.nan_to_num(h2), lo, hi)
    k = _window_sums(known, lo, hi)
    enough = k >= max(1, math.ceil(baseline_periods / 2))
    before, k = np.where(enough, before, np.nan), np.where(enough, k, np.nan)
    return before.reshape(h.shape), k.reshape(h.shape)


def baseline(history, *, method: str = "seasonal", baseline_periods: int = 26, per_year: int = 26,
             years: int = YEARS, half_window: int = HALF_WINDOW, pooled=None,
             overdispersion: bool = False) -> Baseline:
    """The expected count of every period of `history` (periods x areas, oldest first,
    consecutive periods, NaN = unknown) from the periods before it. method "mean": the flat mean
    of the previous `baseline_periods` periods; "seasonal": the module's method. pooled: the
    series (one value per period, NaN = unknown) the season index is estimated from; default the
    sum of the areas. overdispersion: measure each area's dispersion φ (else 1)."""
    if method not in METHODS:
        raise ValueError(f"unknown expected-level method {method!r}; one of {METHODS}")
    h = np.asarray(history, dtype=float)
    one = h.ndim == 1
    h = h.reshape(len(h), -1)
    before, k = flat(h, baseline_periods)
    expected = before / k
    use = np.zeros(h.shape, dtype=bool)
    if method == "seasonal" and len(h):
        p = h.sum(axis=1) if pooled is None else np.asarray(pooled, dtype=float)
        e, b, k_s, usable = _seasonal(h, p.reshape(-1, 1), baseline_periods, per_year, years, half_window)
        use = usable[:, None] & np.ones(h.shape, dtype=bool)
        before, k, expected = np.where(use, b, before), np.where(use, k_s, k), np.where(use, e, expected)
    phi = _dispersion(h, expected, k, baseline_periods) if overdispersion else np.ones(h.shape)
    return _shape(Baseline(expected, before, k, use, phi), one)


def _seasonal(h: np.ndarray, p: np.ndarray, m: int, per_year: int, years: int, w: int):
    """(expected, before, k, usable per period) of the seasonal method (see the module's note)."""
    T = len(h)
    t = np.arange(T)
    gaps = _window_sums(np.isnan(h).astype(float), np.clip(t - m, 0, None), t).sum(axis=1)
    full_recent = (t - m >= 0) & (gaps == 0)
    r = _window_sums(np.nan_to_num(h), np.clip(t - m, 0, None), t)    # R per period and area
    p_gap, pz = np.isnan(p).astype(float), np.nan_to_num(p)
    s_sum, r_prev = np.zeros(T), np.zeros(T)
    n_years = np.zeros(T, dtype=int)
    for y in range(1, years + 1):
        centre = t - y * per_year
        lo_s, hi_s = np.clip(centre - w, 0, T), np.clip(centre + w + 1, 0, T)
        lo_r, hi_r = np.clip(centre - m, 0, T), np.clip(centre, 0, T)
        known = (_window_sums(p_gap, lo_s, hi_s) + _window_sums(p_gap, lo_r, hi_r))[:, 0] == 0
        ok = (centre - m >= 0) & (centre + w < t) & known    # a year with an unknown period is left out
        s_sum += np.where(ok, _window_sums(pz, lo_s, hi_s)[:, 0], 0)
        r_prev += np.where(ok, _window_sums(pz, lo_r, hi_r)[:, 0], 0)
        n_years += ok
    usable = full_recent & (n_years > 0) & (s_sum > 0) & (r_prev > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        index = (s_sum / (2 * w + 1)) / (r_prev / m)                   # per period
        e = r / m * index[:, None]
        rel_var = 1 / s_sum + 1 / r_prev                               # of the index, per period
        k_eff = 1 / (e * (1 / r + rel_var[:, None]))
        b = np.maximum(np.round(e * k_eff), 1)
        k_s = np.where(r > 0, b / e, m / index[:, None])               # R = 0: expected 0 over m / I periods
    return np.where(r > 0, e, 0.0), np.where(r > 0, b, 0.0), k_s, usable


def _dispersion(h: np.ndarray, expected: np.ndarray, k: np.ndarray, m: int) -> np.ndarray:
    """φ per period and area: the mean Pearson residual of the m periods before, each against its
    own expected level and that level's noise; at least 1; 1 with fewer than m / 2 residuals."""
    with np.errstate(divide="ignore", invalid="ignore"):
        residual = (h - expected) ** 2 / (expected * (1 + 1 / k))
    valid = np.isfinite(residual) & (expected > 0)
    t = np.arange(len(h))
    lo = np.clip(t - m, 0, None)
    total = _window_sums(np.where(valid, residual, 0.0), lo, t)
    n = _window_sums(valid.astype(float), lo, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(n >= max(1, math.ceil(m / 2)), total / n, 1.0)
    return np.maximum(phi, 1.0)


def _shape(b: Baseline, one: bool) -> Baseline:
    if not one:
        return b
    return Baseline(*(a[:, 0] for a in (b.expected, b.before, b.k, b.seasonal, b.dispersion)))


@dataclass(frozen=True)
class Expected:
    """How the expected level of a period is estimated ([stats] in config.toml; Settings.expected)."""
    method: str = "seasonal"
    baseline_periods: int = 26
    per_year: int = 26
    overdispersion: bool = True

    @property
    def history(self) -> int:
        """Periods a period's expected level and dispersion look back over."""
        back = self.baseline_periods if self.method == "mean" else history_periods(self.baseline_periods,
                                                                                  self.per_year)
        return back + (self.baseline_periods if self.overdispersion else 0)

    @property
    def row_history(self) -> int:
        """Periods of an area's own counts its expected level and dispersion use (the season index
        comes from the total's series, over `history`)."""
        return self.baseline_periods * (2 if self.overdispersion else 1)

    def of(self, history, pooled=None) -> Baseline:
        return baseline(history, method=self.method, baseline_periods=self.baseline_periods,
                        per_year=self.per_year, pooled=pooled, overdispersion=self.overdispersion)


def flagged_share(history, level: float, *, start: int = 0, **kw) -> float:
    """Share of the area-periods from row `start` on that the test flags against the expected level
    of baseline(history, **kw) (periods with no expected level left out)."""
    from .compstat import flags
    b = baseline(history, **kw)
    h = np.asarray(history, dtype=float).reshape(len(b.before), -1)
    flagged = flags(h, b.before.reshape(h.shape), b.k.reshape(h.shape), level, b.dispersion.reshape(h.shape))
    known = (~np.isnan(b.before.reshape(h.shape)) & ~np.isnan(h))[start:]
    if not known.any():
        return float("nan")
    return float((flagged[start:] != "")[known].mean())
