"""The seasonal expected level (seastat/seasonal.py): against counts with a planted yearly cycle and
no real change it flags about as often as the test's level, far less than the flat mean; it still
flags a planted step within two periods; with "mean" it is exactly today's flat baseline. And the
flagged-period shares on the real use-of-force export and the bundled synthetic calls, flat
against seasonal (printed; run with -s to read them)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seastat import compstat, seasonal
from seastat.publish import publish

REAL_UOF = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "use_of_force" / \
    "giruml34__use-of-force-dashboard__Use_Of_Force_20260218.csv"
LEVELS = np.array([400.0, 220.0, 90.0, 30.0, 8.0])     # five areas, busy to quiet, per period
T, START = 26 * 7, 26 * 4 + 2                          # seven years; the last three judged (full history)


def planted(seed: int, amplitude: float, step: tuple[int, int, float] | None = None) -> np.ndarray:
    """Poisson counts per period and area with a yearly cycle (26 periods) of `amplitude`, the same
    in every area, and optionally a step (area, from period, factor)."""
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    mu = LEVELS[None, :] * (1 + amplitude * np.sin(2 * np.pi * t / 26 + 0.7))[:, None]
    if step:
        area, at, factor = step
        mu[at:, area] *= factor
    return rng.poisson(mu).astype(float)


def test_flat_is_exactly_todays_baseline(settings):
    h = planted(1, 0.3)
    wide = pd.DataFrame(h)
    prior = wide.shift(1).rolling(26, min_periods=13)
    b = seasonal.baseline(h, method="mean")
    np.testing.assert_allclose(b.before, prior.sum().to_numpy(), equal_nan=True)
    np.testing.assert_allclose(b.k, prior.count().where(prior.count() >= 13).to_numpy(), equal_nan=True)
    assert (b.dispersion == 1).all()                  # overdispersion is off unless asked for


def test_planted_season_and_no_change_flags_about_the_level(settings):
    level = settings.level
    seasonal_shares, flat_shares = [], []
    for seed in range(6):
        h = planted(seed, 0.3)
        seasonal_shares.append(seasonal.flagged_share(h, level, method="seasonal", start=START))
        flat_shares.append(seasonal.flagged_share(h, level, method="mean", start=START))
    s, f = np.mean(seasonal_shares), np.mean(flat_shares)
    print(f"\nplanted 30 % cycle, no change: flagged share seasonal {s:.3f}, flat {f:.3f} (level {level:.4f})")
    assert s <= level + 0.02
    assert f >= 0.3 and f > 5 * s


def test_seasonal_index_is_used_wherever_a_year_of_history_exists():
    b = seasonal.baseline(planted(3, 0.3))
    need = 26 + 26 + seasonal.HALF_WINDOW       # m before the same period a year ago, and its window
    assert not b.seasonal[:26].any() and b.seasonal[need:].all()
    np.testing.assert_allclose(b.before[:26][~np.isnan(b.before[:26])],
                               seasonal.baseline(planted(3, 0.3), method="mean").before[:26][~np.isnan(b.before[:26])])


def test_expected_follows_the_cycle_and_keeps_the_expected_exactly():
    h = planted(4, 0.3)
    b = seasonal.baseline(h)
    expected, before = b.expected, b.before
    rows = slice(START, None)
    np.testing.assert_allclose(before[rows], np.round(before[rows]), atol=1e-6)     # a whole count
    t = np.arange(T)[rows]
    truth = LEVELS[None, :] * (1 + 0.3 * np.sin(2 * np.pi * t / 26 + 0.7))[:, None]
    ratio = expected[rows, :3] / truth[:, :3]                       # the busier areas: close to the truth
    assert abs(np.median(ratio) - 1) < 0.03 and np.percentile(np.abs(ratio - 1), 90) < 0.12
    flat = seasonal.baseline(h, method="mean").expected[rows, :3] / truth[:, :3]
    assert np.percentile(np.abs(flat - 1), 90) > 0.2                # the flat mean misses the season


def test_hand_computed_example():
    """One area, constant 10 a period, then a summer run of 30 in the same periods each year."""
    h = np.full(26 * 3, 10.0)
    for year in range(3):
        h[year * 26 + 10: year * 26 + 15] = 30.0
    b = seasonal.baseline(h, years=1, half_window=2)
    t = 26 * 2 + 12                               # the middle of the third summer
    r = h[t - 26:t].sum()                         # the recent level
    s = h[t - 26 - 2:t - 26 + 3].sum()            # the same time last year, +-2 periods
    r_prev = h[t - 52:t - 26].sum()
    e = r / 26 * (s / 5) / (r_prev / 26)
    assert b.expected[t] == pytest.approx(e) and e == pytest.approx(30.0)
    k = 1 / (e * (1 / r + 1 / s + 1 / r_prev))
    assert b.before[t] == round(e * k) and b.k[t] == pytest.approx(round(e * k) / e)
    assert compstat.flags(30, b.before[t], b.k[t], 0.0455).item() == ""            # summer is not news
    flat = seasonal.baseline(h, method="mean")
    assert compstat.flags(30, flat.before[t], flat.k[t], 0.0455).item() == compstat.UP   # against the flat mean it was


@pytest.mark.parametrize("overdispersion", [False, True])
@pytest.mark.parametrize("area, factor", [(0, 1.3), (1, 1.4), (2, 1.6), (3, 2.0), (0, 0.7), (2, 0.5)])
def test_planted_step_is_flagged_within_two_periods(settings, area, factor, overdispersion):
    assert_step_flagged(planted(10 + area, 0.3, step=(area, START + 20, factor)), area, factor, settings,
                        overdispersion)


def assert_step_flagged(h: np.ndarray, area: int, factor: float, settings, overdispersion: bool) -> None:
    """The step planted at START + 20 in `area` is flagged, the right way, within two periods."""
    at = START + 20
    b = seasonal.baseline(h, overdispersion=overdispersion)
    now = slice(at, at + 2)
    flagged = compstat.flags(h[now, area], b.before[now, area], b.k[now, area], settings.level,
                             b.dispersion[now, area])
    assert (flagged == (compstat.UP if factor > 1 else compstat.DOWN)).any(), (factor, flagged)


def clustered(seed: int, size: int, step: tuple[int, int, float] | None = None) -> np.ndarray:
    """Counts that come in clusters of `size` rows (as one incident with several officers is several
    use-of-force rows): size x Poisson(mu / size), variance size x mu, with the yearly cycle."""
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    mu = LEVELS[None, :] * (1 + 0.3 * np.sin(2 * np.pi * t / 26 + 0.7))[:, None]
    if step:
        area, at, factor = step
        mu[at:, area] *= factor
    return size * rng.poisson(mu / size).astype(float)


def test_overdispersed_counts_flag_about_the_level_only_when_the_dispersion_is_measured(settings):
    level = settings.level
    poisson, quasi, phis = [], [], []
    for seed in range(6):
        h = clustered(seed, 6)
        poisson.append(seasonal.flagged_share(h, level, start=START))
        quasi.append(seasonal.flagged_share(h, level, start=START, overdispersion=True))
        phis.append(np.median(seasonal.baseline(h, overdispersion=True).dispersion[START:]))
    p, q, phi = np.mean(poisson), np.mean(quasi), np.median(phis)
    print(f"\nclusters of 6, 30 % cycle, no change: flagged share Poisson {p:.3f}, quasi-Poisson {q:.3f} "
          f"(level {level:.4f}); measured dispersion {phi:.2f} (truth 6)")
    assert p > 0.2                      # the plain test flags a fifth of the periods: noise read as change
    assert q <= level + 0.02
    assert 4.5 < phi < 7.5


def test_poisson_counts_measure_a_dispersion_near_one_and_keep_the_level(settings):
    shares, phis = [], []
    for seed in range(6):
        h = planted(seed, 0.3)
        b = seasonal.baseline(h, overdispersion=True)
        shares.append(seasonal.flagged_share(h, settings.level, start=START, overdispersion=True))
        phis.append(np.median(b.dispersion[START:]))
    print(f"\nPoisson, 30 % cycle: flagged share quasi-Poisson {np.mean(shares):.3f}; median dispersion "
          f"{np.median(phis):.2f}")
    assert np.median(phis) < 1.3
    assert np.mean(shares) <= settings.level


@pytest.mark.parametrize("area, factor", [(0, 1.6), (1, 2.0), (2, 2.5), (0, 0.5)])
def test_a_step_in_overdispersed_counts_is_still_flagged_within_two_periods(settings, area, factor):
    assert_step_flagged(clustered(20 + area, 6, step=(area, START + 20, factor)), area, factor, settings, True)


def test_zero_recent_level_and_unknown_method():
    h = np.zeros((26 * 3, 2))
    h[:, 0] = 5
    b = seasonal.baseline(h)
    assert (b.expected[-1] == [5, 0]).all() and b.before[-1, 1] == 0 and b.k[-1, 1] > 0
    assert compstat.flags(3, b.before[-1, 1], b.k[-1, 1], 0.0455).item() == compstat.UP
    with pytest.raises(ValueError, match="unknown expected-level method"):
        seasonal.baseline(h, method="median")


def _period_counts(df: pd.DataFrame, settings) -> pd.DataFrame:
    """Counts per period (rows: consecutive periods of the grid, the incomplete last left out) and
    precinct (UNKNOWN/OOJ as one), pandas only."""
    start = settings.grid.period_containing(df["event_at"].min().date()).start
    index = (df["event_at"].dt.normalize() - pd.Timestamp(start)).dt.days // settings.grid.length_days
    last = (df["event_at"].max().normalize() + pd.Timedelta(days=1) - pd.Timestamp(start)).days // \
        settings.grid.length_days
    df = compstat.assign_unassigned(df.assign(p=index))
    return df.pivot_table(index="p", columns="precinct", values="event_at", aggfunc="count").reindex(
        range(last)).fillna(0)


VARIANTS = {"flat mean, Poisson": dict(method="mean"), "seasonal, Poisson": dict(method="seasonal"),
            "seasonal, quasi-Poisson (the default)": dict(method="seasonal", overdispersion=True)}


def _shares(wide: pd.DataFrame, level: float, start: int) -> dict[str, float]:
    history = wide.to_numpy(dtype=float)
    return {name: seasonal.flagged_share(history, level, start=start, **kw) for name, kw in VARIANTS.items()}


def test_real_use_of_force_flagged_shares(settings, tmp_path):
    """SPD's use of force by precinct: the plain Poisson test flags a quarter of the periods, whatever
    the expected level (the counts vary about twelve times as much as Poisson); with the dispersion
    measured, about the test's level."""
    if not REAL_UOF.exists():
        pytest.skip(f"the real use-of-force export is not at {REAL_UOF}")
    publish([REAL_UOF], tmp_path / "store", settings)
    uof = pd.read_parquet(tmp_path / "store" / "current" / "use_of_force")
    wide = _period_counts(uof, settings)
    start = settings.expected.history
    shares = _shares(wide, settings.level, start)
    b = seasonal.baseline(wide.to_numpy(dtype=float), overdispersion=True)
    print(f"\nreal use of force ({len(wide)} periods x {wide.shape[1]} precincts, judged from period {start}, "
          f"level {settings.level:.4f}): flagged share " + ", ".join(f"{k} {v:.3f}" for k, v in shares.items())
          + f"; median measured dispersion {np.median(b.dispersion[start:]):.1f}")
    assert shares["flat mean, Poisson"] > 0.15 and shares["seasonal, Poisson"] > 0.15
    assert np.median(b.dispersion[start:]) > 3
    assert shares["seasonal, quasi-Poisson (the default)"] <= settings.level + 0.03


def test_synthetic_calls_flagged_shares(settings, synth_store_dir):
    """seastat synth's calls: a 12 % yearly cycle, and from 70 days before the end emerging and
    fading hot spots (a real, planted change between precincts). Before the change the seasonal
    level flags about the test's level (with or without the dispersion); the flat mean flags
    nearly half the periods."""
    calls = pd.read_parquet(synth_store_dir / "current" / "calls")
    history = _period_counts(calls, settings).to_numpy(dtype=float)
    start, turn = seasonal.history_periods(26, 26, years=1), len(history) - 6
    shares = {}
    for name, kw in VARIANTS.items():
        b = seasonal.baseline(history, **kw)
        flagged = compstat.flags(history, b.before, b.k, settings.level, b.dispersion) != ""
        shares[name] = (flagged[start:turn].mean(), flagged[turn:].mean())
    print(f"\nsynthetic calls (seastat synth, 12 % yearly cycle), periods {start}-{turn} / the last 6 (planted hot "
          "spots): flagged share " + ", ".join(f"{k} {a:.3f} / {b:.3f}" for k, (a, b) in shares.items()))
    assert shares["seasonal, Poisson"][0] <= settings.level + 0.03
    assert shares["seasonal, quasi-Poisson (the default)"][0] <= settings.level + 0.03
    assert shares["flat mean, Poisson"][0] > 0.25
