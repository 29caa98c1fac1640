"""The meeting packet: one period's numbers, charts and notes as a PDF (fpdf2) and a
self-contained HTML file. The content comes from the same reports the pages use
(seastat.reports); this module only lays it out."""
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

from . import charts, compare, compstat, export, reports, wording
from .datasets import FACTS
from .geo import load_boundaries

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


# --- Content: the same reports the pages use -------------------------------------------------------

def _figure(chart, manifest: dict, title: str) -> Figure:
    chart = export.with_caption(chart, manifest)
    return Figure(title, export.chart_png(chart), export.chart_svg(chart).decode())


def _hotspot_section(store, settings, view: reports.View, label: str) -> Section:
    """The hot-spot page's analysis for the period: the static map (no tiles) and the hottest blocks."""
    hs = settings.hotspots
    result = reports.hotspot_report(store, settings, view)
    title = f"Hot spots: {label}, {view.period.label()}"
    chart = charts.static_map(load_boundaries(settings.boundaries_dir), result.analysis.beats, result.hot_cells,
                            "count", title)
    labels = ", ".join(f"{n} {lab}" for lab, n in result.hot_cells["label"].value_counts().items()) or "none"
    near = reports.near_repeat_report(store, settings, view.period) if FACTS[view.dataset].has_offense_groups else None
    tables = [Table("Hottest 100-blocks", wording.hot_blocks(result.blocks(), top=15))]
    if near is not None:
        tables += [Table("Near repeats: pairs close in space and time more often than chance",
                         wording.knox_table(near.elevated(settings.level)), near.note),
                   Table("Near repeats: places at risk now", near.places.rename(columns={
                       "block_address": "100-block", "beat": "Beat", "events": "Events", "offenses": "Offenses",
                       "last_event": "Last event", "open_until": "Open until"}))]
    return Section("Hot spots", [
        f"Beats shaded by incidents this period; outlined cells are hot spots (H3 cells, "
        f"false discovery rate {hs.significance:.0%}) labelled against the previous {hs.emerging_periods} periods: "
        f"{labels}. Sensitive offenses are never placed on the map; blocks under {hs.min_cell_count} incidents "
        "appear only in the aggregate line."],
        tables=tables, figures=[_figure(chart, store.manifest, title)])


def _compare_section(store, settings, view: reports.View, label: str) -> Section:
    """The comparison page's highlights: this period against the same period last year (with the
    offense groups that drive the difference), and crime, calls and use of force side by side."""
    section = Section("Comparison highlights")
    a, b = reports.this_period_against(settings, view.period, compare.Area(), "last_year")
    if b.window.start >= store.days(view.dataset)[0]:
        result = reports.slices_report(store, settings, view.dataset, a, b, "all", mix_top=10)
        what = FACTS[view.dataset].noun
        section.paragraphs += [wording.in_words(result.difference, what),
                               wording.mix_in_words(result.mix, a.label, b.label, what)]
        section.figures.append(_figure(charts.mix_chart(result.mix, a.label, b.label, f"{label} by group, city-wide"),
                                       store.manifest, f"{label}: this period against the same period last year"))
    if set(compare.DATASETS) <= set(store.datasets):
        both = reports.datasets_report(store, settings, view.period)
        section.tables.append(Table("Crime, 911 calls and use of force by precinct", wording.shown(both.table),
                                    "A ratio with nothing to divide by reads 'not available'."))
        section.tables.append(Table("Use of force by level and precinct, per 1,000 calls",
                                    wording.shown(both.use_of_force)))
    return section


def _data_notes(store, settings) -> Section:
    summary = reports.data_summary(store, settings)
    privacy = summary.privacy
    reasons = summary.reasons
    return Section("Data notes", [
        "Every source row is counted: rows in = published + quarantined. Quarantined rows are kept out of "
        "every number in this packet; their reasons:",
    ], tables=[
        Table("Rows per dataset", wording.shown(summary.loaded[["Dataset", "Rows in", "Rows published",
                                                                 "Rows quarantined"]])),
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
    ])


def build_packet(store, settings, period, *, dataset: str = "crime", precincts: list[str] | None = None,
                 progress=None) -> Packet:
    """The meeting packet for one period: cover, city and precinct CompStat tables with flags,
    trend charts, the hot-spot map and blocks, comparison highlights, data notes (quarantine, privacy)."""
    step = progress or (lambda message, fraction: None)
    manifest = store.manifest
    label = FACTS[dataset].label
    view = reports.View(dataset, period)
    chosen = [p for p in settings.present.precinct_order if not precincts or p in precincts]

    step("CompStat table", 0.1)
    table = reports.compstat_report(store, settings, view)
    trends = reports.trend_report(store, settings, view)
    method, everything = wording.method_note(settings), table.rows["all"][0]
    cover = Section("About this packet", [
        f"Period: {period.label()} (SeaStat periods are {settings.grid.length_days} days from "
        f"{settings.periods.anchor}).",
        f"Data published {manifest['published_at']} (store version {manifest['version']}).",
        *[f"{FACTS[name].label}: {info['rows_published']:,} records through {(info['max_event_at'] or '')[:10]}; "
          f"sources: {', '.join(s['file'] + ' (' + s['layout'] + ')' for s in info['sources']) or 'none'}."
          for name, info in manifest["datasets"].items()],
        "SYNTHETIC DATA: generated by seastat synth, not real SPD records." if export.is_synthetic(manifest) else
        "Source: Seattle Police Department open data (data.seattle.gov).",
        method,
    ])
    city = Section(f"City-wide: {label}", tables=[Table(
        f"{label}, {period.label()}", wording.readable(table.headline, table.headers), method)])
    step("City trend charts", 0.3)
    title = f"{everything} per period by precinct, last two years"
    city.figures.append(_figure(charts.trend_small_multiples(trends.series("all", total=compstat.CITY), title=title,
                                                             columns=3), manifest, title))
    sections = [cover, city]
    for i, precinct in enumerate(chosen):
        step(f"{precinct} precinct", 0.3 + 0.6 * i / max(len(chosen), 1))
        title = f"{precinct}: {everything} per period by sector"
        sections.append(Section(f"{precinct} precinct", tables=[Table(
            f"{precinct}: {label}, {period.label()}", wording.readable(table.precinct_and_sectors(precinct),
                                                                       table.headers), method)],
            figures=[_figure(charts.trend_small_multiples(trends.series("all", "sector", within=precinct,
                                                                        total=precinct), title=title, columns=3),
                             manifest, title)]))
    step("Hot spots", 0.9)
    if FACTS[dataset].has_coordinates:
        sections.append(_hotspot_section(store, settings, view, label))
    step("Comparison highlights", 0.93)
    sections.append(_compare_section(store, settings, view, label))
    step("Data notes", 0.95)
    sections.append(_data_notes(store, settings))
    step("Done", 1.0)
    return Packet(f"SeaStat meeting packet: {period.label()}",
                  f"{label} · Seattle Police Department · published {manifest['published_at'][:16]}", sections)
