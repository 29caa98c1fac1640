"""Every colour and symbol SeaStat shows, in one place, so a table cell, a chart mark, a map and
its legend always agree.

Flags are the Okabe-Ito vermillion (up) and blue (down), which stay apart for colour-blind
readers, and each also has its own symbol (▲ / ▼), so a flag reads in black and white too.
"""
from __future__ import annotations

UP, DOWN = "▲", "▼"
UP_COLOUR, DOWN_COLOUR = "#D55E00", "#0072B2"
FLAG_NAMES = {UP: "above expected range", DOWN: "below expected range"}
# Table cells of flagged changes: a light fill with dark text of the flag's hue.
FLAG_STYLES = {
    UP: "background-color: #FDDBC7; color: #67000D; font-weight: 700",
    DOWN: "background-color: #D1E5F0; color: #053061; font-weight: 700",
}

LINE_COLOUR, BAND_COLOUR, NEUTRAL_COLOUR = "#111111", "#9E9E9E", "#999999"
# Two slices side by side: near-black and Okabe-Ito green (vermillion and blue already mean up and
# down); B is also dashed.
SLICE_COLOURS = ("#222222", "#009E73")
SLICE_DASHES = ([1, 0], [8, 4])
# Use of force, light to dark: Level 1 ... OIS.
LEVEL_COLOURS = ["#FDD0A2", "#FD8D3C", "#D94801", "#7F2704"]
# Two kinds of place on one concentration curve.
PLACE_COLOURS = ["#0072B2", "#D55E00"]

# Maps. Beat counts: ColorBrewer YlOrRd classes; change: a blue-red diverging scale (fall ... rise);
# hot-spot labels: Okabe-Ito colours plus a symbol each; the chosen beat: Okabe-Ito blue.
COUNT_COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
HELD_BACK_COLOUR = "#d9d9d9"     # the partner view: a beat whose count (or change) is under the minimum
CHANGE_COLOURS = ["#2c7bb6", "#abd9e9", "#f7f7f7", "#fdae61", "#d7191c"]
LABEL_COLOURS = {"intensifying": "#d55e00", "persistent": "#cc79a7", "new": "#e69f00", "fading": "#56b4e9"}
LABEL_SYMBOLS = {"intensifying": "▲", "persistent": "●", "new": "✚", "fading": "▼", "none": "", "not mapped": ""}
SELECTED = [0, 114, 178, 255]

# --- 911 calls and use of force ---
# Call sources (Okabe-Ito, leaving vermillion and blue to mean up and down); not recorded in grey.
SOURCE_COLOURS = {"911": "#56B4E9", "On-view": "#E69F00", "Telephone (not 911)": "#009E73", "Alarm": "#CC79A7",
                  "Other": "#F0E442", "Not recorded": "#BBBBBB"}
# Response times: the median (filled) and the 90th percentile (open) in near-black; the target in vermillion.
TARGET_COLOURS = ("#222222", "#D55E00")
