"""A meeting pinned to a store version shows that version's numbers after re-publishes, on every
page and in the packet; the publisher keeps it; a hostile ?version= is refused."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import PROJECT_ROOT, SYNTH_END, run_page

from seastat import meetings, reports
from seastat.packet import build_packet
from seastat.publish import publish
from seastat.store import Store
from seastat.synth import synth


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, small_sources, settings):
    """A store published from the small synthetic sources, then pinned, then re-published twice
    from other sources (so its pinned version is neither current nor the one before)."""
    out = tmp_path_factory.mktemp("pinned-store")
    publish(sorted(small_sources.glob("*.csv")), out, settings)
    pinned = Store.open(out)
    version, manifest = pinned.version, pinned.manifest
    pinned.close()
    subprocess.run([sys.executable, "-m", "seastat", "meeting", "pin", "--date", "2026-11-18", "--store", str(out)],
                   check=True, cwd=PROJECT_ROOT, capture_output=True)
    for seed in (21, 22):
        other = tmp_path_factory.mktemp(f"other-{seed}")
        written = synth(15_000, other, seed=seed, end=SYNTH_END, boundaries=PROJECT_ROOT / "data" / "boundaries")
        publish(list(written.values()), out, settings, replace_all=True)
    return out, version, manifest


def test_the_publisher_keeps_the_pinned_version(store_dir):
    out, version, _ = store_dir
    assert meetings.pins(out) == {"2026-11-18": version}
    assert (out / "versions" / version / "manifest.json").exists()
    assert Store.open(out).version != version


@pytest.mark.parametrize("page", ["home", "trends", "hotspots", "compare", "data"])
def test_every_page_shows_the_pinned_numbers(store_dir, page):
    out, version, manifest = store_dir
    at = run_page(page, {"version": version}, store=out)
    assert not at.exception
    assert any(version in i.value and "newer version" in i.value for i in at.info)
    assert at.query_params["version"] == version
    if page == "home":
        table = at.dataframe[0].value
        crime = table[table["Dataset"] == "Crime reports"].iloc[0]
        assert crime["Rows published"] == manifest["datasets"]["crime"]["rows_published"]


def test_the_pinned_trends_table_is_the_pinned_versions(store_dir, settings):
    out, version, _ = store_dir
    pinned = Store(meetings.version_dir(out, version))
    period = reports.periods_offered(pinned, settings, "crime")[0]
    expected = reports.compstat_report(pinned, settings, reports.View("crime", period)).table
    at = run_page("trends", {"version": version, "period": period.start.isoformat()}, store=out)
    city = at.table[0].value.iloc[0]
    assert city["This period"] == f"{int(expected.iloc[0]['current']):,}"
    now = reports.compstat_report(Store.open(out), settings, reports.View("crime", period)).table
    assert int(now.iloc[0]["current"]) != int(expected.iloc[0]["current"])     # the re-publish did change it
    packet = build_packet(pinned, settings, period, precincts=["North"])
    about = next(s for s in packet.sections if s.title == "About this packet")
    assert any(version in paragraph for paragraph in about.paragraphs)


@pytest.mark.parametrize("hostile", ["../../etc", "v1-a-b", "'; DROP VIEW crime; --", "x" * 5000])
def test_a_version_that_is_not_kept_falls_back_to_the_current_with_a_notice(store_dir, hostile):
    out, _, _ = store_dir
    at = run_page("trends", {"version": hostile}, store=out)
    assert not at.exception
    assert any("store version" in i.value for i in at.info)
    assert "version" not in at.query_params


def test_pin_refuses_a_version_the_store_does_not_keep(store_dir):
    out, _, _ = store_dir
    result = subprocess.run([sys.executable, "-m", "seastat", "meeting", "pin", "--date", "2026-12-02",
                             "--version", "v2099-deadbeef-0", "--store", str(out)], cwd=PROJECT_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "is not kept" in result.stderr


def test_only_the_newest_meetings_stay_pinned(tmp_path, store_dir):
    out, version, _ = store_dir
    copy = tmp_path / "store"
    shutil.copytree(out, copy, symlinks=True)
    import datetime as dt
    for day in range(1, 9):
        meetings.pin(copy, dt.date(2026, 10, day), version, keep=6)
    assert list(meetings.pins(copy)) == ["2026-11-18", *(f"2026-10-0{d}" for d in range(8, 3, -1))]


@pytest.mark.parametrize("page", ["home", "data"])
def test_what_changed_at_the_last_publish_is_said_in_words(store_dir, page):
    out, _, _ = store_dir
    manifest = Store.open(out).manifest
    rev = manifest["datasets"]["crime"]["revisions"]
    at = run_page(page, store=out)
    said = " ".join(c.value for c in at.caption)
    assert f"{rev['added']:,} new reports" in said and "since " in said
