"""`seastat publish`: SPD exports in, a versioned Parquet store out.

Every source row is counted: published, quarantined with its reason, or superseded by a copy of
the same record in a newer export. The new version is written beside the old one and swapped in
with one atomic rename of the `current` link, so a crash or a bad input at any point leaves the
previous store complete and readable. Datasets given no file are carried over from the version
being replaced (hard links: byte-identical, and safe when the old version is pruned).
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import nearrepeat, service
from .config import Settings, like
from .datasets import DATASETS, SCHEMA_VERSION, Layout, SourceError, normalise_header, recognise
from .meetings import pinned_versions
from .periods import Grid, complete_periods
from .sql import sql

# `seastat synth` writes this column into every export, so a copied file is still labelled synthetic.
SYNTHETIC_COLUMN = "SeaStat Synthetic"
TAIL_BYTES = 1 << 12       # the end of a file, kept to tell a file cut off mid-row
# Sorts and windows spill to disk past this, so publish fits small machines; a quarter of the memory where
# there is more (the sorted, year-partitioned write of 10 M offenses over 1.5 years needs over 1.3 GB).
STAGE_CONFIG = {"memory_limit": f"{max(1500, psutil.virtual_memory().total // 4 // 2**20)}MB"}
SERVICE_FILES = {"calls": "service/calls.parquet"}   # /service's daily counts (queries/views/calls_counts.sql)
RESPONSE_FILE = "service/response_times.parquet"     # /service's response times in the recent periods
NEAR_REPEAT_FILE = "hotspots/near_repeat.parquet"   # the offenses the Knox test samples (views/near_repeat_draws_file.sql)
BLOCK_SIZE = 64 << 20      # a CSV row (with its fields) must fit in one block
SEATTLE = "America/Los_Angeles"   # SPD times are Seattle wall-clock times
Progress = Callable[[str, float], None]   # (message, fraction done 0..1)


@dataclass
class Source:
    path: Path
    layout: Layout
    sha256: str
    encoding: str
    synthetic: bool
    width: int                 # columns in the header
    header_only: bool = False  # nothing after the header line (Arrow cannot skip a header with no line end)
    tail: str = ""             # the file's last characters (CSV)
    rows_in: int = 0
    malformed: list[tuple[int, str]] = field(default_factory=list)
    cut_row: str | None = None  # the end of a short last row with no line end: the file was cut off

    @property
    def name(self) -> str:
        return self.path.name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _open_text_stream(path: Path) -> pa.NativeFile:
    raw = pa.OSFile(str(path))
    return pa.CompressedInputStream(raw, "gzip") if path.suffix == ".gz" else raw


def _encoding_of(path: Path) -> tuple[str, bytes]:
    """(utf8 if the whole file is UTF-8, else latin1, which reads any byte; the file's last bytes).
    Read to the end: Arrow cannot recover from a bad byte in a malformed row, and a file may turn
    Latin-1 far down."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding, tail = "utf8", b""
    try:
        with _open_text_stream(path) as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                tail = (tail + chunk)[-TAIL_BYTES:]
                if encoding == "utf8":
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        encoding = "latin1"
        if encoding == "utf8":
            decoder.decode(b"", final=True)
        return encoding, tail
    except UnicodeDecodeError:
        return "latin1", tail
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(f"{path.name}: truncated or corrupt file ({str(exc).splitlines()[0]})") from None


def inspect_source(path: Path) -> Source:
    """Check a file before anything is written: readable, not empty, a known SPD header."""
    name = path.name
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise SourceError(f"{name}: the file is empty")
    if path.suffix == ".parquet":
        try:
            header = pq.read_schema(path).names
        except (pa.ArrowException, OSError) as exc:
            raise SourceError(f"{name}: not a readable Parquet file ({str(exc).splitlines()[0]})") from None
        encoding = "parquet"
    else:
        try:
            with _open_text_stream(path) as stream:
                head = stream.read(1 << 16)
        except (pa.ArrowException, OSError) as exc:
            raise SourceError(f"{name}: truncated or corrupt file ({str(exc).splitlines()[0]})") from None
        if not head.strip():
            raise SourceError(f"{name}: the file is empty")
        if b"\x00" in head:
            raise SourceError(f"{name}: a binary file, not a CSV export")
        encoding, tail = _encoding_of(path)
        text = head.decode("utf-8" if encoding == "utf8" else "latin-1", errors="replace").lstrip("\ufeff")
        first_line = text.splitlines()[0] if text.strip() else ""   # a file cut right after its BOM has none
        header = next(csv.reader(io.StringIO(first_line)), [])
    header_only = encoding != "parquet" and len(head) < (1 << 16) and len(head.strip().splitlines()) == 1
    layout = recognise(header, name)
    synthetic = normalise_header(SYNTHETIC_COLUMN) in {normalise_header(h) for h in header}
    tail_text = "" if encoding == "parquet" else tail.decode("utf-8" if encoding == "utf8" else "latin-1", "replace")
    return Source(path, layout, sha256_of(path), encoding, synthetic=synthetic, width=len(header),
                  header_only=header_only, tail=tail_text)


def _as_text(column: pa.Array) -> pa.Array:
    """A source column as staged text. Typed Parquet timestamps become Seattle wall-clock text in a
    format the publish SQL reads (Arrow's own text adds fractions and zones it does not)."""
    if pa.types.is_timestamp(column.type):
        seconds = column.cast(pa.timestamp("s", column.type.tz and SEATTLE), safe=False)
        return pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
    return column.cast(pa.string())


def _to_stage(batch: pa.RecordBatch, source: Source, source_index: int, first_row: int) -> pa.RecordBatch:
    """Rename picked columns to staging names, add absent ones as NULL, number the rows."""
    names = list(source.layout.dataset.columns)
    by_column = {col: batch.column(i) for i, col in enumerate(source.layout.picks.values())}
    n = batch.num_rows
    arrays = [
        _as_text(by_column[c]) if c in by_column else pa.nulls(n, pa.string()) for c in names
    ]
    arrays.append(pa.array([source_index] * n, pa.int32()))
    arrays.append(pa.array(range(first_row, first_row + n), pa.int64()))
    return pa.RecordBatch.from_arrays(arrays, names + ["source_index", "source_row"])


def _read_batches(source: Source, progress: Progress | None) -> Iterator[pa.RecordBatch]:
    picked = list(source.layout.picks)  # source column positions, in picks order
    total = max(source.path.stat().st_size, 1)
    if source.encoding == "parquet":
        pf = pq.ParquetFile(source.path)
        columns = [pf.schema_arrow.names[i] for i in picked]
        done = 0
        for batch in pf.iter_batches(batch_size=256_000, columns=columns):
            done += batch.num_rows
            if progress:
                progress(f"{source.name}: {done:,} rows", done / max(pf.metadata.num_rows, 1))
            yield batch
        return
    if source.header_only:
        return

    cut_off = not source.tail.endswith(("\n", "\r"))

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        source.malformed.append(
            (row.number or -1, f"malformed row: expected {row.expected_columns} fields, got {row.actual_columns}")
        )
        end = row.text[-200:]
        if cut_off and row.actual_columns < row.expected_columns and end and source.tail.endswith(end):
            source.cut_row = end   # the file's last row, short and with no line end
        return "skip"

    raw = pa.OSFile(str(source.path))
    stream = pa.CompressedInputStream(raw, "gzip") if source.path.suffix == ".gz" else raw
    with raw, stream:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(  # columns are taken by position; the header line is skipped
                column_names=[f"c{i}" for i in range(source.width)], skip_rows=1,
                block_size=BLOCK_SIZE, encoding=source.encoding,
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_bad_row),
            convert_options=pacsv.ConvertOptions(
                include_columns=[f"c{i}" for i in picked],
                column_types={f"c{i}": pa.string() for i in picked},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            if progress:
                progress(f"{source.name}: reading", raw.tell() / total)
            yield batch


def _stage_source(con: duckdb.DuckDBPyConnection, source: Source, index: int, progress: Progress | None) -> None:
    """Load one file into the staging table (its encoding was chosen from the whole file)."""
    rows = 0
    try:
        for batch in _read_batches(source, progress):
            staged = _to_stage(batch, source, index, rows + 1)
            rows += batch.num_rows
            con.register("batch", staged)
            has_stage = con.execute(sql("publish/stage_exists")).fetchall()[0][0]
            con.execute(sql("publish/stage_append" if has_stage else "publish/stage_create"))
            con.unregister("batch")
    except pa.ArrowInvalid as exc:
        raise SourceError(f"{source.name}: cannot be read after {rows:,} rows ({str(exc).splitlines()[0]})") from None
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise SourceError(f"{source.name}: truncated or corrupt after {rows:,} rows ({exc})") from None
    if source.cut_row is not None:
        raise SourceError(f"{source.name}: cut off mid-row (the last row is short and has no line end: "
                          f"...{source.cut_row[-40:]!r}); download the export again")
    source.rows_in = rows + len(source.malformed)


def _hash_tree(root: Path) -> dict[str, dict]:
    files = {}
    for path in sorted(root.rglob("*.parquet")):
        files[path.relative_to(root).as_posix()] = {
            "sha256": sha256_of(path),
            "rows": pq.ParquetFile(path).metadata.num_rows,
        }
    return files


def _derive_beats(con: duckdb.DuckDBPyConnection, settings: Settings) -> pa.Table:
    """Beats for the rows whose file gives none but which have coordinates: point-in-polygon against
    the beat boundaries, vectorised, for those rows only."""
    points = con.sql(sql("publish/beatless_points")).to_arrow_table()
    found = {"source_index": pa.array([], pa.int32()), "source_row": pa.array([], pa.int64()),
             "beat": pa.array([], pa.string())}
    if points.num_rows:
        import geopandas as gpd

        from .geo import load_boundaries
        beats = load_boundaries(settings.boundaries_dir)["beat"]
        frame = gpd.GeoDataFrame(
            points.select(["source_index", "source_row"]).to_pandas(),
            geometry=gpd.points_from_xy(points["longitude"].to_numpy(), points["latitude"].to_numpy()), crs=beats.crs)
        hits = gpd.sjoin(frame, beats[["beat", "geometry"]], predicate="within", how="inner")
        # A point on a shared edge lies within neither; one inside two (overlap) takes the first beat by name.
        hits = hits.sort_values(["source_index", "source_row", "beat"]).drop_duplicates(["source_index", "source_row"])
        found = {"source_index": pa.array(hits["source_index"], pa.int32()),
                 "source_row": pa.array(hits["source_row"], pa.int64()), "beat": pa.array(hits["beat"], pa.string())}
    return pa.table(found)


def _beats_by_precinct(settings: Settings) -> dict[str, set[str]]:
    features = json.loads((settings.boundaries_dir / "beats.geojson").read_text())["features"]
    out: dict[str, set[str]] = {}
    for f in features:
        out.setdefault(f["properties"]["precinct"], set()).add(f["properties"]["beat"])
    return out


FILTER_MIN_ROWS = 100   # below this a file is too small to tell a filtered export from a quiet one


def _coverage(row: dict, offense_types: dict[str, int] | None, city: dict[str, set[str]]) -> dict:
    """What one source covers. A filter is inferred from what the rows hold: a crime export of at least
    FILTER_MIN_ROWS rows with a single offense type, or almost nothing (under 5 %) outside the CompStat
    types (a full export has about 40 % there), is filtered by offense: it covers only the types it holds.
    One in which a precinct appears with under half of its beats is filtered by area: it covers only its
    "whole" precincts (at least half their beats appear) and the beats it holds."""
    usable = row["rows_usable"]
    beats = set(row["beats"] or [])
    whole = sorted(p for p, bs in city.items() if len(bs & beats) * 2 >= len(bs))
    types = offense_types or {}
    by_offense = bool(offense_types is not None and usable >= FILTER_MIN_ROWS
                      and (len(types) == 1 or types.get("other", 0) < 0.05 * usable))
    by_area = usable >= FILTER_MIN_ROWS and len(whole) < len(city)
    return {
        "from": row["first_at"].date().isoformat() if row["first_at"] else None,
        "to": row["last_at"].date().isoformat() if row["last_at"] else None,
        "offense_types": None if offense_types is None else sorted(
            t for t in types if not (by_offense and t == "other")),
        "precincts": list(row["precincts"] or []),
        "whole_precincts": whole,
        "beats": sorted(beats),
        "filtered_by_offense": by_offense,
        "filtered_by_area": by_area,
    }


def _revisions(con: duckdb.DuckDBPyConnection, name: str, previous: tuple[Path, dict, str], settings: Settings) -> dict:
    """Compare the rows about to be published with those of the version being replaced."""
    root, info, published_at = previous
    as_of = info.get("max_event_at")
    late_before = None
    if as_of:   # a period is over once the replaced data reached past it
        grid = Grid(settings.periods.anchor, settings.periods.length_days)
        late_before = dt.datetime.combine(grid.period_containing(dt.date.fromisoformat(as_of[:10])).start, dt.time())
    cur = con.execute(sql(f"publish/revisions_{name}"),
                      {"previous": [str(root / rel) for rel in sorted(info["files"])], "late_before": late_before})
    values = dict(zip([d[0] for d in cur.description], cur.fetchall()[0]))
    counts = {k: values.pop(k) for k in ("added", "removed", "recoded", "late")}
    return {"previous_version": info.get("published_in") or root.name, "previous_published_at": published_at,
            "previous_max_event_at": as_of, "late_before": late_before.isoformat() if late_before else None,
            **counts, "recoded_fields": values}


def _publish_dataset(
    name: str, sources: list[Source], version_dir: Path, settings: Settings, now: dt.datetime,
    progress: Progress | None, previous: tuple[Path, dict, str] | None = None,
) -> dict:
    dataset = DATASETS[name]
    privacy = settings.privacy
    codes, types, groups = settings.offense_type_lookup()
    ucr_patterns, ucr_types, ucr_groups = settings.ucr_type_lookup()
    params = {
        "crime": {
            "sensitive_codes": [c.upper() for c in privacy.sensitive_offense_codes],
            "sensitive_parent_groups": [g.upper() for g in privacy.sensitive_offense_parent_groups],
            "sensitive_offenses": [o.upper() for o in privacy.sensitive_offenses],
            "sensitive_ucr": [like(p) for p in privacy.sensitive_ucr_subcategories] or [""],
            "type_codes": codes, "type_names": types, "type_groups": groups,
            "ucr_patterns": ucr_patterns or [""], "ucr_names": ucr_types or ["other"],
            "ucr_groups": ucr_groups or ["other"], "now": now,
        },
        "calls": {"sensitive_words": [w.upper() for w in privacy.sensitive_call_type_words], "now": now},
        "use_of_force": {"now": now},
    }[name]
    with tempfile.TemporaryDirectory(prefix=f"stage-{name}-", dir=version_dir.parent) as tmp:
        con = duckdb.connect(str(Path(tmp) / "stage.duckdb"), config=STAGE_CONFIG)
        try:
            con.execute(sql("publish/macros"))
            for index, source in enumerate(sources):
                _stage_source(con, source, index, progress)
            if not con.execute(sql("publish/stage_exists")).fetchall()[0][0]:
                # No rows at all: an empty, typed table, so the store still has this dataset's schema.
                names = list(dataset.columns)
                con.register("batch", pa.table(
                    {**{c: pa.array([], pa.string()) for c in names},
                     "source_index": pa.array([], pa.int32()), "source_row": pa.array([], pa.int64())}))
                con.execute(sql("publish/stage_create"))
                con.unregister("batch")
            if progress:
                progress(f"{name}: checking and writing", 1.0)
            con.register("sources", pa.table({   # typed even when empty: an untyped column poisons the files
                "source_index": pa.array(range(len(sources)), pa.int32()),
                "source_file": pa.array([s.name for s in sources], pa.string()),
                "taxonomy": pa.array([s.layout.dataset.taxonomy or None for s in sources], pa.string()),
            }))
            if "longitude" in dataset.columns:
                con.register("derived", _derive_beats(con, settings))
            con.execute(sql(f"publish/{name}"), params)
            con.execute(sql("publish/fates"))
            malformed = [(i, line, reason) for i, s in enumerate(sources) for line, reason in s.malformed]
            con.register("malformed", pa.table({
                "source_index": pa.array([m[0] for m in malformed], pa.int32()),
                "source_row": pa.array([m[1] for m in malformed], pa.int64()),
                "reason": pa.array(["malformed row"] * len(malformed), pa.string()),
                "detail": pa.array([m[2] for m in malformed], pa.string()),
            }))
            published, quarantined, superseded, min_at, max_at = con.execute(sql("publish/summary")).fetchall()[0]
            quarantined += len(malformed)
            cur = con.execute(sql("publish/source_summary"))
            per_source = {r[0]: dict(zip([d[0] for d in cur.description], r)) for r in cur.fetchall()}
            offense_types: dict[int, dict[str, int]] = {}
            for i, offense_type, n in (con.execute(sql("publish/source_offense_types")).fetchall()
                                       if name == "crime" else []):
                offense_types.setdefault(i, {})[offense_type] = n
            revisions = _revisions(con, name, previous, settings) if previous else None
            con.execute(sql("publish/single_thread"))
            if published:
                con.execute(sql("publish/write_published"), {"path": str(version_dir / name)})
            else:
                (version_dir / name / "year=0").mkdir(parents=True)
                con.execute(sql("publish/write_empty"), {"path": str(version_dir / name / "year=0" / "part_0.parquet")})
            (version_dir / "rollup").mkdir(exist_ok=True)
            con.execute(sql(f"publish/rollup_{name}"), {"path": str(version_dir / "rollup" / f"{name}.parquet")})
            if name in SERVICE_FILES:   # /service's counts, by the view an older store counts them with
                con.execute(sql("publish/published_calls"))
                con.execute(sql("views/calls_counts"))
                (version_dir / "service").mkdir(exist_ok=True)
                con.execute(sql("publish/write_calls_counts"), {"path": str(version_dir / SERVICE_FILES[name])})
                measured = _response_times(con, settings, min_at.date(), max_at.date()) if published else []
                if measured:
                    con.register("response", pa.concat_tables(measured))
                    con.execute(sql("publish/write_response_times"), {"path": str(version_dir / RESPONSE_FILE)})
            if name == "crime":         # near-repeat risk's offenses, by the view an older store reads them with
                con.execute(sql("publish/published_crime"))
                con.execute(sql("views/near_repeat_events"))
                (version_dir / "hotspots").mkdir(exist_ok=True)
                con.execute(sql("publish/write_near_repeat"), {"path": str(version_dir / NEAR_REPEAT_FILE),
                                                              "types": list(nearrepeat.TYPES)})
            (version_dir / "quarantine").mkdir(exist_ok=True)
            con.execute(sql("publish/write_quarantine"),
                        {"dataset": name, "path": str(version_dir / "quarantine" / f"{name}.parquet")})
        finally:
            con.close()
    rows_in = sum(s.rows_in for s in sources)
    if rows_in != published + quarantined + superseded:  # a bug, never a data problem: refuse to publish
        raise RuntimeError(f"{name}: {rows_in} rows in but {published} published + {quarantined} quarantined"
                           f" + {superseded} superseded")
    city = _beats_by_precinct(settings)
    entries = []
    for i, s in enumerate(sources):
        row = per_source.get(i) or {"rows_published": 0, "rows_quarantined": 0, "rows_superseded": 0,
                                    "rows_usable": 0, "first_at": None, "last_at": None, "precincts": [],
                                    "beats": [], "beats_derived": 0}
        entries.append({
            "file": s.name, "sha256": s.sha256, "layout": s.layout.name, "encoding": s.encoding,
            "taxonomy": s.layout.dataset.taxonomy or None, "rows_in": s.rows_in,
            "rows_published": row["rows_published"], "rows_quarantined": row["rows_quarantined"] + len(s.malformed),
            "rows_superseded": row["rows_superseded"], "beats_derived": row["beats_derived"],
            "synthetic": s.synthetic, "columns_not_in_file": s.layout.missing,
            "coverage": _coverage(row, offense_types.get(i, {}) if name == "crime" else None, city),
        })
    spans = [e["coverage"] for e in entries if e["coverage"]["from"]]
    return {
        "title": dataset.title,
        "rows_in": rows_in,
        "rows_published": published,
        "rows_quarantined": quarantined,
        "rows_superseded": superseded,
        "beats_derived": sum(e["beats_derived"] for e in entries),
        "min_event_at": min_at.isoformat() if min_at else None,
        "max_event_at": max_at.isoformat() if max_at else None,
        "synthetic": any(s.synthetic for s in sources),
        "sources": entries,
        "coverage": {
            "from": min((c["from"] for c in spans), default=None),
            "to": max((c["to"] for c in spans), default=None),
            "looks_filtered": any(c["filtered_by_offense"] or c["filtered_by_area"] for c in spans),
        },
        "revisions": revisions,
    }


def _response_times(con: duckdb.DuckDBPyConnection, settings: Settings, first: dt.date, last: dt.date) -> list[pa.Table]:
    """queries/service/response_times.sql's rows for the city in every window /service sets the
    newest [service] stored_periods periods against, each window named by its dates: a baseline's
    quantiles need its year of calls, so they are measured once here (seastat.reports.response_summary)."""
    periods = complete_periods(settings.grid, first, last)[:settings.service.stored_periods]
    windows = {service.window_key(w): w for p in periods for w in service.windows(settings, p, first).values()}
    return [
        con.sql(sql("service/response_times"), params=service.response_params({key: w}, settings.service.targets))
        .to_arrow_table() for key, w in windows.items()]


def _carry_over(name: str, info: dict, previous: Path, work: Path) -> dict:
    """The previous version's files of a dataset, hard-linked (copied where links are refused) into the
    new version: the same bytes, and pruning the old version later only drops one of two links."""
    for rel in [*info["files"], info["quarantine_file"], info["rollup_file"],
                *filter(None, [info.get("service_file"), info.get("response_file"), info.get("near_repeat_file")])]:
        target = work / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(previous / rel, target)
        except OSError:
            shutil.copy2(previous / rel, target)
    return json.loads(json.dumps(info))


def publish(
    paths: list[Path], out: Path, settings: Settings, progress: Progress | None = None,
    now: dt.datetime | None = None, replace_all: bool = False,
) -> dict:
    """Publish source files into the store at `out`; returns the new manifest. Datasets given no file
    keep their rows from the current version, unless `replace_all` (then they are published empty)."""
    if not paths:
        raise SourceError("no source files given")
    sources = [inspect_source(Path(p)) for p in paths]   # every file is checked before anything is written
    seen: dict[str, str] = {}
    for s in sources:
        if s.sha256 in seen:
            raise SourceError(f"{s.name}: the same file as {seen[s.sha256]} was given twice")
        seen[s.sha256] = s.name
    now = now or dt.datetime.now().replace(microsecond=0)
    out.mkdir(parents=True, exist_ok=True)
    versions = out / "versions"
    versions.mkdir(exist_ok=True)
    with open(out / ".publish.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # one publisher at a time
        previous = (out / "current").resolve() if (out / "current").exists() else None
        before = json.loads((previous / "manifest.json").read_text()) if previous else {}
        given = {s.layout.dataset.name for s in sources}
        keep = [] if replace_all else [n for n in DATASETS if n not in given and n in before.get("datasets", {})]
        if keep and before.get("schema_version") != SCHEMA_VERSION:
            raise SourceError(f"{out}: the current version has schema version {before.get('schema_version')}, "
                              f"this SeaStat writes {SCHEMA_VERSION}: give files for {', '.join(keep)} too, "
                              "or publish with --replace-all")
        work = versions / f".incoming-{uuid.uuid4().hex[:8]}"
        work.mkdir()
        try:
            datasets = {}
            for name in DATASETS:   # every dataset gets a typed table, empty if no file was given
                if name in keep:
                    datasets[name] = _carry_over(name, before["datasets"][name], previous, work)
                    continue
                mine = [s for s in sources if s.layout.dataset.name == name]
                old = before.get("datasets", {}).get(name)
                datasets[name] = _publish_dataset(
                    name, mine, work, settings, now, progress,
                    previous=(previous, old, old.get("published_at") or before.get("published_at")) if old else None)
            files = _hash_tree(work)
            for name, info in datasets.items():
                info["files"] = {k: v for k, v in files.items() if k.startswith(f"{name}/")}
                info["quarantine_file"] = f"quarantine/{name}.parquet"
                info["rollup_file"] = f"rollup/{name}.parquet"
                if name in SERVICE_FILES and (work / SERVICE_FILES[name]).exists():   # kept from an older version: none
                    info["service_file"] = SERVICE_FILES[name]
                if name in SERVICE_FILES and (work / RESPONSE_FILE).exists():
                    info["response_file"] = RESPONSE_FILE
                    info.setdefault("response_targets", settings.service.targets)
                if name == "crime" and (work / NEAR_REPEAT_FILE).exists():
                    info["near_repeat_file"] = NEAR_REPEAT_FILE
                if info["files"]:
                    schema = pq.read_schema(work / next(iter(info["files"])))
                    info["columns"] = {f.name: str(f.type) for f in schema}
            content = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:10]
            version = f"v{time.strftime('%Y%m%dT%H%M%S')}-{content}-{uuid.uuid4().hex[:12]}"
            published_at = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
            for name, info in datasets.items():
                if name not in keep:
                    info["published_in"], info["published_at"] = version, published_at
            manifest = {
                "schema_version": SCHEMA_VERSION,
                "version": version,
                "published_at": published_at,
                "content_hash": content,
                "datasets": datasets,
                "kept": keep,
                "quarantine_files": {k: v for k, v in files.items() if k.startswith("quarantine/")},
                "rollup_files": {k: v for k, v in files.items() if k.startswith("rollup/")},
                "service_files": {k: v for k, v in files.items() if k.startswith("service/")},
                "hotspots_files": {k: v for k, v in files.items() if k.startswith("hotspots/")},
                "privacy": settings.privacy.model_dump(),
                # the offense types every row was tagged with: a page warns when config.toml has moved on
                "taxonomy": {"offense_types": settings.offense_types, "offense_groups": settings.offense_groups},
            }
            (work / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
            final = versions / version
            work.rename(final)
            _swap_current(out, final)
        except BaseException as exc:
            shutil.rmtree(work, ignore_errors=True)
            if isinstance(exc, RuntimeError) and str(exc) == "Query interrupted":   # DuckDB's word for Ctrl-C
                raise KeyboardInterrupt from None
            raise
        pinned = {(out / "versions" / v).resolve() for v in pinned_versions(out)}   # a meeting's numbers
        _prune(out, keep={final.resolve(), previous, *pinned})
    return manifest


def _swap_current(out: Path, target: Path) -> None:
    """Point out/current at target with one atomic rename (readers see old or new, never neither)."""
    tmp_link = out / f".current-{uuid.uuid4().hex[:8]}"
    os.symlink(target.relative_to(out), tmp_link)
    os.replace(tmp_link, out / "current")
    dir_fd = os.open(out, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _prune(out: Path, keep: set[Path | None]) -> None:
    """Delete every version but the new one and the one it replaced (pages may still be reading it),
    except versions a reader still has open (a Store holds a shared lock on its manifest; a later
    publish deletes them), and whatever a killed publisher left behind."""
    for path in (out / "versions").iterdir():
        if path.resolve() in keep:
            continue
        try:
            with open(path / "manifest.json", "rb") as pin:
                fcntl.flock(pin, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(path, ignore_errors=True)
        except BlockingIOError:
            continue
        except OSError:   # no manifest: the unfinished work or staging folder of a killed publisher
            shutil.rmtree(path, ignore_errors=True)
    for link in out.glob(".current-*"):   # a killed publisher's link that never became current
        link.unlink(missing_ok=True)
