"""The bundled store `make run` serves: real SPD records, small, sound and reproducible."""
from __future__ import annotations

import json

import pytest
from conftest import BUNDLED_STORE, PROJECT_ROOT

from seastat.check import check_store
from seastat.geo import load_boundaries
from seastat.publish import publish

REAL = PROJECT_ROOT.parent / "shared" / "data" / "real"


def test_bundled_data_is_under_25_mb_and_matches_its_manifest():
    size = sum(p.stat().st_size for p in (PROJECT_ROOT / "data").rglob("*") if p.is_file())
    assert size < 25 * 1024 * 1024
    assert check_store(BUNDLED_STORE) == []


@pytest.mark.skipif(not REAL.is_dir(), reason=f"the real SPD exports are not at {REAL}")
def test_bundled_store_is_what_make_data_builds_from_the_real_exports(tmp_path, settings):
    """`make data` (every real export published together) gives byte-identical Parquet files, and
    none of them is labelled synthetic."""
    sources = sorted(p for folder in ("crime", "calls", "use_of_force") for p in (REAL / folder).glob("*.csv"))
    rebuilt = publish(sources, tmp_path / "store", settings, replace_all=True)
    bundled = json.loads((BUNDLED_STORE / "current" / "manifest.json").read_text())
    assert sorted(s["file"] for d in bundled["datasets"].values() for s in d["sources"]) == sorted(p.name for p in sources)
    for name in bundled["datasets"]:
        assert rebuilt["datasets"][name]["files"] == bundled["datasets"][name]["files"], name
        assert rebuilt["datasets"][name]["synthetic"] is False and bundled["datasets"][name]["rows_published"] > 0


def test_boundaries_have_the_spd_hierarchy(settings):
    b = load_boundaries(settings.boundaries_dir)
    assert set(b["precinct"]["precinct"]) == {"North", "East", "South", "West", "Southwest"}
    assert len(b["sector"]) == 17
    assert b["beat"]["beat"].str.match(r"^[A-Z][1-3]$").all()
    assert b["beat"].geometry.is_valid.all()
