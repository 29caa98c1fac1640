"""Every real SPD export in ../shared/data/real publishes, alone and all together, and each row's fate
(published, quarantined with its reason, superseded) matches an independent pandas reading of the
same file. Also: the older layout's 2018-2019 robberies are counted once beside the 2008-present
file, re-publishing crime keeps the other datasets byte-identical, the three use-of-force refreshes
give the revisions a pandas diff gives, and the privacy rules hold on the real store."""
from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import shapely

from conftest import PROJECT_ROOT
from seastat.check import check_store
from seastat.datasets import SourceError
from seastat.geo import load_boundaries
from seastat.manifest import covered, revisions_text
from seastat.periods import Grid
from seastat.publish import publish, sha256_of

REAL = PROJECT_ROOT.parent / "shared" / "data" / "real"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"the real SPD exports are not here: {REAL} is absent")

NOW = dt.datetime(2026, 11, 22, 12, 0)
FILES = sorted(REAL.glob("*/*.csv")) if REAL.is_dir() else []
DATASET_OF = {"crime": "crime", "calls": "calls", "use_of_force": "use_of_force"}
PLACEHOLDERS = {"", "NA", "N/A", "NULL", "-", "--"}
ID_COLUMN = {"crime": "offense_id", "calls": "cad_event_number", "use_of_force": "uof_id"}
ROBBERY_2008 = "myronbanez__MUSA508-Seattle-TOD__SPD_Crime_Data__2008-Present.csv"
UCR_2018 = "BasedAbe__info201a-wi20-project-app-BasedAbe__Crime_Data.csv"
UOF_REFRESHES = ["nickjn2003__powerNAP__Use_Of_Force.csv", "cqregan__uw_projects__Use_Of_Force.csv",
                 "giruml34__use-of-force-dashboard__Use_Of_Force_20260218.csv"]   # April 2022, Jan 2023, Feb 2026


# --- An independent reading of each file: pandas, plain Python rules -------------------------------

def norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lstrip("\ufeff").lower()).strip("_")


def blank(values: pd.Series) -> pd.Series:
    return values.str.strip(" ").str.upper().isin(PLACEHOLDERS)


def report_number(values: pd.Series) -> pd.Series:
    """2018-323308 and 20180000323308 (the older layout) are one report: year, then the number."""
    def one(x: str) -> str | None:
        x = x.strip(" ")
        if re.fullmatch(r"(19|20)\d{2}-?\d{1,12}", x):
            return f"{x[:4]}-{int(x[4:].lstrip('-')):06d}"
        return None if x.upper() in PLACEHOLDERS else x
    return values.map(one)


def when(values: pd.Series, *formats: str) -> pd.Series:
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    for fmt in formats:
        out = out.fillna(pd.to_datetime(values.str.strip(" "), format=fmt, errors="coerce"))
    return out


def date_and_hhmm(dates: pd.Series, times: pd.Series) -> pd.Series:
    day = when(dates, "%m/%d/%Y", "%Y-%m-%d")
    t = pd.to_numeric(times.str.strip(" "), errors="coerce")
    ok = t.between(0, 2359) & (t % 100 < 60)
    at = day + pd.to_timedelta((t // 100) * 60 + t % 100, unit="min")
    return at.where(ok, day.where(blank(times)))   # no time: midnight; a time that is not HHMM: unreadable


def read_expected(path: Path) -> pd.DataFrame:
    """One row per source row: id (as published), event time, the raw time text, file, layout."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.columns = [norm(c) for c in df.columns]
    if "crime_subcategory" in df:        # the older layout: one row per report
        start, report = (date_and_hhmm(df.occurred_date, df.occurred_time),
                         date_and_hhmm(df.reported_date, df.reported_time))
        ids, raw = report_number(df.report_number), df.occurred_date
        out = pd.DataFrame({"id": ids, "report": ids, "taxonomy": "UCR"})
    elif "offense_id" in df:
        start = when(df.offense_start_datetime, "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S")
        report = when(df.report_datetime, "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S")
        raw = df.offense_start_datetime
        out = pd.DataFrame({"id": df.offense_id.where(~blank(df.offense_id)).str.strip(" "),
                            "report": report_number(df.report_number), "taxonomy": "NIBRS"})
    else:
        raw = df["original_time_queued"] if "original_time_queued" in df else df.get("event_clearance_date",
                                                                                      df.get("occured_date_time"))
        start, report = when(raw, "%m/%d/%Y %I:%M:%S %p"), None
        ids = df["cad_event_number"] if "cad_event_number" in df else df["id"]
        out = pd.DataFrame({"id": ids.where(~blank(ids)).str.strip(" "), "report": None, "taxonomy": None})
    if report is not None:                # a blank start is counted at the report time
        out["at"] = start.where(~blank(raw), report)
        out["raw_missing"] = blank(raw) & report.isna()
    else:
        out["at"], out["raw_missing"] = start, blank(raw)
    out["file"], out["row"] = path.name, range(1, len(df) + 1)
    out["dataset"] = path.parent.name
    return out


def expected_fates(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The publishing rules, in pandas: reasons, duplicates in a file, the newest export winning, and
    older-layout reports superseded by the 2008-present rows of the same report."""
    df = pd.concat(frames, ignore_index=True)
    reason = pd.Series(None, index=df.index, dtype=object)
    reason[df["at"] > NOW] = "timestamp in the future"
    reason[df["at"] < pd.Timestamp("1900-01-01")] = "timestamp before 1900"
    reason[df["at"].isna()] = "unparseable timestamp"
    reason[df["at"].isna() & df["raw_missing"]] = "missing timestamp"
    reason[df["id"].isna()] = "missing id"
    usable = reason.isna()
    first = df[usable].groupby(["id", "file"])["row"].transform("min")
    reason[usable & (df["row"] != first.reindex(df.index))] = "duplicate id"
    standing = usable & reason.isna()
    newest = df[usable].groupby("file")["at"].max()
    order = {f: i for i, f in enumerate(df["file"].drop_duplicates())}
    rank = df["file"].map(lambda f: (-newest[f].value, order[f]) if f in newest else None)
    winner = df[standing].assign(rank=rank[standing]).sort_values("rank").groupby("id")["file"].first()
    reason[standing & (df["file"] != df["id"].map(winner))] = "superseded"
    nibrs = set(df.loc[reason.isna() & (df["taxonomy"] == "NIBRS"), "report"].dropna())
    reason[reason.isna() & (df["taxonomy"] == "UCR") & df["report"].isin(nibrs)] = "superseded"
    return df.assign(reason=reason)


def assert_fates_match(store: Path, manifest: dict, expected: pd.DataFrame) -> None:
    root = store / "current"
    assert check_store(store) == []
    for name, rows in expected.groupby("dataset"):
        info = manifest["datasets"][name]
        by_file = {s["file"]: s for s in info["sources"]}
        for file, mine in rows.groupby("file"):
            got = by_file[file]
            want = (len(mine), int(mine.reason.isna().sum()), int((mine.reason.notna() & (mine.reason != "superseded")).sum()),
                    int((mine.reason == "superseded").sum()))
            assert (got["rows_in"], got["rows_published"], got["rows_quarantined"], got["rows_superseded"]) == want, file
        assert info["rows_in"] == info["rows_published"] + info["rows_quarantined"] + info["rows_superseded"]
        published = pd.read_parquet(root / name, columns=[ID_COLUMN[name]])[ID_COLUMN[name]]
        assert Counter(published) == Counter(rows.loc[rows.reason.isna(), "id"])
        q = pd.read_parquet(root / "quarantine" / f"{name}.parquet")
        quarantined = rows[rows.reason.notna() & (rows.reason != "superseded")]
        assert Counter(zip(q.source_file, q.source_row, q.reason)) == Counter(
            zip(quarantined.file, quarantined.row, quarantined.reason))


@pytest.fixture(scope="module")
def readings() -> dict[str, pd.DataFrame]:
    return {p.name: read_expected(p) for p in FILES}


@pytest.fixture(scope="module")
def real_store(tmp_path_factory, settings) -> tuple[Path, dict]:
    store = tmp_path_factory.mktemp("real") / "store"
    return store, publish(FILES, store, settings, now=NOW)


# --- The proofs ------------------------------------------------------------------------------------

def test_there_are_real_files_of_each_dataset():
    assert {p.parent.name for p in FILES} == {"crime", "calls", "use_of_force"} and len(FILES) >= 13


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:40])
def test_each_real_file_publishes_alone_with_every_row_accounted_for(path, tmp_path, settings, readings):
    manifest = publish([path], tmp_path / "store", settings, now=NOW)
    expected = expected_fates([readings[path.name]])
    assert (expected.reason == "superseded").sum() == 0      # nothing to supersede within one file
    assert_fates_match(tmp_path / "store", manifest, expected)


def test_all_real_files_publish_together_with_every_row_accounted_for(real_store, readings):
    store, manifest = real_store
    expected = expected_fates([readings[p.name] for p in FILES])
    assert_fates_match(store, manifest, expected)
    # The three use-of-force files are one dataset refreshed: only the newest export's copies are published.
    uof = {s["file"]: s for s in manifest["datasets"]["use_of_force"]["sources"]}
    assert uof[UOF_REFRESHES[-1]]["rows_published"] == uof[UOF_REFRESHES[-1]]["rows_in"]
    assert uof[UOF_REFRESHES[0]]["rows_superseded"] > 0.9 * uof[UOF_REFRESHES[0]]["rows_in"]


def test_older_layout_robberies_are_counted_once_beside_the_2008_present_file(tmp_path, settings, readings):
    manifest = publish([REAL / "crime" / UCR_2018, REAL / "crime" / ROBBERY_2008], tmp_path / "store", settings, now=NOW)
    older, newer = readings[UCR_2018], readings[ROBBERY_2008]
    robberies = older[pd.read_csv(REAL / "crime" / UCR_2018, dtype=str)["Crime Subcategory"].str.startswith("ROBBERY")]
    both = robberies[robberies.report.isin(set(newer.report))]
    assert (len(robberies), len(both)) == (2214, 2212)        # as SOURCES.md counts them
    crime = pd.read_parquet(tmp_path / "store" / "current" / "crime")
    shared = crime[crime.report_number.isin(set(both.report))]
    assert set(shared.taxonomy) == {"NIBRS"}                  # the 2008-present rows win ...
    assert shared.report_number.nunique() == 2212
    info = {s["file"]: s for s in manifest["datasets"]["crime"]["sources"]}
    assert info[UCR_2018]["rows_superseded"] == older.report.isin(set(newer.report)).sum() >= 2212   # ... the older rows are superseded
    assert info[UCR_2018]["rows_quarantined"] == 0
    ucr = crime[crime.taxonomy == "UCR"]
    assert not ucr.report_number.isin(set(newer.report)).any()
    assert ucr.offense_id.equals(ucr.report_number) and ucr.offense_id.str.match(r"^20(18|19)-\d{6}$").all()
    kinds = ucr.groupby("offense_parent_group")["offense_type"].first()
    assert kinds["THEFT-SHOPLIFT"] == "larceny_theft" and kinds["BURGLARY-RESIDENTIAL"] == "burglary"
    assert kinds["MOTOR VEHICLE THEFT"] == "motor_vehicle_theft" and kinds["ROBBERY-STREET"] == "robbery"
    assert set(crime.loc[crime.offense_type == "robbery", "offense_group"]) == {"violent"}


def test_republishing_crime_keeps_calls_and_use_of_force_byte_identical(real_store, tmp_path, settings):
    store, _ = real_store
    before = json.loads((store / "current" / "manifest.json").read_text())
    after = publish([p for p in FILES if p.parent.name == "crime"], store, settings, now=NOW)
    assert after["kept"] == ["calls", "use_of_force"]
    for name in after["kept"]:
        assert after["datasets"][name]["files"] == before["datasets"][name]["files"]
        for rel, entry in after["datasets"][name]["files"].items():
            assert sha256_of(store / "current" / rel) == entry["sha256"]
    assert check_store(store) == []
    crime = after["datasets"]["crime"]["revisions"]
    assert (crime["added"], crime["removed"], crime["recoded"]) == (0, 0, 0)   # the same files: no change


def published(store: Path) -> pd.DataFrame:
    return pd.read_parquet(store / "current" / "use_of_force").set_index("uof_id")


def test_the_three_use_of_force_refreshes_give_the_revisions_a_pandas_diff_gives(tmp_path, settings):
    store, grid = tmp_path / "store", Grid(settings.periods.anchor, settings.periods.length_days)
    old = None
    for name in UOF_REFRESHES:
        manifest = publish([REAL / "use_of_force" / name], store, settings, now=NOW)
        new, rev = published(store), manifest["datasets"]["use_of_force"]["revisions"]
        if old is None:
            assert rev is None
        else:
            both = new.index.intersection(old.index)
            changed = {f: int((new.loc[both, f] != old.loc[both, f]).sum())
                       for f in ("incident_type", "precinct", "sector", "beat", "subject_race", "subject_gender")}
            changed["time"] = int((new.loc[both, "event_at"] != old.loc[both, "event_at"]).sum())
            fields = list(changed)
            recoded = int((new.loc[both, ["incident_type", "precinct", "sector", "beat", "subject_race",
                                          "subject_gender", "event_at"]]
                           != old.loc[both, ["incident_type", "precinct", "sector", "beat", "subject_race",
                                             "subject_gender", "event_at"]]).any(axis=1).sum())
            added = new.index.difference(old.index)
            over = pd.Timestamp(grid.period_containing(old.event_at.max().date()).start)
            assert rev["added"] == len(added) and rev["removed"] == len(old.index.difference(new.index))
            assert rev["recoded"] == recoded and {f: rev["recoded_fields"][f] for f in fields} == changed
            assert rev["late"] == int((new.loc[added, "event_at"] < over).sum())
            assert rev["recoded_fields"]["precinct"] > 0 and rev["added"] > 0   # SPD re-codes between refreshes
            assert revisions_text(manifest["datasets"]["use_of_force"], "use_of_force").startswith("since ")
        old = new


def test_privacy_rules_hold_on_the_real_store(real_store, settings):
    store, _ = real_store
    root, privacy = store / "current", settings.privacy
    crime = pd.read_parquet(root / "crime")
    ucr_sensitive = crime.offense_parent_group.fillna("").map(
        lambda s: any(fnmatch.fnmatchcase(s, p) for p in privacy.sensitive_ucr_subcategories))
    sensitive = (crime.offense_code.isin(privacy.sensitive_offense_codes)
                 | crime.offense_parent_group.isin([g.upper() for g in privacy.sensitive_offense_parent_groups])
                 | crime.offense.str.upper().isin(privacy.sensitive_offenses)
                 | ((crime.taxonomy == "UCR") & ucr_sensitive))
    assert sensitive.sum() > 100 and ((crime.taxonomy == "UCR") & ucr_sensitive).sum() > 100
    assert crime.loc[sensitive, ["block_address", "longitude", "latitude"]].isna().all().all()
    assert crime.loc[sensitive, "location_withheld"].all()
    calls = pd.read_parquet(root / "calls")
    words = (calls.initial_call_type.fillna("") + " " + calls.final_call_type.fillna("") + " "
             + calls.event_clearance.fillna("")).str.upper()
    sensitive_calls = words.map(lambda t: any(w in t for w in privacy.sensitive_call_type_words))
    assert sensitive_calls.sum() > 0
    assert calls.loc[sensitive_calls, ["block_address", "longitude", "latitude"]].isna().all().all()
    for df in (crime, calls):
        addresses = df.block_address.dropna()
        assert len(addresses) > 1000 and not addresses.str.match(r"^\d+(-[A-Z0-9]+)?[ ,]").any()   # no house number
    uof = pd.read_parquet(root / "use_of_force")
    assert not {c for c in uof.columns if "officer" in c.lower() or "subject_id" in c.lower()}


def test_placeholders_are_never_areas_or_values(real_store):
    root = real_store[0] / "current"
    for name in ("crime", "calls", "use_of_force"):
        df = pd.read_parquet(root / name)
        assert set(df.precinct) <= {"North", "East", "South", "West", "Southwest", "OOJ", "UNKNOWN"}, name
        assert df.sector.str.fullmatch(r"[A-Z]|OOJ|UNKNOWN").all(), name
        assert df.beat.str.fullmatch(r"[A-Z]\d{1,2}|OOJ|UNKNOWN").all(), name
        for column in df.select_dtypes(include=["object", "string"]).columns:
            assert not blank(df[column].dropna()).any(), (name, column)
    uof = pd.read_parquet(root / "use_of_force")
    assert (uof.beat == "UNKNOWN").sum() > 1000 and (uof.precinct == "UNKNOWN").sum() > 1000   # -, X, XX, 0, 99


def test_beats_missing_from_an_export_are_found_from_its_coordinates(real_store, settings):
    store, manifest = real_store
    crime = pd.read_parquet(store / "current" / "crime")
    assert manifest["datasets"]["crime"]["beats_derived"] == int(crime.beat_derived.sum()) > 11_000   # samvit98: no beat
    samvit = next(s for s in manifest["datasets"]["crime"]["sources"] if s["file"].startswith("samvit98"))
    assert samvit["columns_not_in_file"] == ["group_a_b", "beat"]
    beats = load_boundaries(settings.boundaries_dir)["beat"].set_index("beat").geometry
    placed = crime[crime.beat_derived & crime.longitude.notna()]
    inside = [shapely.contains_xy(beats[b], x, y) for b, x, y in zip(placed.beat, placed.longitude, placed.latitude)]
    assert all(inside)
    assert (placed.sector == placed.beat.str[0]).all()    # a beat across the file's own sector line is not taken


def test_coverage_says_what_filtered_exports_hold(tmp_path, settings):
    day = dt.date
    robbery = publish([REAL / "crime" / ROBBERY_2008], tmp_path / "r", settings, now=NOW)
    source = robbery["datasets"]["crime"]["sources"][0]["coverage"]
    assert source["filtered_by_offense"] and source["offense_types"] == ["robbery"] and not source["filtered_by_area"]
    assert covered(robbery, "crime", day(2015, 3, 2), day(2015, 3, 16), "robbery", precinct="North")
    assert not covered(robbery, "crime", day(2015, 3, 2), day(2015, 3, 16))              # all offenses
    assert not covered(robbery, "crime", day(2015, 3, 2), day(2015, 3, 16), "burglary")
    assert not covered(robbery, "crime", day(2021, 9, 20), day(2021, 10, 4), "robbery")  # past its end
    calls = publish(sorted((REAL / "calls").glob("aspencoyle*.csv")), tmp_path / "c", settings, now=NOW)
    assert all(s["coverage"]["filtered_by_area"] for s in calls["datasets"]["calls"]["sources"])
    assert covered(calls, "calls", day(2020, 3, 2), day(2020, 3, 16), beat="C3")
    assert not covered(calls, "calls", day(2020, 3, 2), day(2020, 3, 16), precinct="East")
    assert not covered(calls, "calls", day(2020, 3, 2), day(2020, 3, 16))


def test_a_real_export_cut_off_mid_row_is_refused_in_one_line(tmp_path, settings):
    data = (REAL / "use_of_force" / UOF_REFRESHES[-1]).read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: int(len(data) * 0.7)])
    cut.write_bytes(cut.read_bytes()[: cut.read_bytes().rindex(b",")])   # inside a row, not at its end
    with pytest.raises(SourceError) as err:
        publish([cut], tmp_path / "store", settings, now=NOW)
    assert "cut off mid-row" in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "store" / "current").exists()


def test_synthetic_blocks_are_drawn_from_real_records_of_the_same_beat(real_store, tmp_path, settings):
    from seastat.synth import synth
    store, _ = real_store
    written = synth(3000, tmp_path / "src", seed=5, end=dt.date(2026, 11, 22), boundaries=settings.boundaries_dir,
                    datasets=("crime",), real_store=store)
    fake = pd.read_csv(written["crime"], dtype=str, keep_default_na=False)
    real = pd.concat(pd.read_parquet(store / "current" / n, columns=["beat", "block_address"]) for n in ("crime", "calls"))
    pairs = set(zip(real.beat, real.block_address))
    placed = fake[fake.Beat.str.fullmatch(r"[A-Z]\d") & ~fake["100 Block Address"].isin(["", "REDACTED"])]
    assert len(placed) > 2500
    assert all((b, a) in pairs for b, a in zip(placed.Beat, placed["100 Block Address"]))   # a real block of its beat
    beats = load_boundaries(settings.boundaries_dir)["beat"].set_index("beat").geometry
    located = placed[~placed.Longitude.isin(["", "0", "-1"])]
    assert all(shapely.contains_xy(beats[b], float(x), float(y))
               for b, x, y in zip(located.Beat, located.Longitude, located.Latitude))
    assert (fake["SeaStat Synthetic"] == "1").all()
