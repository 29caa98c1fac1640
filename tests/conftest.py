"""Shared fixtures: real files only. Stores are built by `seastat synth` + `seastat publish`,
pages are served by a real `streamlit run` and driven in Debian's Chromium."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from seastat.config import PROJECT_ROOT, load_settings
from seastat.publish import publish
from seastat.store import Store
from seastat.synth import synth

# A throw-away PostgreSQL server for the commitment tests; a real OpenID provider for sign-in.
pytest_plugins = ["pg_server", "oidc"]

BUNDLED_STORE = PROJECT_ROOT / "data" / "store"      # what `make run` serves: real SPD records
# The synthetic store most page tests run on (known dates and sizes), built once per test session.
SYNTH_STORE = PROJECT_ROOT / "build" / "test-store"
SYNTH_ROWS, SYNTH_END = 200_000, dt.date(2026, 11, 22)
ARTIFACTS = PROJECT_ROOT / "test-artifacts"          # screenshots and rendered pages land here
CHROMIUM = os.environ.get("SEASTAT_CHROMIUM", "/usr/bin/chromium")
SMALL_END = dt.date(2026, 11, 22)


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def bundled_store() -> Store:
    """The store `make run` serves (data/store)."""
    return Store.open(BUNDLED_STORE)


@pytest.fixture(scope="session", autouse=True)
def synth_store_dir(settings, tmp_path_factory) -> Path:
    """`seastat synth` + `seastat publish` at a fixed size and end date, fresh every session."""
    written = synth(SYNTH_ROWS, tmp_path_factory.mktemp("synth-sources"), end=SYNTH_END,
                    boundaries=PROJECT_ROOT / "data" / "boundaries")
    shutil.rmtree(SYNTH_STORE, ignore_errors=True)
    publish([written["crime"], written["calls"], written["use_of_force"]], SYNTH_STORE, settings)
    return SYNTH_STORE


@pytest.fixture(scope="session")
def synth_store(synth_store_dir) -> Store:
    return Store.open(synth_store_dir)


@pytest.fixture(scope="session")
def small_sources(tmp_path_factory) -> Path:
    """Synthetic SPD-shaped exports, small enough to publish in a second."""
    out = tmp_path_factory.mktemp("sources")
    synth(20_000, out, seed=11, end=SMALL_END, boundaries=PROJECT_ROOT / "data" / "boundaries")
    return out


@pytest.fixture(scope="session")
def small_store_dir(small_sources, settings, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("store")
    publish(sorted(small_sources.glob("*.csv")), out, settings)
    return out


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dashboard:
    """A real `streamlit run app.py` on a loopback port, on a chosen store. `host` is the name the
    browser uses; `args` more streamlit options; `log` a file for its output (else a pipe)."""

    def __init__(self, store_dir: Path, *args: str, host: str = "127.0.0.1", log: Path | None = None,
                 port: int | None = None, **env_vars: str):
        self.port = port or _free_port()
        self.url = f"http://{host}:{self.port}"
        env = dict(os.environ, SEASTAT_STORE=str(store_dir), **env_vars)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", *args],
            cwd=PROJECT_ROOT, env=env, stdout=log.open("wb") if log else subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2)
                return
            except OSError:
                if self.proc.poll() is not None:
                    output = log.read_text(errors="replace") if log else self.proc.stdout.read().decode(errors="replace")
                    raise RuntimeError(output) from None
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("streamlit did not start within 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def dashboard(synth_store_dir):
    server = Dashboard(synth_store_dir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-dev-shm-usage", "--no-first-run"],
        )
        yield b
        b.close()


@pytest.fixture
def page_at(browser):
    """page_at(url, width, height) opens a fresh page and waits until Streamlit has finished running."""
    opened = []

    def open_page(url: str, width: int = 1920, height: int = 1080):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        opened.append(context)
        page.goto(url, wait_until="domcontentloaded")
        wait_for_streamlit(page)
        return page

    yield open_page
    for context in opened:
        context.close()


def wait_for_streamlit(page, timeout_ms: int = 60_000) -> None:
    """Until the app is rendered and settled: no script running (Streamlit's 'running' widget) and
    the page's text unchanged over half a second. (The widget shows only after a run has gone on a
    moment, so on a loaded machine its absence alone can be the moment before a run.)"""
    page.wait_for_selector("[data-testid='stMain'] [data-testid='stElementContainer']", timeout=timeout_ms)
    settled = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    text = "() => document.querySelector('[data-testid=\"stMain\"]').innerText"
    deadline = time.monotonic() + timeout_ms / 1000
    before = None
    while time.monotonic() < deadline:
        page.wait_for_function(settled, timeout=timeout_ms)
        now = page.evaluate(text)
        if now == before:
            return
        before = now
        page.wait_for_timeout(500)
    raise TimeoutError(f"the page did not settle within {timeout_ms} ms")


# A signed-in partner (run_page's `user`): sign-in on, the role from the claims (seastat.access).
PARTNER = {"is_logged_in": True, "sub": "partner-1", "email": "pat@partner.example", "roles": ["seastat-partner"]}


def run_page(page: str, params: dict | None = None, store: Path = SYNTH_STORE, user: dict | None = None):
    """AppTest of app.py opened at one page by a link carrying `params`. (AppTest needs a first run
    before it can switch pages; that run has no link, so the page then meets the link fresh.)
    user: the claims of a signed-in person (sign-in is then on, signed in just now)."""
    from streamlit.testing.v1 import AppTest
    os.environ["SEASTAT_STORE"] = str(store)
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    if user is not None:
        at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "0" * 64,
                              "client_id": "seastat", "client_secret": "secret",
                              "server_metadata_url": "http://localhost:1/.well-known/openid-configuration"}
        at.user = {**user, "iat": int(time.time())}
    if page != "home":
        at.run()
        at.switch_page(f"pages/{page}.py")
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture(autouse=True)
def _restore_store_env():
    yield
    os.environ.pop("SEASTAT_STORE", None)


def page_errors(page) -> list[str]:
    """Exceptions Streamlit rendered on the page (a traceback box)."""
    return [e.inner_text() for e in page.query_selector_all("[data-testid='stException']")]
