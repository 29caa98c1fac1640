"""The meeting's view follows the room from page to page, and a link copied from any page shows
the same numbers in a fresh browser (real Chromium against `streamlit run`)."""
from __future__ import annotations

import pytest
from conftest import page_errors, wait_for_streamlit

pytestmark = pytest.mark.browser

PERIOD = "Oct 19, 2026 – Nov 01, 2026"        # not the newest period: the default would not pass for it
# What must read the same in a fresh browser opened on the copied link, per page.
NUMBERS = {
    "Precinct trends": "[data-testid='stTable']",
    "Hot spots": "[data-testid='stMetric']",
    "Data": "h3",
    "Compare": "[data-testid='stMetric']",
}


def go_to(page, title: str) -> None:
    page.get_by_role("link", name=title).first.click()
    wait_for_streamlit(page)
    page.locator(NUMBERS[title]).first.wait_for(timeout=60_000)
    wait_for_streamlit(page)


def numbers(page, title: str) -> list[str]:
    return [text for text in page.locator(NUMBERS[title]).all_inner_texts() if text.strip()]


def test_period_and_precinct_follow_every_page_and_links_reproduce_them(dashboard, page_at, artifacts):
    page = page_at(f"{dashboard.url}/trends?period=2026-10-19&precinct=East")
    page.locator("[data-testid='stTable']").first.wait_for(timeout=60_000)
    wait_for_streamlit(page)
    seen = {"Precinct trends": (page.url, numbers(page, "Precinct trends"))}
    for title in ("Hot spots", "Data", "Compare", "Precinct trends"):
        go_to(page, title)
        assert page_errors(page) == [], title
        assert page.get_by_text(PERIOD).first.is_visible(), f"{title} lost the period"
        assert "period=2026-10-19" in page.url, f"{title}'s link lacks the period"
        if title == "Compare":       # place A is the meeting's precinct
            assert page.locator("[data-testid='stMetric']").first.inner_text().startswith("A · East")
        else:
            assert page.locator("[data-testid='stMultiSelect'] [data-tag][aria-label='East']").count() >= 1, f"{title} lost East"
            assert "precinct=East" in page.url
        seen.setdefault(title, (page.url, numbers(page, title)))
        page.screenshot(path=str(artifacts / f"meeting-view-{title.replace(' ', '-').lower()}.png"))
    for title, (url, shown) in seen.items():
        fresh = page_at(url)                                       # a colleague opens the pasted link
        fresh.locator(NUMBERS[title]).first.wait_for(timeout=60_000)
        wait_for_streamlit(fresh)
        assert numbers(fresh, title) == shown, f"{title}: the link shows other numbers"
