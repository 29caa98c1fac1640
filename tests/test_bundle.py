"""The bundled sample `make run` serves: small, sound, synthetic-labelled and reproducible."""
from __future__ import annotations

import json
import re

from conftest import BUNDLED_STORE, PROJECT_ROOT
from seastat.check import check_store
from seastat.geo import load_boundaries
from seastat.publish import publish
from seastat.synth import synth


def test_bundled_data_is_under_25_mb_and_matches_its_manifest():
    size = sum(p.stat().st_size for p in (PROJECT_ROOT / "data").rglob("*") if p.is_file())
    assert size < 25 * 1024 * 1024
    assert check_store(BUNDLED_STORE) == []


def test_bundled_store_is_what_make_data_builds(tmp_path, settings):
    """Re-running the recipe in the Makefile gives byte-identical Parquet files."""
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    rows = int(re.search(r"BUNDLE_ROWS \?= (\d+)", makefile).group(1))
    end = re.search(r"BUNDLE_END  \?= ([\d-]+)", makefile).group(1)
    import datetime as dt
    written = synth(rows, tmp_path / "src", end=dt.date.fromisoformat(end), boundaries=settings.boundaries_dir)
    rebuilt = publish([written["crime"], written["calls"], written["use_of_force"]], tmp_path / "store", settings)
    bundled = json.loads((BUNDLED_STORE / "current" / "manifest.json").read_text())
    for name in bundled["datasets"]:
        assert rebuilt["datasets"][name]["files"] == bundled["datasets"][name]["files"], name
        assert rebuilt["datasets"][name]["synthetic"] is True


def test_boundaries_have_the_spd_hierarchy(settings):
    b = load_boundaries(settings.boundaries_dir)
    assert set(b["precinct"]["precinct"]) == {"North", "East", "South", "West", "Southwest"}
    assert len(b["sector"]) == 17
    assert b["beat"]["beat"].str.match(r"^[A-Z][1-3]$").all()
    assert b["beat"].geometry.is_valid.all()
