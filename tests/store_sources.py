"""Two small, different sets of synthetic SPD exports, for tests that publish again and again and
tell from a version's content which set it came from. Import `source_sets` to use the fixture."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SMALL_END

from seastat.synth import synth


@pytest.fixture(scope="session")
def source_sets(tmp_path_factory) -> list[list[Path]]:
    sets = []
    for seed in (21, 22):
        out = tmp_path_factory.mktemp(f"sources-{seed}")
        synth(5_000, out, seed=seed, end=SMALL_END, boundaries=PROJECT_ROOT / "data" / "boundaries")
        sets.append(sorted(out.glob("*.csv")))
    return sets
