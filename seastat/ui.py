"""What every Streamlit page shares: settings, the cached store, cached queries, URL state, pickers.

The only module of the package that imports Streamlit; everything it shows comes from the
Streamlit-free modules beside it.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from . import export
from .config import Settings, load_settings
from .datasets import DATASET_LABELS
from . import periods
from .periods import Grid, Window
from .store import Store, StoreError, current_version_dir

def _leave_legacy_pages_mode() -> None:
    """Streamlit runs an app that has a pages/ folder as an old-style multipage app until some
    session has run app.py's st.navigation, so a deep link opened first on a fresh server would
    skip app.py (its layout and navigation). Switch that mode off and run the view again."""
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_legacy_pages_mode()



@st.cache_resource
def settings() -> Settings:
    return load_settings(os.environ.get("SEASTAT_CONFIG"))


def store_dir() -> Path:
    return Path(os.environ.get("SEASTAT_STORE") or settings().store_dir)


@st.cache_resource(max_entries=2)
def _store_at(version_dir: str) -> Store:
    return Store(Path(version_dir))


def store() -> Store:
    """The store version `current` points at now (cached per version, so a re-publish shows
    without a restart). With no store, the page says what is missing and stops there."""
    try:
        return _store_at(str(current_version_dir(store_dir())))
    except StoreError as exc:
        st.error(f"No data to show. {exc}")
        st.stop()


@st.cache_data(max_entries=512, show_spinner=False)
def _cached_query(version_dir: str, name: str, params: dict[str, Any]) -> pd.DataFrame:
    return _store_at(version_dir).df(name, **params)


def query(s: Store, name: str, **params: Any) -> pd.DataFrame:
    """queries/<name>.sql on store `s`, cached per store version and parameters."""
    return _cached_query(str(s.version_dir), name, params)


def grid() -> Grid:
    return Grid(settings().periods.anchor, settings().periods.length_days)


# --- URL state -------------------------------------------------------------------------------

def notices() -> list[str]:
    return st.session_state.setdefault("_seastat_notices", [])


def show_notices() -> None:
    for note in notices():
        st.info(note, icon=":material/info:")
    notices().clear()


def url_value(key: str, default: Any, parse: Callable[[str], Any], what: str) -> Any:
    """The value of ?key= parsed, or `default` with a notice when it is missing or not usable."""
    raw = st.query_params.get(key)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except (ValueError, KeyError, TypeError):
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        notices().append(f"The link's {what} “{shown}” is not available; showing the default instead.")
        return default


def url_list(key: str, allowed: Sequence[str], what: str) -> list[str]:
    """?key=a,b as a list, keeping only allowed values (with a notice for the rest)."""
    raw = st.query_params.get(key, "")
    values = [v for v in raw.split(",") if v]
    bad = [v for v in values if v not in allowed]
    if bad:
        shown = ", ".join(v[:20] for v in bad[:3])
        notices().append(f"The link's {what} “{shown}” is not in the data; it was left out.")
    return [v for v in values if v in allowed]


def one_of(options: Sequence[str]) -> Callable[[str], str]:
    """A parser for url_value that accepts only the given options."""
    def parse(value: str) -> str:
        if value not in options:
            raise ValueError(value)
        return value
    return parse


def set_url(**values: Any) -> None:
    """Write the view's state into the URL so a pasted link opens the same view."""
    for key, value in values.items():
        if value in (None, "", [], ()):
            st.query_params.pop(key, None)
        elif isinstance(value, (list, tuple)):
            st.query_params[key] = ",".join(str(v) for v in value)
        else:
            st.query_params[key] = str(value)


# --- Pickers shared by the pages ---------------------------------------------------------------

def pick_dataset(s: Store, where=st.sidebar) -> str:
    if not s.datasets:
        st.warning("The published store has no rows in any dataset. Publish SPD exports with `seastat publish`.")
        st.stop()
    default = s.datasets[0]
    chosen = url_value("dataset", default, one_of(s.datasets), "dataset")
    dataset = where.selectbox("Dataset", s.datasets, index=s.datasets.index(chosen),
                              format_func=DATASET_LABELS.get, key="dataset")
    return dataset


def data_days(s: Store, dataset: str) -> tuple[dt.date, dt.date]:
    return _cached_days(str(s.version_dir), dataset)


@st.cache_data(max_entries=64, show_spinner=False)
def _cached_days(version_dir: str, dataset: str) -> tuple[dt.date, dt.date]:
    return _store_at(version_dir).days(dataset)


def complete_periods(s: Store, dataset: str) -> list[Window]:
    """Periods fully covered by the data, newest first."""
    return periods.complete_periods(grid(), *data_days(s, dataset))


def pick_period(s: Store, dataset: str, where=st.sidebar) -> Window:
    options = complete_periods(s, dataset)
    by_start = {p.start.isoformat(): p for p in options}
    chosen = url_value("period", options[0], lambda v: by_start[dt.date.fromisoformat(v).isoformat()], "period")
    return where.selectbox("Period", options, index=options.index(chosen), format_func=Window.label, key="period")


def synthetic_notice(s: Store) -> None:
    synthetic = [DATASET_LABELS[d] for d, info in s.manifest["datasets"].items() if info.get("synthetic")]
    if synthetic:
        st.warning(f"**Synthetic data** — {', '.join(synthetic)} on this dashboard "
                   "are generated by `seastat synth`, not real SPD records.", icon=":material/warning:")


def areas(s: Store, dataset: str) -> pd.DataFrame:
    return query(s, "areas", dataset=dataset)



# --- Downloads ---------------------------------------------------------------------------------

def download_chart(chart, stem: str, where=st) -> None:
    """PNG and SVG buttons for an Altair chart (rendered with vl-convert, caption included)."""
    cols = where.columns(2)
    cols[0].download_button("PNG", export.chart_png(chart), file_name=f"{stem}.png", mime="image/png",
                            key=f"png-{stem}", icon=":material/image:", on_click="ignore")
    cols[1].download_button("SVG", export.chart_svg(chart), file_name=f"{stem}.svg", mime="image/svg+xml",
                            key=f"svg-{stem}", icon=":material/draw:", on_click="ignore")


def download_table(df: pd.DataFrame, stem: str, label: str = "CSV", where=st) -> None:
    where.download_button(label, export.table_csv(df), file_name=f"{stem}.csv", mime="text/csv",
                          key=f"csv-{stem}", icon=":material/download:", on_click="ignore")
