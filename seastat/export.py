"""Exports analysts paste into their own reports: charts as PNG/SVG (vl-convert, no browser),
tables as CSV, with file names that carry the period and filters and a source caption."""
from __future__ import annotations

import re
from collections.abc import Iterable

import altair as alt
import pandas as pd
import vl_convert as vlc


def file_stem(*parts: object) -> str:
    """'seastat_trends_2026-11-02_North' from the view's parts; empty parts are skipped."""
    words = []
    for part in parts:
        if isinstance(part, Iterable) and not isinstance(part, str):
            part = "-".join(str(p) for p in part)
        text = re.sub(r"[^A-Za-z0-9.-]+", "-", str(part or "")).strip("-")
        if text:
            words.append(text[:40])
    return "_".join(["seastat", *words])


def is_synthetic(manifest: dict) -> bool:
    return any(info.get("synthetic") for info in manifest.get("datasets", {}).values())


def source_caption(manifest: dict) -> str:
    """The line every exported chart carries: where the numbers come from and how fresh they are."""
    source = ("SYNTHETIC data (seastat synth), not SPD records" if is_synthetic(manifest)
              else "Seattle Police Department open data")
    return f"Source: {source} · published {manifest.get('published_at', 'unknown')[:16].replace('T', ' ')}"


def source_line(manifest: dict) -> str:
    """The comment line that opens every CSV download and command-line table."""
    return f"# {source_caption(manifest)} · version {manifest.get('version', 'unknown')}"


def with_caption(chart: alt.TopLevelMixin, manifest: dict) -> alt.TopLevelMixin:
    """The chart with the source caption under it, so a pasted image still says where it is from."""
    return chart.properties(title=alt.TitleParams(
        text=chart.title if isinstance(chart.title, str) else "", subtitle=[source_caption(manifest)],
        anchor="start", orient="top",
    ))


def chart_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    return vlc.vegalite_to_png(chart.to_dict(), scale=scale)


def chart_svg(chart: alt.TopLevelMixin) -> bytes:
    return vlc.vegalite_to_svg(chart.to_dict()).encode()


def table_csv(df: pd.DataFrame, manifest: dict | None = None) -> bytes:
    """A table as CSV, opened by the source line when the store's manifest is given."""
    head = f"{source_line(manifest)}\n" if manifest is not None else ""
    return (head + df.to_csv(index=False)).encode()
