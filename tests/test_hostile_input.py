"""Hostile query input: SQL metacharacters, quotes, unicode, 10,000-character strings, unknown
precincts and periods outside the data, through the query layer and through links to /data.
Values are bound, never pasted into SQL: a `'; DROP VIEW ...` string finds nothing and changes
nothing; a page given one shows a notice and its defaults, never an error."""
from __future__ import annotations

import ast
import datetime as dt
import re

import pandas as pd
import pytest
from conftest import PROJECT_ROOT, SYNTH_STORE, run_page
from streamlit.testing.v1 import AppTest

from seastat.check import check_store
from seastat.store import Store

INJECTIONS = [
    "'; DROP VIEW crime; --", "crime'; DROP VIEW events; --", "' OR '1'='1", "' OR 1=1 --", "\" OR \"\"=\"",
    "North') OR TRUE --", "1; SELECT * FROM quarantine", "$text", "?", "/* */ OR 1=1", "%", "_", "\\", "'",
]
ODD = ["ñ😀" * 500, "\u202eWest", "Nörth", "K1\x00", "A" * 10_000, "\t\n", "<script>alert(1)</script>"]
WINDOW = dict(start=dt.datetime(2026, 10, 1), end=dt.datetime(2026, 11, 1))


def crime() -> pd.DataFrame:
    return pd.read_parquet(SYNTH_STORE / "current" / "crime")


def text_matches(df: pd.DataFrame, text: str) -> pd.Series:
    """The /data text filter, in pandas: case-insensitive substring of id, category, description, address."""
    haystack = df[["offense_id", "offense_parent_group", "offense", "block_address"]].apply(
        lambda row: " ".join(v for v in row if isinstance(v, str)), axis=1).str.lower()
    return haystack.str.contains(text.lower(), regex=False)


def test_every_sql_statement_is_run_from_a_sql_file():
    """Values can only reach DuckDB as bound parameters: no statement is built from Python strings."""
    pasted = []
    for path in [*(PROJECT_ROOT / "seastat").glob("*.py"), *(PROJECT_ROOT / "pages").glob("*.py"),
                 PROJECT_ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "executemany") and node.args):
                first = node.args[0]
                if not (isinstance(first, ast.Call) and getattr(first.func, "id", None) == "sql"):
                    pasted.append(f"{path.name}:{node.lineno}")
    assert pasted == []


def test_hostile_values_are_bound_and_find_only_what_they_literally_say(synth_store):
    df = crime()
    in_window = df[(df.event_at >= WINDOW["start"]) & (df.event_at < WINDOW["end"])]
    before = synth_store.df("areas", dataset="crime")
    for value in INJECTIONS + ODD:
        text = synth_store.df("search_count", dataset="crime", precincts=[], beats=[], text=value, **WINDOW)
        assert text["matching"].iloc[0] == text_matches(in_window, value).sum(), value
        precincts = synth_store.df("search_count", dataset="crime", precincts=[value, "North"], beats=[],
                                     text="", **WINDOW)
        assert precincts["matching"].iloc[0] == (in_window.precinct == "North").sum(), value   # a literal name
        beats = synth_store.df("search_count", dataset="crime", precincts=[], beats=[value], text="", **WINDOW)
        assert beats["matching"].iloc[0] == 0, value
        assert synth_store.df("search_count", dataset=value, precincts=[], beats=[], text="",
                                **WINDOW)["matching"].iloc[0] == 0
        assert synth_store.df("areas", dataset=value).empty
    assert text_matches(in_window, "' OR '1'='1").sum() == 0 < len(in_window)   # pasted, it would match all
    # Nothing changed: the same answers, the views of a fresh connection, the files on disk.
    assert synth_store.df("areas", dataset="crime").equals(before)
    assert before["incidents"].sum() == len(df)
    fresh = Store.open(SYNTH_STORE)
    assert fresh.df("areas", dataset="crime").equals(before)
    assert check_store(SYNTH_STORE) == []


@pytest.mark.parametrize("start,end", [(dt.datetime(1900, 1, 1), dt.datetime(1900, 1, 15)),
                                       (dt.datetime(2099, 1, 1), dt.datetime(2099, 1, 15)),
                                       (dt.datetime(2026, 11, 1), dt.datetime(2026, 10, 1))])   # end before start
def test_periods_outside_the_data_count_nothing(synth_store, start, end):
    got = synth_store.df("search_count", dataset="crime", precincts=[], beats=[], text="", start=start, end=end)
    df = crime()
    assert got["matching"].iloc[0] == ((df.event_at >= start) & (df.event_at < end)).sum() == 0


# --- Links to /data carrying hostile values --------------------------------------------------------


def open_data_page(params: dict[str, str]) -> AppTest:
    return run_page("data", params)


def records_shown(at: AppTest) -> int:
    heading = next(h.value for h in at.subheader if " records, " in h.value)
    return int(re.search(r": ([\d,]+) records", heading).group(1).replace(",", ""))


LINKS = {
    "injection": dict(dataset="crime'; DROP VIEW crime; --", period="2026-11-02'; DROP VIEW events; --",
                      precinct="North') OR 1=1 --,North", beat="' OR ''='", q="'; DROP VIEW crime; --"),
    "quotes and unicode": dict(dataset='calls"', period="２０２６-１１-０２", precinct="Nörth,\u202eWest,North",
                               beat="K1\x00", q="ñ😀\u202e\"'`"),
    "10,000 characters": dict(dataset="A" * 10_000, period="9" * 10_000, precinct="B" * 10_000,
                              beat="C" * 10_000, q="D" * 10_000),
    "unknown places": dict(precinct="Narnia,Downtown,North", beat="Z9,K1"),
    "periods outside the data": dict(period="1900-01-01"),
    "a period in the future": dict(period="2099-12-28"),
    "not a period start": dict(period="2026-11-03"),
}


@pytest.mark.parametrize("name", LINKS)
def test_a_hostile_link_shows_a_notice_and_the_defaults(name, synth_store):
    params = LINKS[name]
    at = open_data_page(params)
    assert not at.exception
    assert not at.error
    notes = " ".join(i.value for i in at.info)
    defaults = open_data_page({})
    for key, what in [("dataset", "dataset"), ("period", "period")]:
        if key in params:                                      # refused with a notice, default shown
            assert f"link's {what}" in notes
            assert at.selectbox(key=key).value == defaults.selectbox(key=key).value
    if "precinct" in params:
        assert "link's precinct" in notes
        allowed = set(defaults.multiselect(key="precincts").options)
        assert at.multiselect(key="precincts").value == [p for p in params["precinct"].split(",") if p in allowed]
    if "beat" in params:
        assert "link's beat" in notes
    assert max(map(len, notes.split("“"))) < 400               # a 10,000-character value is shortened
    # The free text is searched as text: the count is pandas' count of that literal text.
    period = at.selectbox(key="period").value
    df = crime()
    shown = df[(df.event_at >= pd.Timestamp(period.start)) & (df.event_at < pd.Timestamp(period.end))]
    precincts = at.multiselect(key="precincts").value
    if precincts:
        shown = shown[shown.precinct.isin(precincts)]
    beats = at.multiselect(key="beats").value
    if beats:
        shown = shown[shown.beat.isin(beats)]
    text = params.get("q", "")[:200].strip()
    assert records_shown(at) == (text_matches(shown, text).sum() if text else len(shown))
    # The views are intact afterwards.
    assert Store.open(SYNTH_STORE).df("areas", dataset="crime")["incidents"].sum() == len(df)
