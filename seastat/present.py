"""Shared-screen mode (?present=1): the meeting's fixed sequence of panels, built from
config.toml [present] (`panels`, `precinct_order`), stepping through it (the keys included), and
its style. Pure: no Streamlit here; pages/present.py lays the panels out from seastat.reports.
"""
from __future__ import annotations

from dataclasses import dataclass

from .config import PresentSettings


@dataclass(frozen=True)
class Panel:
    kind: str                    # summary, city, precinct, hotspots, change, datasets, use_of_force, commitments
    title: str
    precinct: str | None = None


# The comparisons shown for the 'compare' entry of [present] panels, in this order.
COMPARE_PANELS = (
    Panel("change", "Since the same period last year"),
    Panel("datasets", "Crime, 911 calls and use of force"),
    Panel("use_of_force", "Use of force by level"),
)
SUMMARY = Panel("summary", "This period in brief")
# The 'service' entry of [present] panels: 911 response times and use-of-force rates (seastat.service).
SERVICE_PANELS = (
    Panel("response_times", "911 response times"),
    Panel("use_of_force_rates", "Use of force per 10,000 calls"),
)


def sequence(present: PresentSettings) -> list[Panel]:
    """The panels in meeting order: the written summary first, then [present] panels, with
    'precincts' one panel per precinct in precinct_order, 'compare' the COMPARE_PANELS and 'service'
    the SERVICE_PANELS."""
    expand = {
        "city": [Panel("city", "City-wide")],
        "precincts": [Panel("precinct", f"{p} Precinct", p) for p in present.precinct_order],
        "hotspots": [Panel("hotspots", "Hot spots")],
        "compare": list(COMPARE_PANELS),
        "service": list(SERVICE_PANELS),
        "commitments": [Panel("commitments", "Commitments")],
    }
    return [SUMMARY, *(panel for name in present.panels for panel in expand[name])]


def parse_step(raw: str, count: int) -> int:
    """A ?step= value: 1 to count (ValueError otherwise, so the link falls back with a notice)."""
    step = int(raw)
    if not 1 <= step <= count:
        raise ValueError(raw)
    return step


def next_step(step: int, count: int) -> int:
    return min(step + 1, count)


def previous_step(step: int) -> int:
    return max(step - 1, 1)


# --- Keys -----------------------------------------------------------------------------------------

# config.toml's key names as the browser's KeyboardEvent.key spells them.
BROWSER_KEYS = {"Left": "ArrowLeft", "Right": "ArrowRight", "Up": "ArrowUp", "Down": "ArrowDown",
                "PageUp": "PageUp", "PageDown": "PageDown", "Space": " ", "Enter": "Enter", "Home": "Home",
                "End": "End"}
# Always on: the arrows, and PageUp / PageDown (what a presentation clicker sends).
DEFAULT_PREVIOUS, DEFAULT_NEXT = ("ArrowLeft", "PageUp"), ("ArrowRight", "PageDown")


def keys(present: PresentSettings) -> dict[str, list[str]]:
    """The browser keys that step back and forward: the defaults plus [present]'s own."""
    back = list(dict.fromkeys([*DEFAULT_PREVIOUS, BROWSER_KEYS[present.previous_key]]))
    forward = list(dict.fromkeys([*DEFAULT_NEXT, BROWSER_KEYS[present.next_key]]))
    back = [k for k in back if k not in forward or k == BROWSER_KEYS[present.previous_key]]
    forward = [k for k in forward if k not in back]
    return {"previous": back, "next": forward}


def key_names(names: list[str]) -> str:
    """'← / PageUp' for a button's tooltip."""
    shown = {"ArrowLeft": "←", "ArrowRight": "→", "ArrowUp": "↑", "ArrowDown": "↓", " ": "Space"}
    return " / ".join(shown.get(k, k) for k in names)


# A components.v2 script, mounted once per page: one keydown listener on the document (kept on
# window across reruns), which counts presses and sends the step they lead to, 150 ms after the
# last one. Presses during a rerun add to the step already sent, so a fast clicker's presses are
# never lost: five quick presses from step 2 go to step 7, in one rerun.
KEYS_JS = """
export default function(component) {
  const { data, setTriggerValue } = component;
  const s = window.__seastatKeys || (window.__seastatKeys = { pending: 0, sent: null });
  s.data = data; s.send = setTriggerValue;
  if (s.shown !== data.step) { s.shown = data.step; if (s.sent === data.step) s.sent = null; }
  if (s.listening) return;
  s.listening = true;
  document.addEventListener('keydown', (e) => {
    const d = s.data;
    if (!d || e.altKey || e.ctrlKey || e.metaKey) return;
    // Typing, and moving in a date picker's calendar or a list of options, is not stepping.
    if (e.target && e.target.closest && e.target.closest(
        'input, textarea, select, [contenteditable=true], [role=listbox], [role=grid], [role=dialog]')) return;
    const delta = d.next.includes(e.key) ? 1 : d.previous.includes(e.key) ? -1 : 0;
    if (!delta) return;
    e.preventDefault(); e.stopImmediatePropagation();
    s.pending += delta;
    clearTimeout(s.timer);
    s.timer = setTimeout(() => {
      const from = s.sent !== null ? s.sent : s.data.step;
      const to = Math.max(1, Math.min(s.data.count, from + s.pending));
      s.pending = 0;
      if (to !== from) { s.sent = to; s.send('step', to); }
    }, 150);
  }, true);
}
"""


def keys_data(step: int, count: int, present: PresentSettings) -> dict:
    return {"step": step, "count": count, **keys(present)}


# --- Style --------------------------------------------------------------------------------------

# Nothing but the panel: no header bar, no sidebar, narrow margins. Streamlit sizes its type in rem,
# so a root size in vh scales the whole panel with the screen (1280x720 is 1920x1080 at two
# thirds); what must fit is budgeted in vh: charts are SVG scaled to the width they are given, no
# taller than their panel's share of the screen (the .st-key-present-* rules).
CSS = """<style>
html { font-size: 1.8vh; }
header[data-testid="stHeader"], section[data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none; }
[data-testid="stMainBlockContainer"] { padding: 0.6vh 1.2vw 0 1.2vw !important; max-width: 100%; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.8vh; }
[data-testid="stMarkdownContainer"] h2 { font-size: 2.1rem; padding: 0 0 0.1rem 0; }
[data-testid="stMarkdownContainer"] p { margin-bottom: 0.2rem; }
[data-testid="stAlert"] > div { padding: 0.35rem 0.8rem; }
[data-testid="stAlert"] p { font-size: 1rem; }
/* Streamlit pulls a markdown block up by its last paragraph's 1rem margin; ours is 0.2rem (an alert without an icon was clipped) */
[data-testid="stAlert"] [data-testid="stMarkdownContainer"] { margin-bottom: -0.2rem; }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stTable"] th, [data-testid="stTable"] td { font-size: 1.15rem; padding: 0.22rem 0.55rem; }
[data-testid="stCaptionContainer"] { font-size: 0.85rem; }
[class*="st-key-present-chart"] [data-testid="stElementContainer"],
[class*="st-key-present-chart"] [data-testid="stFullScreenFrame"],
[class*="st-key-present-chart"] [data-testid="stFullScreenFrame"] > div,
[class*="st-key-present-chart"] [data-testid="stVegaLiteChart"] { width: 100% !important; height: auto !important; }
[class*="st-key-present-chart"] svg { width: 100% !important; height: auto !important; }
.st-key-present-chart-trend svg { max-height: 40vh; }
.st-key-present-chart-map img { width: 100% !important; height: auto !important; max-height: 76vh; object-fit: contain; }
.st-key-present-chart-mix svg { max-height: 58vh; }
.st-key-present-summary li { font-size: 1.25rem; margin-bottom: 0.35rem; }
.st-key-present-summary li li { font-size: 1.05rem; }
.st-key-present-due { padding-bottom: 0.6rem; }
.st-key-present-due p { font-size: 1.2rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.st-key-present-form [data-testid="stWidgetLabel"] p, .st-key-present-form input, .st-key-present-form textarea,
.st-key-present-form button p, .st-key-present-form [data-testid="stDateInputField"] span { font-size: 1.05rem; }
</style>"""

SCREEN_META = {"embedOptions": {"actions": False, "renderer": "svg"}}


def for_screen(chart):
    """A chart as shared-screen mode draws it: SVG (so it scales sharply to the panel, and its text
    can be measured), no action menu."""
    return chart.properties(usermeta=SCREEN_META)
