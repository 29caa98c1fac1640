"""`seastat bench`: speed and memory of SeaStat's query layer against plain pandas, at N rows.

For each size: synthetic exports (cached on disk by size and seed), a timed publish in its own
process (throughput and peak memory), then each page's query set run through the app's own
query layer, cold (a fresh DuckDB connection) and warm, against the same computation done the
way an analyst would without SeaStat: pandas over the same Parquet files. Optionally the time
from `streamlit run` to the first fully rendered page in headless Chromium.
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import compare, compstat, hotspots, reports
from .config import PROJECT_ROOT, Settings
from .periods import Window
from .store import Store

SEED = 7
END = dt.date(2026, 11, 22)


@dataclass(frozen=True)
class QuerySet:
    """One page's report: what SeaStat computes for the page (seastat.reports), and the same
    computation with its counting done by pandas. Only those two are timed; `answer` then turns
    either result into one comparable value (the tests check they agree), so the speed-up is for
    the same answer."""
    name: str
    seastat: Callable[[Store, "Context"], object]
    pandas: Callable[[Path, "Context"], object] | None     # None: timed alone (its tests check it against pandas)
    answer: Callable[[object], object] = lambda result: result


@dataclass(frozen=True)
class Context:
    settings: Settings
    store: Store
    period: Window

    @property
    def view(self) -> reports.View:
        return reports.View("crime", self.period)

    @property
    def first_day(self) -> dt.date:
        return self.store.days("crime")[0]


def _ts(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


# --- Query sets ---------------------------------------------------------------------------------

SEARCH = dict(precincts=["West"], beats=[], text="theft")


def _data_seastat(store: Store, ctx: Context):
    found = reports.records(store, ctx.settings, "crime", ctx.period.start, ctx.period.last_day, **SEARCH)
    return found.matching, found.rows["id"].tolist()


def _data_pandas(root: Path, ctx: Context):
    df = pd.read_parquet(root / "crime", columns=["offense_id", "event_at", "precinct", "offense_parent_group",
                                                  "offense", "block_address"])
    df = df[(df.event_at >= _ts(ctx.period.start)) & (df.event_at < _ts(ctx.period.end)) & (df.precinct == "West")]
    hay = (df.offense_id + " " + df.offense_parent_group.fillna("") + " " + df.offense.fillna("") + " "
           + df.block_address.fillna("")).str.lower()
    df = df[hay.str.contains("theft")]
    newest = df.sort_values(["event_at", "offense_id"], ascending=[False, True]).head(1000)
    return len(df), newest["offense_id"].tolist()


def _window_counts_pandas(root: Path, windows: dict[str, Window]) -> pd.DataFrame:
    df = pd.read_parquet(root / "crime", columns=["event_at", "precinct", "sector", "beat", "offense_type"])
    parts = []
    for name, w in windows.items():
        inside = df[(df.event_at >= _ts(w.start)) & (df.event_at < _ts(w.end))]
        parts.append(inside.groupby(["precinct", "sector", "beat", "offense_type"]).size().rename("n")
                     .reset_index().assign(window=name))
    return pd.concat(parts, ignore_index=True).rename(columns={"offense_type": "offense"})


def _compstat_pandas(root: Path, ctx: Context) -> reports.CompStatReport:
    s = ctx.settings
    windows = compstat.report_windows(s.grid, ctx.period, ctx.first_day, s.stats.baseline_periods,
                                      s.periods.rolling_days)
    periods = compstat.trend_periods(s.grid, ctx.period, ctx.first_day, 1, s.expected.history)
    counts = _window_counts_pandas(root, {**windows, **{p.start.isoformat(): p for p in periods}})
    areas = pd.read_parquet(root / "crime", columns=["precinct", "sector", "beat"]).drop_duplicates()
    rows = compstat.offense_rows("crime", s, sorted(counts["offense"].unique()))
    keys = compstat.default_rows("crime", s, rows)
    table = compstat.compstat_table(counts, areas, windows, {k: rows[k] for k in keys}, level=s.level,
                                    period_days=s.grid.length_days, periods=periods, expected=s.expected)
    return reports.CompStatReport(ctx.view, windows, rows, keys, table, compstat.headers(s.periods.rolling_days))


def _table(result: reports.CompStatReport) -> list[tuple]:
    columns = ["level", "precinct", "sector", "beat", "offense", *result.windows, "expected"]
    return [tuple(row) for row in result.table[columns].astype(object).where(result.table[columns].notna(), None)
            .itertuples(index=False)]


def _trends_pandas(root: Path, ctx: Context) -> reports.TrendReport:
    s = ctx.settings
    shown = s.periods.trend_periods
    periods = compstat.trend_periods(s.grid, ctx.period, ctx.first_day, shown, s.expected.history)
    counts = _window_counts_pandas(root, {p.start.isoformat(): p for p in periods})
    rows = compstat.offense_rows("crime", s, sorted(counts["offense"].unique()))
    return reports.TrendReport(ctx.view, periods, counts, rows, shown, s.level, s.expected)


def _series(result: reports.TrendReport) -> list[dict]:
    return _frames([result.series(row) for row in ("all", "violent")])


def _hotspots_pandas(root: Path, ctx: Context) -> hotspots.Analysis:
    hs = ctx.settings.hotspots
    windows, params = hotspots.query_params(ctx.settings.grid, ctx.period, hs, "crime")
    df = pd.read_parquet(root / "crime", columns=["event_at", "precinct", "sector", "beat", "block_address",
                                                  "longitude", "latitude", "location_withheld"])
    df = df[(df.event_at >= params["start"]) & (df.event_at < params["end"])]
    df = df.assign(period=(df.event_at - params["start"]).dt.days // params["length_days"],
                   block_address=df.block_address.replace("", None))
    df.loc[df.location_withheld, ["block_address", "longitude", "latitude"]] = None
    incidents = (df.groupby(["period", "precinct", "sector", "beat", "block_address", "longitude", "latitude"],
                            dropna=False).size().rename("incidents").reset_index())
    return hotspots.analyse(incidents, reports.study_area(ctx.settings), len(windows), hs)


def _hot(result) -> tuple:
    """The answer compared: each cell's count and label, and the beats' counts."""
    analysis = getattr(result, "analysis", result)
    cells = analysis.cells
    return (sorted(zip(cells["cell"], cells["incidents"].astype(int), cells["label"])),
            sorted(zip(analysis.beats["beat"], analysis.beats["incidents"].astype(int))))


def _compare_pandas(root: Path, ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    s = ctx.settings
    start_day = max(ctx.store.days(d)[0] for d in compare.DATASETS)
    periods = compstat.trend_periods(s.grid, ctx.period, start_day, s.periods.recent_periods, 0)
    start, end = _ts(periods[0].start), _ts(periods[-1].end)
    counts, period_counts = [], {}
    for d in compare.DATASETS:
        df = pd.read_parquet(root / d, columns=["event_at", "precinct"])
        df = df[(df.event_at >= start) & (df.event_at < end)]
        index = (df.event_at - start).dt.days // s.grid.length_days
        df = df.assign(window=index.map(lambda i: periods[i].start.isoformat()))
        counts.append(df[df.window == ctx.period.start.isoformat()].groupby("precinct").size().rename("n").reset_index())
        period_counts[d] = df.groupby("window").size().rename("n").reset_index()
    return compare.dataset_table(*counts), compare.dataset_periods(period_counts, periods, compare.Area())


def _service_seastat(store: Store, ctx: Context) -> list:
    """Everything /service shows for the city: response times, hour of week, call types and sources,
    use-of-force rates and subjects."""
    view = reports.View("calls", ctx.period)
    return [fn(store, ctx.settings, view) for fn in (
        reports.response_times_report, reports.calls_by_hour_report, reports.call_types_report,
        reports.use_of_force_rates_report, reports.use_of_force_subjects_report)]


def _frames(result) -> list[dict]:
    """Tables as column lists, ratios to nine decimals, 'not available' (NaN) as None."""
    frames = (result.table, result.series) if isinstance(result, reports.DatasetsReport) else result
    rounded = [frame.round(dict.fromkeys(frame.select_dtypes("float").columns, 9)) for frame in frames]
    return [frame.astype(object).where(frame.notna(), None).to_dict("list") for frame in rounded]


QUERY_SETS: list[QuerySet] = [
    QuerySet("trends: CompStat table", lambda s, c: reports.compstat_report(s, c.settings, c.view),
             _compstat_pandas, _table),
    QuerySet("trends: trend series", lambda s, c: reports.trend_report(s, c.settings, c.view), _trends_pandas,
             _series),
    QuerySet("hotspots: grid and Gi*", lambda s, c: reports.hotspot_report(s, c.settings, c.view),
             _hotspots_pandas, _hot),
    QuerySet("compare: three datasets", lambda s, c: reports.datasets_report(s, c.settings, c.period),
             _compare_pandas, _frames),
    QuerySet("data: incident search", _data_seastat, _data_pandas),
    # The hot-spot page's second report and the 911 / use-of-force page's five are only timed here: their
    # numbers are checked by brute force (tests/test_nearrepeat.py) and against pandas (tests/test_service.py).
    QuerySet("hotspots: near-repeat risk", lambda s, c: reports.near_repeat_report(s, c.settings, c.period), None),
    QuerySet("service: 911 and use of force", _service_seastat, None),
]


# --- Measurement --------------------------------------------------------------------------------

def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


@dataclass(frozen=True)
class Shape:
    """A shape of growth: how many crime offenses and 911 calls, over how many years (use of force
    at 2 % of crime, as SPD's are)."""
    name: str
    crime_rows: int
    crime_years: float
    calls_rows: int
    calls_years: float

    @property
    def rows(self) -> int:
        return self.crime_rows


# Seattle's own density over a long history (about 75,000 offenses and 800,000 calls a year), and a
# city ten times as dense (bigger than New York), as issue 14 set them.
SHAPES = {
    "seattle": Shape("seattle: 1 M offenses over 13 years, 10 M calls over 12", 1_000_000, 13, 10_000_000, 12),
    "dense": Shape("10x Seattle: 10 M offenses and 10 M calls over 1.5 years", 10_000_000, 1.5, 10_000_000, 1.5),
}


def shape_of(rows: int) -> Shape:
    """`--rows N`: N offenses and N calls over the synthetic default span (2024 to END)."""
    years = (END - dt.date(2024, 1, 1)).days / 365.25
    return Shape(f"{rows:,} offenses and calls", rows, years, rows, years)


def ensure_sources(shape: Shape, cache: Path, settings: Settings) -> list[Path]:
    """Synthetic exports for this shape, generated once and kept (keyed by shape and seed)."""
    from .synth import synth
    key = f"{shape.crime_rows}-{shape.crime_years}-{shape.calls_rows}-{shape.calls_years}"
    folder = cache / f"sources-{key}-seed{SEED}"
    files = [folder / f"{name}.csv" for name in ("crime", "calls", "use_of_force")]
    if not (folder / "synthetic.json").exists():
        since = lambda years: END - dt.timedelta(days=round(years * 365.25))  # noqa: E731
        synth(shape.crime_rows, folder, seed=SEED, start=since(shape.crime_years), end=END,
              boundaries=settings.boundaries_dir, datasets=("crime", "use_of_force"))
        synth(shape.crime_rows, folder, seed=SEED, start=since(shape.calls_years), end=END,
              boundaries=settings.boundaries_dir, datasets=("calls",), calls_per_crime=shape.calls_rows / shape.crime_rows)
    return files


def timed_publish(sources: list[Path], out: Path, config: Path) -> tuple[float, float, int]:
    """Publish in a child process: (seconds, peak RSS in MB, rows in)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "seastat", "--config", str(config), "publish", *map(str, sources),
                    "--out", str(out)], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    manifest = json.loads((out / "current" / "manifest.json").read_text())
    return seconds, peak_mb, sum(d["rows_in"] for d in manifest["datasets"].values())


def first_render_seconds(store_dir: Path, path: str = "trends") -> float | None:
    """From `streamlit run` to the page's first element rendered in headless Chromium."""
    chromium = os.environ.get("SEASTAT_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        return None
    import socket
    import urllib.request

    from playwright.sync_api import sync_playwright
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=PROJECT_ROOT, env=dict(os.environ, SEASTAT_STORE=str(store_dir)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                if time.perf_counter() - start > 60:
                    return None
                time.sleep(0.05)
        def rendered() -> float:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                page.goto(f"http://127.0.0.1:{port}/{path}")
                page.wait_for_selector("[data-testid='stMain'] h1", timeout=60_000)
                page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                       timeout=60_000)
                seconds = time.perf_counter() - start
                browser.close()
            return seconds

        # A thread of its own: Playwright's sync API refuses a thread that already runs an event loop
        # (as the test session's own browser does).
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(rendered).result()
    finally:
        proc.terminate()
        proc.wait(10)


def hot_spot_checks(settings: Settings, store: Store, ctx: Context) -> dict:
    """The hot-spot test's rates on generated data with known truth, and its speed against esda's
    G_Local (999 permutations) over the same grid and counts."""
    area = reports.study_area(settings)
    rates = [hotspots.detection_rates(area, seed, settings.hotspots) for seed in (1, 2, 3)]
    windows, params = hotspots.query_params(settings.grid, ctx.period, settings.hotspots, "crime")
    points = store.df("hotspots/incidents", **params)
    points = points[points["longitude"].notna() & points["latitude"].notna()]
    counts = hotspots.cell_counts(points, area.grid, len(windows))[0]
    return {"detection": {key: round(statistics.mean(r[key] for r in rates), 4)
                          for key in ("recall", "false_alarm_rate", "persistence", "time_to_detect")},
            "esda": hotspots.esda_side_by_side(area, counts, settings.hotspots)}


def bench_size(rows: int | Shape, cache: Path, settings: Settings, runs: int = 20, render: bool = True,
               log: Callable[[str], None] = print, esda: bool = True) -> dict:
    shape = rows if isinstance(rows, Shape) else shape_of(rows)
    rows = shape.crime_rows
    sources = ensure_sources(shape, cache, settings)
    store_dir = cache / f"store-{shape.crime_rows}-{shape.crime_years}-{shape.calls_rows}-{shape.calls_years}"
    log(f"{shape.name}: publishing …")
    seconds, publish_rss, rows_in = timed_publish(sources, store_dir, settings.source)
    store = Store.open(store_dir)
    ctx = Context(settings, store, reports.periods_offered(store, settings, "crime")[0])
    timings = {}
    for qs in QUERY_SETS:     # SeaStat first, so the peak memory below is the query layer's own
        log(f"{shape.name}: {qs.name} …")
        cold = []
        for _ in range(max(3, runs // 4)):
            fresh = Store(store.version_dir)
            cold.append(_time(lambda: qs.seastat(fresh, ctx)))
            fresh.close()
        qs.seastat(store, ctx)
        timings[qs.name] = (cold, [_time(lambda: qs.seastat(store, ctx)) for _ in range(runs)])
    seastat_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queries = []
    for qs in QUERY_SETS:
        log(f"{shape.name}: {qs.name} with pandas …")
        cold, warm = timings[qs.name]
        pandas_runs = [_time(lambda: qs.pandas(store.version_dir, ctx)) for _ in range(max(3, runs // 4))] \
            if qs.pandas else []
        p50 = statistics.median(warm)
        pandas_p50 = statistics.median(pandas_runs) if pandas_runs else None
        queries.append({
            "name": qs.name, "p50_ms": round(p50, 2), "p95_ms": round(_percentile(warm, 0.95), 2),
            "cold_p50_ms": round(statistics.median(cold), 2), "cold_p95_ms": round(_percentile(cold, 0.95), 2),
            "pandas_p50_ms": pandas_p50 and round(pandas_p50, 2),
            "ratio": round(pandas_p50 / p50, 1) if pandas_p50 and p50 else None,
        })
    return {
        "shape": shape.name,
        "rows": rows,
        "rows_published_all_datasets": rows_in,
        "hot_spot_test": hot_spot_checks(settings, store, ctx) if esda else None,
        "queries": queries,
        "peak_rss_mb": round(seastat_rss, 1),
        "peak_rss_with_pandas_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "publish_peak_rss_mb": round(publish_rss, 1),
        "publish_rows_per_s": round(rows_in / seconds),
        "first_render_s": round(first_render_seconds(store_dir), 2) if render else None,
    }


def format_table(result: dict) -> str:
    lines = [f"{result['shape']} · publish {result['publish_rows_per_s']:,} rows/s "
             f"(peak {result['publish_peak_rss_mb']:,} MB) · query layer peak RSS {result['peak_rss_mb']:,} MB "
             f"(with pandas {result['peak_rss_with_pandas_mb']:,} MB) · first render {result['first_render_s']} s",
             f"{'query set':<32}{'p50 ms':>9}{'p95 ms':>9}{'cold p50':>10}{'pandas p50':>12}{'pandas/SeaStat':>16}"]
    for q in result["queries"]:
        pandas = (q["pandas_p50_ms"], f"{q['ratio']}x") if q["ratio"] else ("—", "—")
        lines.append(f"{q['name']:<32}{q['p50_ms']:>9}{q['p95_ms']:>9}{q['cold_p50_ms']:>10}"
                     f"{pandas[0]:>12}{pandas[1]:>16}")
    if result.get("hot_spot_test"):
        d, e = result["hot_spot_test"]["detection"], result["hot_spot_test"]["esda"]
        lines.append(f"hot-spot test on planted truth: recall {d['recall']:.1%}, false-alarm periods "
                     f"{d['false_alarm_rate']:.1%}, persistent {d['persistence']:.1%}, time to detect "
                     f"{d['time_to_detect']:.1f} periods · Gi* {e['seastat_seconds'] * 1000:.0f} ms against esda "
                     f"G_Local ({e['permutations']} permutations) {e['esda_seconds'] * 1000:,.0f} ms: "
                     f"{e['speed_up']:.0f}x")
    return "\n".join(lines)
