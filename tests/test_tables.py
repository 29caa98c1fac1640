"""`seastat table`: every downloadable table from the command line, the same bytes as the page's CSV."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import PROJECT_ROOT, wait_for_streamlit
from oidc import oidc_provider, signin_dashboard  # noqa: F401  (as tests/test_signin.py)

from seastat.tables import TABLES


def table(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "seastat", "table", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT)


def test_list_names_every_table():
    listed = table("--list")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(TABLES)


def test_csv_and_json_hold_the_same_rows_after_the_source_line(synth_store_dir):
    csv = table("hotspot-beats", "--store", str(synth_store_dir), "--period", "2026-11-02")
    rows = table("hotspot-beats", "--store", str(synth_store_dir), "--period", "2026-11-02", "--format", "json")
    assert csv.returncode == rows.returncode == 0
    assert csv.stdout.startswith("# Source: SYNTHETIC data") and rows.stdout.splitlines()[0] == csv.stdout.splitlines()[0]
    from_csv = pd.read_csv(io.StringIO(csv.stdout), comment="#")
    from_json = pd.DataFrame(json.loads(rows.stdout.split("\n", 1)[1]))
    assert len(from_csv) == len(from_json) > 50 and list(from_csv["beat"]) == list(from_json["beat"])
    crime = pd.read_parquet(synth_store_dir / "current" / "crime")
    now = crime[(crime["event_at"] >= "2026-11-02") & (crime["event_at"] < "2026-11-16")]
    assert from_csv["incidents"].sum() == len(now)            # every record is in some beat's count


def test_cells_under_the_minimum_show_no_count(synth_store_dir, settings):
    cells = pd.read_csv(io.StringIO(table("hotspot-cells", "--store", str(synth_store_dir)).stdout), comment="#")
    counted = cells["incidents"].dropna()
    assert (counted >= settings.hotspots.min_cell_count).all() and cells["incidents"].isna().any()
    assert set(cells["hot"]) <= {True, False} and cells["hot"].any()


@pytest.mark.parametrize("args,message", [
    (["nope"], "no table 'nope'"),
    (["use-of-force-subjects", "--audience", "partner"], "no partner version of use-of-force-subjects"),
    (["hot-blocks", "--period", "2026-11-03"], "does not start a complete period"),
    (["hot-blocks", "--offense-group", "piracy"], "no offense group 'piracy'"),
])
def test_bad_requests_are_one_line(synth_store_dir, args, message):
    result = table(*args, "--store", str(synth_store_dir))
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.browser
def test_the_page_download_is_the_command_line_table_byte_for_byte(dashboard, page_at, synth_store_dir):
    page = page_at(f"{dashboard.url}/hotspots?period=2026-11-02")
    button = page.get_by_role("button", name="Cells (CSV)")
    button.wait_for(timeout=60_000)
    wait_for_streamlit(page)
    with page.expect_download() as download:
        button.click()
    downloaded = open(download.value.path(), encoding="utf-8").read()
    printed = table("hotspot-cells", "--store", str(synth_store_dir), "--period", "2026-11-02").stdout
    assert downloaded == printed


# --- --audience partner: the partner CSV the page offers ---------------------------------------------

def test_a_partner_table_has_no_count_under_the_minimum_and_the_command_table_has_them(synth_store_dir, settings):
    low = settings.hotspots.min_cell_count
    args = ("hotspot-beats", "--store", str(synth_store_dir), "--period", "2026-11-02", "--offense-group", "robbery")
    command, default, partner = (table(*args, *extra) for extra in (["--audience", "command"], [],
                                                                        ["--audience", "partner"]))
    assert command.returncode == partner.returncode == 0 and command.stdout == default.stdout   # command by default
    everything = pd.read_csv(io.StringIO(command.stdout), comment="#").set_index("beat")
    held = pd.read_csv(io.StringIO(partner.stdout), comment="#", dtype=str).set_index("beat")
    small = everything["incidents"].between(1, low - 1) | everything["previous"].between(1, low - 1)
    assert small.any() and (~small).any()                         # the data has both: the test can fail
    for column in ("incidents", "previous"):
        assert not held[column].isin([str(n) for n in range(1, low)]).any()
        assert (held.loc[everything[column].between(1, low - 1), column] == f"<{low}").all()
    assert (held.loc[small, "change"] == f"<{low}").all()           # a change computed from a small count
    kept = ~small & (everything["incidents"] >= low)
    assert (held.loc[kept, "incidents"].astype(int) == everything.loc[kept, "incidents"]).all()


@pytest.mark.browser
def test_the_partner_csv_the_page_offers_is_the_command_line_partner_table(signin_dashboard, browser,  # noqa: F811
                                                                          synth_store_dir):
    """Signed in as a partner (Streamlit's identity cookie, as its sign-in callback writes it), the
    /hotspots page's Beats (CSV) is `seastat table hotspot-beats --audience partner`, byte for byte."""
    import time
    claims = {"sub": "pat@partner.example", "email": "pat@partner.example", "roles": ["seastat-partner"],
              "iat": time.time() - 60}
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
    context.add_cookies([signin_dashboard.identity_cookie(claims)])
    page = context.new_page()
    page.goto(f"{signin_dashboard.url}/hotspots?period=2026-11-02&offense=robbery", wait_until="domcontentloaded")
    button = page.get_by_role("button", name="Beats (CSV)")
    button.wait_for(timeout=60_000)
    wait_for_streamlit(page)
    assert "Partner" in " ".join(page.locator("[data-testid='stCaptionContainer']").all_inner_texts())
    with page.expect_download() as download:
        button.click()
    downloaded = open(download.value.path(), encoding="utf-8").read()
    printed = table("hotspot-beats", "--store", str(synth_store_dir), "--period", "2026-11-02",
                    "--offense-group", "robbery", "--audience", "partner").stdout
    assert "<3" in printed and downloaded == printed
    context.close()
