"""The `seastat` command line. Every failure a user can cause is one clear line and exit code 2."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from .actions import cli as actions_cli
from .config import DEFAULT_CONFIG, PROJECT_ROOT, ConfigError, load_settings
from .datasets import SourceError
from .store import StoreError


class ProgressLine:
    """Progress on stderr: one rewritten line on a terminal, a line every 10 % otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last: tuple[str, int] = ("", -1)
        self.started = time.monotonic()

    def __call__(self, message: str, fraction: float) -> None:
        pct = int(min(max(fraction, 0.0), 1.0) * 100)
        label = message.split(":")[0]
        if self.tty:
            print(f"\r{message} — {pct:3d}% ({time.monotonic() - self.started:.0f}s)\x1b[K", end="", file=sys.stderr)
        elif (label, pct // 10) != self.last:
            print(f"{message} — {pct}%", file=sys.stderr)
        self.last = (label, pct // 10)

    def done(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def cmd_publish(args, settings) -> int:
    from .publish import publish
    out = Path(args.out) if args.out else settings.store_dir
    progress = ProgressLine()
    manifest = publish([Path(p) for p in args.sources], out, settings, progress=progress,
                       replace_all=args.replace_all)
    progress.done()
    print(f"published {manifest['version']} to {out}")
    for name, info in manifest["datasets"].items():
        if name in manifest["kept"]:
            print(f"  {name:<13} kept unchanged: {info['rows_published']:,} rows published in {info['published_in']}")
            continue
        print(f"  {name:<13} rows in {info['rows_in']:>10,} = published {info['rows_published']:>10,}"
              f" + quarantined {info['rows_quarantined']:>8,} + superseded {info['rows_superseded']:>8,}"
              f"{'   (synthetic)' if info['synthetic'] else ''}")
    return 0


def cmd_synth(args, settings) -> int:
    from .synth import synth
    if args.rows < 1:
        raise ValueError("--rows must be at least 1")
    progress = ProgressLine()
    written = synth(args.rows, Path(args.out), seed=args.seed, start=args.start, end=args.end,
                    fmt=args.format, boundaries=settings.boundaries_dir, progress=progress,
                    real_store=Path(args.real_store) if args.real_store else None)
    progress.done()
    for name, path in written.items():
        print(f"  {name:<13} {path}")
    return 0


def cmd_check(args, settings) -> int:
    from .check import check_store
    store_dir = Path(args.store) if args.store else settings.store_dir
    problems = check_store(store_dir)
    if problems:
        for p in problems:
            print(f"FAIL {p}", file=sys.stderr)
        return 1
    print(f"ok: {store_dir} matches its manifest")
    return 0


def cmd_serve(args, settings) -> int:
    env = dict(os.environ, SEASTAT_CONFIG=str(settings.source))
    if args.store:
        env["SEASTAT_STORE"] = str(Path(args.store).resolve())
    cmd = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"),
           "--server.port", str(args.port), "--server.headless", "true"]
    return subprocess.call(cmd, env=env, cwd=PROJECT_ROOT)


def cmd_bench(args, settings) -> int:
    import json

    from .bench import SHAPES, bench_size, format_table
    if min(args.rows or [1]) < 1:
        raise ValueError("--rows must be at least 1")
    if not (args.rows or args.shape):
        raise ValueError(f"give --rows N or --shape ({', '.join(SHAPES)})")
    results = []
    for size in [*(args.rows or []), *(SHAPES[s] for s in args.shape or [])]:
        result = bench_size(size, Path(args.cache), settings, runs=args.runs, render=not args.no_render,
                            log=lambda m: print(m, file=sys.stderr))
        print(format_table(result))
        results.append(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results[0] if len(results) == 1 else results, indent=2))
    return 0


def cmd_packet(args, settings) -> int:
    from .packet import build_packet, render_html, render_pdf
    from .periods import Grid, complete_periods
    from .store import Store
    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".html", ".htm"):     # refused before any work, nothing written
        raise ValueError(f"--out {out.name}: unknown extension {out.suffix or '(none)'!r}; "
                         "use .pdf, or .html for the self-contained HTML")
    store = Store.open(Path(args.store) if args.store else settings.store_dir)
    if not store.has(args.dataset):
        raise ValueError(f"the store has no {args.dataset} rows")
    grid = Grid(settings.periods.anchor, settings.periods.length_days)
    first, last = store.days(args.dataset)
    by_start = {p.start: p for p in complete_periods(grid, first, last)}
    if args.period not in by_start:
        raise ValueError(f"{args.period} does not start a complete period in the data: periods start every "
                         f"{grid.length_days} days from {grid.anchor}; the data covers {first} to {last} "
                         f"(latest complete period starts {max(by_start)})")
    unknown = [p for p in args.precinct if p not in settings.present.precinct_order]
    if unknown:
        raise ValueError(f"unknown precinct(s) {unknown}; choose from {settings.present.precinct_order}")
    progress = ProgressLine()
    from . import actions, reports
    try:
        commitments = actions.open_for(settings)
    except actions.ActionError as exc:
        print(f"seastat packet: no follow-up section ({exc})", file=sys.stderr)
        commitments = None
    period = by_start[args.period]
    packet = build_packet(store, settings, period, dataset=args.dataset,
                          precincts=args.precinct or None, progress=progress,
                          commitments=commitments, due=reports.commitments_due(commitments, period.end),
                          audience=args.audience)
    if out.suffix.lower() in (".html", ".htm"):
        out.write_text(render_html(packet), encoding="utf-8")
    else:
        out.write_bytes(render_pdf(packet))
    progress.done()
    print(f"wrote {out}")
    return 0


def cmd_table(args, settings) -> int:
    """Any table the dashboard offers for download, as the page's CSV (or JSON rows)."""
    from . import export, reports
    from .store import Store
    from .tables import TABLES, as_json_rows, for_audience
    if args.list or not args.name:
        for name, table in TABLES.items():
            print(f"{name:<15} {table.what}")
        return 0
    if args.name not in TABLES:
        raise ValueError(f"no table {args.name!r}; `seastat table --list` names them: {', '.join(TABLES)}")
    store = Store.open(Path(args.store) if args.store else settings.store_dir)
    if not store.has(args.dataset):
        raise ValueError(f"the store has no {args.dataset} rows")
    offered = {p.start: p for p in reports.periods_offered(store, settings, args.dataset)}
    period = offered.get(args.period) if args.period else max(offered.values(), key=lambda p: p.start)
    if period is None:
        raise ValueError(f"{args.period} does not start a complete period of {args.dataset} in the data; "
                         f"periods start every {settings.grid.length_days} days from {settings.grid.anchor}, "
                         f"the latest complete one on {max(offered)}")
    rows = reports.offense_rows(store, settings, args.dataset)
    if args.offense_group and args.offense_group not in rows:
        raise ValueError(f"no offense group {args.offense_group!r} for {args.dataset}; choose from {', '.join(rows)}")
    view = reports.View(args.dataset, period, offenses=(args.offense_group,) if args.offense_group else ())
    frame = for_audience(args.name, TABLES[args.name].build(store, settings, view), args.audience,
                         settings.hotspots.min_cell_count)
    if args.format == "json":
        sys.stdout.write(f"{export.source_line(store.manifest)}\n{as_json_rows(frame)}\n")
    else:
        sys.stdout.write(export.table_csv(frame, store.manifest).decode())
    return 0


def cmd_meeting(args, settings) -> int:
    """Pin a meeting to a store version (kept through re-publishes), or list the pinned meetings."""
    from . import meetings
    store_dir = Path(args.store) if args.store else settings.store_dir
    if args.action == "pin":
        if not args.date:
            raise ValueError("pin needs --date YYYY-MM-DD (the meeting's day)")
        meetings.pin(store_dir, args.date, args.version, settings.meetings.keep)
    for day, version in meetings.pins(store_dir).items():
        print(f"{day}  {version}  (open with ?version={version})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seastat", description="SeaStat: SPD's biweekly strategy dashboard.")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="settings file (default: config.toml)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("publish", help="publish SPD exports (CSV, CSV.gz or Parquet) into a Parquet store")
    p.add_argument("sources", nargs="+", help="export files as downloaded from the city's portal")
    p.add_argument("--out", help="store folder (default: data.store in the settings)")
    p.add_argument("--replace-all", action="store_true",
                   help="datasets given no file are published empty (by default they are kept from the store)")
    p.set_defaults(run=cmd_publish)

    p = sub.add_parser("synth", help="write synthetic SPD-shaped source files (labelled synthetic)")
    p.add_argument("--rows", type=int, required=True, help="crime rows; calls and use of force in proportion")
    p.add_argument("--out", required=True, help="folder for the generated files")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--start", type=_date, default=dt.date(2024, 1, 1))
    p.add_argument("--end", type=_date, default=dt.date.today() - dt.timedelta(days=1))
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p.add_argument("--real-store", help="a store published from real exports: draw each beat's blocks and "
                                        "coordinates from its records")
    p.set_defaults(run=cmd_synth)

    p = sub.add_parser("packet", help="the meeting packet for a period, as PDF or self-contained HTML")
    p.add_argument("--period", type=_date, required=True, help="first day of the period (YYYY-MM-DD)")
    p.add_argument("--precinct", action="append", default=[], help="only these precincts (repeatable)")
    p.add_argument("--dataset", default="crime", choices=["crime", "calls", "use_of_force"])
    p.add_argument("--audience", default="partner", choices=["partner", "command"],
                   help="partner (default: the hand-out, counts under [hotspots] min_cell_count held back) "
                        "or command (every count)")
    p.add_argument("--store", help="store folder (default: data.store in the settings)")
    p.add_argument("--out", required=True, help="packet.pdf, or packet.html for the self-contained HTML")
    p.set_defaults(run=cmd_packet)

    p = sub.add_parser("check", help="verify a published store: manifest against files, hashes, rows, schema")
    p.add_argument("--store", help="store folder (default: data.store in the settings)")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("serve", help="start the dashboard on a store and port")
    p.add_argument("--store", help="store folder (default: data.store in the settings)")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("bench", help="measure query speed and memory at N rows against a pandas baseline")
    p.add_argument("--rows", type=int, action="append", help="crime rows, as many calls (repeat for sizes)")
    p.add_argument("--shape", action="append", choices=["seattle", "dense"],
                   help="seattle: 1 M offenses over 13 years and 10 M calls over 12; dense: 10 M of each over 1.5 years")
    p.add_argument("--json", help="write the figures to this JSON file")
    p.add_argument("--runs", type=int, default=20, help="warm runs per query set (p50/p95)")
    p.add_argument("--cache", default="build/bench", help="where generated data is kept between runs")
    p.add_argument("--no-render", action="store_true", help="skip the browser first-render measurement")
    p.set_defaults(run=cmd_bench)

    p = sub.add_parser("table", help="print any table the dashboard offers for download (CSV or JSON rows)")
    p.add_argument("name", nargs="?", help="the table; --list names them")
    p.add_argument("--list", action="store_true", help="name every table")
    p.add_argument("--store", help="published store (default: config.toml [data] store)")
    p.add_argument("--dataset", default="crime", choices=["crime", "calls", "use_of_force"])
    p.add_argument("--period", type=_date, help="first day of a complete period (default: the latest)")
    p.add_argument("--offense-group", help="an offense group or type of config.toml (default: all)")
    p.add_argument("--format", default="csv", choices=["csv", "json"])
    p.add_argument("--audience", default="command", choices=["command", "partner"],
                   help="command (default: every count, for analysts) or partner (the partner CSV the page offers: "
                        "counts under [hotspots] min_cell_count held back)")
    p.set_defaults(run=cmd_table)
    p = sub.add_parser("meeting", help="pin a meeting to a store version, or list the pinned meetings")
    p.add_argument("action", choices=["pin", "list"])
    p.add_argument("--date", type=_date, help="the meeting's day")
    p.add_argument("--version", help="the store version to pin (default: the current one)")
    p.add_argument("--store", help="published store (default: config.toml [data] store)")
    p.set_defaults(run=cmd_meeting)
    actions_cli.add_parser(sub)   # seastat actions add|list|update|export (seastat/actions/cli.py)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
        return args.run(args, settings)
    except (ConfigError, SourceError, StoreError, ValueError, OSError) as exc:
        print(f"seastat {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except duckdb.IOException as exc:   # a full disk or an unreadable file, met inside DuckDB
        print(f"seastat {args.command}: error: could not read or write: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line for the user, the traceback only on request
        if os.environ.get("SEASTAT_DEBUG"):
            raise
        print(f"seastat {args.command}: unexpected error: {type(exc).__name__}: {exc} "
              "(set SEASTAT_DEBUG=1 for the traceback)", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(f"seastat {args.command}: interrupted; the published store is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
