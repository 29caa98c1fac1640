"""seastat publish: recognition, reconciliation, quarantine, bad files, atomic swap, determinism."""
from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from seastat.check import check_store
from seastat.datasets import SourceError
from seastat.publish import publish, sha256_of
from seastat.store import Store
from seastat.synth import CRIME_HEADER


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding="utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def crime_row(offense_id: str, start="03/04/2025 10:00:00 PM", **over) -> list[str]:
    row = dict(zip(CRIME_HEADER, [
        "2025-000001", offense_id, start, "", "03/05/2025 09:00:00 AM", "A", "PROPERTY", "LARCENY-THEFT",
        "Shoplifting", "23C", "West", "K", "K1", "DOWNTOWN COMMERCIAL", "1234 PINE ST", "-122.3351", "47.6105",
    ]))
    row.update(over)
    return [row[h] for h in CRIME_HEADER]


def published_df(store_dir: Path, dataset: str) -> pd.DataFrame:
    return pd.read_parquet(Path(store_dir, "current", dataset))


def test_synthetic_exports_publish_with_every_row_reconciled(small_sources, small_store_dir):
    manifest = json.loads((small_store_dir / "current" / "manifest.json").read_text())
    for name, info in manifest["datasets"].items():
        source_rows = sum(1 for _ in open(small_sources / f"{name}.csv")) - 1
        assert info["rows_in"] == source_rows, name
        assert info["rows_in"] == info["rows_published"] + info["rows_quarantined"]
        assert len(pd.read_parquet(small_store_dir / "current" / name)) == info["rows_published"]
        quarantine = pd.read_parquet(small_store_dir / "current" / "quarantine" / f"{name}.parquet")
        assert len(quarantine) == info["rows_quarantined"]
        assert info["synthetic"] is True
        assert len(info["sources"][0]["sha256"]) == 64
    assert check_store(small_store_dir) == []


def test_quarantine_gives_a_reason_for_each_rejected_row(tmp_path, settings):
    rows = [
        crime_row("1"),
        crime_row("1"),                                   # duplicate id
        crime_row("2", start="not a date"),               # unparseable
        crime_row("3", start="01/01/1899 10:00:00 AM"),   # before 1900
        crime_row("4", start="01/01/2199 10:00:00 AM"),   # future
        crime_row(""),                                    # no id
        crime_row("5", start=""),                         # blank start: counted at report time, kept
    ]
    src = write_csv(tmp_path / "crime.csv", CRIME_HEADER, rows)
    with open(src, "a") as f:
        f.write('"7","short row"\n')                       # malformed
    manifest = publish([src], tmp_path / "store", settings)
    info = manifest["datasets"]["crime"]
    assert (info["rows_in"], info["rows_published"], info["rows_quarantined"]) == (8, 2, 6)
    reasons = pd.read_parquet(tmp_path / "store" / "current" / "quarantine" / "crime.parquet")
    assert sorted(reasons["reason"]) == sorted([
        "duplicate id", "unparseable timestamp", "timestamp before 1900", "timestamp in the future",
        "missing id", "malformed row"])
    kept = published_df(tmp_path / "store", "crime")
    assert str(kept.loc[kept.offense_id == "5", "event_at"].iloc[0]) == "2025-03-05 09:00:00"


def test_unknown_blank_and_ooj_areas_are_kept_as_explicit_values(tmp_path, settings):
    nowhere = {"Longitude": "", "Latitude": ""}
    rows = [crime_row("1", Precinct="", Sector="", Beat="", **nowhere), crime_row("2", Precinct="UNKNOWN"),
            crime_row("3", Precinct="OOJ", Sector="", Beat=""), crime_row("4", Precinct="SW", Sector="f", Beat="F2"),
            crime_row("5", Precinct="", Sector="", Beat="K2"),      # precinct and sector from the beat
            crime_row("6", Longitude="0", Latitude="0"), crime_row("7", Longitude="-1", Latitude="-1"),
            crime_row("8", Precinct="X", Sector="99", Beat="XX", **nowhere),   # placeholders, never areas
            crime_row("9", Precinct="NA", Sector="NULL", Beat="-"),  # no beat: found from the coordinates
            crime_row("10", Precinct="0", Sector="EDWARD", Beat="0", **nowhere)]   # the radio name of sector E
    publish([write_csv(tmp_path / "c.csv", CRIME_HEADER, rows)], tmp_path / "store", settings)
    df = published_df(tmp_path / "store", "crime").set_index("offense_id")
    assert len(df) == 10
    assert df.loc["1", ["precinct", "sector", "beat"]].tolist() == ["UNKNOWN", "UNKNOWN", "UNKNOWN"]
    assert df.loc["2", "precinct"] == "West"                  # from its sector, K
    assert df.loc["3", ["precinct", "beat"]].tolist() == ["OOJ", "UNKNOWN"]   # out of jurisdiction: not placed
    assert df.loc["4", ["precinct", "sector"]].tolist() == ["Southwest", "F"]
    assert df.loc["5", ["precinct", "sector"]].tolist() == ["West", "K"]
    assert df.loc[["6", "7"], "longitude"].isna().all()       # 0 and -1 mean "no coordinates"
    assert df.loc["8", ["precinct", "sector", "beat"]].tolist() == ["UNKNOWN", "UNKNOWN", "UNKNOWN"]
    assert df.loc["9", ["precinct", "sector", "beat", "beat_derived"]].tolist() == ["West", "M", "M3", True]
    assert df.loc["10", ["precinct", "sector", "beat"]].tolist() == ["East", "E", "UNKNOWN"]
    assert not df.drop(index="9")["beat_derived"].any()


def test_a_beat_from_coordinates_that_contradicts_the_sector_is_not_taken(tmp_path, settings):
    rows = [crime_row("1", Sector="K", Beat=""), crime_row("2", Sector="M", Beat="")]   # the point is in M3
    publish([write_csv(tmp_path / "c.csv", CRIME_HEADER, rows)], tmp_path / "store", settings)
    df = published_df(tmp_path / "store", "crime").set_index("offense_id")
    assert df.loc["1", ["sector", "beat", "beat_derived"]].tolist() == ["K", "UNKNOWN", False]
    assert df.loc["2", ["sector", "beat", "beat_derived"]].tolist() == ["M", "M3", True]
    assert df.loc["2", "block_address"] == "12XX BLOCK OF PINE ST"


def test_an_export_missing_optional_columns_publishes_what_it_has(tmp_path, settings):
    header = [h for h in CRIME_HEADER if h not in ("Group A B", "Beat", "Offense Code")]
    rows = [[v for h, v in zip(CRIME_HEADER, crime_row(str(i), Sector="M")) if h in header] for i in range(3)]
    manifest = publish([write_csv(tmp_path / "c.csv", header, rows)], tmp_path / "store", settings)
    info = manifest["datasets"]["crime"]
    assert (info["rows_published"], info["beats_derived"]) == (3, 3)
    assert set(info["sources"][0]["columns_not_in_file"]) == {"group_a_b", "beat", "offense_code"}
    df = published_df(tmp_path / "store", "crime")
    assert df["beat"].tolist() == ["M3"] * 3 and df["beat_derived"].all() and df["group_a_b"].isna().all()


def test_newer_crime_layout_and_older_911_layout_are_recognised(tmp_path, settings):
    nibrs = ["Report Number", "Report DateTime", "Offense ID", "Offense Date", "NIBRS Group AB",
             "NIBRS Crime Against Category", "Offense Sub Category", "Shooting Type Group", "Block Address",
             "Latitude", "Longitude", "Beat", "Precinct", "Sector", "Neighborhood", "Reporting Area",
             "Offense Category", "NIBRS Offense Code Description", "NIBRS_offense_code"]
    crime = write_csv(tmp_path / "crime2025.csv", nibrs, [[
        "2025-1", "2025-01-02T10:00:00", "91", "2025-01-02T09:00:00", "A", "PERSON", "ROBBERY", "-",
        "5XX BLOCK OF PINE ST", "47.61", "-122.33", "K1", "West", "K", "DOWNTOWN", "1", "VIOLENT CRIME",
        "Robbery", "120"]])
    old911 = ["CAD CDW ID", "CAD Event Number", "General Offense Number", "Event Clearance Code",
              "Event Clearance Description", "Event Clearance SubGroup", "Event Clearance Group",
              "Event Clearance Date", "Hundred Block Location", "District/Sector", "Zone/Beat", "Census Tract",
              "Longitude", "Latitude", "Incident Location", "Initial Type Description", "Initial Type Subgroup",
              "Initial Type Group", "At Scene Time"]
    calls = write_csv(tmp_path / "911.csv", old911, [[
        "1", "15000001", "2015-1", "242", "FIGHT DISTURBANCE", "DISTURBANCES", "DISTURBANCES",
        "06/30/2015 11:42:00 PM", "1XX BLOCK OF PIKE ST", "M", "M2", "8100", "-122.34", "47.609", "(47.6, -122.3)",
        "FIGHT", "DISTURBANCES", "DISTURBANCES", ""]])
    manifest = publish([crime, calls], tmp_path / "store", settings)
    assert manifest["datasets"]["crime"]["sources"][0]["layout"] == "2025 NIBRS export"
    assert manifest["datasets"]["calls"]["sources"][0]["layout"] == "older 911 Incident Response layout"
    robbery = published_df(tmp_path / "store", "crime").iloc[0]
    assert (robbery.offense_type, robbery.offense_group) == ("robbery", "violent")
    call = published_df(tmp_path / "store", "calls").iloc[0]
    assert (call.precinct, call.sector, call.beat) == ("West", "M", "M2")   # precinct from the sector


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8-sig"])
def test_latin1_and_bom_files_publish(tmp_path, settings, encoding):
    src = write_csv(tmp_path / "c.csv", CRIME_HEADER, [crime_row("1", MCPP="CAFÉ DISTRICT")], encoding=encoding)
    publish([src], tmp_path / "store", settings)
    assert published_df(tmp_path / "store", "crime")["mcpp"].tolist() == ["CAFÉ DISTRICT"]


def test_gzip_exports_publish(tmp_path, settings, small_sources):
    gz = tmp_path / "use_of_force.csv.gz"
    gz.write_bytes(gzip.compress((small_sources / "use_of_force.csv").read_bytes()))
    manifest = publish([gz], tmp_path / "store", settings)
    assert manifest["datasets"]["use_of_force"]["rows_in"] > 0


def unusable_files(tmp: Path, sources: Path) -> dict[str, tuple[Path, str]]:
    full = (sources / "crime.csv").read_bytes()
    gz = gzip.compress(full)
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "truncated.csv.gz").write_bytes(gz[: len(gz) // 2])
    (tmp / "photo.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4)
    (tmp / "other.csv").write_text("name,amount\nx,1\n")
    write_csv(tmp / "noid.csv", [h for h in CRIME_HEADER if h not in ("Offense ID", "Offense Start DateTime")],
              [["1"] * 15])
    header = ",".join(CRIME_HEADER) + "\n"
    (tmp / "cut.csv").write_text(header + ",".join(crime_row("1")) + "\n" + ",".join(crime_row("2"))[:60])
    return {
        "empty": (tmp / "empty.csv", "empty"),
        "truncated": (tmp / "truncated.csv.gz", "truncated or corrupt"),
        "binary": (tmp / "photo.csv", "binary"),
        "wrong format": (tmp / "other.csv", "not a recognised SPD export"),
        "cut off mid-row": (tmp / "cut.csv", "cut off mid-row"),
        "missing columns": (tmp / "noid.csv", "missing required column(s): offense_id"),
    }


def test_unusable_files_are_refused_and_the_old_store_survives(tmp_path, settings, small_sources):
    store = tmp_path / "store"
    publish([small_sources / "use_of_force.csv"], store, settings)
    before = (store / "current").resolve()
    for label, (path, message) in unusable_files(tmp_path, small_sources).items():
        with pytest.raises(SourceError) as err:
            publish([small_sources / "crime.csv", path], store, settings)
        assert message in str(err.value), label
        assert "\n" not in str(err.value)
        assert (store / "current").resolve() == before
        assert check_store(store) == []
    assert "offense_start" in str(err.value)   # both missing columns are named


def test_a_crash_while_writing_leaves_the_previous_store(tmp_path, settings, small_sources, monkeypatch):
    store = tmp_path / "store"
    publish([small_sources / "use_of_force.csv"], store, settings)
    before = (store / "current").resolve()
    import seastat.publish as publisher

    def failing_hash_tree(root):   # fault injection: the writer dies after the data files are written
        raise OSError("disk full")

    monkeypatch.setattr(publisher, "_hash_tree", failing_hash_tree)
    with pytest.raises(OSError):
        publish([small_sources / "crime.csv"], store, settings)
    assert (store / "current").resolve() == before
    assert check_store(store) == []
    assert not list((store / "versions").glob(".incoming-*"))


def test_publishing_the_same_inputs_twice_gives_identical_data(tmp_path, settings, small_sources):
    first = publish(sorted(small_sources.glob("*.csv")), tmp_path / "a", settings)
    second = publish(sorted(small_sources.glob("*.csv")), tmp_path / "b", settings)
    for name in first["datasets"]:
        assert first["datasets"][name]["files"] == second["datasets"][name]["files"]
    assert first["quarantine_files"] == second["quarantine_files"]


def test_republish_keeps_the_previous_version_for_readers(tmp_path, settings, small_sources):
    store = tmp_path / "store"
    publish([small_sources / "use_of_force.csv"], store, settings)
    reader = Store.open(store)
    publish([small_sources / "crime.csv"], store, settings, replace_all=True)
    assert reader.df("areas", dataset="use_of_force")["incidents"].sum() > 0   # old version still readable
    assert Store.open(store).has("crime") and not Store.open(store).has("use_of_force")


def test_publishing_one_dataset_keeps_the_others_byte_identical(tmp_path, settings, small_sources):
    store = tmp_path / "store"
    first = publish(sorted(small_sources.glob("*.csv")), store, settings)
    second = publish([small_sources / "crime.csv"], store, settings)
    assert second["kept"] == ["calls", "use_of_force"]
    for name in second["kept"]:
        assert second["datasets"][name]["files"] == first["datasets"][name]["files"]
        assert second["datasets"][name]["published_in"] == first["version"]
    third = publish([small_sources / "calls.csv"], store, settings)   # the first version is pruned now
    assert not (store / "versions" / first["version"]).exists()
    assert third["datasets"]["use_of_force"]["files"] == first["datasets"]["use_of_force"]["files"]
    assert check_store(store) == []
    revisions = second["datasets"]["crime"]["revisions"]   # the same file again: nothing changed
    assert (revisions["added"], revisions["removed"], revisions["recoded"]) == (0, 0, 0)


def test_a_store_with_quarantined_rows_in_one_dataset_only_reads_together(tmp_path, settings, small_sources):
    """Empty quarantine files are typed, so the quarantine view reads them beside a non-empty one."""
    src = write_csv(tmp_path / "c.csv", CRIME_HEADER, [crime_row("1"), crime_row("")])
    publish([src], tmp_path / "store", settings)
    reasons = Store.open(tmp_path / "store").df("quarantine_reasons")
    assert reasons[["dataset", "reason", "rows"]].values.tolist() == [["crime", "missing id", 1]]
    assert check_store(tmp_path / "store") == []


def test_check_finds_files_that_cannot_be_read_together(tmp_path, settings):
    import pyarrow as pa
    src = write_csv(tmp_path / "c.csv", CRIME_HEADER, [crime_row("1"), crime_row("")])
    publish([src], tmp_path / "store", settings)
    root = tmp_path / "store" / "current"   # an empty quarantine file as the old publisher wrote it
    empty = root / "quarantine" / "calls.parquet"
    pq.write_table(pa.table({c: pa.array([], pa.null()) for c in pq.read_schema(empty).names}), empty)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["quarantine_files"]["quarantine/calls.parquet"]["sha256"] = sha256_of(empty)
    (root / "manifest.json").write_text(json.dumps(manifest))
    problems = check_store(tmp_path / "store")
    assert problems[0].startswith("quarantine/calls.parquet and quarantine/crime.parquet, read together by one "
                                  "view, disagree on their columns: dataset null / string"), problems


def test_a_dataset_without_rows_still_has_its_typed_table(tmp_path, settings, small_sources):
    publish([small_sources / "use_of_force.csv"], tmp_path / "store", settings)
    store = Store.open(tmp_path / "store")
    assert store.datasets == ["use_of_force"]
    crime_schema = pq.read_schema(tmp_path / "store" / "current" / "crime" / "year=0" / "part_0.parquet")
    assert "offense_group" in crime_schema.names
    assert store.df("areas", dataset="crime").empty


def test_duplicate_source_file_is_refused(tmp_path, settings, small_sources):
    copy = tmp_path / "copy.csv"
    shutil.copy(small_sources / "use_of_force.csv", copy)
    with pytest.raises(SourceError, match="given twice"):
        publish([small_sources / "use_of_force.csv", copy], tmp_path / "store", settings)


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", b"\xef\xbb\xbf\"Report Num"])
def test_a_file_cut_right_after_its_byte_order_mark_is_refused_in_one_line(tmp_path, settings, content):
    path = tmp_path / "cut.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError) as err:
        publish([path], tmp_path / "store", settings)
    assert "cut.csv" in str(err.value) and "\n" not in str(err.value)


UCR_HEADER = ["Report Number", "Occurred Date", "Occurred Time", "Reported Date", "Reported Time", "Crime Subcategory",
              "Primary Offense Description", "Precinct", "Sector", "Beat", "Neighborhood"]


def test_the_older_ucr_layout_publishes_into_crime(tmp_path, settings):
    rows = [
        ["20180000707", "01/01/2018", "0", "01/01/2018", "1500", "BURGLARY-RESIDENTIAL", "BURGLARY-FORCE-RES",
         "SOUTHWEST", "W", "W2", "ALASKA JUNCTION"],
        ["2018000079405", "2018-03-05", "1725", "2018-03-06", "NA", "THEFT-SHOPLIFT", "NA", "NA", "NA", "NA", "NA"],
        ["2018000012345", "NA", "NA", "03/07/2018", "0930", "RAPE", "RAPE-FORCE", "NORTH", "B", "B1", "BALLARD"],
        ["2018000012346", "03/07/2018", "2460", "03/07/2018", "0930", "SEX OFFENSE-OTHER", "", "NORTH", "B", "B1", ""],
        ["NA", "03/07/2018", "1200", "03/07/2018", "1300", "ARSON", "ARSON", "EAST", "E", "E1", ""],
        ["2018000012347", "03/08/2018", "1200", "03/08/2018", "1300", "", "", "EAST", "E", "E1", ""],
    ]
    manifest = publish([write_csv(tmp_path / "ucr.csv", UCR_HEADER, rows)], tmp_path / "store", settings)
    info = manifest["datasets"]["crime"]
    assert info["sources"][0]["layout"].startswith("older Crime Data layout") and info["sources"][0]["taxonomy"] == "UCR"
    assert (info["rows_in"], info["rows_published"], info["rows_quarantined"]) == (6, 4, 2)
    df = published_df(tmp_path / "store", "crime").set_index("offense_id")
    assert list(df.index) == ["2018-000707", "2018-079405", "2018-012345", "2018-012347"]   # one form: year-number
    assert (df.report_number == df.index).all() and set(df.taxonomy) == {"UCR"}
    assert str(df.loc["2018-000707", "event_at"]) == "2018-01-01 00:00:00"
    assert str(df.loc["2018-000707", "report_at"]) == "2018-01-01 15:00:00"
    assert str(df.loc["2018-079405", "event_at"]) == "2018-03-05 17:25:00"
    assert str(df.loc["2018-079405", "report_at"]) == "2018-03-06 00:00:00"        # NA time: the day
    assert str(df.loc["2018-012345", "event_at"]) == "2018-03-07 09:30:00"        # no occurred date: reported
    assert df.offense_type.tolist() == ["burglary", "larceny_theft", "rape", "other"]
    assert df.loc["2018-079405", ["precinct", "sector", "beat", "mcpp", "offense"]].isna().sum() == 2   # mcpp, offense
    assert df.loc["2018-079405", ["precinct", "sector", "beat"]].tolist() == ["UNKNOWN"] * 3
    assert df.loc["2018-012345", "location_withheld"] and not df.loc["2018-000707", "location_withheld"]
    assert df.loc["2018-000707", "mcpp"] == "ALASKA JUNCTION" and (df.crime_against == "UNKNOWN").all()
    reasons = pd.read_parquet(tmp_path / "store" / "current" / "quarantine" / "crime.parquet")
    assert sorted(zip(reasons.record_id.fillna(""), reasons.reason)) == [
        ("", "missing id"), ("2018-012346", "unparseable timestamp")]              # 2460 is no time of day
