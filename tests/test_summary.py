"""The written summary against known truth: counts built with two planted changes and noise
elsewhere go through compstat.compstat_table (the trends page's own table), and the summary must
name exactly the two, each with the sector and offense type planted; pure noise gives no sentence
about anything the test did not flag; and on the published store each sentence's link opens
/trends on a table that shows the flagged change."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from conftest import run_page

from seastat import compstat, reports, summary
from seastat.access import Counting
from seastat.palette import DOWN, UP
from seastat.periods import Window

PERIOD = Window(dt.date(2026, 11, 2), dt.date(2026, 11, 16))
PRECINCTS = {"East": ("C", "E", "G"), "North": ("B", "J", "L")}
BEATS = pd.DataFrame([(p, s, f"{s}{i}") for p, sectors in PRECINCTS.items() for s in sectors for i in (1, 2, 3)],
                     columns=["precinct", "sector", "beat"])
RATES = {"burglary": 0.5, "larceny_theft": 1.0, "robbery": 1.0, "aggravated_assault": 0.3, "other": 0.8}  # per beat-day
# The two planted changes, in this period only: East's Sector E burglaries x4; North's Sector J robberies x0.1.
PLANTED = {("E", "burglary"): 4.0, ("J", "robbery"): 0.1}
LINKS = summary.Links("crime", PERIOD.start.isoformat())


def counts(settings, seed: int, planted: dict, noise: str = "bounded"):
    """window_counts-shaped rows for every window of the table. 'bounded' noise stays within one
    standard deviation of each beat's mean (so only the planted changes can be flagged);
    'poisson' is plain Poisson counts."""
    windows = compstat.report_windows(settings.grid, PERIOD, dt.date(2024, 1, 1), settings.stats.baseline_periods,
                                      settings.periods.rolling_days)
    rng = np.random.default_rng(seed)
    out = []
    for name, w in windows.items():
        for b in BEATS.itertuples():
            for offense, rate in RATES.items():
                mean = rate * w.days * (planted.get((b.sector, offense), 1.0) if name == "current" else 1.0)
                n = rng.poisson(mean) if noise == "poisson" else round(mean + np.sqrt(mean) * rng.uniform(-1, 1))
                out.append((name, b.precinct, b.sector, b.beat, offense, max(int(n), 0)))
    return pd.DataFrame(out, columns=["window", "precinct", "sector", "beat", "offense", "n"]), windows


def summarise(settings, frame, windows):
    rows = compstat.offense_rows("crime", settings, [])
    headline = compstat.default_rows("crime", settings, rows)
    table = compstat.compstat_table(frame, BEATS, windows, rows, level=settings.level,
                                    period_days=settings.grid.length_days)
    told = summary.fold(summary.flagged_changes(table, headline, rows), rows, headline)
    sentences = summary.write(told, [], None, links=LINKS, all_label="All offenses",
                              headline_labels=[rows[k][0] for k in headline], emerging_periods=6)
    return table, told, sentences, headline


def flagged_cells(table: pd.DataFrame, headline) -> set:
    head = table[table["level"].isin(["city", "precinct"]) & table["offense"].isin(headline)]
    return {(r.level, None if r.level == "city" else r.precinct, r.offense, c)
            for r in head.itertuples() for c in summary.COMPARISONS if getattr(r, f"{c}_flag")}


def test_two_planted_changes_are_named_exactly_with_their_drivers(settings):
    frame, windows = counts(settings, seed=3, planted=PLANTED)
    table, told, sentences, headline = summarise(settings, frame, windows)
    flagged = flagged_cells(table, headline)
    # The noise flags nothing by itself: every flagged cell is East property / North violent or holds them.
    planted_in = {("precinct", "East", "property"), ("precinct", "North", "violent"), ("precinct", "East", "all"),
                  ("precinct", "North", "all"), ("city", None, "property"), ("city", None, "violent"),
                  ("city", None, "all")}
    assert {cell[:3] for cell in flagged} <= planted_in
    assert ("precinct", "East", "property", "expected") in flagged and ("precinct", "North", "violent", "expected") in flagged

    assert [(c.precinct, c.offense, c.flag) for c in told] == [("East", "property", UP), ("North", "violent", DOWN)]
    east, north = told
    assert (east.place.name, east.kind.name) == ("Sector E", "burglary")
    assert (north.place.name, north.kind.name) == ("Sector J", "robbery")
    # The sentences: the two changes (largest first) and the cells they carry; nothing else.
    changes = [s for s in sentences if s.kind == "change"]
    assert len(changes) == 2
    assert changes[0].text.startswith("East precinct, property offenses:") and "Sector E" in changes[0].text \
        and "burglary" in changes[0].text and "▲" in changes[0].text
    assert changes[1].text.startswith("North precinct, violent offenses:") and "Sector J" in changes[1].text \
        and "robbery" in changes[1].text and "▼" in changes[1].text
    assert changes[0].link == "trends?dataset=crime&period=2026-11-02&precinct=East&offense=property"
    assert changes[1].link == "trends?dataset=crime&period=2026-11-02&precinct=North&offense=violent"
    told_about = {(s.about[0], s.about[1], s.about[2], c) for s in sentences if s.about for c in s.about[3]}
    assert told_about == flagged            # every flagged cell is told, and nothing unflagged is
    east_numbers = table[(table["level"] == "precinct") & (table["precinct"] == "East")
                         & (table["offense"] == "property")].iloc[0]
    assert f"{east_numbers['current']:,.0f} this period against {east_numbers['expected']:,.1f} expected" \
        in changes[0].text


@pytest.mark.parametrize("seed", range(6))
def test_pure_noise_says_nothing_the_test_did_not_flag(settings, seed):
    frame, windows = counts(settings, seed=seed, planted={}, noise="poisson")
    table, told, sentences, headline = summarise(settings, frame, windows)
    flagged = flagged_cells(table, headline)
    told_about = {(s.about[0], s.about[1], s.about[2], c) for s in sentences if s.about for c in s.about[3]}
    assert told_about == flagged
    if not flagged:
        assert [s.kind for s in sentences] == ["no_change", "no_hotspot"]
        assert sentences[0].text.startswith("No change this period is flagged")


# A count of 1 or 2 said as a count (not a decimal, a percentage, a signed change or part of a name)
SMALL_COUNT = re.compile(r"(?<![\w.,+\-−])[12](?![\w.,%])")


def test_a_partner_reads_fewer_than_3_where_command_staff_read_the_count(settings):
    """North's violent offenses this period planted at 2 (both robberies, in beat J2), against about
    160 expected: the change is told to both audiences; command staff read the 2 and everything
    computed from it, a partner reads "fewer than 3" and no change, percentage or p-value from it,
    nor the robbery part of the fall, nor "the rest" (with the part, it would give the whole back)."""
    frame, windows = counts(settings, seed=3, planted=PLANTED)
    north = (frame["window"] == "current") & frame["sector"].isin(PRECINCTS["North"]) \
        & frame["offense"].isin(["robbery", "aggravated_assault"])
    frame.loc[north, "n"] = 0
    frame.loc[north & (frame["beat"] == "J2") & (frame["offense"] == "robbery"), "n"] = 2
    table, told, command, headline = summarise(settings, frame, windows)
    rows = compstat.offense_rows("crime", settings, [])
    partner = summary.write(told, [], None, links=LINKS, all_label="All offenses", emerging_periods=6,
                            headline_labels=[rows[k][0] for k in headline], count=Counting(3))
    assert [s.about for s in partner] == [s.about for s in command]          # the same changes, in the same order
    said, held = (next(s.text for s in told_to if s.about[:3] == ("precinct", "North", "violent"))
                  for told_to in (command, partner))
    assert said.startswith("North precinct, violent offenses: 2 this period against ") and "-99%" in said
    assert "robbery (-125, the rest -37)" in said
    assert held.startswith("North precinct, violent offenses: fewer than 3 this period against ")
    assert held.endswith("The largest part of the fall: Sector B (-55) and robbery.")   # Sector B: 0 now, 55 before
    assert "%" not in held and "p " not in held
    assert [s.text for s in command if SMALL_COUNT.search(s.text)] == [said]
    assert not any(SMALL_COUNT.search(s.text) for s in partner)
    # the East rise (counts in the hundreds) reads the same to both
    assert [s.text for s in partner if "East" in s.text] == [s.text for s in command if "East" in s.text]


def test_a_period_with_nothing_flagged_says_so(settings):
    frame, windows = counts(settings, seed=3, planted={})
    table, told, sentences, headline = summarise(settings, frame, windows)
    assert not flagged_cells(table, headline) and told == []
    assert sentences[0].kind == "no_change" and sentences[0].link == "trends?dataset=crime&period=2026-11-02"
    assert "violent, property, all offenses" in sentences[0].text


def test_new_hot_spots_and_commitments_due():
    beats = pd.DataFrame({"beat": ["E1", "E2", "J1"], "precinct": ["East", "East", "North"],
                          "label": ["new", "persistent", "none"]})
    cells = pd.DataFrame({"beat": ["E2", "E2", "J1", "E1"], "label": ["new", "new", "fading", "persistent"]})
    spots = summary.new_spots(beats, cells)
    assert [(s.beat, s.beat_is_new, s.cells) for s in spots] == [("E1", True, 0), ("E2", False, 2)]
    due = [summary.Due("North precinct, burglary patrols in beat J1 (Lt. Ruiz)", "followup?id=4")]
    sentences = summary.write([], spots, due, links=LINKS, all_label="All offenses", headline_labels=["Violent"],
                              emerging_periods=6)
    hot = [s for s in sentences if s.kind == "hotspot"]
    assert [s.link for s in hot] == ["hotspots?dataset=crime&period=2026-11-02&beat=E1",
                                     "hotspots?dataset=crime&period=2026-11-02&beat=E2"]
    assert "beat E2 (East): 2 H3 cells" in hot[1].text
    assert sentences[-1].kind == "due" and sentences[-1].link == "followup?id=4"


@pytest.mark.slow
def test_on_the_store_each_change_links_to_a_table_showing_its_flag(synth_store, settings):
    result = reports.summary_report(synth_store, settings, reports.View("crime", PERIOD))
    assert all(s.link for s in result.sentences)
    changes = [s for s in result.sentences if s.kind == "change"][:2]
    assert changes, "the synthetic store has flagged changes this period"
    headers = compstat.headers(settings.periods.rolling_days).changes
    for sentence in changes:
        level, precinct, offense, comparisons = sentence.about
        page, query = sentence.link.split("?")
        at = run_page(page, dict(p.split("=") for p in query.split("&")))
        assert not at.exception and not at.info
        shown = at.table[0].value
        label = reports.offense_rows(synth_store, settings, "crime")[offense][0]
        row = shown[shown["Offense"] == label].iloc[0]
        assert row["Area"] == (precinct or compstat.CITY)
        flag = next(ch.flag for ch in result.changes if (ch.level, ch.precinct, ch.offense) == (level, precinct, offense))
        for c in comparisons:
            assert row[headers[c]].startswith(flag)            # the sentence's ▲/▼ is in the table it links to
