"""911 calls and use of force (seastat/service.py through seastat/reports.py): every measure is
computed again with pandas over the published Parquet — on SPD's real call samples, on a
generated Call Data export with known response-time distributions, and on the synthetic store —
and compared. No mocks: exports are published with seastat.publish, queries run in DuckDB."""
from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SYNTH_STORE
from scipy import stats

from seastat import compstat, reports, service
from seastat.periods import Window
from seastat.publish import publish
from seastat.store import Store

REAL_CALLS = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "calls"
EVERYTHING = Window(dt.date(2000, 1, 1), dt.date(2030, 1, 1))


def dispatched(calls: pd.DataFrame) -> pd.Series:
    """pandas' own rule: a call type, not ONVIEW, and an arrival (if any) unlike the queue time."""
    return calls["call_type"].notna() & (calls["call_type"] != "ONVIEW") & \
        ~(calls["arrived_at"].notna() & (calls["arrived_at"] == calls["event_at"]))


def measured(calls: pd.DataFrame) -> pd.DataFrame:
    d = calls[dispatched(calls) & calls["arrived_at"].notna() & (calls["arrived_at"] > calls["event_at"])]
    return d.assign(minutes=(d["arrived_at"] - d["event_at"]).dt.total_seconds() / 60)


def response(store: Store, settings, targets: dict[str, float]) -> reports.ResponseTimesReport:
    """The report over every call in the store (one window), with these targets."""
    settings = settings.model_copy(update={"service": settings.service.model_copy(update={"targets": targets})})
    return reports.response_times(store, settings, reports.View("calls", EVERYTHING), {"current": EVERYTHING})


def check_against_pandas(table: pd.DataFrame, calls: pd.DataFrame, target: dict[str, float]) -> int:
    """Every area and priority's calls, no-arrival count, median, 90th percentile and share over
    target, from pandas; returns how many rows were checked."""
    calls = compstat.assign_unassigned(calls)
    d = calls[dispatched(calls)]
    m = measured(calls)
    checked = 0
    for row in table.itertuples():
        keys = {"city": [], "precinct": ["precinct"], "sector": ["precinct", "sector"],
                "beat": ["precinct", "sector", "beat"]}[row.level]
        mine = pd.Series(True, index=d.index)
        ours = pd.Series(True, index=m.index)
        for key in keys:
            mine &= d[key] == getattr(row, key)
            ours &= m[key] == getattr(row, key)
        mine &= d["priority"].fillna("not recorded") == row.priority
        ours &= m["priority"].fillna("not recorded") == row.priority
        assert row.calls == mine.sum()
        assert row.no_arrival == d.loc[mine, "arrived_at"].isna().sum()
        minutes = m.loc[ours, "minutes"]
        assert row.arrived == len(minutes)
        if len(minutes):
            assert row.median_minutes == pytest.approx(minutes.median())
            assert row.p90_minutes == pytest.approx(minutes.quantile(0.9))
            if row.priority in target:
                assert row.share_over_target == pytest.approx((minutes > target[row.priority]).mean())
        checked += 1
    return checked


# --- SPD's real call samples --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_calls_store(settings, tmp_path_factory) -> Path:
    if not REAL_CALLS.is_dir():
        pytest.skip(f"no real SPD call samples at {REAL_CALLS}")
    out = tmp_path_factory.mktemp("real-calls")
    publish(sorted(REAL_CALLS.glob("*.csv")), out, settings)
    return out


def test_real_calls_response_times_match_pandas(settings, real_calls_store):
    store = Store.open(real_calls_store)
    targets = {"1": 7.0, "2": 15.0, "3": 30.0}
    report = response(store, settings, targets)
    table = report.table
    calls = pd.read_parquet(real_calls_store / "current" / "calls")
    assert check_against_pandas(table, calls, targets) == len(table) > 10
    city = table[table["level"] == "city"]
    assert set(city["area"]) == {compstat.CITY}
    # on-view events excluded (61 of 64 real ONVIEW rows have arrival = queue), older layout unmeasured
    excluded = report.excluded.set_index("reason")["calls"]
    assert excluded[service.EXCLUDED["on-view"]] == (calls["call_type"] == "ONVIEW").sum() == 64
    assert excluded[service.EXCLUDED["no source"]] == calls["call_type"].isna().sum() == 1379
    assert city["calls"].sum() == dispatched(calls).sum()
    assert city["no_arrival"].sum() == (dispatched(calls) & calls["arrived_at"].isna()).sum() > 0


def test_real_calls_sources_types_and_hours_match_pandas(settings, real_calls_store):
    store = Store.open(real_calls_store)
    windows = {"current": Window(EVERYTHING.start, EVERYTHING.start + dt.timedelta(days=14 * 800))}   # whole periods
    rows = lambda query: reports.service_rows(store, query, windows, 14)        # noqa: E731
    calls = pd.read_parquet(real_calls_store / "current" / "calls")
    sources = service.source_table(rows("call_sources"), windows, level=settings.level)
    city = sources[sources["level"] == "city"].iloc[0]
    assert city["calls"] == len(calls)
    assert city["source_911"] == (calls["call_type"] == "911").sum()
    assert city["source_onview"] == (calls["call_type"] == "ONVIEW").sum()
    assert city["source_telephone"] == (calls["call_type"] == "TELEPHONE OTHER, NOT 911").sum()
    assert city["source_alarm"] == calls["call_type"].fillna("").str.startswith("ALARM CALL").sum()
    assert city["source_not_recorded"] == calls["call_type"].isna().sum()
    assert city["dispatched"] == dispatched(calls).sum()
    assert city["onview_share"] == pytest.approx((calls["call_type"] == "ONVIEW").sum() / calls["call_type"].notna().sum())
    types = service.call_type_table(rows("call_types"), windows, level=settings.level, top=5)
    for which in ("initial", "final"):
        truth = calls[f"{which}_call_type"].fillna("Not recorded").value_counts()
        mine = types[types["which"] == which]
        assert list(mine["calls"]) == list(truth.sort_values(ascending=False).head(5))
        assert mine["share"].iloc[0] == pytest.approx(truth.iloc[0] / len(calls))
    hours = service.hour_of_week_table(rows("hour_of_week"), windows, level=settings.level)
    truth = calls.groupby([calls["event_at"].dt.day_of_week + 1, calls["event_at"].dt.hour]).size()
    assert len(hours) == 168 and hours["calls"].sum() == len(calls)
    got = hours.set_index(["dow", "hour"])["calls"]
    assert (got[truth.index] == truth.to_numpy()).all()


# --- A generated Call Data export with known response-time distributions -------------------------------

HEADER = ["CAD Event Number", "Event Clearance Description", "Call Type", "Priority", "Initial Call Type",
          "Final Call Type", "Original Time Queued", "Arrived Time", "Precinct", "Sector", "Beat"]
BEATS = {"B1": ("NORTH", "B"), "B2": ("NORTH", "B"), "E1": ("EAST", "E"), "E2": ("EAST", "E")}
PERIOD = Window(dt.date(2026, 3, 2), dt.date(2026, 3, 16))          # a period of the grid (anchor 2024-01-01)


def write_calls(path: Path, seed: int = 5) -> pd.DataFrame:
    """Priority 1: exponential response, mean 6 min; priority 3: lognormal, median 20 min; 8 % of
    dispatched calls have no arrival, 1 % an arrival before the queue time; ONVIEW events (arrival
    = queue) and 911 events cleared on the spot (arrival = queue). Beat E2 gets only 4 calls a
    period. The rows written, with the truth of each."""
    rng = np.random.default_rng(seed)
    rows = []
    day = dt.date(2025, 1, 6)
    number = 0
    while day < dt.date(2026, 3, 30):
        for beat, (precinct, sector) in BEATS.items():
            n = rng.poisson(0.3 if beat == "E2" else 6)
            for _ in range(n):
                number += 1
                queued = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=int(rng.integers(0, 86400)))
                u = rng.random()
                how, priority = ("ONVIEW", "7") if u < 0.15 else ("911", "1") if u < 0.55 else \
                    (("TELEPHONE OTHER, NOT 911" if u < 0.8 else "ALARM CALL (NOT POLICE ALARM)"), "3")
                if how == "ONVIEW" or rng.random() < 0.03:
                    arrived = queued
                elif rng.random() < 0.08:
                    arrived = None
                elif rng.random() < 0.01:
                    arrived = queued - dt.timedelta(minutes=3)
                else:
                    minutes = rng.exponential(6) if priority == "1" else rng.lognormal(np.log(20), 0.6)
                    arrived = queued + dt.timedelta(seconds=max(1, int(minutes * 60)))
                rows.append((f"2025{number:09d}", how, priority, queued, arrived, precinct, sector, beat))
        day += dt.timedelta(days=1)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        fmt = "%m/%d/%Y %I:%M:%S %p"
        for number, how, priority, queued, arrived, precinct, sector, beat in rows:
            w.writerow([number, "REPORT WRITTEN (NO ARREST)", how, priority, "THEFT - ALL", "--THEFT - ALL OTHER",
                        queued.strftime(fmt), arrived.strftime(fmt) if arrived else "", precinct, sector, beat])
    return pd.DataFrame(rows, columns=["id", "call_type", "priority", "event_at", "arrived_at", "precinct", "sector",
                                       "beat"])


@pytest.fixture(scope="module")
def known(settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("known-calls")
    truth = write_calls(folder / "calls.csv")
    publish([folder / "calls.csv"], folder / "store", settings)
    return truth, Store.open(folder / "store")


def test_known_distributions_through_the_report(settings, known):
    truth, store = known
    truth = truth.assign(precinct=truth["precinct"].str.title(), arrived_at=pd.to_datetime(truth["arrived_at"]),
                         event_at=pd.to_datetime(truth["event_at"]))
    result = reports.response_times_report(store, settings, reports.View("calls", PERIOD))
    assert set(result.windows) == {"current", "previous", "last_year", "baseline"}
    now = truth[(truth["event_at"] >= pd.Timestamp(PERIOD.start)) & (truth["event_at"] < pd.Timestamp(PERIOD.end))]
    table = result.table
    assert check_against_pandas(table, now, settings.service.targets) == len(table)
    # the generator's own truth: exponential(6) has median 6 ln 2 = 4.2 min and 90th percentile 13.8 min
    over_year = reports.response_times_report(store, settings, reports.View("calls", PERIOD)).table
    city1 = over_year[(over_year["level"] == "city") & (over_year["priority"] == "1")].iloc[0]
    assert city1["expected_median_minutes"] == pytest.approx(6 * np.log(2), rel=0.12)
    assert city1["expected_p90_minutes"] == pytest.approx(6 * np.log(10), rel=0.12)
    assert city1["expected_share_over_target"] == pytest.approx(np.exp(-7 / 6), rel=0.1)
    city3 = over_year[(over_year["level"] == "city") & (over_year["priority"] == "3")].iloc[0]
    assert city3["expected_median_minutes"] == pytest.approx(20, rel=0.1)
    assert np.isnan(city3["share_over_target"]) and np.isnan(city3["target_minutes"])     # no target set
    # a beat with too few calls says so, and is not flagged
    e2 = table[(table["level"] == "beat") & (table["beat"] == "E2")]
    assert e2["too_few"].all() and (e2[["previous_flag", "last_year_flag", "expected_flag"]] == "").all().all()
    # on-view and arrival = queue are out; no arrival and arrival before queue are counted, not dropped
    excluded = result.excluded.set_index("reason")["calls"]
    assert excluded[service.EXCLUDED["on-view"]] == (now["call_type"] == "ONVIEW").sum()
    assert excluded[service.EXCLUDED["same time"]] == ((now["call_type"] != "ONVIEW") &
                                                      (now["arrived_at"] == now["event_at"])).sum() > 0
    city = table[table["level"] == "city"]
    assert city["no_arrival"].sum() == (dispatched(now) & now["arrived_at"].isna()).sum() > 0
    assert city["arrival_before_queue"].sum() == (now["arrived_at"] < now["event_at"]).sum()
    assert (city["calls"] == city["arrived"] + city["no_arrival"] + city["arrival_before_queue"]).all()


def test_previous_and_last_year_windows_match_pandas(settings, known):
    truth, store = known
    table = reports.response_times_report(store, settings, reports.View("calls", PERIOD)).table
    calls = pd.read_parquet(store.version_dir / "calls")
    for prefix, window in (("previous", settings.grid.shift(PERIOD, -1)),
                           ("last_year", Window(PERIOD.start - dt.timedelta(364), PERIOD.end - dt.timedelta(364)))):
        part = measured(calls[(calls["event_at"] >= pd.Timestamp(window.start)) &
                              (calls["event_at"] < pd.Timestamp(window.end))])
        city = part.groupby("priority")["minutes"]
        for row in table[table["level"] == "city"].itertuples():
            assert getattr(row, f"{prefix}_median_minutes") == pytest.approx(city.median()[row.priority])
            assert getattr(row, f"{prefix}_arrived") == city.size()[row.priority]
        p1 = part[part["priority"] == "1"]
        row = table[(table["level"] == "city") & (table["priority"] == "1")].iloc[0]
        assert row[f"{prefix}_share_over_target"] == pytest.approx((p1["minutes"] > 7).mean())
        over_now, n_now = row["over_target"], row["arrived"]
        over, n = (p1["minutes"] > 7).sum(), len(p1)
        expected_p = min(1, 2 * min(stats.fisher_exact([[over_now, n_now - over_now], [over, n - over]], "less")[1],
                                    stats.fisher_exact([[over_now, n_now - over_now], [over, n - over]], "greater")[1]))
        assert row[f"{prefix}_p"] == pytest.approx(expected_p)


def sorted_rows(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["level", "window", "precinct", "sector", "beat", "priority"]
    return frame.sort_values(keys, na_position="first").reset_index(drop=True)


def test_response_times_measured_at_publish_are_those_measured_now(settings, known):
    """Publish measures the newest periods' windows once (service/response_times.parquet); read back,
    they are the rows the query gives over the calls now. A chosen precinct, other targets and an
    older period are measured when asked, and agree with pandas."""
    truth, store = known
    stored = set(pd.read_parquet(store.version_dir / "service" / "response_times.parquet")["window"])
    targets = settings.service.targets
    periods = reports.periods_offered(store, settings, "calls")
    for period in periods[:settings.service.stored_periods]:
        windows = reports.service_windows(store, settings, period, ("calls",))
        assert {service.window_key(w) for w in windows.values()} <= stored
        read = reports.response_summary(store, targets, reports.View("calls", period), windows)
        now = store.df("service/response_times", **service.response_params(windows, targets))
        pd.testing.assert_frame_equal(sorted_rows(read), sorted_rows(now))
    older = periods[settings.service.stored_periods + 1]     # not a stored period's previous or last year
    assert service.window_key(older) not in stored
    calls = pd.read_parquet(store.version_dir / "calls")
    for period, precincts, mine in ((older, (), targets), (PERIOD, ("North",), targets), (PERIOD, (), {"1": 5.0})):
        view = reports.View("calls", period, precincts=precincts)
        windows = {"current": period}
        table = service.response_table(reports.response_summary(store, mine, view, windows), windows, mine,
                                       min_calls=10, level=settings.level)
        now = calls[(calls["event_at"] >= pd.Timestamp(period.start)) & (calls["event_at"] < pd.Timestamp(period.end))
                    & (calls["precinct"].isin(precincts) if precincts else True)]
        assert check_against_pandas(table, now, mine) == len(table) > 3


def test_a_store_published_before_the_911_rollups_gives_the_same_tables(settings, known, tmp_path):
    """A version written before publish wrote /service's files counts the same from the calls."""
    truth, store = known
    old = tmp_path / "old"
    shutil.copytree(store.version_dir, old, ignore=shutil.ignore_patterns("service"))
    manifest = json.loads((old / "manifest.json").read_text())
    for key in ("service_file", "response_file", "response_targets"):
        del manifest["datasets"]["calls"][key]
    del manifest["service_files"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    before = Store(old)
    for period in reports.periods_offered(store, settings, "calls")[:2]:
        for view in (reports.View("calls", period), reports.View("calls", period, precincts=("East",))):
            for report in (reports.response_times_report, reports.calls_by_hour_report, reports.call_types_report,
                           reports.use_of_force_rates_report):
                now, then = report(store, settings, view), report(before, settings, view)
                pd.testing.assert_frame_equal(now.table, then.table)
            for name in ("sources",):
                pd.testing.assert_frame_equal(getattr(reports.call_types_report(store, settings, view), name),
                                              getattr(reports.call_types_report(before, settings, view), name))
            pd.testing.assert_frame_equal(reports.response_times_report(store, settings, view).excluded,
                                          reports.response_times_report(before, settings, view).excluded)


# --- Statistics ---------------------------------------------------------------------------------------

def test_two_proportion_test_is_fishers_doubled_smaller_tail():
    rng = np.random.default_rng(3)
    for _ in range(40):
        n1, n2 = rng.integers(1, 80, 2)
        x1, x2 = rng.integers(0, n1 + 1), rng.integers(0, n2 + 1)
        table = [[x1, n1 - x1], [x2, n2 - x2]]
        truth = min(1, 2 * min(stats.fisher_exact(table, "less")[1], stats.fisher_exact(table, "greater")[1]))
        assert service.two_proportion_p(x1, n1, x2, n2) == pytest.approx(truth)
    assert np.isnan(service.two_proportion_p(1, 0, 3, 10))
    assert service.proportion_flags(30, 40, 10, 40, 0.05) == "▲"
    assert service.proportion_flags(10, 40, 30, 40, 0.05) == "▼"


# --- Use of force on the synthetic store -----------------------------------------------------------------

LATEST = Window(dt.date(2026, 11, 2), dt.date(2026, 11, 16))


def in_window(df: pd.DataFrame, w: Window) -> pd.DataFrame:
    return df[(df["event_at"] >= pd.Timestamp(w.start)) & (df["event_at"] < pd.Timestamp(w.end))]


def test_use_of_force_rates_match_pandas(settings, synth_store):
    result = reports.use_of_force_rates_report(synth_store, settings, reports.View("use_of_force", LATEST))
    uof = compstat.assign_unassigned(in_window(pd.read_parquet(SYNTH_STORE / "current" / "use_of_force"), LATEST))
    calls = compstat.assign_unassigned(in_window(pd.read_parquet(SYNTH_STORE / "current" / "calls"), LATEST))
    table = result.table.set_index(["area", "uof_level"])
    level_of = uof["incident_type"].map(lambda t: "OIS" if "OIS" in t else t.split(" - ")[0])
    for area in ["City-wide", "North", "East", "South", "West", "Southwest", compstat.UNASSIGNED]:
        here_u = uof if area == "City-wide" else uof[uof["precinct"] == area]
        here_c = calls if area == "City-wide" else calls[calls["precinct"] == area]
        d = dispatched(here_c).sum()
        for level in ["Level 1", "Level 2", "Level 3", "OIS", "All"]:
            n = len(here_u) if level == "All" else (level_of[here_u.index] == level).sum()
            row = table.loc[(area, level)]
            assert row["uses"] == n and row["dispatched_calls"] == d and row["calls"] == len(here_c)
            assert row["per_1000_dispatched"] == pytest.approx(1000 * n / d)
            assert row["per_10000_calls"] == pytest.approx(10000 * n / len(here_c))
    prev = in_window(pd.read_parquet(SYNTH_STORE / "current" / "use_of_force"), settings.grid.shift(LATEST, -1))
    city = table.loc[("City-wide", "All")]
    assert city["previous_uses"] == len(prev)
    # every count test allows for the row's dispersion, as the trends page's do
    assert city["dispersion"] >= 1
    assert city["previous_p"] == pytest.approx(compstat.p_value(city["uses"], len(prev), 1, city["dispersion"]).item())


def test_use_of_force_subject_shares_keep_the_unknown(settings, synth_store):
    result = reports.use_of_force_subjects_report(synth_store, settings, reports.View("use_of_force", LATEST))
    uof = in_window(pd.read_parquet(SYNTH_STORE / "current" / "use_of_force"), LATEST)
    city = result.table[result.table["level"] == "city"]
    for attribute, column in (("race", "subject_race"), ("gender", "subject_gender")):
        truth = uof[column].where(~uof[column].isin(["Not Specified", "Unknown", "-", "U"]),
                                  service.NOT_RECORDED).value_counts()
        mine = city[city["attribute"] == attribute].set_index("category")
        assert mine["uses"].sum() == len(uof)                                # the unknown in the denominator
        assert mine.loc[service.NOT_RECORDED, "uses"] == truth[service.NOT_RECORDED] > 0
        for category, n in truth.items():
            assert mine.loc[category, "share"] == pytest.approx(n / len(uof))
        assert mine.index[-1] == service.NOT_RECORDED                        # shown, last


def test_subject_categories_of_the_real_export():
    for value in ("Not Specified", "Unknown", "-", "U", "", None, "DUPLICATE"):
        assert service.subject_category(value) == service.NOT_RECORDED
    assert service.subject_category("Transgender Female") == "Transgender Female"
    assert [service.uof_level(t) for t in ("Level 1 - Use of Force", "Level 2 - Use of Force",
                                           "Level 3 - Use of Force", "Level 3 - OIS", "UNKNOWN")] == \
        ["Level 1", "Level 2", "Level 3", "OIS", "Other"]


def test_reports_on_a_store_without_calls(settings, tmp_path):
    uof = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "use_of_force" / \
        "nickjn2003__powerNAP__Use_Of_Force.csv"
    if not uof.exists():
        pytest.skip(f"no real use-of-force export at {uof}")
    publish([uof], tmp_path / "store", settings)
    store = Store.open(tmp_path / "store")
    view = reports.View("use_of_force", reports.periods_offered(store, settings, "use_of_force")[3])
    rates = reports.use_of_force_rates_report(store, settings, view)
    assert not rates.has_calls and rates.table["per_1000_dispatched"].isna().all() and rates.table["uses"].sum() > 0
    assert reports.response_times_report(store, settings, view).table.empty
    assert reports.calls_by_hour_report(store, settings, view).table["calls"].sum() == 0


# --- The expected level: seasonal, with the dispersion, as on the trends page ----------------------------
# The generators of tests/test_seasonal.py (five areas, busy to quiet, a 30 % yearly cycle), fed to the
# tables as their queries' rows: five precincts (use of force), five hours of Monday (calls by hour), five
# call types. Periods are named by their ISO start, as compstat.period_params names them.

from test_seasonal import START, T, clustered, planted  # noqa: E402

from seastat.seasonal import Expected  # noqa: E402

AREAS = ["North", "East", "South", "West", "Southwest"]
FIRST_PERIOD = dt.date(2024, 1, 1) - dt.timedelta(days=14 * T)
GENERATED = [Window(FIRST_PERIOD + dt.timedelta(days=14 * i), FIRST_PERIOD + dt.timedelta(days=14 * (i + 1)))
             for i in range(T)]
KINDS = ("use_of_force", "hours", "call_types")


def generated_rows(h: np.ndarray, t: int) -> tuple[pd.DataFrame, dict]:
    """(rows, windows) for period t of the generated counts h (periods x 5 areas): every period up to
    t by its ISO start, and the named windows a report counts (current, previous, last year, baseline)."""
    frame = pd.DataFrame({"i": np.repeat(np.arange(t + 1), h.shape[1]), "j": np.tile(np.arange(h.shape[1]), t + 1),
                          "n": h[:t + 1].ravel().astype(np.int64)})
    named = {"current": (t, t + 1), "previous": (t - 1, t), "last_year": (t - 26, t - 25), "baseline": (t - 26, t)}
    parts = [frame.assign(window=frame["i"].map(lambda i: GENERATED[i].start.isoformat()))]
    for name, (lo, hi) in named.items():
        part = frame[(frame["i"] >= lo) & (frame["i"] < hi)].groupby("j", as_index=False)["n"].sum()
        parts.append(part.assign(window=name))
    windows = {name: Window(GENERATED[lo].start, GENERATED[hi - 1].end) for name, (lo, hi) in named.items()}
    return pd.concat(parts, ignore_index=True), windows


def table_flags(kind: str, h: np.ndarray, t: int, settings, expected: Expected) -> np.ndarray:
    """The flags against the expected level of the five generated areas in period t, read from the
    table a report builds (service.use_of_force_rates, hour_of_week_table, call_type_table)."""
    rows, windows = generated_rows(h, t)
    periods = GENERATED[:t + 1]
    if kind == "use_of_force":
        uof = rows.assign(level="precinct", precinct=rows["j"].map(AREAS.__getitem__),
                          incident_type="Level 1 - Use of Force")
        city = uof.groupby(["window", "incident_type"], as_index=False)["n"].sum().assign(level="city", precinct=None)
        uof = pd.concat([uof, city], ignore_index=True)      # per area, as queries/service/use_of_force.sql counts
        sources = pd.DataFrame({"window": ["current"], "level": ["city"], "precinct": [None],
                                "call_type": ["911"], "dispatched": [True], "n": [0]})
        table = service.use_of_force_rates(uof, sources, windows, level=settings.level, expected=expected,
                                           periods=periods)
        mine = table[(table["level"] == "precinct") & (table["uof_level"] == "All")].set_index("area")
        return mine.loc[AREAS, "expected_flag"].to_numpy()
    if kind == "hours":
        table = service.hour_of_week_table(rows.assign(dow=1, hour=rows["j"] + 8), windows, level=settings.level,
                                           expected=expected, periods=periods)
        return table[(table["dow"] == 1) & table["hour"].between(8, 12)]["flag"].to_numpy()
    types = rows.assign(call_type=rows["j"].map(lambda j: f"TYPE {j}"))
    table = service.call_type_table(pd.concat([types.assign(which="initial"), types.assign(which="final")]), windows,
                                    level=settings.level, expected=expected, periods=periods)
    return table[table["which"] == "initial"].set_index("call_type").loc[[f"TYPE {j}" for j in range(5)],
                                                                           "expected_flag"].to_numpy()


JUDGED = range(START, T, 3)          # every third period with full history (a table costs a tenth of a second)


@pytest.mark.parametrize("kind", KINDS)
def test_a_yearly_cycle_with_no_change_is_flagged_about_the_level(settings, kind):
    """Poisson counts and counts in clusters of six rows (one incident, several officers), both with a
    30 % yearly cycle and no change: the tables flag about the test's level; against the plain
    26-period mean and Poisson test (the old expected column) they flagged a third or more."""
    level = settings.level
    flat = Expected("mean", settings.stats.baseline_periods, overdispersion=False)
    histories = [planted(seed, 0.3) for seed in (0, 1)] + [clustered(seed, 6) for seed in (0, 1)]
    shares = [np.mean([table_flags(kind, h, t, settings, settings.expected) != "" for t in JUDGED])
              for h in histories]
    old = np.mean([table_flags(kind, histories[0], t, settings, flat) != "" for t in JUDGED])
    print(f"\n{kind}: flagged share, Poisson {np.mean(shares[:2]):.3f}, clusters of 6 {np.mean(shares[2:]):.3f}; "
          f"the plain mean and Poisson test {old:.3f} (level {level:.4f})")
    assert np.mean(shares[:2]) <= level + 0.02 and np.mean(shares[2:]) <= level + 0.02
    assert old >= 0.25


@pytest.mark.parametrize("kind, area, factor, size", [
    ("use_of_force", 0, 1.3, 1), ("use_of_force", 3, 2.0, 1), ("use_of_force", 2, 0.5, 1), ("use_of_force", 1, 2.0, 6),
    ("hours", 1, 1.4, 1), ("hours", 2, 0.5, 1), ("call_types", 0, 1.3, 1), ("call_types", 3, 2.0, 1)])
def test_a_planted_step_is_flagged_within_two_periods(settings, kind, area, factor, size):
    at = START + 20
    step = (area, at, factor)
    h = planted(10 + area, 0.3, step=step) if size == 1 else clustered(20 + area, size, step=step)
    flagged = [table_flags(kind, h, t, settings, settings.expected)[area] for t in (at, at + 1)]
    assert (compstat.UP if factor > 1 else compstat.DOWN) in flagged, flagged


def pandas_per_period(df: pd.DataFrame, periods: list[Window]) -> np.ndarray:
    """Rows per period of `periods` (consecutive), pandas only."""
    days = (df["event_at"] - pd.Timestamp(periods[0].start)).dt.days
    index = days[(days >= 0) & (days < 14 * len(periods))] // 14
    return np.bincount(index, minlength=len(periods)).astype(float)


def test_the_reports_expected_is_the_trends_pages_on_the_synthetic_store(settings, synth_store):
    """The use-of-force rates' and the calls by hour's expected level, recomputed from pandas' own counts
    per period of the published Parquet with seasonal.baseline (the trends page's), match the reports'."""
    rates = reports.use_of_force_rates_report(synth_store, settings, reports.View("use_of_force", LATEST)).table
    periods = reports.service_periods(synth_store, settings, LATEST, ("use_of_force", "calls"))
    assert len(periods) > settings.expected.history // 2 and periods[-1] == LATEST
    uof = pd.read_parquet(SYNTH_STORE / "current" / "use_of_force")
    b = settings.expected.of(pandas_per_period(uof, periods))
    city = rates[(rates["level"] == "city") & (rates["uof_level"] == "All")].iloc[0]
    assert city["expected_uses"] == pytest.approx(b.expected[-1]) and city["dispersion"] == pytest.approx(b.dispersion[-1])
    assert city["expected_p"] == pytest.approx(compstat.p_value(city["uses"], b.before[-1], b.k[-1], b.dispersion[-1]).item())

    hours = reports.calls_by_hour_report(synth_store, settings, reports.View("calls", LATEST)).table
    periods = reports.service_periods(synth_store, settings, LATEST, ("calls",))
    calls = pd.read_parquet(SYNTH_STORE / "current" / "calls")
    busiest = hours.sort_values("calls").iloc[-1]
    cell = calls[(calls["event_at"].dt.day_of_week + 1 == busiest["dow"]) & (calls["event_at"].dt.hour == busiest["hour"])]
    b = settings.expected.of(pandas_per_period(cell, periods), pooled=pandas_per_period(calls, periods))
    assert busiest["expected"] == pytest.approx(b.expected[-1])
    assert bool(b.seasonal[-1]) == (settings.expected.method == "seasonal")
