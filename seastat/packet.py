"""The meeting packet: one period's numbers, charts and notes as a PDF (fpdf2) and a
self-contained HTML file. The content comes from the same reports the pages use
(seastat.reports); this module only lays it out."""
from __future__ import annotations

import base64
import html
import io
import math
import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import vl_convert as vlc
from fpdf import FPDF
from fpdf.fonts import FontFace, TextStyle
from fpdf.outline import TableOfContents
from PIL import Image

from . import access, charts, compare, compstat, export, reports, service, tables, wording
from .datasets import FACTS
from .geo import load_boundaries
from .palette import DOWN, UP

# DejaVu Sans (Debian's fonts-dejavu-core, installed by `make`) has the ▲ ▼ flags and every accent.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
# The charts' font: vl-convert measures their text with it, and the HTML packet embeds it (font_faces).
CHART_FONT = "DejaVu Sans"
if FONT_DIR.exists():
    vlc.register_font_directory(str(FONT_DIR))


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
    sentences: list[tuple[str, str, int]] = field(default_factory=list)   # (sentence, link of its table, indent level)


@dataclass
class Packet:
    title: str
    subtitle: str
    sections: list[Section]   # the first is printed on the first page, before the contents
    running: str = ""         # the running header of every page: period, store version, published
    synthetic: bool = False   # SYNTHETIC on every page


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


# --- PDF ------------------------------------------------------------------------------------------

FLAG_FILLS = {UP: ((253, 219, 199), (103, 0, 13)), DOWN: ((209, 229, 240), (5, 48, 97))}   # palette.FLAG_STYLES
HEADER_H, FOOTER_H = 9.0, 9.0        # mm kept for the running header and the page number
PAD = 1.2                            # mm each side of a table cell's text
NUMERIC = re.compile(r"[-+▲▼\u00a0 ,.%0-9—<]*|([▲▼]\u00a0)?\+[\d,]+ from 0")   # "<3": a count held back
TABLE_SIZES = (10, 9.5, 9, 8.5, 8, 7.5, 7)
WHOLE_MIN = 8.5                      # pt: below this a table rather wraps its words than shrinks


class _PacketPDF(FPDF):
    def __init__(self, packet: Packet):
        super().__init__(orientation="landscape", format="letter")
        self.packet = packet

    def header(self) -> None:
        self.set_xy(self.l_margin, 4)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        if self.packet.synthetic:
            self.set_font(FONT, "B", 8)
            self.set_text_color(180, 40, 0)
            self.cell(self.get_string_width("SYNTHETIC DATA") + 2, 5, "SYNTHETIC DATA")
            self.set_font(FONT, "", 8)
            self.set_text_color(90, 90, 90)
        self.cell(0, 5, _text(self.packet.running), align="R")
        self.set_draw_color(200, 200, 200)
        self.line(self.l_margin, 9.5, self.w - self.r_margin, 9.5)
        self.set_text_color(0, 0, 0)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_y(-FOOTER_H)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)


class _Contents(TableOfContents):
    def render_toc(self, pdf: FPDF, outline) -> None:
        pdf.set_x(pdf.l_margin)
        pdf.set_font(FONT, "B", 18)
        pdf.cell(0, 12, "Contents", new_x="LMARGIN", new_y="NEXT")
        super().render_toc(pdf, outline)


def figure_size(px_w: float, px_h: float, width: float, height: float) -> tuple[float, float]:
    """(w, h) in mm of a chart of px_w x px_h placed as large as it fits in width x height mm."""
    scale = min(width / px_w, height / px_h)
    return px_w * scale, px_h * scale


def page_room(pdf: FPDF | None = None) -> tuple[float, float]:
    """Width and height (mm) a figure can take on a fresh page, under its 7 mm title."""
    pdf = pdf or _PacketPDF(Packet("", "", []))
    _setup(pdf)
    return pdf.epw, pdf.h - pdf.t_margin - pdf.b_margin - 9


def _setup(pdf: FPDF) -> None:
    pdf.set_margins(12, 13, 12)
    pdf.set_auto_page_break(auto=True, margin=FOOTER_H + 4)


def _new_pdf(packet: Packet) -> _PacketPDF:
    if not (FONT_DIR / "DejaVuSans.ttf").exists():
        raise FileNotFoundError(f"the packet's font is missing from {FONT_DIR}: install Debian's fonts-dejavu-core")
    pdf = _PacketPDF(packet)
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.add_font(FONT, "I", FONT_DIR / "DejaVuSans-Oblique.ttf")
    _setup(pdf)
    return pdf


SUMMARY_SIZES = (12, 11.5, 11, 10.5, 10, 9.5, 9, 8.5, 8, 7.5, 7)


def _first_page(pdf: FPDF, packet: Packet, size: float) -> None:
    """The title and the first section (the written summary), its sentences at `size` pt."""
    pdf.add_page()
    pdf.set_font(FONT, "B", 24)
    pdf.multi_cell(0, 11, _text(packet.title), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font(FONT, "", 13)
    pdf.multi_cell(0, 7, _text(packet.subtitle), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(2)
    if packet.sections:
        section = packet.sections[0]
        pdf.start_section(_text(section.title))
        pdf.set_font(FONT, "B", 17)
        pdf.multi_cell(0, 9, _text(section.title), new_x="LMARGIN", new_y="NEXT")
        for sentence, link, depth in section.sentences:
            _pdf_sentence(pdf, sentence, link, size, depth)
        _section_body(pdf, replace(section, sentences=[]))


def _summary_size(packet: Packet) -> float:
    """The largest type in which the summary still fits on the first page (tried on a scratch copy)."""
    for size in SUMMARY_SIZES:
        scratch = _new_pdf(packet)
        _first_page(scratch, packet, size)
        if scratch.page == 1:
            return size
    return SUMMARY_SIZES[-1]


def render_pdf(packet: Packet) -> bytes:
    """The packet as a PDF: the first section (the summary) on the first page, then the contents,
    then every other section from a new page; a running header and the page number on every page."""
    pdf = _new_pdf(packet)
    pdf.set_title(_text(packet.title))
    pdf.set_author("SeaStat")
    _first_page(pdf, packet, _summary_size(packet))
    for i, section in enumerate(packet.sections[1:]):
        pdf.add_page()
        if i == 0:
            pdf.insert_toc_placeholder(_Contents(text_style=TextStyle(font_family=FONT, font_size_pt=12),
                                                 ignore_pages_before_toc=False).render_toc)
        pdf.start_section(_text(section.title))
        pdf.set_font(FONT, "B", 17)
        pdf.multi_cell(0, 9, _text(section.title), new_x="LMARGIN", new_y="NEXT")
        _section_body(pdf, section)
    return bytes(pdf.output())


def _section_body(pdf: FPDF, section: Section) -> None:
    pdf.set_font(FONT, "", 11)
    for sentence, link, depth in section.sentences:
        _pdf_sentence(pdf, sentence, link, 11, depth)
    for paragraph in section.paragraphs:
        pdf.set_font(FONT, "", 11)
        pdf.multi_cell(0, 6, _text(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    for table in section.tables:
        _pdf_table(pdf, table)
    for figure in section.figures:
        _pdf_figure(pdf, figure)


def _pdf_sentence(pdf: FPDF, sentence: str, link: str, size: float, depth: int = 0) -> None:
    """A summary sentence as a bullet with a hanging indent (an echo one step in), the address
    of its table after it in small grey type."""
    indent = size * 0.5
    line = size * 0.47
    left = pdf.l_margin
    pdf.set_font(FONT, "", size)
    pdf.set_x(left + depth * indent)
    pdf.cell(indent, line, "–" if depth else "•")
    pdf.set_left_margin(left + (depth + 1) * indent)
    pdf.write(line, _text(sentence))
    if link:
        pdf.set_font(FONT, "", max(size - 3, 6))
        pdf.set_text_color(110, 110, 110)
        pdf.write(line, f"   /{link}")
        pdf.set_text_color(0, 0, 0)
    pdf.set_left_margin(left)
    pdf.ln(line + size * 0.12)


def _pdf_figure(pdf: FPDF, figure: Figure) -> None:
    px_w, px_h = Image.open(io.BytesIO(figure.png)).size
    room_w, room_h = page_room(pdf)
    width, height = figure_size(px_w, px_h, room_w, room_h)
    if pdf.will_page_break(height + 9):          # a figure is never shrunk to fit: it takes a new page
        pdf.add_page()
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 7, _text(figure.title), new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(figure.png), w=width, h=height, x=pdf.l_margin + (pdf.epw - width) / 2)
    pdf.ln(2)


def _measure(pdf: FPDF, data: pd.DataFrame, values: dict, numeric: list[bool], size: float):
    """Per column at `size` pt: the least width (no number split, no word split), the width that
    keeps every cell on one line, and the width that keeps its heading on one line too (up to 40 mm)."""
    pdf.set_font(FONT, "B", size)             # measured bold: flagged cells and headings are bold
    pad = 2 * PAD + 0.6
    need, whole, nice = [], [], []
    for name, is_number in zip(data.columns, numeric):
        cells = [v for v in values[name] if v]
        head = max((pdf.get_string_width(w) for w in str(name).split()), default=0)
        widest = max((pdf.get_string_width(v) for v in cells), default=0)
        word = widest if is_number else max((pdf.get_string_width(w) for v in cells for w in v.split()), default=0)
        need.append(max(head, word) + pad)
        whole.append(max(head, widest) + pad)
        nice.append(max(whole[-1], min(pdf.get_string_width(str(name)), 40) + pad))
    return need, whole, nice


def _grow(widths: list[float], goal: list[float], room: float) -> list[float]:
    """Widths grown toward `goal`, in proportion, as far as `room` allows."""
    extra = [max(g - w, 0) for w, g in zip(widths, goal)]
    spare = room - sum(widths)
    if spare <= 0 or sum(extra) == 0:
        return widths
    share = min(1.0, spare / sum(extra))
    return [w + e * share for w, e in zip(widths, extra)]


def column_widths(pdf: FPDF, data: pd.DataFrame) -> tuple[float, list[float], list[str]]:
    """The font size and each column's width (mm) so that no number, and no ▲/▼ with its
    number, ever wraps. The largest of TABLE_SIZES at which every cell fits on one line, down to
    WHOLE_MIN pt; else the largest at which no number or word is split. The room left goes to
    the cells, then to the headings."""
    values = {name: data[name].map(_text) for name in data.columns}
    numeric = [bool(values[n].map(lambda v: NUMERIC.fullmatch(v) is not None).all()) for n in data.columns]
    room = pdf.epw - 0.01             # fpdf2 refuses a table a rounding error wider than the page
    measured = {size: _measure(pdf, data, values, numeric, size) for size in TABLE_SIZES}
    whole = [size for size in TABLE_SIZES if size >= WHOLE_MIN and sum(measured[size][1]) <= room]
    unbroken = [size for size in TABLE_SIZES if sum(measured[size][0]) <= room]
    size = (whole or unbroken or [TABLE_SIZES[-1]])[0]
    need, cells, nice = measured[size]
    widths = _grow(_grow(need, cells, room), nice, room)
    return size, [min(w, room * w / sum(widths)) for w in widths], ["RIGHT" if n else "LEFT" for n in numeric]


def _pdf_table(pdf: FPDF, table: Table) -> None:
    pdf.set_font(FONT, "B", 12)
    if pdf.will_page_break(7 + 20):                  # a title never sits alone at the foot of a page
        pdf.add_page()
    pdf.multi_cell(0, 7, _text(table.title), new_x="LMARGIN", new_y="NEXT")
    size, widths, align = column_widths(pdf, table.data)
    pdf.set_font(FONT, "", size)
    with pdf.table(headings_style=FontFace(emphasis="BOLD", fill_color=(230, 234, 242)), col_widths=widths,
                   width=sum(widths), align="LEFT", line_height=size * 0.5, text_align=align,
                   padding=(0.4, PAD), first_row_as_headings=True) as t:
        t.row([_text(c) for c in table.data.columns])
        for values in table.data.itertuples(index=False):
            row = t.row()
            for value in values:
                text = _text(value)
                fill = FLAG_FILLS.get(text[:1])
                row.cell(text, style=FontFace(emphasis="BOLD", fill_color=fill[0], color=fill[1]) if fill else None)
    if table.note:
        pdf.set_font(FONT, "I", 9)
        pdf.multi_cell(0, 5, _text(table.note), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


# --- HTML -----------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1400px; color: #111; padding: 0 1rem; }
h1 { font-size: 2.2rem; margin-bottom: .2rem; } h2 { border-top: 2px solid #0B3D91; padding-top: .8rem; }
.running { font-size: .85rem; color: #555; border-bottom: 1px solid #ccc; padding-bottom: .3rem; }
.synthetic { color: #b42800; font-weight: 700; }
table { border-collapse: collapse; margin: .5rem 0 1.2rem; font-size: .95rem; }
th, td { border: 1px solid #ccd; padding: .25rem .5rem; text-align: right; white-space: nowrap; }
th { background: #e6eaf2; } td:first-child, th:first-child { text-align: left; }
td.up { background: #FDDBC7; color: #67000D; font-weight: 700; }
td.down { background: #D1E5F0; color: #053061; font-weight: 700; }
figure { margin: 0 0 1.5rem; } figcaption { font-weight: 600; margin-bottom: .3rem; }
figure svg { max-width: 100%; height: auto; }
.note { font-style: italic; font-size: .85rem; } .link { font-size: .8rem; color: #555; }
li { margin-bottom: .3rem; } li.echo { margin-left: 1.5rem; list-style: "– "; }
nav ol { columns: 2; }
"""


def _html_table(data: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(_text(c))}</th>" for c in data.columns)
    rows = []
    for values in data.itertuples(index=False):
        cells = []
        for value in values:
            text = _text(value)
            klass = {UP: " class='up'", DOWN: " class='down'"}.get(text[:1], "")
            cells.append(f"<td{klass}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def font_faces(svgs: list[str]) -> str:
    """@font-face rules embedding the DejaVu Sans the charts were measured with (vl-convert lays
    out their text with it), cut down to the characters the charts use, so a browser draws each
    label exactly as wide as its place in the chart."""
    import logging

    from fontTools import subset
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)    # "FFTM NOT subset": a timestamp table, harmless
    used = set("".join(html.unescape(t) for svg in svgs for t in re.findall(r">([^<>]+)</text>", svg)))
    used |= set(string.printable)
    rules = []
    for weight, file in (("normal", "DejaVuSans.ttf"), ("bold", "DejaVuSans-Bold.ttf")):
        options = subset.Options()
        options.layout_features = ["*"]
        font = subset.load_font(str(FONT_DIR / file), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(used)))
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        rules.append(f"@font-face {{ font-family: '{CHART_FONT}'; font-weight: {weight}; "
                     f"src: url(data:font/ttf;base64,{base64.b64encode(out.getvalue()).decode()}) format('truetype'); }}")
    return "\n".join(rules)


def render_html(packet: Packet) -> str:
    svgs = [f.svg for s in packet.sections for f in s.figures if f.svg]
    running = (("<span class='synthetic'>SYNTHETIC DATA</span> · " if packet.synthetic else "")
               + html.escape(packet.running))
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(packet.title)}</title>"
             f"<style>{font_faces(svgs) if svgs else ''}{_CSS}</style></head><body>",
             f"<p class='running'>{running}</p>",
             f"<h1>{html.escape(packet.title)}</h1><p>{html.escape(packet.subtitle)}</p>"]
    anchors = [f"s{i}" for i in range(len(packet.sections))]
    contents = "<nav><h2>Contents</h2><ol>" + "".join(
        f"<li><a href='#{a}'>{html.escape(s.title)}</a></li>" for a, s in zip(anchors, packet.sections)) + "</ol></nav>"
    for i, (anchor, section) in enumerate(zip(anchors, packet.sections)):
        if i == 1:
            parts.append(contents)
        parts.append(f"<section id='{anchor}'><h2>{html.escape(section.title)}</h2>")
        if section.sentences:
            parts.append("<ul>" + "".join(
                f"<li{' class=echo' if depth else ''}>{html.escape(text)} "
                f"<span class='link'>/{html.escape(link)}</span></li>"
                for text, link, depth in section.sentences) + "</ul>")
        parts += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
        for table in section.tables:
            parts.append(f"<h3>{html.escape(table.title)}</h3>")
            parts.append(_html_table(table.data))
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
    """The chart with its source caption, drawn (and its text measured) in CHART_FONT."""
    spec = export.with_caption(chart, manifest).to_dict()
    config = {"font": CHART_FONT}
    return Figure(title, vlc.vegalite_to_png(spec, scale=2, config=config), vlc.vegalite_to_svg(spec, config=config))


def _trend_figure(series: pd.DataFrame, manifest: dict, title: str) -> Figure:
    """Small multiples laid out for a landscape page: two rows where they fit, panels sized so that
    the chart's 13-px axis text prints at about 8 pt across the page."""
    panels = series["area"].nunique()
    columns = min(4, max(1, math.ceil(panels / 2)))
    rows = math.ceil(panels / columns)
    width = int(1040 / columns) - 120
    height = max(110, min(190, int(540 / rows) - 70))
    return _figure(charts.trend_small_multiples(series, title=title, columns=columns, width=width, height=height),
                   manifest, title)


def _hotspot_section(store, settings, view: reports.View, label: str, safe) -> Section:
    """The hot-spot page's analysis for the period: the static map (no tiles) and the hottest blocks."""
    hs = settings.hotspots
    result = reports.hotspot_report(store, settings, view)
    title = f"Hot spots: {label}, {view.period.label()}"
    chart = charts.static_map(load_boundaries(settings.boundaries_dir), result.analysis.beats, result.hot_cells,
                            "count", title, hs.min_cell_count if safe.partner else 0)
    labels = ", ".join(f"{n} {lab}" for lab, n in result.hot_cells["label"].value_counts().items()) or "none"
    near = reports.near_repeat_report(store, settings, view.period) if FACTS[view.dataset].has_offense_groups else None
    shown = [Table("Hottest 100-blocks", wording.hot_blocks(safe(result.blocks(), **tables.HOLD_BACK["hot-blocks"]),
                                                           top=15))]
    if near is not None:
        shown += [Table("Near repeats: pairs close in space and time more often than chance",
                        wording.knox_table(safe(near.elevated(settings.level), **tables.HOLD_BACK["knox"])), near.note),
                  Table("Near repeats: places at risk now", safe(near.places, **tables.HOLD_BACK["near-repeat"]).rename(columns={
                       "block_address": "100-block", "beat": "Beat", "events": "Events", "offenses": "Offenses",
                       "last_event": "Last event", "open_until": "Open until"}))]
    return Section("Hot spots", [
        f"Beats shaded by incidents this period; outlined cells are hot spots (H3 cells, "
        f"false discovery rate {hs.significance:.0%}) labelled against the previous {hs.emerging_periods} periods: "
        f"{labels}. Sensitive offenses are never placed on the map; blocks under {hs.min_cell_count} incidents "
        "appear only in the aggregate line."],
        tables=shown, figures=[_figure(chart, store.manifest, title)])


def _compare_section(store, settings, view: reports.View, label: str, safe) -> Section:
    """The comparison page's highlights: this period against the same period last year (with the
    offense groups that drive the difference), and crime, calls and use of force side by side."""
    section = Section("Comparison highlights")
    a, b = reports.this_period_against(settings, view.period, compare.Area(), "last_year")
    if b.window.start >= store.days(view.dataset)[0]:
        result = reports.slices_report(store, settings, view.dataset, a, b, "all", mix_top=10)
        what = FACTS[view.dataset].noun
        section.paragraphs += [wording.in_words(result.difference, what, safe.count),
                               wording.mix_in_words(result.mix, a.label, b.label, what, safe.count)]
        mix = safe(result.mix, **tables.HOLD_BACK["offense-mix"], for_chart=True)
        section.figures.append(_figure(charts.mix_chart(mix, a.label, b.label, f"{label} by group, city-wide"),
                                       store.manifest, f"{label}: this period against the same period last year"))
    if set(compare.DATASETS) <= set(store.datasets):
        both = reports.datasets_report(store, settings, view.period)
        city = compare.Area().label          # the totals line stays, as on the compare page
        section.tables.append(Table("Crime, 911 calls and use of force by precinct",
                                    wording.shown(safe(both.table, totals=both.table["area"] == city,
                                                       **tables.HOLD_BACK["datasets"])),
                                    "A ratio with nothing to divide by reads 'not available'."))
        section.tables.append(Table("Use of force by level and precinct, per 1,000 calls", wording.shown(
            safe(both.use_of_force, totals=both.use_of_force["area"] == city, **tables.HOLD_BACK["datasets"]))))
    return section


def _service_section(store, settings, period, safe) -> Section:
    """911 response times and use of force per 10,000 calls: the shared screen's two panels."""
    section = Section("911 response times and use of force")

    def held(table, kind: str):                   # the partner rule of /service (service.SMALL)
        counts, derived = service.SMALL[kind]
        return safe(table, counts, totals=table["level"] == "city", derived=derived)

    if store.has("calls"):
        rt = reports.response_times_report(store, settings, reports.View("calls", period))
        table = held(rt.table, "response")
        if rt.table.empty:
            section.paragraphs.append(f"No dispatched calls in {period.label()}.")
        else:
            section.tables.append(Table(f"911 response times city-wide, by priority, {period.label()}",
                                        wording.response_panel(table[table["level"] == "city"], "Priority")))
            section.tables += [Table(wording.by_precinct_title(p, rt.targets), wording.response_panel(
                table[(table["level"] == "precinct") & (table["priority"] == p)], "Area"))
                for p in rt.targeted]
            section.tables[-1].note = wording.response_panel_note(rt, settings)
    if store.has("use_of_force"):
        rates = reports.use_of_force_rates_report(store, settings, reports.View("use_of_force", period))
        section.tables.append(Table(f"Use of force per 10,000 calls by level and precinct, {period.label()}",
                                    wording.use_of_force_panel(held(rates.table, "use_of_force")),
                                    wording.use_of_force_panel_note(rates.has_calls, settings)))
    if not section.tables and not section.paragraphs:
        section.paragraphs.append("No 911 calls or use of force are published in this store.")
    return section


def _data_notes(store, settings, safe) -> Section:
    summary = reports.data_summary(store, settings)
    privacy = summary.privacy
    reasons = summary.reasons
    return Section("Data notes", [
        "Every source row is counted: rows in = published + quarantined + superseded (an older export's copy of "
        "a record a newer export holds). Quarantined rows are kept out of every number in this packet; their "
        "reasons are below.",
        *(f"{label} — {changed}." for label, changed in summary.revisions.items()),
    ], tables=[
        Table("Rows per dataset", wording.shown(safe(summary.loaded[["Dataset", "Rows in", "Rows published",
                                                                      "Rows quarantined", "Rows superseded"]]))),
        Table("Quarantined rows by reason", safe(reasons[["dataset", "source_file", "reason", "rows"]])
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


def summary_section(store, settings, view: reports.View, due=None, count=access.EXACT) -> Section:
    """The written summary (seastat.summary), each sentence with the address of its table."""
    result = reports.summary_report(store, settings, view, due, count)
    return Section("This period in brief", sentences=[(s.text, s.link, int(s.kind == "echo")) for s in result.sentences],
                   paragraphs=["Only changes the exact Poisson test flags (▲ / ▼, see About this packet) are told, "
                               "largest first; a change that is mostly one inside it follows that one. Each "
                               "sentence ends with the SeaStat page and view its numbers come from."])


def _followup_section(store, settings, db, period, safe) -> Section | None:
    """The commitments due back at this meeting, each judged with the Follow-up page's test."""
    from .actions import Known, followup_section
    from .actions.outcome import HOLD_BACK
    table, pictures = followup_section(db, store, Known.from_store(store, settings), settings, due_by=period.end,
                                       count=safe.count)
    if table.empty:
        return Section("Follow-up: commitments due back", ["No open commitment is due back at this meeting."])
    return Section("Follow-up: commitments due back", [
        "Each open commitment due back by the end of this period: its target in its place since the start against "
        "the same number of days before, beside its comparison area (difference-in-differences, exact tests)."],
        tables=[Table("Commitments due back", safe(table, **HOLD_BACK))],
        figures=[_figure(chart, store.manifest, f"Commitment #{i}: before and since") for i, chart in pictures.items()])


AUDIENCE_NOTES = {
    "partner": "Made for partner agencies: as in the dashboard's partner view, every count under {min} (and the "
               "changes, shares and ratios computed from it) reads \"<{min}\", in the tables and the charts; city "
               "totals stay; no record-level, officer-level or subject-level detail.",
    "command": "Made for SPD command staff: every count as published, small ones included. Not for hand-out: "
               "partner agencies get the partner packet (seastat packet --audience partner).",
}


def audience_view(audience: str, min_count: int):
    """What `audience` may see of a table (or a chart's data): for partners, access.held_back with the
    table's rule (counts, totals, derived, texts, for_chart); for command staff, the table itself."""
    if audience not in access.AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; choose from {', '.join(access.AUDIENCES)}")
    def safe(df, counts=None, **rule):
        return access.held_back(df, min_count, counts, **rule) if safe.partner else df
    safe.partner = audience == "partner"         # the hot-spot map holds back small counts too
    safe.count = access.counting(access.Access(audience, signed_in=True), min_count)   # and the sentences
    return safe


def build_packet(store, settings, period, *, dataset: str = "crime", precincts: list[str] | None = None,
                 progress=None, due=None, commitments=None, audience: str = "partner") -> Packet:
    """The meeting packet for one period: the written summary, the cover notes, city and precinct
    CompStat tables with flags, trend charts, the hot-spot map and blocks, comparison highlights,
    data notes (quarantine, privacy). `due`: the commitments due back (summary.Due), when known.
    `audience`: partner (the hand-out, small counts held back as in the partner view) or command."""
    safe = audience_view(audience, settings.hotspots.min_cell_count)

    def compstat_rows(rows: pd.DataFrame) -> pd.DataFrame:
        return safe(rows, access.COMPSTAT_COUNTS, totals=rows["level"] == "city", derived=access.COMPSTAT_DERIVED)

    def trend_series(series: pd.DataFrame, total: str) -> pd.DataFrame:
        return safe(series, ["count"], totals=series["area"] == total, for_chart=True)

    step = progress or (lambda message, fraction: None)
    manifest = store.manifest
    label = FACTS[dataset].label
    view = reports.View(dataset, period)
    chosen = [p for p in settings.present.precinct_order if not precincts or p in precincts]

    step("Summary", 0.05)
    brief = summary_section(store, settings, view, due, safe.count)
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
        AUDIENCE_NOTES[audience].format(min=settings.hotspots.min_cell_count),
    ])
    city = Section(f"City-wide: {label}", tables=[Table(
        f"{label}, {period.label()}", wording.readable(compstat_rows(table.headline), table.headers),
        " ".join(filter(None, [table.taxonomy_note, method])))])
    step("City trend charts", 0.3)
    title = f"{everything} per period by precinct, last two years"
    city.figures.append(_trend_figure(trend_series(trends.series("all", total=compstat.CITY), compstat.CITY),
                                      manifest, title))
    sections = [brief, cover, city]
    for i, precinct in enumerate(chosen):
        step(f"{precinct} precinct", 0.3 + 0.6 * i / max(len(chosen), 1))
        title = f"{precinct}: {everything} per period by sector"
        sections.append(Section(f"{precinct} precinct", tables=[Table(
            f"{precinct}: {label}, {period.label()}", wording.readable(compstat_rows(table.precinct_and_sectors(
                precinct)), table.headers), method)],
            figures=[_trend_figure(trend_series(trends.series("all", "sector", within=precinct, total=precinct),
                                                precinct), manifest, title)]))
    step("Hot spots", 0.9)
    if FACTS[dataset].has_coordinates:
        sections.append(_hotspot_section(store, settings, view, label, safe))
    step("Comparison highlights", 0.93)
    sections.append(_compare_section(store, settings, view, label, safe))
    step("911 response times and use of force", 0.935)
    sections.append(_service_section(store, settings, period, safe))
    if commitments is not None:
        step("Follow-up", 0.94)
        sections.append(_followup_section(store, settings, commitments, period, safe))
    step("Data notes", 0.95)
    sections.append(_data_notes(store, settings, safe))
    step("Done", 1.0)
    published = manifest["published_at"][:16].replace("T", " ")
    return Packet(f"SeaStat meeting packet: {period.label()}",
                  f"{label} · Seattle Police Department · published {published}", sections,
                  running=f"SeaStat {audience} packet · {period.label()} · store version {manifest['version']} · "
                          f"published {published}",
                  synthetic=export.is_synthetic(manifest))
