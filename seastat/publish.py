"""`seastat publish`: SPD exports in, a versioned Parquet store out.

Every source row is counted: published, or quarantined with its reason. The new version is
written beside the old one and swapped in with one atomic rename of the `current` link, so a
crash or a bad input at any point leaves the previous store complete and readable.
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
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .config import Settings
from .datasets import DATASETS, SCHEMA_VERSION, Layout, SourceError, recognise
from .sql import sql

SYNTHETIC_MARKER = "synthetic.json"
STAGE_CONFIG = {"memory_limit": "1500MB"}   # sorts and windows spill to disk past this: publish fits small machines
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
    rows_in: int = 0
    malformed: list[tuple[int, str]] = field(default_factory=list)

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


def _synthetic_hashes(folder: Path) -> set[str]:
    marker = folder / SYNTHETIC_MARKER
    try:
        return set(json.loads(marker.read_text())["files"].values())
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _encoding_of(path: Path) -> str:
    """utf8 if the whole file is UTF-8, else latin1 (which reads any byte). Read to the end: Arrow
    cannot recover from a bad byte in a malformed row, and a file may turn Latin-1 far down."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with _open_text_stream(path) as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf8"
    except UnicodeDecodeError:
        return "latin1"
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
        encoding = _encoding_of(path)
        text = head.decode("utf-8" if encoding == "utf8" else "latin-1", errors="replace").lstrip("\ufeff")
        first_line = text.splitlines()[0] if text.strip() else ""   # a file cut right after its BOM has none
        header = next(csv.reader(io.StringIO(first_line)), [])
    header_only = encoding != "parquet" and len(head) < (1 << 16) and len(head.strip().splitlines()) == 1
    layout = recognise(header, name)
    sha = sha256_of(path)
    return Source(path, layout, sha, encoding, synthetic=sha in _synthetic_hashes(path.parent), width=len(header),
                  header_only=header_only)


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

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        source.malformed.append(
            (row.number or -1, f"malformed row: expected {row.expected_columns} fields, got {row.actual_columns}")
        )
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
    source.rows_in = rows + len(source.malformed)


def _hash_tree(root: Path) -> dict[str, dict]:
    files = {}
    for path in sorted(root.rglob("*.parquet")):
        files[path.relative_to(root).as_posix()] = {
            "sha256": sha256_of(path),
            "rows": pq.ParquetFile(path).metadata.num_rows,
        }
    return files


def _publish_dataset(
    name: str, sources: list[Source], version_dir: Path, settings: Settings, now: dt.datetime,
    progress: Progress | None,
) -> dict:
    dataset = DATASETS[name]
    privacy = settings.privacy
    codes, types, groups = settings.offense_type_lookup()
    params = {
        "crime": {
            "sensitive_codes": [c.upper() for c in privacy.sensitive_offense_codes],
            "sensitive_parent_groups": [g.upper() for g in privacy.sensitive_offense_parent_groups],
            "sensitive_offenses": [o.upper() for o in privacy.sensitive_offenses],
            "type_codes": codes, "type_names": types, "type_groups": groups, "now": now,
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
            con.execute(sql(f"publish/{name}"), params)
            con.register("sources", pa.table({
                "source_index": pa.array(range(len(sources)), pa.int32()),
                "source_file": [s.name for s in sources],
            }))
            malformed = [(i, line, reason) for i, s in enumerate(sources) for line, reason in s.malformed]
            con.register("malformed", pa.table({
                "source_index": pa.array([m[0] for m in malformed], pa.int32()),
                "source_row": pa.array([m[1] for m in malformed], pa.int64()),
                "reason": pa.array(["malformed row"] * len(malformed), pa.string()),
                "detail": pa.array([m[2] for m in malformed], pa.string()),
            }))
            published, quarantined, min_at, max_at = con.execute(sql("publish/summary")).fetchall()[0]
            quarantined += len(malformed)
            con.execute(sql("publish/single_thread"))
            if published:
                con.execute(sql("publish/write_published"), {"path": str(version_dir / name)})
            else:
                (version_dir / name / "year=0").mkdir(parents=True)
                con.execute(sql("publish/write_empty"), {"path": str(version_dir / name / "year=0" / "part_0.parquet")})
            (version_dir / "rollup").mkdir(exist_ok=True)
            con.execute(sql(f"publish/rollup_{name}"), {"path": str(version_dir / "rollup" / f"{name}.parquet")})
            (version_dir / "quarantine").mkdir(exist_ok=True)
            con.execute(sql("publish/write_quarantine"),
                        {"dataset": name, "path": str(version_dir / "quarantine" / f"{name}.parquet")})
        finally:
            con.close()
    rows_in = sum(s.rows_in for s in sources)
    if rows_in != published + quarantined:  # a bug, never a data problem: refuse to publish
        raise RuntimeError(f"{name}: {rows_in} rows in but {published} published + {quarantined} quarantined")
    return {
        "title": dataset.title,
        "rows_in": rows_in,
        "rows_published": published,
        "rows_quarantined": quarantined,
        "min_event_at": min_at.isoformat() if min_at else None,
        "max_event_at": max_at.isoformat() if max_at else None,
        "synthetic": any(s.synthetic for s in sources),
        "sources": [
            {"file": s.name, "sha256": s.sha256, "layout": s.layout.name, "encoding": s.encoding,
             "rows_in": s.rows_in, "synthetic": s.synthetic,
             "columns_not_in_file": s.layout.missing}
            for s in sources
        ],
    }


def publish(
    paths: list[Path], out: Path, settings: Settings, progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """Publish source files into the store at `out`; returns the new manifest."""
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
        work = versions / f".incoming-{uuid.uuid4().hex[:8]}"
        work.mkdir()
        try:
            datasets = {}
            for name in DATASETS:   # every dataset gets a typed table, empty if no file was given
                mine = [s for s in sources if s.layout.dataset.name == name]
                datasets[name] = _publish_dataset(name, mine, work, settings, now, progress)
            files = _hash_tree(work)
            for name, info in datasets.items():
                info["files"] = {k: v for k, v in files.items() if k.startswith(f"{name}/")}
                info["quarantine_file"] = f"quarantine/{name}.parquet"
                info["rollup_file"] = f"rollup/{name}.parquet"
                if info["files"]:
                    schema = pq.read_schema(work / next(iter(info["files"])))
                    info["columns"] = {f.name: str(f.type) for f in schema}
            content = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:10]
            version = f"v{time.strftime('%Y%m%dT%H%M%S')}-{content}-{uuid.uuid4().hex[:12]}"
            manifest = {
                "schema_version": SCHEMA_VERSION,
                "version": version,
                "published_at": dt.datetime.now().astimezone().replace(microsecond=0).isoformat(),
                "content_hash": content,
                "datasets": datasets,
                "quarantine_files": {k: v for k, v in files.items() if k.startswith("quarantine/")},
                "rollup_files": {k: v for k, v in files.items() if k.startswith("rollup/")},
                "privacy": settings.privacy.model_dump(),
            }
            (work / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
            final = versions / version
            previous = (out / "current").resolve() if (out / "current").exists() else None
            work.rename(final)
            _swap_current(out, final)
        except BaseException as exc:
            shutil.rmtree(work, ignore_errors=True)
            if isinstance(exc, RuntimeError) and str(exc) == "Query interrupted":   # DuckDB's word for Ctrl-C
                raise KeyboardInterrupt from None
            raise
        _prune(out, keep={final.resolve(), previous})
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
