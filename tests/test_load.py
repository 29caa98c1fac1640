"""Load during re-publish: 20 sessions query while the store is published again and again.

Every answer must be the answer of exactly one published version (computed beforehand with pandas
from that version's Parquet files), all answers of one session's view from the same version, and
not one query may fail. Sessions get their Store the way the dashboard does (cached per version,
two at most) or hold one Store throughout, as a page that stays open would.
"""
from __future__ import annotations

import collections
import datetime as dt
import json
import re
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import Dashboard, page_errors, wait_for_streamlit
from hypothesis_profiles import scaled
from store_sources import source_sets  # noqa: F401 (a fixture)

from seastat.publish import publish
from seastat.store import Store

pytestmark = pytest.mark.slow      # heavy: still run by `make test`, skipped by `-m 'not slow'`

SESSIONS = 20
WINDOW = dict(start=dt.datetime(2026, 9, 1), end=dt.datetime(2026, 11, 1))


def view(store: Store) -> tuple:
    """What one page view asks: precinct totals, a filtered count, and the quarantine total."""
    areas = store.df("areas", dataset="crime")
    north = store.df("search_count", dataset="crime", precincts=["North"], beats=[], text="", **WINDOW)
    reasons = store.df("quarantine_reasons")
    return (tuple(sorted(areas.groupby("precinct")["incidents"].sum().items())),
            int(north["matching"].iloc[0]), int(reasons["rows"].sum()))


def expected_view(version_dir: Path) -> tuple:
    """The same view from the version's Parquet files with pandas alone."""
    crime = pd.read_parquet(version_dir / "crime")
    north = crime[(crime.precinct == "North") & (crime.event_at >= WINDOW["start"]) & (crime.event_at < WINDOW["end"])]
    quarantined = sum(len(pd.read_parquet(p)) for p in (version_dir / "quarantine").glob("*.parquet"))
    return (tuple(sorted(crime.groupby("precinct").size().items())), len(north), quarantined)


def content_hash(version_dir: Path) -> str:
    return json.loads((version_dir / "manifest.json").read_text())["content_hash"]


@pytest.fixture(scope="module")
def known_views(source_sets, settings, tmp_path_factory) -> dict[str, tuple]:
    """content hash -> the view, for each source set (publishing is deterministic)."""
    views = {}
    for sources in source_sets:
        out = tmp_path_factory.mktemp("reference")
        publish(sources, out, settings)
        version = (out / "current").resolve()
        views[content_hash(version)] = expected_view(version)
    assert len(set(views.values())) == 2, "the two source sets must give different answers"
    return views


class VersionCache:
    """Like ui._store_at: a Store per version, the two most recent kept."""

    def __init__(self, store_dir: Path):
        self.store_dir, self.stores, self.lock = store_dir, collections.OrderedDict(), threading.Lock()

    def current(self) -> Store:
        version = str((self.store_dir / "current").resolve())
        with self.lock:
            if version not in self.stores:
                self.stores[version] = Store(Path(version))
                while len(self.stores) > 2:
                    self.stores.popitem(last=False)
            return self.stores[version]


def test_twenty_sessions_query_while_the_store_is_republished(tmp_path, source_sets, settings, known_views):
    store_dir = tmp_path / "store"
    publish(source_sets[0], store_dir, settings)
    cache = VersionCache(store_dir)
    republishing = threading.Event()
    republishing.set()
    failures: list[str] = []
    answered = collections.Counter()          # content hash -> views answered from it

    def session(number: int) -> None:
        held = Store.open(store_dir) if number % 4 == 0 else None   # a page left open all along
        while republishing.is_set():
            try:
                store = held or cache.current()
                got = view(store)
                version = store.manifest["content_hash"]
                if got != known_views[version]:
                    failures.append(f"session {number}: {version} answered {got}")
                answered[version] += 1
            except Exception as exc:   # collected: any failed query fails the test
                failures.append(f"session {number}: {type(exc).__name__}: {exc}")
            time.sleep(0.05)           # a person clicks; this also leaves the publisher some CPU

    sessions = [threading.Thread(target=session, args=(n,)) for n in range(SESSIONS)]
    for s in sessions:
        s.start()
    republished = 0
    try:
        for round_ in range(scaled(4)):
            publish(source_sets[(round_ + 1) % 2], store_dir, settings)
            republished += 1
            time.sleep(0.2)
    finally:
        republishing.clear()
        for s in sessions:
            s.join(timeout=120)
    total = sum(answered.values())
    print(f"\n{SESSIONS} sessions, {republished} re-publishes: {total} views answered "
          f"({total * 3} queries), {len(failures)} failed; by version: {dict(answered)}")
    assert failures == []
    assert len(answered) == 2 and min(answered.values()) > 0     # both versions were really queried


def version_shown(page) -> str:
    """The store version a page says it shows (home and /data both name it), once it has rendered."""
    wait_for_streamlit(page)
    caption = page.get_by_text(re.compile(r"version v\S+")).first
    caption.wait_for(timeout=60_000)
    return re.search(r"version (v\S+?)\.?$", caption.inner_text().strip()).group(1)


@pytest.mark.browser
def test_browser_sessions_stay_clean_while_the_store_is_republished(tmp_path, source_sets, settings, page_at):
    store_dir = tmp_path / "store"
    versions = [publish(source_sets[0], store_dir, settings)["version"]]
    server = Dashboard(store_dir)
    stop = threading.Event()

    def republish() -> None:
        round_ = 0
        while not stop.is_set():
            round_ += 1
            versions.append(publish(source_sets[round_ % 2], store_dir, settings)["version"])
            time.sleep(0.5)

    try:
        pages = [page_at(f"{server.url}/data?dataset=crime"), page_at(f"{server.url}/")]
        publisher = threading.Thread(target=republish)
        publisher.start()
        seen = set()
        for _ in range(scaled(4)):
            for page in pages:
                page.reload(wait_until="domcontentloaded")
                seen.add(version_shown(page))
                assert page_errors(page) == []
                assert page.locator("[data-testid='stAlertContentError']").count() == 0
        stop.set()
        publisher.join(timeout=120)
        assert len(seen) >= 2 and seen <= set(versions), (seen, versions)   # they followed the re-publishes
    finally:
        stop.set()
        server.stop()


def test_each_publish_keeps_exactly_the_version_it_replaced(tmp_path, source_sets, settings):
    """Publishes in quick succession (versions named in the same second) never delete the version
    pages were reading a moment ago, and leave nothing else behind."""
    store_dir, previous = tmp_path / "store", set()
    for round_ in range(6):
        publish([source_sets[round_ % 2][-1]], store_dir, settings)      # use of force only: fast
        current = (store_dir / "current").resolve()
        assert set((store_dir / "versions").iterdir()) == {current} | previous
        previous = {current}


def test_a_store_held_open_outlives_republishes_and_is_deleted_once_closed(tmp_path, source_sets, settings):
    store_dir = tmp_path / "store"
    publish(source_sets[0], store_dir, settings)
    held = Store.open(store_dir)
    before = view(held)
    for round_ in range(3):        # without the pin, its files were gone after the second
        publish(source_sets[(round_ + 1) % 2], store_dir, settings)
    assert view(held) == before
    held.close()
    publish(source_sets[0], store_dir, settings)
    assert not held.version_dir.exists()
