"""`seastat publish` on bad input, property-based: whatever the bytes, either one clear line of
refusal with the old store untouched, or a sound new store in which every source row is published
or quarantined. Where the rows are generated, each row's fate is predicted independently (from
what was generated, in plain Python) and compared row by row with the published Parquet files.
"""
from __future__ import annotations

import datetime as dt
import functools
import gzip
import re
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from hypothesis_profiles import examples

from seastat.check import check_store
from seastat.datasets import SourceError
from seastat.publish import publish
from seastat.synth import CALLS_HEADER, CRIME_HEADER, UOF_HEADER

pytestmark = pytest.mark.slow      # heavy: still run by `make test`, skipped by `-m 'not slow'`

NOW = dt.datetime(2026, 11, 22, 12, 0)
HEAD_BYTES = 1 << 16          # the head of a file the publisher reads for its header


@dataclass(frozen=True)
class Spec:
    """What the generator knows of one SPD export, from its published schema."""
    name: str
    header: list[str]
    id: str                    # id column (source header)
    time: str                  # event time column
    fallback: str | None       # time used when `time` is blank (crime: the report time)
    published_id: str          # id column in the published table
    required: dict[str, str]   # source header -> the column name a refusal names (only the id and the time)


SPECS = {
    "crime": Spec(
        "crime", CRIME_HEADER, "Offense ID", "Offense Start DateTime", "Report DateTime", "offense_id",
        {"Offense ID": "offense_id", "Offense Start DateTime": "offense_start"}),
    "calls": Spec(
        "calls", CALLS_HEADER, "CAD Event Number", "CAD Event Original Time Queued", None, "cad_event_number",
        {"CAD Event Number": "cad_event_number", "CAD Event Original Time Queued": "queued_at"}),
    "use_of_force": Spec(
        "use_of_force", UOF_HEADER, "ID", "Occured_date_time", None, "uof_id",
        {"ID": "uof_id", "Occured_date_time": "occurred_at"}),
}

# --- Generated values: each knows what the publisher should make of it ---------------------------

TIME_FORMATS = ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]
EDGE_MOMENTS = [dt.datetime(1900, 1, 1), dt.datetime(1899, 12, 31, 23, 59, 59), NOW,
                NOW + dt.timedelta(seconds=1), dt.datetime(9999, 12, 31)]


PLACEHOLDERS = {"", "NA", "N/A", "NULL", "-", "--"}   # what exports write for "no value"


def missing(text: str) -> bool:
    return text.strip(" ").upper() in PLACEHOLDERS


@dataclass(frozen=True)
class Time:
    text: str
    at: dt.datetime | None     # what the text means; None if blank or not a time

    @property
    def blank(self) -> bool:   # no time at all, as opposed to one that cannot be read
        return missing(self.text)


@st.composite
def times(draw, alphabet) -> Time:
    kind = draw(st.sampled_from(["time", "time", "time", "edge", "blank", "garbage"]))
    if kind == "blank":
        return Time(draw(st.sampled_from(["", " ", "   "])), None)
    if kind == "garbage":
        text = draw(st.one_of(
            st.sampled_from(["not a date", "13/45/2020 10:00:00 AM", "2021-02-30", "NULL", "-", "00/00/0000"]),
            st.text(alphabet, max_size=20).map(lambda s: "x" + s)))   # a leading letter never parses
        return Time(text, None)
    moment = draw(st.sampled_from(EDGE_MOMENTS) if kind == "edge"
                  else st.datetimes(dt.datetime(1800, 1, 1), dt.datetime(2300, 1, 1)))
    fmt = draw(st.sampled_from(TIME_FORMATS))
    text = moment.strftime(fmt)
    return Time(draw(st.sampled_from([text, f" {text} "])), dt.datetime.strptime(text, fmt))


IDS = st.one_of(st.sampled_from(["1", "2", "3", " 3", "3 ", "4", "", "  ", "NA", "-"]),
                st.text("abcXYZ0123456789-_", min_size=1, max_size=12))
ADDRESSES = st.sampled_from([
    "1234 PINE ST", "4520 1/2 UNIVERSITY WAY NE", "12-b pike st", "1234\tPINE ST", "1234\u00a0PINE ST",
    "7 MAIN ST", "3RD AVE / PINE ST", "12XX BLOCK OF PINE ST", "REDACTED", "", "99999 E MARGINAL WAY S"])
CODES = st.sampled_from(["11A", "11d", " 36A ", "64A", "23C", "120", "09A", "290", "", "XYZ"])
PARENTS = st.sampled_from(["SEX OFFENSES", "sex offenses", "HUMAN TRAFFICKING", "LARCENY-THEFT", "ROBBERY", ""])
OFFENSES = st.sampled_from(["Rape", "FONDLING", "Shoplifting", "Robbery", ""])
CALL_TYPES = st.sampled_from(["DOMESTIC DISTURBANCE", "SEX OFFENSE (NO RAPE)", "THEFT - ALL OTHER",
                              "SUSPICIOUS PERSON", ""])
PRECINCTS = st.sampled_from(["North", "E", "SW", "South West", "OOJ", "UNKNOWN", "", "-", "Narnia"])
LONS = st.sampled_from(["-122.3351", "0", "-1", "", "abc", "-122.9", "200"])
LATS = st.sampled_from(["47.6105", "0", "-1", "", "47.99", "nan"])


ALPHABETS = {   # text the file's encoding can hold; a NUL near the start makes a file "binary"
    "utf-8": st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
    "utf-8-sig": st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
    "latin-1": st.characters(min_codepoint=1, max_codepoint=255),
    "utf-8 then latin-1": st.characters(min_codepoint=1, max_codepoint=255),
}


@functools.cache
def field_values(spec_name: str, encoding: str) -> dict[str, st.SearchStrategy[str]]:
    """Strategies for every column but the id and times: realistic values, odd values, any text."""
    text = st.text(ALPHABETS[encoding], max_size=30)
    known = {"Offense Code": CODES, "Offense Parent Group": PARENTS, "Offense": OFFENSES,
             "Initial Call Type": CALL_TYPES, "Final Call Type": CALL_TYPES,
             "CAD Event Clearance Description": CALL_TYPES,
             "Precinct": PRECINCTS, "Dispatch Precinct": PRECINCTS,
             "100 Block Address": ADDRESSES, "Dispatch Address": ADDRESSES,
             "Longitude": LONS, "Dispatch Longitude": LONS, "Latitude": LATS, "Dispatch Latitude": LATS}
    return {h: st.one_of(known.get(h, text), text) for h in SPECS[spec_name].header}


@dataclass
class Row:
    fields: list[str]          # in header order
    id: str | None = None      # the id as published (trimmed), None if blank or a placeholder
    at: dt.datetime | None = None
    raw_blank: bool = False    # no time at all (after the crime fallback)
    malformed: bool = False


@st.composite
def rows(draw, spec: Spec, header: list[str], encoding: str, allow_malformed: bool) -> Row:
    alphabet = ALPHABETS[encoding]
    if allow_malformed and draw(st.integers(0, 9)) == 0:   # one row in ten has the wrong number of fields
        width = draw(st.integers(1, len(header) * 2).filter(lambda n: n != len(header)))
        return Row(draw(st.lists(st.text(alphabet, max_size=8), min_size=width, max_size=width)), malformed=True)
    values = {h: draw(s) for h, s in field_values(spec.name, encoding).items()}
    raw_id = draw(IDS)
    values[spec.id] = raw_id
    event = draw(times(alphabet))
    values[spec.time] = event.text
    at, raw_blank = event.at, event.blank
    if spec.fallback:
        report = draw(times(alphabet))
        values[spec.fallback] = report.text
        if event.blank:                     # SPD counts a blank start at the report time
            at, raw_blank = report.at, report.at is None
    return Row([values[h] for h in header], None if missing(raw_id) else raw_id.strip(" "), at, raw_blank)


def expected_fates(all_rows: list[Row], file_of: list[int] | None = None) -> tuple[Counter, Counter, int]:
    """(published ids, quarantined (id, reason), rows superseded) as the publishing rules say, computed
    in Python. file_of[i] is the file row i is in (all in one file if None)."""
    file_of = file_of or [0] * len(all_rows)

    def usable(r: Row) -> bool:
        return not r.malformed and r.id is not None and r.at is not None and dt.datetime(1900, 1, 1) <= r.at <= NOW

    newest: dict[int, dt.datetime] = {}   # a file's latest usable record time: the newest export wins
    standing: dict[tuple[str, int], int] = {}   # (id, file) -> the position of its first usable copy
    for position, r in enumerate(all_rows):
        if usable(r):
            f = file_of[position]
            newest[f] = max(newest.get(f, r.at), r.at)
            standing.setdefault((r.id, f), position)
    winner: dict[str, int] = {}
    for (row_id, f) in standing:
        if row_id not in winner or (newest[f], -f) > (newest[winner[row_id]], -winner[row_id]):
            winner[row_id] = f
    published, quarantined, superseded = Counter(), Counter(), 0
    for position, r in enumerate(all_rows):
        if r.malformed:
            reason = "malformed row"
        elif r.id is None:
            reason = "missing id"
        elif r.at is None:
            reason = "missing timestamp" if r.raw_blank else "unparseable timestamp"
        elif r.at < dt.datetime(1900, 1, 1):
            reason = "timestamp before 1900"
        elif r.at > NOW:
            reason = "timestamp in the future"
        elif standing[(r.id, file_of[position])] != position:
            reason = "duplicate id"              # a second copy within one file
        elif winner[r.id] != file_of[position]:
            superseded += 1                      # a copy in an older export
            continue
        else:
            published[r.id] += 1
            continue
        quarantined[(None if r.malformed else r.id, reason)] += 1
    return published, quarantined, superseded


@dataclass
class File:
    name: str
    data: bytes                 # as written (compressed for .csv.gz)
    rows: int                   # body rows in this file
    row_ends: list[int] | None  # CSV only: where each row's text ends in the uncompressed bytes


def to_csv(header: list[str], body: list[Row], encoding: str, newline: str, quote_all: bool) -> tuple[bytes, list[int]]:
    """CSV as the portal writes it (a field is quoted when it holds a comma, a quote or a line break),
    and where each row ends. "utf-8 then latin-1": the header and first row in UTF-8, the rest Latin-1."""
    def field(value: str) -> str:
        if quote_all or any(c in value for c in ',"\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    out, ends, size = [], [], 0
    for i, line in enumerate([header] + [r.fields for r in body]):
        text = ",".join(map(field, line)) if line != [""] else '""'   # else a lone empty field is a blank line
        codec = {"utf-8-sig": "utf-8-sig" if i == 0 else "utf-8",
                 "utf-8 then latin-1": "utf-8" if i <= 1 else "latin-1"}.get(encoding, encoding)
        content = text.encode(codec)
        if i:
            ends.append(size + len(content))
        out.append(content + newline.encode())
        size += len(out[-1])
    return b"".join(out), ends


@dataclass
class Export:
    spec: Spec
    files: list[File]
    body: list[Row]             # every row written, in file order

    @property
    def file_of(self) -> list[int]:
        return [i for i, f in enumerate(self.files) for _ in range(f.rows)]

    def __repr__(self) -> str:  # failing examples print this: short, with the start of each file
        return f"Export({self.spec.name}, {len(self.body)} rows, " + ", ".join(
            f"{f.name} ({len(f.data):,} bytes): {f.data[:300]!r}" for f in self.files) + ")"


@st.composite
def exports(draw, formats=("csv", "csv", "csv.gz", "parquet")) -> Export:
    """One or two export files of one dataset, and every row written to them, in order."""
    spec = SPECS[draw(st.sampled_from(list(SPECS)))]
    encoding = draw(st.sampled_from(list(ALPHABETS)))
    header = draw(st.permutations(spec.header))
    fmt = draw(st.sampled_from(formats))
    body = draw(st.lists(rows(spec, header, encoding, allow_malformed=fmt != "parquet"), max_size=25))
    big = draw(st.sampled_from([0] * 18 + [200_000, 3_000_000]))   # now and then an enormous field
    if encoding == "utf-8 then latin-1":
        big = HEAD_BYTES    # the head the publisher looks at is valid UTF-8; Latin-1 comes after it
    if big and body and not body[0].malformed:
        body[0].fields[header.index(spec.header[-1])] = "Z" * big   # a column no rule reads
    cut = len(body) if encoding == "utf-8 then latin-1" or not draw(st.booleans()) else draw(st.integers(0, len(body)))
    files = []
    for part, chunk in enumerate([body[:cut], body[cut:]] if cut < len(body) else [body]):
        name = f"{spec.name}{part}.{fmt}"
        if fmt == "parquet":
            table = pa.table({h: pa.array([r.fields[i] for r in chunk], pa.string()) for i, h in enumerate(header)})
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink)
            files.append(File(name, sink.getvalue().to_pybytes(), len(chunk), None))
            continue
        data, ends = to_csv(header, chunk, encoding, newline=draw(st.sampled_from(["\n", "\r\n", "\r"])),
                            quote_all=draw(st.booleans()))
        files.append(File(name, gzip.compress(data, mtime=0) if fmt == "csv.gz" else data, len(chunk), ends))
    return Export(spec, files, body)


# --- Publishing and what must hold after every attempt -----------------------------------------

@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    """One store for all examples: each publish replaces the last, each refusal must leave it be."""
    return tmp_path_factory.mktemp("fuzz-store")


def current(store: Path) -> Path | None:
    link = store / "current"
    return link.resolve() if link.exists() else None


def attempt(files: list[tuple[str, bytes]], store: Path, settings) -> dict | None:
    """Publish the files: the new manifest after proving the store sound, or None after proving a
    refusal was one clear line naming a file and left the store as it was. Anything else raises."""
    before = current(store)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, data in files:
            (Path(tmp) / name).write_bytes(data)
            paths.append(Path(tmp) / name)
        try:
            manifest = publish(paths, store, settings, now=NOW)
        except SourceError as exc:
            note(f"refused: {exc}")
            assert "\n" not in str(exc) and any(name in str(exc) for name, _ in files)
            assert current(store) == before
            assert before is None or check_store(store) == []
            return None
    assert_sound(store, manifest, before)
    return manifest


def assert_sound(store: Path, manifest: dict, before: Path | None) -> None:
    root = current(store)
    assert root == (store / "versions" / manifest["version"]).resolve()
    assert check_store(store) == []
    for name, info in manifest["datasets"].items():
        assert info["rows_in"] == info["rows_published"] + info["rows_quarantined"] + info.get("rows_superseded", 0)
        assert pq.read_table(root / name).num_rows == info["rows_published"]      # read without DuckDB
        assert pq.read_table(root / "quarantine" / f"{name}.parquet").num_rows == info["rows_quarantined"]
    # Nothing half-written is left: the new version, the one it replaced, no work folders or links.
    assert {p.resolve() for p in (store / "versions").iterdir()} <= {root, before}
    assert not list(store.glob(".current-*"))


def assert_private(root: Path, settings, dataset: str) -> None:
    """Sensitive records carry no location; no address keeps its house number."""
    if dataset not in ("crime", "calls"):
        return
    privacy = settings.privacy
    df = pq.read_table(root / dataset).to_pandas()
    if dataset == "crime":
        sensitive = (df.offense_code.isin(privacy.sensitive_offense_codes)
                     | df.offense_parent_group.isin([g.upper() for g in privacy.sensitive_offense_parent_groups])
                     | df.offense.str.upper().isin(privacy.sensitive_offenses))
    else:
        words = (df.initial_call_type.fillna("") + " " + df.final_call_type.fillna("") + " "
                 + df.event_clearance.fillna("")).str.upper()
        sensitive = words.apply(lambda t: any(w in t for w in privacy.sensitive_call_type_words)).astype(bool)
    assert df.loc[sensitive, ["block_address", "longitude", "latitude"]].isna().all().all()
    assert df.loc[sensitive, "location_withheld"].all()
    for address in df.block_address.dropna():
        spaced = " ".join("".join(" " if unicodedata.category(c) in SPACE_LIKE else c for c in address).split())
        assert not HOUSE_NUMBER.match(spaced), address


SPACE_LIKE = {"Zs", "Zl", "Zp", "Cc", "Cf", "Co", "Cs"}
HOUSE_NUMBER = re.compile(r"[0-9]+(-[A-Za-z0-9]+)?[ ,]")


def published_fates(root: Path, spec: Spec) -> tuple[Counter, Counter]:
    """(published ids, quarantined (id, reason)) as read back from the Parquet files."""
    ids = pq.read_table(root / spec.name, columns=[spec.published_id]).column(0).to_pylist()
    q = pq.read_table(root / "quarantine" / f"{spec.name}.parquet", columns=["record_id", "reason"]).to_pydict()
    return Counter(ids), Counter(zip(q["record_id"], q["reason"]))


# --- The properties --------------------------------------------------------------------------

@examples(250)
@given(export=exports())
def test_every_generated_row_is_published_or_quarantined_as_the_rules_say(export, store_dir, settings):
    spec, body = export.spec, export.body
    manifest = attempt([(f.name, f.data) for f in export.files], store_dir, settings)
    if len({f.data for f in export.files}) < len(export.files):
        assert manifest is None            # the same file twice is refused
        return
    assert manifest is not None, "a well-formed export of known columns must publish"
    assert manifest["datasets"][spec.name]["rows_in"] == len(body)
    published, quarantined, superseded = expected_fates(body, export.file_of)
    assert published_fates(current(store_dir), spec) == (published, quarantined)
    assert manifest["datasets"][spec.name]["rows_superseded"] == superseded
    assert_private(current(store_dir), settings, spec.name)


@examples(200)
@given(export=exports(formats=("csv", "csv", "csv.gz")), where=st.floats(0, 1))
def test_a_truncated_export_publishes_its_whole_rows_or_is_refused(export, where, store_dir, settings):
    """Cut the last file anywhere: rows before the cut keep their fate, the cut row is counted once."""
    spec, last = export.spec, export.files[-1]
    cut = int(len(last.data) * where)
    files = [(f.name, f.data) for f in export.files[:-1]] + [(last.name, last.data[:cut])]
    manifest = attempt(files, store_dir, settings)
    if manifest is None:
        return
    earlier = len(export.body) - last.rows
    if last.name.endswith(".gz"):       # a cut gzip stream is refused; only the whole file publishes
        assert cut == len(last.data)
        whole = len(export.body)
    else:
        whole = earlier + sum(1 for end in last.row_ends if end <= cut)
    rows_in = manifest["datasets"][spec.name]["rows_in"]
    assert whole <= rows_in <= whole + 1
    got_published, got_quarantined = published_fates(current(store_dir), spec)
    expected_published, expected_quarantined, _ = expected_fates(export.body[:whole], export.file_of[:whole])
    assert not expected_published - got_published and not expected_quarantined - got_quarantined
    assert_private(current(store_dir), settings, spec.name)


def spellings(name: str) -> st.SearchStrategy[str]:
    """The ways SPD exports have written one header: display name, API name, odd case and spacing."""
    return st.sampled_from([name, name.upper(), name.lower(), name.replace(" ", "_").lower(), f"  {name} ",
                            name.replace(" ", "-")])


@examples(200)
@given(data=st.data())
def test_missing_and_extra_columns_publish_or_name_what_is_missing(data, store_dir, settings, synth_store):
    spec = SPECS[data.draw(st.sampled_from(list(SPECS)))]
    kept = [h for h in spec.header if data.draw(st.integers(0, 5), label=f"keep {h}")]   # one in six dropped
    extra = data.draw(st.lists(st.text("abcdefgh", min_size=1, max_size=6).map(lambda s: f"Extra {s}"), max_size=3))
    columns = data.draw(st.permutations(kept + extra))
    header = [data.draw(spellings(c)) for c in columns]
    good = {spec.id: "", spec.time: "01/02/2025 10:00:00 AM", spec.fallback: "01/02/2025 11:00:00 AM"}
    body = [Row([good.get(c, "x") if c != spec.id else str(i) for c in columns]) for i in range(3)]
    data_bytes, _ = to_csv(header, body, data.draw(st.sampled_from(["utf-8", "utf-8-sig"])), "\n", False)
    manifest = attempt([(f"{spec.name}.csv", data_bytes)], store_dir, settings)
    missing_required = [name for c, name in spec.required.items() if c not in kept]
    if missing_required:
        assert manifest is None
        return
    info = manifest["datasets"][spec.name]
    assert (info["rows_in"], info["rows_published"]) == (3, 3)
    assert info["columns"] == synth_store.manifest["datasets"][spec.name]["columns"]   # same schema
    assert not set(info["sources"][0]["columns_not_in_file"]) & set(spec.required.values())


@examples(350)
@given(content=st.one_of(st.binary(max_size=3000), st.text(max_size=3000).map(str.encode)),
       header_of=st.sampled_from([None, "crime", "calls", "use_of_force"]),
       suffix=st.sampled_from([".csv", ".csv.gz", ".parquet", ".txt"]), compress=st.booleans())
def test_random_bytes_are_refused_or_published_never_a_crash(content, header_of, suffix, compress, store_dir,
                                                              settings):
    if header_of:
        content = (",".join(SPECS[header_of].header) + "\n").encode() + content
    line_breaks = content.count(b"\n") + content.count(b"\r")
    manifest = attempt([(f"random{suffix}", gzip.compress(content, mtime=0) if compress else content)],
                       store_dir, settings)
    if manifest is not None:   # no row made up: at most one per line after the header (others are kept)
        assert sum(i["rows_in"] for n, i in manifest["datasets"].items() if n not in manifest["kept"]) <= line_breaks


@pytest.mark.parametrize("unit,tz", [("ns", None), ("us", None), ("ms", "UTC"), ("s", "America/New_York")])
def test_typed_parquet_timestamps_are_read_as_seattle_wall_clock(unit, tz, tmp_path, settings):
    """A Parquet export written by pandas has real timestamp columns, not text."""
    moments = pd.Series(pd.to_datetime(["2025-01-02 03:04:05.678", "2025-07-01 23:59:59.000", None]))
    if tz:
        moments = moments.dt.tz_localize(tz)
    table = pa.table({**{h: ["x"] * 3 for h in UOF_HEADER}, "ID": ["1", "2", "3"],
                      "Occured_date_time": pa.array(moments).cast(pa.timestamp(unit, tz), safe=False)})
    pq.write_table(table, tmp_path / "uof.parquet")
    manifest = publish([tmp_path / "uof.parquet"], tmp_path / "store", settings, now=NOW)
    info = manifest["datasets"]["use_of_force"]
    assert (info["rows_published"], info["rows_quarantined"]) == (2, 1)     # the missing time only
    wall = moments.dt.tz_convert("America/Los_Angeles").dt.tz_localize(None) if tz else moments
    expected = sorted(wall.dropna().dt.floor("s"))
    published = pd.read_parquet(tmp_path / "store" / "current" / "use_of_force")["event_at"]
    assert sorted(published) == expected
