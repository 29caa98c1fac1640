"""Every page in a real headless Chromium against `streamlit run` on the bundled data."""
from __future__ import annotations

import re

import pytest
from conftest import page_errors, wait_for_streamlit

pytestmark = pytest.mark.browser

PAGES = ["", "trends", "hotspots", "compare", "data"]


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_without_error(dashboard, page_at, artifacts, path):
    page = page_at(f"{dashboard.url}/{path}")
    assert page_errors(page) == []
    page.locator("h1").first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(artifacts / f"page-{path or 'home'}-1920x1080.png"), full_page=True)


def test_data_page_table_and_download(dashboard, page_at):
    page = page_at(f"{dashboard.url}/data?dataset=crime&precinct=West")
    page.get_by_role("button", name="Download CSV").wait_for(timeout=30_000)
    page.locator("[data-testid='stDataFrame']").nth(1).wait_for(timeout=30_000)   # the incident and quality tables
    assert page.get_by_text("records,").first.is_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "seastat_data_crime_20261102-20261115_West.csv"


def test_a_deep_link_on_a_fresh_server_goes_through_app_py(page_at):
    """Streamlit's old pages/ mode would run pages/data.py alone for the first visitor."""
    from conftest import SYNTH_STORE, Dashboard
    fresh = Dashboard(SYNTH_STORE)
    try:
        page = page_at(f"{fresh.url}/data?dataset=calls")
        page.get_by_role("button", name="Download CSV").wait_for(timeout=30_000)
        assert page.get_by_role("link", name="Precinct trends").count() >= 1      # app.py's navigation
        assert page.locator("[data-testid='stSidebarNavLink']", has_text="app").count() == 0
        assert page.get_by_text("911 calls for service:").first.is_visible()
    finally:
        fresh.stop()


@pytest.fixture(scope="module")
def one_dataset_store(tmp_path_factory, small_sources, settings):
    from seastat.publish import publish
    out = tmp_path_factory.mktemp("one-dataset")
    publish([small_sources / "use_of_force.csv"], out, settings)
    return out


@pytest.mark.parametrize("store_kind", ["empty", "use of force only"])
def test_every_page_on_an_empty_or_partial_store_explains_itself(page_at, artifacts, tmp_path, one_dataset_store,
                                                                  store_kind):
    from conftest import Dashboard
    server = Dashboard(tmp_path / "nothing" if store_kind == "empty" else one_dataset_store)
    try:
        for path in [*PAGES, "?present=1"]:
            page = page_at(f"{server.url}/{path}")
            page.locator("[data-testid='stAlert'], h1").first.wait_for(timeout=30_000)
            assert page_errors(page) == [], (store_kind, path)
            name = (path or "home").replace("?present=1", "present")
            page.screenshot(path=str(artifacts / f"{store_kind.replace(' ', '-')}-{name}-1920x1080.png"))
    finally:
        server.stop()


@pytest.fixture(scope="module")
def real_dashboard():
    """The dashboard `make run` serves: the bundled store of real SPD records."""
    from conftest import BUNDLED_STORE, Dashboard
    server = Dashboard(BUNDLED_STORE)
    yield server
    server.stop()


@pytest.mark.parametrize("path", [*PAGES, "service", "followup", "?present=1"])
@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_every_page_on_the_real_records(real_dashboard, page_at, artifacts, path, width, height):
    """No error, a real number on the screen, nothing said to be synthetic, no sideways scrolling."""
    page = page_at(f"{real_dashboard.url}/{path}", width, height)
    main = page.locator("[data-testid='stMain']")
    main.locator("h1, h2").first.wait_for(timeout=60_000)
    wait_for_streamlit(page)
    assert page_errors(page) == []
    assert "Synthetic data" not in main.inner_text()
    shown = main.inner_text().replace("Sign-in off · everyone who can reach this address sees everything", "")
    if path == "followup" and "Nothing recorded yet" in main.inner_text():   # a new database: no number to show
        assert "Record a commitment" in main.inner_text()
    else:
        assert re.search(r"\d", shown), f"no number on {path or 'home'}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    name = (path or "home").replace("?present=1", "present")
    page.screenshot(path=str(artifacts / f"real-{name}-{width}x{height}.png"))
