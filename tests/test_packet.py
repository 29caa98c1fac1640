"""The meeting packet: built from the bundled data, opened and read back like an analyst would:
every page as an image (test-artifacts/packet-page-NN.png, 60 dpi), its text as pypdf reads it,
the HTML packet in Chromium."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pandas as pd
import pytest
from conftest import PROJECT_ROOT, SYNTH_STORE
from pypdf import PdfReader
from test_service import dispatched, measured

from seastat import reports
from seastat.packet import CHART_FONT, build_packet, figure_size, page_room, render_html, render_pdf
from seastat.periods import Window

PERIOD = Window(dt.date(2026, 11, 2), dt.date(2026, 11, 16))
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def packet(synth_store, settings):
    return build_packet(synth_store, settings, PERIOD)


@pytest.fixture(scope="module")
def pdf_path(packet, tmp_path_factory):
    path = tmp_path_factory.mktemp("packet") / "packet.pdf"
    path.write_bytes(render_pdf(packet))
    return path


def independent_count(precinct: str | None = None) -> int:
    crime = pd.read_parquet(SYNTH_STORE / "current" / "crime", columns=["event_at", "precinct"])
    start, end = pd.Timestamp(PERIOD.start), pd.Timestamp(PERIOD.end)
    crime = crime[(crime.event_at >= start) & (crime.event_at < end)]
    return len(crime) if precinct is None else int((crime.precinct == precinct).sum())


def pdf_text(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def page_texts(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_pdf_has_the_period_every_precinct_and_the_trends_totals(pdf_path, settings, artifacts):
    text = pdf_text(pdf_path)
    assert "Nov 02, 2026 – Nov 15, 2026" in text
    for precinct in settings.present.precinct_order:
        assert f"{precinct} precinct" in text
    assert "SYNTHETIC" in text
    # The city's "All offenses" count this period, as on the trends page, equals a pandas count.
    assert f"All offenses {independent_count():,}" in text
    assert f"All offenses {independent_count('West'):,}" in text


def test_every_page_has_an_image_its_number_and_the_running_header(pdf_path, synth_store, artifacts):
    for old in artifacts.glob("packet-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(artifacts / "packet-page")], check=True)
    pages = page_texts(pdf_path)
    assert len(list(artifacts.glob("packet-page-*.png"))) == len(pages) >= 10
    version, published = synth_store.manifest["version"], synth_store.manifest["published_at"][:16].replace("T", " ")
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text, number
        first = text.splitlines()[0]
        assert first.startswith("SYNTHETIC DATA") and PERIOD.label() in first and version in first \
            and published in first, number


def test_no_flag_or_number_wraps_in_a_table_cell(pdf_path):
    """A ▲/▼ always has its number after it on the same line; no cell breaks inside a number."""
    for number, text in enumerate(page_texts(pdf_path), start=1):
        for line in text.splitlines():
            assert not re.search(r"[▲▼]\s*$", line), (number, line)                  # a flag left at a line's end
            assert not re.fullmatch(r"[%▲▼+\-\d,.]{1,3}", line.strip()), (number, line)   # a cut-off piece
            if len(re.findall(r"(?<!\S)[+-]?[\d,.]+%?(?!\S)", line)) >= 5:                   # a table row
                assert not re.search(r"[▲▼](?![ \u00a0][+-]?\d)", line), (number, line)


def test_the_summary_is_on_the_first_page_and_the_contents_on_the_second(pdf_path, synth_store, settings):
    pages = page_texts(pdf_path)
    first = " ".join(pages[0].split())
    summary = reports.summary_report(synth_store, settings, reports.View("crime", PERIOD))
    assert "This period in brief" in first
    for sentence in summary.sentences:               # every sentence, with the address of its table
        assert " ".join(sentence.text.split())[:60] in first and sentence.link[:40] in first.replace(" ", "")
    contents = pages[1]
    assert "Contents" in contents
    entries = re.findall(r"^(.+?) \.{3,} (\d+)$", contents, re.M)
    assert len(entries) >= 9
    for title, page in entries:                       # each entry opens its page
        assert title in pages[int(page) - 1], title


def test_charts_print_at_a_legible_size(packet):
    """Every chart's smallest text, at the size the page gives the chart, prints at 8 pt or more."""
    room = page_room()
    for section in packet.sections:
        for figure in section.figures:
            w, h = (float(v) for v in re.search(r'<svg[^>]*width="([\d.]+)" height="([\d.]+)"', figure.svg).groups())
            smallest = min(float(v) for v in re.findall(r'font-size="([\d.]+)px"', figure.svg))
            placed_w, _ = figure_size(w, h, *room)
            assert smallest * placed_w / w * 72 / 25.4 >= 8, figure.title


def test_comparison_highlights_compare_with_last_year_and_across_datasets(pdf_path):
    text = pdf_text(pdf_path)
    assert "Comparison highlights" in text and "Crime, 911 calls and use of force by precinct" in text
    crime = pd.read_parquet(SYNTH_STORE / "current" / "crime", columns=["event_at"])
    last_year = ((crime.event_at >= pd.Timestamp("2025-11-03")) & (crime.event_at < pd.Timestamp("2025-11-17"))).sum()
    assert f"{last_year:,}" in text


def test_data_notes_list_quarantine_and_privacy(pdf_path):
    text = pdf_text(pdf_path)
    assert "Quarantined rows by reason" in text and "duplicate id" in text
    assert "100-block" in text and "11A" in text


def test_html_packet_is_self_contained_with_inline_charts(packet, settings):
    html = render_html(packet)
    assert html.count("<svg") >= 1 + len(settings.present.precinct_order)   # the city chart + one per precinct
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert f"{independent_count():,}" in html


@pytest.mark.browser
def test_html_charts_are_drawn_in_the_font_they_were_measured_with(packet, browser, artifacts, tmp_path):
    """vl-convert lays out chart text with DejaVu Sans; the HTML embeds that font, so a browser
    without it (or with another default sans-serif) draws the same widths: legends never overlap."""
    html = render_html(packet)
    assert html.count("@font-face") == 2 and "data:font/ttf;base64," in html
    assert set(re.findall(r'font-family="([^"]+)"', html)) == {CHART_FONT}
    path = tmp_path / "packet.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(path.as_uri())
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert loaded.count(CHART_FONT) >= 1 or loaded.count(f'"{CHART_FONT}"') >= 1
    overlaps = page.evaluate("""() => {
      const out = [];
      document.querySelectorAll('figure svg').forEach((svg, i) => {
        const boxes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
          .map(t => ({t: t.textContent, r: t.getBoundingClientRect(), legend: !!t.closest('.role-legend')}));
        for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
          const A = boxes[a].r, B = boxes[b].r;
          const w = Math.min(A.right, B.right) - Math.max(A.left, B.left);
          const h = Math.min(A.bottom, B.bottom) - Math.max(A.top, B.top);
          if (w > 1 && h > 1 && (boxes[a].legend || boxes[b].legend)) out.push([i, boxes[a].t, boxes[b].t]);
        }
      });
      return out;
    }""")
    assert overlaps == []
    page.screenshot(path=str(artifacts / "packet-html.png"), full_page=False)
    page.close()


def test_cli_refuses_an_unknown_extension_in_one_line(tmp_path):
    bad = subprocess.run([sys.executable, "-m", "seastat", "packet", "--period", "2026-11-02",
                          "--out", str(tmp_path / "x.docx")], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "unknown extension '.docx'" in bad.stderr
    assert not (tmp_path / "x.docx").exists()


def test_cli_builds_a_packet_and_refuses_a_period_outside_the_data(tmp_path, synth_store_dir):
    run = [sys.executable, "-m", "seastat", "packet", "--store", str(synth_store_dir)]
    ok = subprocess.run([*run, "--period", "2026-11-02", "--precinct", "East", "--out", str(tmp_path / "p.html")],
                        capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert ok.returncode == 0, ok.stderr
    html = (tmp_path / "p.html").read_text()
    assert "<h2>East precinct</h2>" in html and "<h2>North precinct</h2>" not in html   # the summary stays city-wide
    assert "100%" in ok.stderr
    bad = subprocess.run([*run, "--period", "2019-01-07", "--out", str(tmp_path / "p.pdf")],
                         capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert bad.returncode == 2 and "does not start a complete period" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "p.pdf").exists()


def test_service_section_has_the_response_times_and_use_of_force_rates(pdf_path, artifacts):
    """The section "911 response times and use of force": Priority 1 city-wide as pandas measures it
    (dispatched calls, median, 90th percentile, share over the 7-minute target) and all uses of force
    per 10,000 calls; its pages are rendered to test-artifacts/packet-service-NN.png to look at."""
    text = pdf_text(pdf_path)
    assert "911 response times and use of force" in text and "on-view events are left out" in text
    calls = pd.read_parquet(SYNTH_STORE / "current" / "calls")
    calls = calls[(calls.event_at >= pd.Timestamp(PERIOD.start)) & (calls.event_at < pd.Timestamp(PERIOD.end))]
    d = calls[dispatched(calls) & (calls["priority"] == "1")]
    minutes = measured(d)["minutes"]
    assert (f"Priority 1 {len(d):,} {minutes.median():.1f} {minutes.quantile(0.9):.1f} "
            f"{(minutes > 7).mean():.0%}") in text
    uof = pd.read_parquet(SYNTH_STORE / "current" / "use_of_force", columns=["event_at"])
    uof = uof[(uof.event_at >= pd.Timestamp(PERIOD.start)) & (uof.event_at < pd.Timestamp(PERIOD.end))]
    assert re.search(rf"City-wide [\d.\s▲▼]*{10000 * len(uof) / len(calls):,.2f} {len(uof):,} ", text)
    pages = [n for n, t in enumerate(page_texts(pdf_path), start=1) if "911 response times" in t]
    for n in pages:
        subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", str(n), "-l", str(n), str(pdf_path),
                        str(artifacts / f"packet-service-{n:02d}")], check=True)
    assert pages


# --- The packet's audience: partner agencies (the hand-out) or command staff -----------------------

@pytest.fixture(scope="module")
def command_pdf(synth_store, settings, tmp_path_factory):
    path = tmp_path_factory.mktemp("packet") / "command.pdf"
    path.write_bytes(render_pdf(build_packet(synth_store, settings, PERIOD, audience="command")))
    return path


def small_cells(packet, low: int) -> list[tuple[str, str, str]]:
    """(table, column, row's first cell) of every cell that reads a whole number 1..low-1, except
    ranks, commitment numbers and the city's own rows (a total stays, as on the screen)."""
    found = []
    for section in packet.sections:
        for table in section.tables:
            data = table.data.astype(str)
            city = data.iloc[:, 0].replace("", pd.NA).ffill().isin(["City-wide", "City"]) if len(data) else data
            for column in data.columns:
                if column in ("Rank", "#"):
                    continue
                hit = data[column].isin([str(n) for n in range(1, low)]) & ~city
                found += [(table.title, column, first) for first in data.loc[hit].iloc[:, 0]]
    return found


def test_the_partner_packet_holds_back_small_counts_and_the_command_packet_has_them(
        packet, pdf_path, command_pdf, synth_store, settings):
    low = settings.hotspots.min_cell_count
    command = build_packet(synth_store, settings, PERIOD, audience="command")
    assert small_cells(command, low)                              # the data has them: the test can fail
    assert small_cells(packet, low) == []                         # the partner packet (the default) has none
    partner_text, command_text = pdf_text(pdf_path), pdf_text(command_pdf)
    assert "Made for partner agencies" in partner_text and "Made for SPD command staff" in command_text
    assert "SeaStat partner packet" in partner_text and "SeaStat command packet" in command_text
    # What pypdf reads: offense counts inside the places-at-risk text, and every line with "<3" in the
    # partner packet is a line of the command packet with a number where "<3" stands, a 1 or 2 among them.
    offense_count = re.compile(rf"(burglary|robbery|theft) ({'|'.join(str(n) for n in range(1, low))})\b")
    assert offense_count.search(command_text) and not offense_count.search(partner_text)
    command_lines = [line for text in page_texts(command_pdf) for line in text.splitlines()]
    held = [line for text in page_texts(pdf_path) for line in text.splitlines()
            if f"<{low}" in line and f'"<{low}"' not in line]         # (the cover note quotes the mark)
    assert len(held) > 10
    for line in held:
        pattern = re.compile("^" + re.escape(line).replace(re.escape(f"<{low}"), "(.+?)") + "$")
        matches = [m for m in map(pattern.match, command_lines) if m]
        assert matches, line
        # a held value is a small count, or beside one (its change), or a rate computed from one (a decimal)
        small = rf"\b({'|'.join(str(n) for n in range(1, low))})\b"
        assert any(any(re.search(small, g) for g in m.groups()) or
                   all(re.fullmatch(r"[\d,]*\.\d+", g) for g in m.groups()) for m in matches), line


def test_cli_packet_audience(tmp_path, synth_store_dir):
    run = [sys.executable, "-m", "seastat", "packet", "--store", str(synth_store_dir), "--period", "2026-11-02",
           "--precinct", "East"]
    ok = subprocess.run([*run, "--audience", "command", "--out", str(tmp_path / "p.html")],
                        capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert ok.returncode == 0, ok.stderr
    assert "Made for SPD command staff" in (tmp_path / "p.html").read_text()
    bad = subprocess.run([*run, "--audience", "press", "--out", str(tmp_path / "q.html")],
                         capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert bad.returncode == 2 and "invalid choice: 'press'" in bad.stderr and not (tmp_path / "q.html").exists()
