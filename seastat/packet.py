"""The meeting packet: one period's numbers, charts and notes as a PDF (fpdf2) and a
self-contained HTML file. The content comes from the same builders the pages use; this module
only lays it out."""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

# The PDF's built-in Helvetica covers Latin-1 only; typographic marks are mapped to plain ones.
_PLAIN = str.maketrans({"–": "-", "—": "-", "−": "-", "·": "-", "“": '"', "”": '"', "’": "'", "…": "...",
                        "▲": "^", "▼": "v", "●": "*", "√": "sqrt", "≥": ">=", "≤": "<=", "×": "x"})


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


def _latin1(text: object) -> str:
    return str(text).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def render_pdf(packet: Packet) -> bytes:
    pdf = FPDF(orientation="landscape", format="letter")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(_latin1(packet.title))
    pdf.set_author("SeaStat")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 26)
    pdf.multi_cell(0, 12, _latin1(packet.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.multi_cell(0, 8, _latin1(packet.subtitle), new_x="LMARGIN", new_y="NEXT")
    for i, section in enumerate(packet.sections):
        if i:
            pdf.add_page()
        pdf.set_font("Helvetica", "B", 18)
        pdf.multi_cell(0, 10, _latin1(section.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 6, _latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        for table in section.tables:
            _pdf_table(pdf, table)
        for figure in section.figures:
            if pdf.will_page_break(100):   # keep a figure's title with the figure
                pdf.add_page()
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(0, 7, _latin1(figure.title), new_x="LMARGIN", new_y="NEXT")
            pdf.image(io.BytesIO(figure.png), w=pdf.epw, keep_aspect_ratio=True, h=150)
            pdf.ln(2)
    return bytes(pdf.output())


def _pdf_table(pdf: FPDF, table: Table) -> None:
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 7, _latin1(table.title), new_x="LMARGIN", new_y="NEXT")
    size = 9 if len(table.data.columns) > 8 else 10
    pdf.set_font("Helvetica", "", size)
    with pdf.table(headings_style=FontFace(emphasis="BOLD", fill_color=(230, 234, 242)),
                   line_height=size * 0.55, text_align="RIGHT", first_row_as_headings=True) as t:
        t.row([_latin1(c) for c in table.data.columns])
        for values in table.data.itertuples(index=False):
            t.row([_latin1("" if pd.isna(v) else v) for v in values])
    if table.note:
        pdf.set_font("Helvetica", "I", 9)
        pdf.multi_cell(0, 5, _latin1(table.note), new_x="LMARGIN", new_y="NEXT")
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
