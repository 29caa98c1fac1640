"""Commitments: the database (on SQLite and on a real PostgreSQL started for the session), its
migrations, the history that keeps every change, two writers at once, bad input, the result of a
commitment on a store with planted changes (known truth), the chart, and `seastat actions`."""
from __future__ import annotations

import datetime as dt
import json
import re
import threading

import altair as alt
import numpy as np
import pandas as pd
import planted
import pytest
from conftest import PROJECT_ROOT
from sqlalchemy import inspect

from seastat import cli, compstat, export
from seastat.access import Counting
from seastat.actions import (
    IMPROVED,
    NO_CHANGE,
    NOT_ENOUGH,
    WORSE,
    ActionError,
    Actions,
    Counts,
    Draft,
    Known,
    StaleCommitment,
    before_after_chart,
    did_test,
    downgrade,
    judge,
    result,
    results_table,
    revision,
    upgrade,
)
from seastat.actions.outcome import chart_frame, windows
from seastat.config import load_settings
from seastat.publish import publish
from seastat.store import Store

pytest_plugins = ["pg_server"]   # database_url: SQLite, then PostgreSQL

KNOWN = Known(precincts=frozenset({"East", "North"}), sectors={"C": "East", "E": "East", "B": "North"},
              beats={"C1": "East", "C2": "East", "E1": "East", "B1": "North"},
              blocks={"1XX BLOCK OF C1 AVE": "East"},
              targets={"crime": ("all", "violent", "property", "burglary"), "calls": ("all", "TRESPASS")})
START, DUE = dt.date(2026, 10, 5), dt.date(2026, 11, 2)


def draft(**changes) -> Draft:
    values = dict(what="Emphasis patrol on the 1XX block, evenings", owner="East Precinct ACT", place_level="beat",
                  place_value="C1", dataset="crime", target="burglary", start_date=START, due_date=DUE,
                  measure="Burglaries in C1 against the rest of East")
    return Draft(**values | changes)


@pytest.fixture
def db(database_url):
    actions = Actions.open(database_url)
    yield actions
    actions.close()


# --- The database -----------------------------------------------------------------------------------

def test_migrations_run_on_open_and_go_down_and_up_again(database_url):
    actions = Actions.open(database_url)
    assert revision(actions.engine) == "0001"
    assert {"commitments", "commitment_changes", "alembic_version"} <= set(inspect(actions.engine).get_table_names())
    actions.add(draft(), by="ana", known=KNOWN)
    downgrade(actions.engine)
    assert revision(actions.engine) is None
    assert not {"commitments", "commitment_changes"} & set(inspect(actions.engine).get_table_names())
    upgrade(actions.engine)
    assert revision(actions.engine) == "0001" and actions.list() == []
    again = Actions.open(database_url)          # opening a migrated database changes nothing
    assert revision(again.engine) == "0001"
    again.close()
    actions.close()


def test_a_commitment_reads_back_as_recorded_with_its_creation_in_the_history(db):
    made = db.add(draft(), by="Sgt. Ana Ruiz", known=KNOWN)
    got = db.get(made.id)
    assert got == made
    assert (got.what, got.place, got.target_label, got.status, got.version) == (
        "Emphasis patrol on the 1XX block, evenings", "Beat C1", "Burglary", "open", 1)
    assert got.created_by == got.updated_by == "Sgt. Ana Ruiz"
    history = db.history(made.id)
    assert {c.field for c in history} >= {"what", "place_value", "due_date", "status"}
    assert all(c.version == 1 and c.old is None and c.changed_by == "Sgt. Ana Ruiz" for c in history)
    assert next(c.new for c in history if c.field == "due_date") == "2026-11-02"


def test_places_and_targets_are_stored_as_the_store_spells_them(db):
    made = db.add(draft(place_level="precinct", place_value="east", target="BURGLARY"), by="ana", known=KNOWN)
    assert (made.place_value, made.target) == ("East", "burglary")
    made = db.add(draft(place_level="block", place_value="1xx block of  c1 ave"), by="ana", known=KNOWN)
    assert made.place == "Block 1XX BLOCK OF C1 AVE"


def test_every_change_is_kept_and_nothing_is_deleted(db):
    made = db.add(draft(), by="ana", known=KNOWN)
    v2 = db.update(made.id, version=1, by="bo", known=KNOWN, what="Emphasis patrol, evenings and weekends")
    v3 = db.update(made.id, version=2, by="cy", known=KNOWN, status="dropped", status_note="Unit reassigned")
    assert (v2.version, v3.version, v3.status, v3.updated_by) == (2, 3, "dropped", "cy")
    changes = [(c.version, c.changed_by, c.field, c.old, c.new) for c in db.history(made.id) if c.version > 1]
    assert changes == [
        (2, "bo", "what", "Emphasis patrol on the 1XX block, evenings", "Emphasis patrol, evenings and weekends"),
        (3, "cy", "status", "open", "dropped"),
        (3, "cy", "status_note", "", "Unit reassigned"),
    ]
    assert [r.id for r in db.list()] == [made.id]          # dropped is a status: still there
    assert db.list(status="open") == [] and [r.id for r in db.list(status="dropped")] == [made.id]
    assert not hasattr(db, "delete")
    same = db.update(made.id, version=3, by="dee", known=KNOWN, status_note="Unit reassigned")
    assert same.version == 3 and len(db.history(made.id)) == len(changes) + 13   # no change, no new row


def test_the_second_writer_is_told_and_shown_the_first_change_and_loses_nothing(db):
    made = db.add(draft(), by="ana", known=KNOWN)
    seen_by_bo = seen_by_cy = db.get(made.id).version        # both open the commitment at version 1
    db.update(made.id, version=seen_by_bo, by="bo", known=KNOWN, status="done", status_note="Patrol ended 11/01")
    with pytest.raises(StaleCommitment) as stale:
        db.update(made.id, version=seen_by_cy, by="cy", known=KNOWN, owner="East Precinct CPT")
    err = stale.value
    assert "bo" in str(err) and "status “open” → “done”" in str(err) and "\n" not in str(err)
    assert [(c.changed_by, c.field, c.new) for c in err.theirs] == [("bo", "status", "done"),
                                                                   ("bo", "status_note", "Patrol ended 11/01")]
    assert err.current.version == 2 and err.current.owner == "East Precinct ACT"   # cy's change not written
    db.update(made.id, version=err.current.version, by="cy", known=KNOWN, owner="East Precinct CPT")
    now = db.get(made.id)
    assert (now.status, now.status_note, now.owner, now.version) == ("done", "Patrol ended 11/01", "East Precinct CPT", 3)


def test_a_writer_landing_between_read_and_write_is_caught_by_the_database(db):
    """The other writer commits after our version check passed and before our UPDATE: on
    PostgreSQL the UPDATE ... WHERE version = 1 then matches nothing; on SQLite the other writer
    waits for our BEGIN IMMEDIATE and is the one told. Either way one wins, one is told."""
    made = db.add(draft(), by="ana", known=KNOWN)
    outcome = {}

    def other_writer():
        try:
            outcome["bo"] = db.update(made.id, version=1, by="bo", known=KNOWN, measure="Burglaries, weekly")
        except StaleCommitment as exc:
            outcome["bo"] = exc

    thread = threading.Thread(target=other_writer)

    def in_the_gap():
        db._before_write = None
        thread.start()
        thread.join(timeout=2)        # PostgreSQL: bo commits now; SQLite: bo waits for our lock

    db._before_write = in_the_gap
    try:
        outcome["ana"] = db.update(made.id, version=1, by="ana", known=KNOWN, what="Patrol, evenings")
    except StaleCommitment as exc:
        outcome["ana"] = exc
    thread.join(timeout=60)
    won = [who for who, o in outcome.items() if not isinstance(o, Exception)]
    told = {who: o for who, o in outcome.items() if isinstance(o, StaleCommitment)}
    assert len(won) == 1 and len(told) == 1
    winner, (_, err) = won[0], next(iter(told.items()))
    assert {c.changed_by for c in err.theirs} == {winner}
    now = db.get(made.id)
    assert now.version == 2
    assert (now.what, now.measure) == (("Patrol, evenings", draft().measure) if winner == "ana"
                                       else (draft().what, "Burglaries, weekly"))
    expected_backend = "ana" if db.engine.dialect.name == "sqlite" else "bo"
    assert winner == expected_backend


def test_two_people_editing_at_once_lose_no_update(db):
    """Two threads each make ten edits to one commitment's note, re-reading when told their
    version is stale: all twenty edits are in the note and in the history."""
    made = db.add(draft(), by="ana", known=KNOWN)
    told = []

    def editor(name: str):
        for i in range(10):
            while True:
                current = db.get(made.id)
                try:
                    db.update(made.id, version=current.version, by=name, known=KNOWN,
                              status_note=f"{current.status_note} {name}{i}".strip())
                    break
                except StaleCommitment:
                    told.append(name)

    threads = [threading.Thread(target=editor, args=(n,)) for n in ("ana", "bo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    note = db.get(made.id).status_note.split()
    assert sorted(note) == sorted(f"{n}{i}" for n in ("ana", "bo") for i in range(10))
    notes = [c for c in db.history(made.id) if c.field == "status_note" and c.version > 1]
    assert len(notes) == 20 and db.get(made.id).version == 21
    assert [c.version for c in notes] == list(range(2, 22))


# --- Bad input --------------------------------------------------------------------------------------

BAD = {
    "empty what": (dict(what="   "), "What is empty"),
    "unknown beat": (dict(place_value="Z9"), "unknown beat “Z9”"),
    "unknown precinct": (dict(place_level="precinct", place_value="Narnia"), "unknown precinct"),
    "unknown level": (dict(place_level="street"), "place level"),
    "due before start": (dict(due_date=dt.date(2026, 10, 1)), "the due date 2026-10-01 is before the start 2026-10-05"),
    "100,000 characters": (dict(what="A" * 100_000), "What is 100,000 characters long; at most 2,000"),
    "script": (dict(what="<script>alert(1)</script>"), "What contains markup"),
    "tag in owner": (dict(owner="<b>ACT</b>"), "Owner contains markup"),
    "image tag": (dict(measure="see <img src=x onerror=alert(1)>"), "Measure contains markup"),
    "control character": (dict(what="patrol\x00"), "control characters"),
    "bidi override": (dict(owner="\u202eTCA"), "control characters"),
    "unknown target": (dict(target="jaywalking"), "unknown target “jaywalking”"),
    "dataset without rows": (dict(dataset="use_of_force"), "has no published rows"),
    "comparison is the place": (dict(comparison_level="beat", comparison_value="C1"), "the place itself"),
    "unknown comparison": (dict(comparison_level="sector", comparison_value="Q"), "unknown sector “Q”"),
    "not a date": (dict(start_date="next week"), "not a date"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_clear_line_and_writes_nothing(db, case):
    changes, message = BAD[case]
    with pytest.raises(ActionError) as err:
        db.add(draft(**changes), by="ana", known=KNOWN)
    assert message in str(err.value) and "\n" not in str(err.value) and len(str(err.value)) < 300
    assert db.list() == [] and db.history() == []


def test_bad_updates_are_refused_and_change_nothing(db):
    made = db.add(draft(), by="ana", known=KNOWN)
    for changes, message in [(dict(status="done"), "say in the note why"), (dict(status="finished"), "not one of"),
                             (dict(due_date=dt.date(2026, 9, 1)), "before the start"),
                             (dict(version_number=3), "cannot change version_number"),
                             (dict(status_note="x" * 100_000), "100,000 characters")]:
        with pytest.raises(ActionError, match=re.escape(message)):
            db.update(made.id, version=1, by="bo", known=KNOWN, **changes)
    with pytest.raises(ActionError, match="Your name is empty"):
        db.update(made.id, version=1, by=" ", known=KNOWN, what="x")
    with pytest.raises(ActionError, match="no commitment #999"):
        db.update(999, version=1, by="bo", known=KNOWN, what="x")
    assert db.get(made.id) == made and len(db.history()) == 13


@pytest.mark.parametrize("text", ["'; DROP TABLE commitments; --", "Robert'); DELETE FROM commitment_changes; --",
                                  "x < 5 & y > 3 \"quoted\" `back` \\ %s %(x)s ?", "ñ😀 Ünïcode, 北京, עברית",
                                  "line one\nline two", "*not bold* [not a link](javascript:alert(1))"])
def test_text_is_stored_as_exactly_what_was_typed(db, text):
    made = db.add(draft(what=text, measure=text), by="o'brien", known=KNOWN)
    got = db.get(made.id)
    assert (got.what, got.measure, got.created_by) == (text, text, "o'brien")
    assert len(db.list()) == 1 and len(db.history()) == 13          # nothing dropped, nothing run


def test_the_database_url_comes_from_settings_or_the_environment(monkeypatch, tmp_path):
    settings = load_settings()
    monkeypatch.delenv("SEASTAT_DATABASE_URL", raising=False)
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'actions.sqlite'}"
    monkeypatch.setenv("SEASTAT_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert settings.database_url == f"sqlite:///{tmp_path / 'x.sqlite'}"
    config = tmp_path / "config.toml"
    config.write_text((PROJECT_ROOT / "config.toml").read_text().replace('database_url = ""', 'database_url = "mysql://x"'))
    with pytest.raises(Exception, match="actions.database_url.*mysql is not supported"):
        load_settings(config)


def test_an_unreachable_database_is_one_line(tmp_path):
    with pytest.raises(ActionError) as err:
        Actions.open("postgresql://nobody:secret@/nowhere?host=/nonexistent-socket-dir")
    assert "cannot open the commitments database" in str(err.value) and "secret" not in str(err.value)
    assert "\n" not in str(err.value)
    with pytest.raises(ActionError, match="not supported"):
        Actions.open("mysql://x@y/z")


# --- Results: the difference-in-differences on exact numbers ------------------------------------------

LEVEL = compstat.alpha(2.0)


def test_the_test_flags_a_drop_the_comparison_does_not_share():
    p, expected, flag = did_test(Counts(60, 20, 500, 510), LEVEL)
    assert flag == "▼" and p < 1e-4 and expected == pytest.approx(61.2)
    p, expected, flag = did_test(Counts(60, 62, 500, 510), LEVEL)
    assert flag == "" and p > 0.5
    p, _, flag = did_test(Counts(60, 20, 500, 170), LEVEL)        # the comparison fell alike
    assert flag == "" and p > 0.5
    assert did_test(Counts(60, 130, 500, 510), LEVEL)[2] == "▲"


@pytest.mark.parametrize("place,comparison", [(20, 280), (20, 60), (20, 20), (5, 70)])
def test_noise_is_flagged_no_more_often_than_the_significance_level(place, comparison):
    """No commitment effect at all: the place's and the comparison's rates stay put, counts are
    Poisson. The share of commitments flagged stays at or under alpha (4.55 %), also when the
    comparison area is no bigger than the place (where the plug-in test alone flags 13 %)."""
    rng = np.random.default_rng(place * 1000 + comparison)
    n = 3000
    a0, a1 = rng.poisson(place, n), rng.poisson(place, n)
    c0, c1 = rng.poisson(comparison, n), rng.poisson(comparison, n)
    flagged = [did_test(Counts(*v), LEVEL)[2] != "" for v in zip(a0, a1, c0, c1) if v[2] and v[3]]
    assert np.mean(flagged) <= LEVEL + 0.01


def test_the_verdicts_read_as_the_meeting_would_say_them():
    record = _record()
    kw = dict(comparison="the rest of East precinct", level=LEVEL)
    before, since = planted_windows()
    improved = judge(record, Counts(63, 22, 504, 567), before, since, **kw)
    assert improved.verdict == IMPROVED and improved.text.startswith("▼ Improvement: Burglary in Beat C1: 63 in the 70")
    alike = judge(record, Counts(63, 22, 504, 176), before, since, **kw)
    assert alike.verdict == NO_CHANGE and "not credited to the commitment" in alike.text and "fell 65%" in alike.text
    assert judge(record, Counts(63, 130, 504, 520), before, since, **kw).verdict == WORSE
    none = judge(record, Counts(0, 0, 504, 520), before, since, **kw)
    assert none.verdict == NO_CHANGE and none.p == 1
    empty = judge(record, Counts(3, 1, 0, 2), before, since, **kw)
    assert empty.verdict == NOT_ENOUGH and "had no burglary before the start" in empty.text


SMALL = dict(start_date=dt.date(2026, 11, 15), place_value="L2")   # 8 days: 2 burglaries before, 1 since


def test_a_partner_reads_fewer_than_3_and_nothing_computed_from_a_small_count():
    record = _record(**SMALL)
    before, since = windows(SMALL["start_date"], planted.LAST)
    kw = dict(comparison="the rest of North precinct", level=LEVEL)
    small = judge(record, Counts(2, 1, 20, 17), before, since, **kw)
    assert small.told().startswith("No detectable change against the comparison: Burglary in Beat L2: 2 in the 8 days "
                                   "before the start, 1 since; the rest of North precinct went from 20 to 17 (-15%), "
                                   "which predicts 1.7 (exact Poisson test p = ")
    partner = small.told(Counting(3))
    assert partner == ("No detectable change against the comparison: Burglary in Beat L2: fewer than 3 in the 8 days "
                       "before the start, fewer than 3 since; the rest of North precinct went from 20 to 17 (-15%) "
                       "(exact Poisson test; figures computed from counts under 3 are not shown).")
    # only the count since is small: the expected count (from the others) stays, its percentage and p go
    drop = judge(record, Counts(63, 2, 504, 567), before, since, **kw)
    assert drop.verdict == IMPROVED and drop.told(Counting(3)) == (
        "▼ Improvement: Burglary in Beat L2: 63 in the 8 days before the start, fewer than 3 since; the rest of North "
        "precinct went from 504 to 567 (+12%), which predicts 70.9 (exact Poisson test; figures computed from "
        "counts under 3 are not shown).")
    # counts of 3 and more (and zeros) read exactly as command staff read them
    assert judge(record, Counts(63, 22, 504, 567), before, since, **kw).told(Counting(3)) == \
        judge(record, Counts(63, 22, 504, 567), before, since, **kw).text
    # the chart: no point (and no tooltip count) for a count under 3 or an index computed from one
    frame = chart_frame(small, Counting(3)).set_index(["area", "window"])
    assert frame.loc["Beat L2", ["count", "relative"]].isna().all().all()
    assert frame.loc["the rest of North precinct", "count"].tolist() == [20, 17]
    assert chart_frame(small).set_index(["area", "window"]).loc["Beat L2", "count"].tolist() == [2, 1]


def _record(**changes):
    from seastat.actions.db import Record
    now = dt.datetime(2026, 9, 14, 10)
    values = dict(id=1, what="Patrol", owner="ACT", place_level="beat", place_value="C1", comparison_level=None,
                  comparison_value=None, dataset="crime", target="burglary", start_date=planted.START,
                  due_date=dt.date(2026, 11, 23), measure="burglaries", status="open", status_note="",
                  created_by="ana", created_at=now, updated_by="ana", updated_at=now, version=1)
    return Record(**values | changes)


def planted_windows():
    from seastat.actions.outcome import windows
    return windows(planted.START, planted.LAST)


# --- Results on a published store with planted changes (known truth) ------------------------------

@pytest.fixture(scope="session")
def planted_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    truth = planted.write_export(folder / "crime.csv")
    publish([folder / "crime.csv"], folder / "store", load_settings())
    store = Store.open(folder / "store")
    yield store, truth, folder / "store"
    store.close()


CASES = {   # place, target, comparison -> the verdict the planted truth calls for
    "the planted drop is credited": (("beat", "C1"), "burglary", None, IMPROVED),
    "no change reads no detectable change": (("beat", "E2"), "burglary", None, NO_CHANGE),
    "a drop shared by the comparison is not credited": (("beat", "B1"), "burglary", None, NO_CHANGE),
    "a planted rise is worse": (("beat", "G3"), "burglary", None, WORSE),
    "a sector holding the drop": (("sector", "C"), "burglary", None, IMPROVED),
    "an untouched target in the dropped beat": (("beat", "C1"), "larceny_theft", None, NO_CHANGE),
    "the drop inside property crime": (("beat", "C1"), "property", None, IMPROVED),
    "a block of the dropped beat": (("block", "1XX BLOCK OF C1 AVE"), "burglary", None, IMPROVED),
    "a precinct-wide drop against the rest of the city": (("precinct", "North"), "burglary", None, IMPROVED),
    "against a chosen place that dropped alike": (("beat", "C1"), "burglary", ("precinct", "North"), NO_CHANGE),
    "against a chosen unchanged sector": (("beat", "C1"), "burglary", ("sector", "E"), IMPROVED),
}


@pytest.mark.parametrize("case", CASES)
def test_results_on_planted_changes(planted_store, case):
    store, truth, _ = planted_store
    settings = load_settings()
    known = Known.from_store(store, settings)
    (level, value), target, comparison, verdict = CASES[case]
    record = _record(place_level=level, place_value=value, target=target,
                     comparison_level=comparison and comparison[0], comparison_value=comparison and comparison[1])
    got = result(store, record, known, settings)
    assert got.verdict == verdict, got.text
    assert got.since.start == planted.START and got.since.last_day == planted.LAST
    assert got.before.days == got.since.days == 70 and got.before.end == planted.START
    # the four counts are pandas' own count of the generated rows
    area = comparison or (("city", "") if level == "precinct" else ("precinct", known.precinct_of(level, value)))
    offenses = list(settings.offense_groups.get(target, [target]))
    column = {"block": "block"}.get(level, level)
    assert (got.counts.place_before, got.counts.place_since, got.counts.comparison_before,
            got.counts.comparison_since) == planted.truth_counts(
        truth, place=(column, value), area=area, offenses=offenses,
        before=(got.before.start, got.before.end), since=(got.since.start, got.since.end))
    if case == "a drop shared by the comparison is not credited":
        assert "not credited to the commitment" in got.text and got.comparison == "the rest of North precinct"


def test_a_commitment_starting_after_the_data_or_too_early_is_not_judged(planted_store):
    store, _, _ = planted_store
    settings = load_settings()
    known = Known.from_store(store, settings)
    late = result(store, _record(start_date=dt.date(2026, 12, 1), due_date=dt.date(2026, 12, 14)), known, settings)
    assert late.verdict == NOT_ENOUGH and "after the data's last day (2026-11-22)" in late.text
    early = result(store, _record(start_date=dt.date(2026, 6, 1)), known, settings)
    assert early.verdict == NOT_ENOUGH and "before the data begins (2026-05-01)" in early.text


def test_known_places_come_from_the_store(planted_store):
    store, truth, _ = planted_store
    known = Known.from_store(store, load_settings())
    assert known.precincts == {"East", "North"}
    assert known.beats == dict(planted.BEATS)
    assert set(known.blocks) == set(truth["block"])
    assert known.targets["crime"][:3] == ("all", "violent", "property") and "burglary" in known.targets["crime"]


def test_the_before_after_chart_shows_the_place_falling_below_its_comparison(planted_store):
    store, _, _ = planted_store
    settings = load_settings()
    known = Known.from_store(store, settings)
    got = result(store, _record(), known, settings)
    chart = before_after_chart(got)
    assert isinstance(chart, alt.Chart)
    frame = chart_frame(got).set_index(["area", "window"])["relative"]
    assert frame[("Beat C1", "Before")] == frame[("the rest of East precinct", "Before")] == 100
    assert frame[("Beat C1", "Since start")] < 50 < 90 < frame[("the rest of East precinct", "Since start")]
    svg = export.chart_svg(chart).decode()
    assert "Beat C1" in svg and "the rest of East precinct" in svg
    table = results_table([_record()], {1: got})
    assert table.loc[0, "Result"] == IMPROVED and table.loc[0, "Since"] == got.counts.place_since


# --- seastat actions ----------------------------------------------------------------------------------

@pytest.fixture
def cli_config(planted_store, database_url, tmp_path, monkeypatch):
    _, _, store_dir = planted_store
    monkeypatch.delenv("SEASTAT_DATABASE_URL", raising=False)
    monkeypatch.setenv("SEASTAT_USER", "analyst")
    text = (PROJECT_ROOT / "config.toml").read_text()
    text = text.replace('store = "data/store"', f'store = "{store_dir}"')
    text = text.replace('boundaries = "data/boundaries"', f'boundaries = "{PROJECT_ROOT / "data" / "boundaries"}"')
    text = text.replace('database_url = ""', f'database_url = "{database_url}"')
    path = tmp_path / "config.toml"
    path.write_text(text)
    return str(path)


def run(capsys, config: str, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--config", config, "actions", *args])
    out, err = capsys.readouterr()
    return code, out, err


ADD = ["add", "--what", "Problem-solving project at the 1XX block", "--owner", "SDOT + East CPT", "--level", "beat",
       "--place", "C1", "--target", "burglary", "--start", "2026-09-14", "--due", "2026-11-23",
       "--measure", "Burglaries against the rest of East"]


def test_cli_add_list_update_export(capsys, cli_config, tmp_path):
    code, out, err = run(capsys, cli_config, *ADD)
    assert (code, err) == (0, "") and out.startswith("added commitment #1 (version 1): Beat C1, Burglary, due 2026-11-23")
    code, out, _ = run(capsys, cli_config, "list", "--results")
    assert code == 0 and "#1" in out and "open" in out and "▼ Improvement" in out
    code, out, err = run(capsys, cli_config, "update", "1", "--version", "1", "--status", "done",
                         "--note", "Project finished; lighting fixed")
    assert code == 0 and "updated commitment #1 to version 2: status “open” → “done”" in out
    code, out, err = run(capsys, cli_config, "update", "1", "--version", "1", "--owner", "Someone else")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "was changed by analyst" in err and "your change was not saved" in err
    code, out, _ = run(capsys, cli_config, "export", "--format", "json")
    rows = json.loads(out)
    assert [(r["id"], r["status"], r["status_note"], r["version"]) for r in rows] == [
        (1, "done", "Project finished; lighting fixed", 2)]
    code, _, err = run(capsys, cli_config, "export", "--format", "csv", "--out", str(tmp_path / "c.csv"))
    table = pd.read_csv(tmp_path / "c.csv")
    assert code == 0 and table.loc[0, "what"] == "Problem-solving project at the 1XX block" and table.loc[0, "version"] == 2
    code, out, _ = run(capsys, cli_config, "export", "--history", "--format", "csv")
    history = pd.read_csv(pd.io.common.StringIO(out))
    assert set(history["version"]) == {1, 2} and (history["changed_by"] == "analyst").all()


@pytest.mark.parametrize("args,message", [
    (["--what", ""], "What is empty"),
    (["--place", "Z9"], "unknown beat “Z9”"),
    (["--due", "2026-09-01"], "is before the start"),
    (["--what", "<script>alert(1)</script>"], "contains markup"),
    (["--what", "x" * 100_000], "100,000 characters"),
    (["--target", "'; DROP TABLE commitments; --"], "unknown target"),
])
def test_cli_bad_input_is_one_line_exit_2(capsys, cli_config, args, message):
    argv = list(ADD)
    for flag, value in zip(args[::2], args[1::2]):
        argv[argv.index(flag) + 1] = value
    code, out, err = run(capsys, cli_config, *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1 and len(err) < 400
    code, out, _ = run(capsys, cli_config, "list")
    assert out.strip() == "no commitments"


def test_cli_csv_export_does_not_hand_a_spreadsheet_a_formula(capsys, cli_config):
    argv = list(ADD)
    argv[argv.index("--what") + 1] = "=HYPERLINK(\"http://example.invalid\")"
    assert run(capsys, cli_config, *argv)[0] == 0
    _, out, _ = run(capsys, cli_config, "export", "--format", "csv")
    assert pd.read_csv(pd.io.common.StringIO(out)).loc[0, "what"].startswith("'=")
    _, out, _ = run(capsys, cli_config, "export", "--format", "json")
    assert json.loads(out)[0]["what"].startswith("=")          # JSON keeps the text exactly


@pytest.mark.parametrize("args,message", [
    (["add", "--what", "x"], "the following arguments are required: --owner"),
    (["add", *ADD[1:12], "2026-13-01", *ADD[13:]], "argument --start: not a date (YYYY-MM-DD): '2026-13-01'"),
    (["update", "1", "--status", "finished"], "argument --status: invalid choice: 'finished'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_cli_usage_mistakes_are_one_line_exit_2(capsys, cli_config, args, message):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--config", cli_config, "actions", *args])
    out, err = capsys.readouterr()
    assert stop.value.code == 2 and out == "" and message in err and err.count("\n") == 1


def test_cli_update_of_a_missing_commitment_and_a_closing_without_a_note(capsys, cli_config):
    code, _, err = run(capsys, cli_config, "update", "7", "--status", "done", "--note", "x")
    assert code == 2 and "there is no commitment #7" in err
    assert run(capsys, cli_config, *ADD)[0] == 0
    code, _, err = run(capsys, cli_config, "update", "1", "--status", "dropped")
    assert code == 2 and "say in the note why the commitment is dropped" in err


def test_the_commitment_code_sends_no_sql_text_of_its_own():
    """SQLAlchemy expressions and bound parameters only: no .execute() in the commitments code
    (DuckDB goes through queries/actions/*.sql), and the one driver-level statement is a constant."""
    import ast
    files = [*(PROJECT_ROOT / "seastat" / "actions").glob("*.py"), *(PROJECT_ROOT / "seastat" / "migrations").rglob("*.py"),
             PROJECT_ROOT / "pages" / "followup.py"]
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("execute", "executemany"):
                    found.append(f"{path.name}:{node.lineno}")
                if node.func.attr == "exec_driver_sql" and not isinstance(node.args[0], ast.Constant):
                    found.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                found += [f"{path.name}:{node.lineno} imports text()" for a in node.names if a.name == "text"]
    assert found == []


def test_the_packet_section_lists_what_is_due_back_with_results_and_charts(planted_store, database_url):
    store, _, _ = planted_store
    settings = load_settings()
    known = Known.from_store(store, settings)
    from seastat.actions import followup_section
    db = Actions.open(database_url)
    common = dict(start_date=planted.START, target="burglary")
    due = db.add(draft(**common, due_date=dt.date(2026, 11, 23)), by="ana", known=known)
    db.add(draft(**common, place_value="E2", due_date=dt.date(2026, 12, 21)), by="ana", known=known)   # later
    closed = db.add(draft(**common, place_value="G3", due_date=dt.date(2026, 11, 23)), by="ana", known=known)
    db.update(closed.id, version=1, by="bo", known=known, status="dropped", status_note="duplicate")
    table, charts = followup_section(db, store, known, settings, dt.date(2026, 11, 23))
    assert table["#"].tolist() == [due.id] and table.loc[0, "Result"] == IMPROVED
    assert set(charts) == {due.id} and isinstance(charts[due.id], alt.Chart)
    db.close()


def test_the_partner_packet_section_holds_back_a_commitments_small_counts(planted_store, database_url):
    """Beat L2's last 8 days (2 burglaries before, 1 since): the partner packet's table reads "<3" for
    them and for the expected count and p-value computed from them, and its chart draws no point for
    them; the command packet has the counts."""
    from seastat import packet
    from seastat.actions import followup_section
    from seastat.periods import Window
    store, _, _ = planted_store
    settings = load_settings()
    known = Known.from_store(store, settings)
    db = Actions.open(database_url)
    db.add(draft(**SMALL, due_date=dt.date(2026, 11, 23)), by="ana", known=known)
    period = Window(dt.date(2026, 11, 9), dt.date(2026, 11, 23))
    tables = {audience: packet._followup_section(store, settings, db, period, packet.audience_view(audience, 3))
              .tables[0].data for audience in ("command", "partner")}
    assert tables["command"][["Before", "Since"]].values.tolist() == [[2, 1]]
    assert tables["partner"][["Before", "Since", "Expected", "p"]].values.tolist() == [["<3"] * 4]
    assert tables["partner"]["Result"].tolist() == tables["command"]["Result"].tolist()
    _, charts = followup_section(db, store, known, settings, dt.date(2026, 11, 23), count=Counting(3))
    data = charts[1].data.set_index(["area", "window"])
    assert data.loc["Beat L2", ["count", "relative"]].isna().all().all() and data["count"].notna().sum() == 2
    db.close()


def test_cli_migrates_down_and_up(capsys, cli_config, database_url):
    assert run(capsys, cli_config, *ADD)[0] == 0
    code, out, _ = run(capsys, cli_config, "migrate", "--to", "base")
    assert code == 0 and "at revision base (no tables) (was 0001)" in out
    code, out, _ = run(capsys, cli_config, "migrate")
    assert code == 0 and "at revision 0001 (was base)" in out
    assert run(capsys, cli_config, "list")[1].strip() == "no commitments"
    code, _, err = run(capsys, cli_config, "migrate", "--to", "9999")
    assert code == 2 and "cannot migrate to '9999'" in err and err.count("\n") == 1


def test_a_911_call_type_is_counted_from_the_published_calls(synth_store):
    """The call-type path (queries/actions/event_counts.sql) against pandas over the synthetic calls."""
    bundled_store = synth_store
    settings = load_settings()
    known = Known.from_store(bundled_store, settings)
    call_type = known.targets["calls"][1]
    record = _record(dataset="calls", target=call_type, place_level="sector", place_value="M",
                     start_date=dt.date(2026, 10, 19), due_date=dt.date(2026, 11, 16))
    got = result(bundled_store, record, known, settings)
    calls = pd.read_parquet(bundled_store.version_dir / "calls")
    calls = calls[calls["final_call_type"].fillna(calls["initial_call_type"]) == call_type]
    day = calls["event_at"].dt.date
    in_place = calls["sector"] == "M"
    in_area = (calls["precinct"] == known.precinct_of("sector", "M")) & ~in_place
    count = lambda mask, w: int((mask & (day >= w.start) & (day < w.end)).sum())
    assert (got.counts.place_before, got.counts.place_since, got.counts.comparison_before, got.counts.comparison_since) \
        == (count(in_place, got.before), count(in_place, got.since), count(in_area, got.before), count(in_area, got.since))
    assert got.counts.place_before + got.counts.place_since > 0
