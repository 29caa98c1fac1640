"""The hot-spot page's pictures as pure builders: the interactive pydeck map (beat choropleth,
H3 density, Gi* hot spots, precinct and sector outlines, beat labels, the chosen beat zoomed to),
and its legend in words (the static map for pictures is seastat.charts.static_map, from the same
classes).

Outlines are drawn as closed paths of the dissolved beats' outer rings: the beats are simplified,
so their dissolve keeps thin sliver holes along inner beat edges, which a stroked GeoJSON polygon
draws as stray stubs. (SPD's published precinct layer predates the 2018 beats and differs from
their dissolve by up to 0.45 km², so the dissolve is the exact one.)

Classes are computed here, one RGBA per feature from seastat.palette, so the map, its legend and
the picture agree.
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
from shapely.geometry import MultiPolygon, Polygon

from .palette import CHANGE_COLOURS, COUNT_COLOURS, HELD_BACK_COLOUR, LABEL_COLOURS, LABEL_SYMBOLS, SELECTED

SEATTLE = pdk.ViewState(latitude=47.614, longitude=-122.335, zoom=10.3)
MAP_SIZE = (420, 600)          # the narrowest the page's map gets (1280x720): a chosen beat fits it, and wider maps
LABEL_SIZE = 15                # px: beat codes readable on a shared screen at 1920x1080
BASEMAPS = {"carto-light": ("carto", pdk.map_styles.CARTO_LIGHT),
            "carto-dark": ("carto", pdk.map_styles.CARTO_DARK), "none": (None, None)}
VIEWS = {"count": "Incidents by beat", "change": "Change by beat", "density": "Density (H3 cells)",
         "hotspots": "Hot spots (Gi*)"}
TOOLTIP = {"html": "<b>{title}</b><br/>{detail}<br/>{change}",
           "style": {"fontSize": "16px", "backgroundColor": "#1b1b1b", "color": "white"}}


def rgba(hex_colour: str, alpha: int = 255) -> list[int]:
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)] + [alpha]


# --- Classes shared by the map, its legend and the PNG -----------------------------------------

def span(low: int, high: int, sign: str = "") -> str:
    return f"{sign}{low:,}" if low == high else f"{sign}{low:,} to {sign}{high:,}"


def count_classes(values: pd.Series, hold_back: int = 0) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Up to five quantile classes of the non-zero counts: (class per value, legend entries).
    Zero is class -1, drawn without fill. hold_back (the partner view's minimum): counts from 1 to
    hold_back - 1 are one grey class, "fewer than N", and the quantile classes are of the rest."""
    small = ((values > 0) & (values < hold_back)).to_numpy()
    positive = values[(values > 0) & ~small]
    if positive.empty:
        klass, entries = np.full(len(values), -1), []
    else:
        edges = np.unique(np.round(np.quantile(positive, np.linspace(0, 1, 6)))).astype(int)
        edges = np.append(edges, edges[-1]) if len(edges) == 1 else edges
        klass = np.where((values > 0) & ~small, np.searchsorted(edges[1:-1], values, side="left"), -1)
        picks = np.linspace(0, len(COUNT_COLOURS) - 1, len(edges) - 1).round().astype(int)
        entries = [(COUNT_COLOURS[c], span(edges[i] + (i > 0), edges[i + 1])) for i, c in enumerate(picks)]
    if small.any():
        klass = np.where(small, 0, np.where(klass >= 0, klass + 1, -1))
        entries = [(HELD_BACK_COLOUR, f"fewer than {hold_back}"), *entries]
    return klass, entries


def held_back_changes(data: pd.DataFrame, hold_back: int) -> np.ndarray:
    """Beats whose change the partner view does not show: this or the previous count is 1 to hold_back - 1."""
    small = lambda n: (n > 0) & (n < hold_back)  # noqa: E731
    return (small(data["incidents"]) | small(data["previous"])).to_numpy()


def count_colour(klass: int, entries: list[tuple[str, str]], alpha: int) -> list[int]:
    return [0, 0, 0, 0] if klass < 0 else rgba(entries[klass][0], alpha)


def change_classes(change: pd.Series) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Five classes, symmetric around no change: (class 0..4 per value, legend entries)."""
    size = change.abs()
    cut1, cut2 = np.quantile(size[size > 0], [1 / 3, 2 / 3]).round() if (size > 0).any() else (1, 2)
    cut1 = max(int(cut1), 1)
    cut2 = max(int(cut2), cut1 + 1)
    klass = np.select([change <= -cut2, change <= -cut1, change < cut1, change < cut2], [0, 1, 2, 3], 4)
    entries = [(CHANGE_COLOURS[0], f"−{cut2:,} or more"), (CHANGE_COLOURS[1], span(cut1, cut2 - 1, "−")),
               (CHANGE_COLOURS[2], "no change" if cut1 == 1 else f"within ±{cut1 - 1:,}"),
               (CHANGE_COLOURS[3], span(cut1, cut2 - 1, "+")), (CHANGE_COLOURS[4], f"+{cut2:,} or more")]
    return klass, entries


LABEL_MEANINGS = {
    "intensifying": "hot now and in at least half of the last {n} periods, getting hotter",
    "persistent": "hot now and in at least half of the last {n} periods, steady",
    "new": "hot now, not before (in fewer than half of the last {n} periods)",
    "fading": "hot in at least half of the last {n} periods, cooling or no longer hot",
}


def label_entries(labels: pd.Series, emerging_periods: int = 6) -> list[tuple[str, str]]:
    """One legend entry per hot-spot label: symbol, name, how many cells, and what it means."""
    counts = labels.value_counts()
    return [(colour, f"{LABEL_SYMBOLS[label]} {label} ({counts.get(label, 0)}): "
                     f"{LABEL_MEANINGS[label].format(n=emerging_periods)}")
            for label, colour in LABEL_COLOURS.items()]


def in_words(entries: list[tuple[str, str]], what: str) -> list[tuple[str, str]]:
    """Count or change classes as sentences: "12 to 30 incidents in the beat"."""
    return [(colour, f"{text} {what}" if text[0].isdigit() or text[0] in "+−" or text.startswith("fewer")
             else f"{text} ({what})")
            for colour, text in entries]


def legend_html(title: str, entries: list[tuple[str, str]]) -> str:
    """A legend beside the map: large type, a swatch per class."""
    items = "".join(
        f'<div style="display:flex;align-items:center;gap:.5rem;font-size:1.05rem">'
        f'<span style="display:inline-block;width:1.4rem;height:1.1rem;background:{colour};'
        f'border:1px solid #444"></span>{text}</div>' for colour, text in entries) or "<div>nothing to draw</div>"
    return f'<div style="margin:.25rem 0 .75rem"><b style="font-size:1.05rem">{title}</b>{items}</div>'


def signed(n: int) -> str:
    return f"{n:+,}" if n else "no change"


# --- The interactive map --------------------------------------------------------------------------

def beat_layer(beats: gpd.GeoDataFrame, table: pd.DataFrame, view: str, previous_label: str,
               hold_back: int = 0) -> tuple[pdk.Layer, list]:
    """The beats, filled by count or change (faintly in the cell views), with their tooltip text.
    hold_back (the partner view's minimum): counts under it read "fewer than N", and their changes are
    not shown."""
    data = beats[["beat", "sector", "precinct", "geometry"]].merge(
        table[["beat", "incidents", "previous", "change"]], on="beat", how="left").fillna(
        {"incidents": 0, "previous": 0, "change": 0})
    hidden = held_back_changes(data, hold_back)
    if view == "change":
        klass, entries = change_classes(data["change"].where(~hidden, 0))
        fills = [rgba(HELD_BACK_COLOUR if h else entries[k][0], 230) for k, h in zip(klass, hidden)]
        if hidden.any():
            entries = [*entries, (HELD_BACK_COLOUR, f"not shown (a count under {hold_back})")]
    elif view == "count":
        klass, entries = count_classes(data["incidents"], hold_back)
        fills = [count_colour(k, entries, 230) for k in klass]
    else:
        entries, fills = [], [[255, 255, 255, 8]] * len(data)    # nearly clear, still pickable
    data = data.assign(
        fill=fills, title=[f"Beat {b} · {p}" for b, p in zip(data["beat"], data["precinct"])],
        detail=[f"fewer than {hold_back} incidents" if 0 < n < hold_back else f"{int(n):,} incidents"
                for n in data["incidents"]],
        change=[f"change not shown (a count under {hold_back})" if h else
                f"{signed(int(c))} vs {previous_label} ({int(p):,})"
                for c, p, h in zip(data["change"], data["previous"], hidden)])
    layer = pdk.Layer("GeoJsonLayer", data=data.__geo_interface__, id="beats", pickable=True, stroked=False,
                      filled=True, get_fill_color="properties.fill", auto_highlight=True,
                      highlight_color=[0, 0, 0, 40])
    return layer, entries


def cell_layer(cells: pd.DataFrame, view: str, min_count: int, previous_label: str,
               emerging_periods: int = 6) -> tuple[pdk.Layer | None, list]:
    """H3 cells counted on the server: busy cells (density) or Gi* hot and fading cells."""
    if view == "density":
        shown = cells[cells["incidents"] >= min_count]        # smaller cells only in aggregate
        klass, entries = count_classes(shown["incidents"])
        fills = [count_colour(k, entries, 200) for k in klass]
        entries = in_words(entries, "incidents in the cell")
    elif view == "hotspots":
        shown = cells[cells["label"] != "none"]
        entries = label_entries(cells["label"], emerging_periods)
        fills = [rgba(LABEL_COLOURS[label], 215) for label in shown["label"]]
    else:
        return None, []
    data = pd.DataFrame({
        "cell": shown["cell"], "beat": shown["beat"], "fill": fills,
        "title": [f"{LABEL_SYMBOLS.get(lab, '')} {lab} hot spot · beat {b}" if view == "hotspots" else f"Cell in beat {b}"
                  for lab, b in zip(shown["label"], shown["beat"])],
        "detail": [f"{n:,} incidents" if n >= min_count else f"under {min_count} incidents"
                   for n in shown["incidents"]],
        "change": [f"{signed(n - p)} vs {previous_label}" if min(n, p) >= min_count else
                   f"change not shown (a count under {min_count})" for n, p in zip(shown["incidents"], shown["previous"])],
    })
    layer = pdk.Layer("H3HexagonLayer", data=data, id="cells", get_hexagon="cell", get_fill_color="fill",
                      pickable=True, extruded=False, stroked=True, get_line_color=[40, 40, 40, 200],
                      line_width_min_pixels=1, auto_highlight=True)
    return layer, entries


def rings(frame: gpd.GeoDataFrame, name: str) -> list[dict]:
    """The outer ring of every polygon part as a closed path (first point == last), one row each."""
    rows = []
    for value, geometry in zip(frame[name], frame.geometry):
        parts = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
        for part in parts:
            if isinstance(part, Polygon) and not part.is_empty:
                path = [[round(x, 6), round(y, 6)] for x, y in part.exterior.coords]
                rows.append({name: value, "path": path})
    return rows


# pydeck reads a bare string property as an accessor expression; quoted, it is a literal.
def outline_layer(frame: gpd.GeoDataFrame, name: str, layer_id: str, colour: list[int], width: float) -> pdk.Layer:
    return pdk.Layer("PathLayer", data=rings(frame, name), id=layer_id, pickable=False, get_path="path",
                     get_color=colour, width_units="'pixels'", get_width=width, width_min_pixels=width,
                     joint_rounded=True, cap_rounded=True)


def label_layer(beats: gpd.GeoDataFrame) -> pdk.Layer:
    """Beat codes at a point inside each beat, dark on a white halo, readable on any fill."""
    points = beats.geometry.representative_point()
    data = pd.DataFrame({"beat": beats["beat"].to_numpy(), "position": [[p.x, p.y] for p in points]})
    return pdk.Layer("TextLayer", data=data, id="beat-labels", pickable=False, get_position="position",
                     get_text="beat", get_size=LABEL_SIZE, size_units="'pixels'", get_color=[20, 20, 20, 255],
                     font_weight=700, outline_width=3, outline_color=[255, 255, 255, 230],
                     font_settings={"sdf": True}, get_text_anchor="'middle'", get_alignment_baseline="'center'")


def fit_view(bounds: tuple[float, float, float, float], size: tuple[int, int] = MAP_SIZE,
             margin: float = 0.25) -> pdk.ViewState:
    """The web-Mercator view centred on (west, south, east, north) with the box filling the map
    but for `margin` of it on each axis (deck.gl's world is 512 px wide at zoom 0)."""
    west, south, east, north = bounds
    y = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))         # Mercator
    width, height = (side * (1 - margin) for side in size)
    zoom = min(math.log2(width * 360 / (512 * max(east - west, 1e-6))),
               math.log2(height * 2 * math.pi / (512 * max(y(north) - y(south), 1e-9))))
    centre = math.degrees(2 * math.atan(math.exp((y(north) + y(south)) / 2)) - math.pi / 2)
    return pdk.ViewState(latitude=centre, longitude=(west + east) / 2, zoom=round(min(zoom, 16), 2))


def hotspot_deck(boundaries: dict[str, gpd.GeoDataFrame], beat_table: pd.DataFrame, cells: pd.DataFrame,
                 view: str, basemap: str, min_count: int, selected_beat: str | None = None,
                 previous_label: str = "previous period", emerging_periods: int = 6,
                 size: tuple[int, int] = MAP_SIZE, hold_back: int = 0) -> tuple[pdk.Deck, list[tuple[str, str]]]:
    """The map and its legend entries (in words). Boundaries and beat labels are always drawn,
    so the map reads without tiles; a chosen beat is outlined and the view fitted to it."""
    beats, legend = beat_layer(boundaries["beat"], beat_table, view, previous_label, hold_back)
    cell, cell_legend = cell_layer(cells, view, min_count, previous_label, emerging_periods)
    legend = in_words(legend, "incidents in the beat" if view == "count" else f"incidents vs {previous_label}")
    layers = [beats] + ([cell] if cell else []) + [
        outline_layer(boundaries["sector"], "sector", "sectors", [90, 90, 90, 200], 1),
        outline_layer(boundaries["precinct"], "precinct", "precincts", [20, 20, 20, 255], 2.5),
        label_layer(boundaries["beat"]),
    ]
    view_state = SEATTLE
    if selected_beat:
        chosen = boundaries["beat"][boundaries["beat"]["beat"] == selected_beat]
        layers.append(outline_layer(chosen, "beat", "selected", SELECTED, 5))
        view_state = fit_view(tuple(chosen.total_bounds), size)
    provider, style = BASEMAPS[basemap]
    deck = pdk.Deck(layers=layers, initial_view_state=view_state, map_provider=provider, map_style=style,
                    tooltip=TOOLTIP)
    return deck, legend + cell_legend
