"""The meeting packet: built from the bundled data, opened and read back like an analyst would."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pandas as pd
import pytest
from pypdf import PdfReader

from conftest import SYNTH_STORE, PROJECT_ROOT
from seastat.packet import build_packet, render_html, render_pdf
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


def test_pdf_has_the_period_every_precinct_and_the_trends_totals(pdf_path, settings, artifacts):
    text = pdf_text(pdf_path)
    assert "Nov 02, 2026 – Nov 15, 2026" in text
    for precinct in settings.present.precinct_order:
        assert f"{precinct} precinct" in text
    assert "SYNTHETIC" in text
    # The city's "All offenses" count this period, as on the trends page, equals a pandas count.
    assert f"All offenses {independent_count():,}" in text
    assert f"All offenses {independent_count('West'):,}" in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(pdf_path),
                    str(artifacts / "packet-page")], check=True)
    assert len(list(artifacts.glob("packet-page-*.png"))) == 3


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


def test_cli_builds_a_packet_and_refuses_a_period_outside_the_data(tmp_path):
    run = [sys.executable, "-m", "seastat", "packet"]
    ok = subprocess.run([*run, "--period", "2026-11-02", "--precinct", "East", "--out", str(tmp_path / "p.html")],
                        capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert ok.returncode == 0, ok.stderr
    assert "East precinct" in (tmp_path / "p.html").read_text() and "North precinct" not in (tmp_path / "p.html").read_text()
    assert "100%" in ok.stderr
    bad = subprocess.run([*run, "--period", "2019-01-07", "--out", str(tmp_path / "p.pdf")],
                         capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert bad.returncode == 2 and "does not start a complete period" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "p.pdf").exists()
