"""/service (911 and use of force) as users open it: AppTest for the numbers and deep links, then a
real Chromium at 1920x1080 and 1280x720 (screenshots in test-artifacts/, no sideways scrolling)."""
from __future__ import annotations

import pandas as pd
import pytest
from conftest import PARTNER, SYNTH_STORE, page_errors, run_page
from test_service import dispatched

LATEST = pd.Timestamp("2026-11-02")
SIZES = [(1920, 1080), (1280, 720)]


def published(name: str) -> pd.DataFrame:
    return pd.read_parquet(SYNTH_STORE / "current" / name)


def in_period(df: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    return df[(df["event_at"] >= start) & (df["event_at"] < start + pd.Timedelta(days=14))]


def test_default_view_shows_every_section_with_the_right_numbers():
    at = run_page("service")
    assert not at.exception
    assert [h.value for h in at.header] == ["Response times", "When: calls by hour of the week",
                                             "What: call types and sources", "Use of force as rates"]
    calls = in_period(published("calls"), LATEST)
    d = calls[(calls["call_type"] != "ONVIEW") & (calls["priority"] == "1")
              & ~(calls["arrived_at"].notna() & (calls["arrived_at"] == calls["event_at"]))]
    m = d[d["arrived_at"].notna() & (d["arrived_at"] > d["event_at"])]
    minutes = (m["arrived_at"] - m["event_at"]).dt.total_seconds() / 60
    metrics = {x.label: x.value for x in at.metric}
    assert metrics["Dispatched calls"] == f"{len(d):,}"
    assert metrics["No arrival recorded"] == f"{d['arrived_at'].isna().sum():,}"
    assert metrics["Median"] == f"{minutes.median():.1f} min"
    assert metrics["90th percentile"] == f"{minutes.quantile(0.9):.1f} min"
    assert metrics["Over target"] == f"{(minutes > 7).mean():.0%}"
    words = " ".join(x.value for x in at.markdown)
    assert "dispatched calls only" in words and "on-view" in words.lower() and "3.6 per 10,000" in words
    assert len(at.get("vega_lite_chart")) == 4       # response times, heatmap, sources, use-of-force rates
    assert dict(at.query_params) == {"dataset": "calls", "period": "2026-11-02", "priority": "1"}


def test_deep_link_with_a_precinct_and_a_priority():
    at = run_page("service", {"period": "2026-10-19", "precinct": "East", "priority": "3"})
    assert not at.exception and not at.info
    assert at.query_params["precinct"] == "East" and at.query_params["priority"] == "3"
    calls = in_period(published("calls"), pd.Timestamp("2026-10-19"))
    east = calls[(calls["precinct"] == "East") & (calls["priority"] == "3") & (calls["call_type"] != "ONVIEW")]
    assert {x.label: x.value for x in at.metric}["Dispatched calls"] == f"{len(east):,}"
    assert {x.label: x.value for x in at.metric}["Over target"] == "no target"


def test_hostile_link_values_fall_back_with_a_notice():
    at = run_page("service", {"period": "'; DROP VIEW calls; --", "priority": "x" * 500, "precinct": "Nowhere"})
    assert not at.exception
    assert any("not available" in i.value or "not in the data" in i.value for i in at.info)
    assert at.query_params["period"] == "2026-11-02"


@pytest.mark.parametrize("width, height", SIZES)
def test_browser_screenshots(dashboard, page_at, artifacts, width, height):
    page = page_at(f"{dashboard.url}/service", width, height)
    assert not page_errors(page)
    page.wait_for_selector("text=Use of force as rates", timeout=60_000)
    page.wait_for_timeout(1500)
    # Streamlit scrolls inside its main section: one screenshot per screenful, top to bottom
    height_px = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    for i, top in enumerate(range(0, height_px, height - 80)):
        page.evaluate(f"() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, {top})")
        page.wait_for_timeout(400)
        page.screenshot(path=str(artifacts / f"service_{width}x{height}_{i:02d}.png"))
    wide = page.evaluate("""() => document.documentElement.scrollWidth <= window.innerWidth
        && [...document.querySelectorAll('[data-testid="stMain"]')].every(m => m.scrollWidth <= m.clientWidth)""")
    assert wide, "the page scrolls sideways"


def test_partner_view_holds_back_small_counts():
    """Signed in as a partner: a precinct's 1 or 2 calls with no arrival, and a level's 1 or 2 uses of
    force, read "<3" (the open view shows them); subjects are not shown."""
    calls = in_period(published("calls"), LATEST)
    d = calls[dispatched(calls) & (calls["priority"] == "5")]
    missing = d[d["arrived_at"].isna()].groupby("precinct").size()
    precinct, n = next((p, n) for p, n in missing.items() if 1 <= n < 3)
    partner, everyone = (run_page("service", {"priority": "5"}, user=user) for user in (PARTNER, None))
    assert not partner.exception and "Partner" in partner.caption[0].value
    assert partner.table[0].value.set_index("Area").loc[precinct, "No arrival recorded"] == "<3"
    assert everyone.table[0].value.set_index("Area").loc[precinct, "No arrival recorded"] == f"{n}"
    uof = in_period(published("use_of_force"), LATEST)
    level = uof["incident_type"].map(lambda t: "OIS" if "OIS" in t else t.split(" - ")[0])
    counts = uof.groupby(["precinct", level]).size()
    (place, lv), n = next((k, n) for k, n in counts.items() if 1 <= n < 3 and k[0] in ("North", "East", "South",
                                                                                         "West", "Southwest"))
    shown = {who: next(t.value for t in at.table if "All uses" in t.value.columns).set_index("Area")
             for who, at in (("partner", partner), ("everyone", everyone))}
    assert shown["partner"].loc[place, lv] == "<3" and shown["everyone"].loc[place, lv] == f"{n}"
    assert any("command staff and analysts only" in i.value for i in partner.info)
