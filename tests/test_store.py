"""The query layer against independent pandas counts over the same Parquet files."""
from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
from conftest import SYNTH_STORE

WINDOW = dict(start=dt.datetime(2026, 10, 1), end=dt.datetime(2026, 11, 1))


def crime_frame() -> pd.DataFrame:
    return pd.read_parquet(SYNTH_STORE / "current" / "crime")


def test_search_count_matches_pandas(synth_store):
    df = crime_frame()
    in_window = df[(df.event_at >= WINDOW["start"]) & (df.event_at < WINDOW["end"])]
    for precincts, beats, text in [([], [], ""), (["North"], [], ""), ([], ["K1", "K2"], ""),
                                   (["UNKNOWN", "OOJ"], [], ""), ([], [], "shoplift")]:
        expected = in_window
        if precincts:
            expected = expected[expected.precinct.isin(precincts)]
        if beats:
            expected = expected[expected.beat.isin(beats)]
        if text:
            hay = (expected.offense_id + " " + expected.offense_parent_group.fillna("") + " "
                   + expected.offense.fillna("") + " " + expected.block_address.fillna("")).str.lower()
            expected = expected[hay.str.contains(text)]
        got = synth_store.df("search_count", dataset="crime", precincts=precincts, beats=beats, text=text, **WINDOW)
        assert got["matching"].iloc[0] == len(expected), (precincts, beats, text)
        assert len(expected) > 0


def test_hostile_text_is_a_value_not_sql(synth_store):
    before = synth_store.df("search_count", dataset="crime", precincts=[], beats=[], text="", **WINDOW)
    for text in ["'; DROP VIEW crime; --", "%' OR 1=1 --", "\" OR \"\"=\"", "ñ😀" * 500]:
        got = synth_store.df("search_count", dataset="crime", precincts=[text], beats=[], text=text, **WINDOW)
        assert got["matching"].iloc[0] == 0
    after = synth_store.df("search_count", dataset="crime", precincts=[], beats=[], text="", **WINDOW)
    assert before.equals(after) and after["matching"].iloc[0] > 0


def test_many_threads_query_one_store(synth_store):
    expected = synth_store.df("areas", dataset="calls")
    failures = []

    def worker():
        try:
            for _ in range(5):
                assert synth_store.df("areas", dataset="calls").equals(expected)
        except Exception as exc:   # collected: a thread's failure must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_manifest_rows_match_the_views(synth_store):
    for name, info in synth_store.manifest["datasets"].items():
        assert synth_store.df("areas", dataset=name)["incidents"].sum() == info["rows_published"]
