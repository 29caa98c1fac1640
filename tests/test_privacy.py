"""The publishing rules in config.toml, proven on every published file."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from seastat.publish import publish

BLOCK_OR_INTERSECTION = re.compile(r"^(\d+XX BLOCK OF .+|[^0-9/][^/]* / .+|.+ / .+)$")


def sensitive_crime(df: pd.DataFrame, privacy) -> pd.Series:
    return (df["offense_code"].isin(privacy.sensitive_offense_codes)
            | df["offense_parent_group"].isin([g.upper() for g in privacy.sensitive_offense_parent_groups])
            | df["offense"].str.upper().isin(privacy.sensitive_offenses))


def sensitive_calls(df: pd.DataFrame, privacy) -> pd.Series:
    text = (df["initial_call_type"].fillna("") + " " + df["final_call_type"].fillna("") + " "
            + df["event_clearance"].fillna("")).str.upper()
    return text.apply(lambda t: any(w in t for w in privacy.sensitive_call_type_words))


@pytest.fixture(params=["bundled", "small"])
def store_root(request, small_store_dir) -> Path:
    from conftest import SYNTH_STORE
    return (SYNTH_STORE if request.param == "bundled" else small_store_dir) / "current"


def test_sensitive_offenses_carry_no_location(store_root, settings):
    crime = pd.read_parquet(store_root / "crime")
    sensitive = sensitive_crime(crime, settings.privacy)
    assert sensitive.sum() > 0, "the sample should hold sensitive offenses to prove the rule on"
    leaked = crime[sensitive & (crime.block_address.notna() | crime.longitude.notna() | crime.latitude.notna())]
    assert leaked.empty
    assert crime.loc[sensitive, "location_withheld"].all()
    calls = pd.read_parquet(store_root / "calls")
    sensitive = sensitive_calls(calls, settings.privacy)
    assert sensitive.sum() > 0
    assert calls[sensitive & (calls.block_address.notna() | calls.longitude.notna())].empty


def test_the_near_repeat_file_holds_only_published_locations(store_root, settings):
    """hotspots/near_repeat.parquet, written at publish for near-repeat risk: only offenses whose
    location is published, never one withheld or sensitive, at the 100-block level."""
    crime = pd.read_parquet(store_root / "crime")
    near = pd.read_parquet(store_root / "hotspots" / "near_repeat.parquet")
    assert len(near) > 0 and set(near["offense_type"]) <= {"burglary", "robbery", "motor_vehicle_theft"}
    hidden = crime[crime["location_withheld"] | sensitive_crime(crime, settings.privacy)]
    assert len(hidden) > 0 and not set(near["id"]) & set(hidden["offense_id"])
    assert near[["longitude", "latitude"]].notna().all().all()
    blocks = near["block_address"].dropna()
    assert blocks.str.match(BLOCK_OR_INTERSECTION).all()


def test_addresses_are_published_only_at_the_100_block_level(store_root):
    for name in ("crime", "calls"):
        addresses = pd.read_parquet(store_root / name, columns=["block_address"])["block_address"].dropna()
        assert len(addresses) > 0
        bad = addresses[~addresses.str.match(BLOCK_OR_INTERSECTION)]
        assert bad.empty, bad.head().tolist()
        assert not addresses.str.contains("REDACTED").any()


def test_no_column_outside_the_published_schema_survives(store_root):
    uof = pd.read_parquet(store_root / "use_of_force")
    assert not {"officer_id", "subject_id", "Officer_ID", "Subject_ID"} & set(uof.columns)
    for name in ("crime", "calls", "use_of_force"):
        cols = set(pd.read_parquet(store_root / name).columns)
        assert not {c for c in cols if "officer" in c.lower() or "subject_id" in c.lower()}


def test_quarantine_files_hold_no_addresses(store_root):
    for path in (store_root / "quarantine").glob("*.parquet"):
        q = pd.read_parquet(path)
        assert set(q.columns) == {"dataset", "source_file", "source_row", "record_id", "reason", "detail"}
        assert not q["detail"].fillna("").str.contains("BLOCK OF").any()


def test_house_numbers_become_100_blocks(tmp_path, settings):
    from test_publish import crime_row, write_csv

    from seastat.synth import CRIME_HEADER
    rows = [crime_row("1", **{"100 Block Address": "1234 PINE ST"}),
            crime_row("2", **{"100 Block Address": "7 MAIN ST"}),
            crime_row("3", **{"100 Block Address": "3RD AVE / PINE ST"}),
            crime_row("4", **{"100 Block Address": "REDACTED"}),
            crime_row("6", **{"100 Block Address": "3RD AVE"}),
            crime_row("5", Offense="Rape", **{"Offense Code": "11A", "Offense Parent Group": "SEX OFFENSES"})]
    publish([write_csv(tmp_path / "c.csv", CRIME_HEADER, rows)], tmp_path / "store", settings)
    df = pd.read_parquet(tmp_path / "store" / "current" / "crime").set_index("offense_id")
    assert df.loc["1", "block_address"] == "12XX BLOCK OF PINE ST"
    assert df.loc["2", "block_address"] == "0XX BLOCK OF MAIN ST"
    assert df.loc["3", "block_address"] == "3RD AVE / PINE ST"
    assert pd.isna(df.loc["4", "block_address"])
    assert df.loc["6", "block_address"] == "3RD AVE"
    assert df.loc["5", ["block_address", "longitude", "latitude"]].isna().all()
    assert df.loc["5", "precinct"] == "West"     # still counted in its precinct
