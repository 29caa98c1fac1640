"""A small run of `seastat bench`, so the benchmark cannot rot: figures present, answers equal."""
import pytest

from seastat import reports
from seastat.bench import QUERY_SETS, Context, bench_size

pytestmark = pytest.mark.slow


def test_every_query_set_gives_pandas_the_same_answer(synth_store, settings):
    ctx = Context(settings, synth_store, reports.periods_offered(synth_store, settings, "crime")[0])
    for qs in (qs for qs in QUERY_SETS if qs.pandas):
        seastat = qs.answer(qs.seastat(synth_store, ctx))
        assert seastat == qs.answer(qs.pandas(synth_store.version_dir, ctx)), qs.name
        assert seastat and all(seastat), f"{qs.name}: an empty answer proves nothing"


def test_bench_at_100k_rows_reports_every_figure(tmp_path, settings):
    result = bench_size(100_000, tmp_path, settings, runs=3, render=True, log=lambda m: None)
    assert result["rows"] == 100_000
    assert result["publish_rows_per_s"] > 0 and result["peak_rss_mb"] > 0
    assert result["first_render_s"] and result["first_render_s"] > 0
    names = [q["name"] for q in result["queries"]]
    assert names == [qs.name for qs in QUERY_SETS]
    with_pandas = {qs.name for qs in QUERY_SETS if qs.pandas}
    for q in result["queries"]:
        assert 0 < q["p50_ms"] <= q["p95_ms"]
        if q["name"] in with_pandas:
            assert q["pandas_p50_ms"] > 0 and q["ratio"] > 0
