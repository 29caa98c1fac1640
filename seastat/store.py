"""The query layer: one DuckDB database per store version, a cursor per query.

A `Store` is pinned to the version `current` pointed at when it was opened, so every answer it
gives comes from one version, even while a re-publish swaps `current` underneath it.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import threading
import weakref
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from .datasets import DATASETS
from .sql import sql


class StoreError(Exception):
    """No usable published store at the given place; the message says what to run."""


def current_version_dir(store_dir: Path) -> Path:
    link = Path(store_dir) / "current"
    if not link.exists():
        raise StoreError(f"no published store at {store_dir}: run `seastat publish SOURCE... --out {store_dir}`")
    return link.resolve()


class Store:
    def __init__(self, version_dir: Path):
        self.version_dir = Path(version_dir)
        try:
            # A shared lock held while this Store is open: the publisher never deletes a version in use.
            pin = os.open(self.version_dir / "manifest.json", os.O_RDONLY)
            self._unpin = weakref.finalize(self, os.close, pin)
            fcntl.flock(pin, fcntl.LOCK_SH)
            self.manifest: dict = json.loads((self.version_dir / "manifest.json").read_text())
        except (OSError, ValueError) as exc:
            raise StoreError(f"{self.version_dir}: unreadable manifest ({exc})") from None
        self.version: str = self.manifest["version"]
        # Relative paths in queries/views/*.sql resolve against this version's folder.
        self._con = duckdb.connect(config={"file_search_path": str(self.version_dir)})
        self._lock = threading.Lock()
        self._facts: dict[tuple, pd.DataFrame] = {}
        self._days: dict[str, tuple[dt.date, dt.date]] = {}
        for name in self.manifest.get("datasets", {}):  # every dataset has a typed table, maybe empty
            if name in DATASETS:
                self._con.execute(sql(f"views/{name}"))
        # /service's 911 counts as published; a version published before them counts them from the calls
        calls = self.manifest.get("datasets", {}).get("calls", {})
        self._con.execute(sql("views/calls_counts_file" if calls.get("service_file") else "views/calls_counts"))
        # near-repeat risk's offenses as published; a version published before them draws from the crime rows
        self._con.execute(sql("views/near_repeat_events"))
        crime = self.manifest.get("datasets", {}).get("crime", {})
        self._con.execute(sql("views/near_repeat_draws_file" if crime.get("near_repeat_file")
                              else "views/near_repeat_draws"))
        self._con.execute(sql("views/events"))
        self._con.execute(sql("views/daily"))
        self._con.execute(sql("views/quarantine"))

    @classmethod
    def open(cls, store_dir: Path) -> "Store":
        return cls(current_version_dir(store_dir))

    @property
    def datasets(self) -> list[str]:
        """Datasets in this version that have published rows, in the standard order."""
        present = self.manifest.get("datasets", {})
        return [d for d in DATASETS if present.get(d, {}).get("rows_published", 0) > 0]

    def has(self, dataset: str) -> bool:
        return dataset in self.datasets

    def days(self, dataset: str) -> tuple[dt.date, dt.date]:
        """First and last day a dataset covers (crime from its first report: offense starts reach back decades)."""
        if dataset not in self._days:      # every report asks: a version never changes
            first = self.fact("first_day").set_index("dataset")["first_day"][dataset]
            self._days[dataset] = (pd.Timestamp(first).date(),
                                   dt.date.fromisoformat(self.manifest["datasets"][dataset]["max_event_at"][:10]))
        return self._days[dataset]

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:  # creating cursors on one connection from many threads must be serialised
            return self._con.cursor()

    def df(self, query: str, **params) -> pd.DataFrame:
        """Run queries/<query>.sql with bound parameters; a pandas DataFrame."""
        cur = self._cursor()
        try:
            return cur.execute(sql(query), params or None).df()
        finally:
            cur.close()

    def fact(self, query: str, **params) -> pd.DataFrame:
        """store.df for a fact of the version that every report asks (its first days, areas,
        offenses): a version never changes, so each is counted once per Store (a copy is returned)."""
        key = (query, *sorted(params.items()))
        if key not in self._facts:
            self._facts[key] = self.df(query, **params)
        return self._facts[key].copy()

    def arrow(self, query: str, **params) -> pa.Table:
        cur = self._cursor()
        try:
            return cur.execute(sql(query), params or None).to_arrow_table()
        finally:
            cur.close()

    def close(self) -> None:
        self._con.close()
        self._unpin()
