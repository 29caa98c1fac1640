"""Chart and table exports: real PNG/SVG bytes from vl-convert, file names carrying the view."""
import altair as alt
import pandas as pd

from seastat import export


def test_chart_exports_are_real_images_with_the_source_caption(synth_store):
    chart = alt.Chart(pd.DataFrame({"period": ["a", "b"], "n": [3, 5]}), title="Incidents").mark_bar().encode(
        x="period", y="n")
    chart = export.with_caption(chart, synth_store.manifest)
    png = export.chart_png(chart)
    assert png.startswith(b"\x89PNG")
    svg = export.chart_svg(chart).decode()
    assert svg.startswith("<svg") and "SYNTHETIC" in svg and "Incidents" in svg


def test_file_stem_carries_period_and_filters_and_nothing_unsafe():
    assert export.file_stem("trends", "2026-11-02", ["North", "East"], "") == "seastat_trends_2026-11-02_North-East"
    assert export.file_stem("x", "../../etc/passwd; rm") == "seastat_x_..-..-etc-passwd-rm"
