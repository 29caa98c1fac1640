"""The meeting packet: one period's numbers, charts and notes as a PDF (fpdf2) and a
self-contained HTML file. The content comes from the same builders the pages use; this module
only lays it out."""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from . import charts, compare, compstat, export, hotspots, maps
from .datasets import DATASET_LABELS
from .geo import load_boundaries
from .periods import Grid

# DejaVu Sans (Debian's fonts-dejavu-core, installed by `make`) has the ▲ ▼ flags and every accent.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"


@dataclass
class Table:
    title: str
    data: pd.DataFrame
    note: str = ""


@dataclass
class Figure:
    title: str
    png: bytes
    svg: str | None = None   # inline in the HTML packet when given (sharp at any zoom)


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Packet:
    title: str
    subtitle: str
    sections: list[Section]


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def render_pdf(packet: Packet) -> bytes:
    pdf = FPDF(orientation="landscape", format="letter")
    if not (FONT_DIR / "DejaVuSans.ttf").exists():
        raise FileNotFoundError(f"the packet's font is missing from {FONT_DIR}: install Debian's fonts-dejavu-core")
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.add_font(FONT, "I", FONT_DIR / "DejaVuSans-Oblique.ttf")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(_text(packet.title))
    pdf.set_author("SeaStat")
    pdf.add_page()
    pdf.set_font(FONT, "B", 26)
    pdf.multi_cell(0, 12, _text(packet.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 14)
    pdf.multi_cell(0, 8, _text(packet.subtitle), new_x="LMARGIN", new_y="NEXT")
    for i, section in enumerate(packet.sections):
        if i:
            pdf.add_page()
        pdf.set_font(FONT, "B", 18)
        pdf.multi_cell(0, 10, _text(section.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 11)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 6, _text(paragraph), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        for table in section.tables:
            _pdf_table(pdf, table)
        for figure in section.figures:
            px_w, px_h = Image.open(io.BytesIO(figure.png)).size
            width = min(pdf.epw, 160 * px_w / px_h)              # at most 160 mm tall
            if pdf.will_page_break(width * px_h / px_w + 10):    # keep a figure's title with the figure
                pdf.add_page()
            pdf.set_font(FONT, "B", 12)
            pdf.multi_cell(0, 7, _text(figure.title), new_x="LMARGIN", new_y="NEXT")
            pdf.image(io.BytesIO(figure.png), w=width, x=pdf.l_margin + (pdf.epw - width) / 2)
            pdf.ln(2)
    return bytes(pdf.output())


def _pdf_table(pdf: FPDF, table: Table) -> None:
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 7, _text(table.title), new_x="LMARGIN", new_y="NEXT")
    size = 8 if len(table.data.columns) > 8 else 10
    pdf.set_font(FONT, "", size)
    # Each column as wide as its longest word or number (within limits); text left, numbers right.
    widths, align = [], []
    for name in table.data.columns:
        values = table.data[name].map(_text)
        longest = max([len(w) for w in str(name).split()] + [len(v) for v in values if v], default=4)
        widths.append(min(max(longest, 5), 28))
        numeric = values.str.fullmatch(r"[-+▲▼ ,.%0-9—]*|\+\d.* from 0").all()
        align.append("RIGHT" if numeric else "LEFT")
    with pdf.table(headings_style=FontFace(emphasis="BOLD", fill_color=(230, 234, 242)), col_widths=widths,
                   line_height=size * 0.55, text_align=align, first_row_as_headings=True) as t:
        t.row([_text(c) for c in table.data.columns])
        for values in table.data.itertuples(index=False):
            t.row([_text(v) for v in values])
    if table.note:
        pdf.set_font(FONT, "I", 9)
        pdf.multi_cell(0, 5, _text(table.note), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1400px; color: #111; }
h1 { font-size: 2.2rem; margin-bottom: .2rem; } h2 { border-top: 2px solid #0B3D91; padding-top: .8rem; }
table { border-collapse: collapse; margin: .5rem 0 1.2rem; font-size: .95rem; }
th, td { border: 1px solid #ccd; padding: .25rem .5rem; text-align: right; }
th { background: #e6eaf2; } td:first-child, th:first-child { text-align: left; }
figure { margin: 0 0 1.5rem; } figcaption { font-weight: 600; margin-bottom: .3rem; }
.note { font-style: italic; font-size: .85rem; }
"""


def render_html(packet: Packet) -> str:
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(packet.title)}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(packet.title)}</h1><p>{html.escape(packet.subtitle)}</p>"]
    for section in packet.sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
        for table in section.tables:
            parts.append(f"<h3>{html.escape(table.title)}</h3>")
            parts.append(table.data.to_html(index=False, na_rep="", border=0, escape=True))
            if table.note:
                parts.append(f"<p class='note'>{html.escape(table.note)}</p>")
        for figure in section.figures:
            body = figure.svg if figure.svg else (
                f"<img alt='{html.escape(figure.title)}' src='data:image/png;base64,"
                f"{base64.b64encode(figure.png).decode()}'>")
            parts.append(f"<figure><figcaption>{html.escape(figure.title)}</figcaption>{body}</figure>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


# --- Content: the same builders the pages use ------------------------------------------------------

TREND_PERIODS = 52


def _compstat(store, settings, grid, dataset: str, period, first_day):
    """The trends page's CompStat table and two-year period counts, via its query and builders."""
    level = compstat.alpha(settings.stats.z_threshold)
    windows = compstat.report_windows(grid, period, first_day, settings.stats.baseline_periods)
    periods = compstat.trend_periods(grid, period, first_day, TREND_PERIODS, settings.stats.baseline_periods)
    counts = store.df("trends/window_counts", dataset=dataset, windows=compstat.as_params(windows), against=[])
    period_counts = store.df("trends/window_counts", dataset=dataset, against=[],
                             windows=compstat.period_params(periods))
    rows = compstat.offense_rows(dataset, settings, sorted(set(counts["offense"]) | set(period_counts["offense"])))
    rows = {k: rows[k] for k in compstat.default_rows(dataset, settings, rows)}
    areas = store.df("areas", dataset=dataset)
    table = compstat.compstat_table(counts, areas, windows, rows, level=level, period_days=grid.length_days)
    return table, period_counts, periods, rows, level


def _trend_figure(period_counts, periods, rows, by: str, precinct: str | None, level, settings, manifest, title):
    label, offenses = rows["all"]
    part = period_counts if offenses is None else period_counts[period_counts["offense"].isin(offenses)]
    if precinct:
        part = part[part["precinct"] == precinct]
    series = compstat.trend_series(part, periods, by, total=precinct or compstat.CITY, level=level,
                                   baseline_periods=settings.stats.baseline_periods, shown=TREND_PERIODS)
    chart = export.with_caption(charts.trend_small_multiples(series, title=title, columns=3), manifest)
    return Figure(title, export.chart_png(chart), export.chart_svg(chart).decode())


def _hotspot_section(store, settings, grid, dataset: str, period, label: str) -> Section:
    """The hot-spot page's analysis for the period: the static map (no tiles) and the hottest blocks."""
    hs = settings.hotspots
    windows, params = hotspots.query_params(grid, period, hs, dataset)
    result = hotspots.analyse(store.df("hotspots/incidents", **params), settings.boundaries_dir, len(windows), hs)
    hot = hotspots.significant_cells(result.cells, hs.min_cell_count)
    title = f"Hot spots: {label}, {period.label()}"
    chart = export.with_caption(maps.static_map(load_boundaries(settings.boundaries_dir), result.beats, hot,
                                                "count", title), store.manifest)
    blocks = hotspots.block_table(result.blocks, result.periods, result.total, result.total_previous,
                                  hs.min_cell_count)
    top = pd.concat([blocks[blocks["rank"].notna()].head(15), blocks[blocks["rank"].isna()]])
    top = top.assign(share=top["share"].map("{:.1%}".format), rank=top["rank"].astype("string").fillna(""))
    labels = ", ".join(f"{n} {lab}" for lab, n in hot["label"].value_counts().items()) or "none"
    return Section("Hot spots", [
        f"Beats shaded by incidents this period; outlined cells are Getis-Ord Gi* hot spots (H3 cells, "
        f"false discovery rate {hs.significance:.0%}) labelled against the previous {hs.emerging_periods} periods: "
        f"{labels}. Sensitive offenses are never placed on the map; blocks under {hs.min_cell_count} incidents "
        "appear only in the aggregate line."],
        tables=[Table("Hottest 100-blocks", top.rename(columns={
            "rank": "Rank", "block_address": "100-block", "beat": "Beat", "incidents": "This period",
            "previous": "Previous", "change": "Change", "share": "Share"}))],
        figures=[Figure(title, export.chart_png(chart), export.chart_svg(chart).decode())])


def _compare_section(store, settings, grid, dataset: str, period, first_day, label: str) -> Section:
    """The comparison page's highlights: this period against the same period last year (with the
    offense groups that drive the difference), and crime, calls and use of force side by side."""
    level = compstat.alpha(settings.stats.z_threshold)
    section = Section("Comparison highlights")
    last_year = compare.period_against(grid, period, "last_year")
    if last_year.start >= first_day:
        a, b = (compare.Slice(k, w, compare.Area(), compare.period_name(w)) for k, w in (("a", period), ("b", last_year)))
        counts = store.df("compare/counts", dataset=dataset, windows=compare.windows_param(a, b))
        part_a, part_b = compare.chosen(counts, a), compare.chosen(counts, b)
        what = compare.NOUNS[dataset]
        mix = compare.offense_mix(part_a, part_b, top=10)
        section.paragraphs += [
            compare.in_words(compare.difference(a.label, part_a["n"].sum(), b.label, part_b["n"].sum(), level), what),
            compare.mix_in_words(mix, a.label, b.label, what)]
        chart = export.with_caption(compare.mix_chart(mix, a.label, b.label, f"{label} by group, city-wide"),
                                    store.manifest)
        section.figures.append(Figure(f"{label}: this period against the same period last year",
                                      export.chart_png(chart), export.chart_svg(chart).decode()))
    if set(compare.DATASETS) <= set(store.datasets):
        one = compare.Slice("a", period, compare.Area(), "")
        by = {d: store.df("trends/window_counts", dataset=d, windows=compare.windows_param(one), against=[])
              for d in compare.DATASETS}
        table = compare.dataset_table(*by.values())
        section.tables.append(Table("Crime, 911 calls and use of force by precinct", compare.shown(table),
                                    "A ratio with nothing to divide by reads 'not available'."))
        levels = compare.level_order(store.df("compare/incident_types")["incident_type"])
        section.tables.append(Table("Use of force by level and precinct, per 1,000 calls",
                                    compare.shown(compare.use_of_force_table(by["use_of_force"], by["calls"], levels))))
    return section


def build_packet(store, settings, period, *, dataset: str = "crime", precincts: list[str] | None = None,
                 progress=None) -> Packet:
    """The meeting packet for one period: cover, city and precinct CompStat tables with flags,
    trend charts, the hot-spot map and blocks, comparison highlights, data notes (quarantine, privacy)."""
    step = progress or (lambda message, fraction: None)
    grid = Grid(settings.periods.anchor, settings.periods.length_days)
    manifest = store.manifest
    first_day = store.days(dataset)[0]
    label = DATASET_LABELS[dataset]
    chosen = [p for p in settings.present.precinct_order if not precincts or p in precincts]

    step("CompStat table", 0.1)
    table, period_counts, periods, rows, level = _compstat(store, settings, grid, dataset, period, first_day)
    method = compstat.METHOD.format(alpha=level, threshold=settings.stats.z_threshold,
                                    periods=settings.stats.baseline_periods)
    synthetic = any(info.get("synthetic") for info in manifest["datasets"].values())
    cover = Section("About this packet", [
        f"Period: {period.label()} (SeaStat periods are {grid.length_days} days from {settings.periods.anchor}).",
        f"Data published {manifest['published_at']} (store version {manifest['version']}).",
        *[f"{DATASET_LABELS[name]}: {info['rows_published']:,} records through {(info['max_event_at'] or '')[:10]}; "
          f"sources: {', '.join(s['file'] + ' (' + s['layout'] + ')' for s in info['sources']) or 'none'}."
          for name, info in manifest["datasets"].items()],
        "SYNTHETIC DATA: generated by seastat synth, not real SPD records." if synthetic else
        "Source: Seattle Police Department open data (data.seattle.gov).",
        method,
    ])
    city = Section(f"City-wide: {label}", tables=[Table(
        f"{label}, {period.label()}", compstat.readable(compstat.precinct_view(table)), method)])
    step("City trend charts", 0.3)
    city.figures.append(_trend_figure(period_counts, periods, rows, "precinct", None, level, settings, manifest,
                                      f"{rows['all'][0]} per period by precinct, last two years"))
    sections = [cover, city]
    for i, precinct in enumerate(chosen):
        step(f"{precinct} precinct", 0.3 + 0.6 * i / max(len(chosen), 1))
        rows_of = table[(table["precinct"] == precinct) & table["level"].isin(["precinct", "sector"])]
        section = Section(f"{precinct} precinct", tables=[Table(
            f"{precinct}: {label}, {period.label()}", compstat.readable(rows_of), method)])
        section.figures.append(_trend_figure(period_counts, periods, rows, "sector", precinct, level, settings,
                                             manifest, f"{precinct}: {rows['all'][0]} per period by sector"))
        sections.append(section)
    step("Hot spots", 0.9)
    if dataset != "use_of_force":     # use of force carries no coordinates
        sections.append(_hotspot_section(store, settings, grid, dataset, period, label))
    step("Comparison highlights", 0.93)
    sections.append(_compare_section(store, settings, grid, dataset, period, first_day, label))
    step("Data notes", 0.95)
    reasons = store.df("quarantine_reasons")
    privacy = manifest["privacy"]
    sections.append(Section("Data notes", [
        "Every source row is counted: rows in = published + quarantined. Quarantined rows are kept out of "
        "every number in this packet; their reasons:",
    ], tables=[
        Table("Rows per dataset", pd.DataFrame([
            {"Dataset": DATASET_LABELS[n], "Rows in": f"{i['rows_in']:,}", "Published": f"{i['rows_published']:,}",
             "Quarantined": f"{i['rows_quarantined']:,}"} for n, i in manifest["datasets"].items()])),
        Table("Quarantined rows by reason", reasons[["dataset", "source_file", "reason", "rows"]]
              if not reasons.empty else pd.DataFrame({"reason": ["none"], "rows": [0]})),
        Table("Privacy rules applied at publish time", pd.DataFrame({
            "Rule": ["Addresses", "Sensitive offense codes", "Sensitive offense groups", "Sensitive offenses",
                     "Sensitive 911 call words"],
            "Applied": [f"published at the {privacy['address_level']} level only",
                        ", ".join(privacy["sensitive_offense_codes"]),
                        ", ".join(privacy["sensitive_offense_parent_groups"]),
                        ", ".join(privacy["sensitive_offenses"]),
                        ", ".join(privacy["sensitive_call_type_words"])]})),
    ]))
    step("Done", 1.0)
    return Packet(f"SeaStat meeting packet: {period.label()}",
                  f"{label} · Seattle Police Department · published {manifest['published_at'][:16]}", sections)
