"""Precinct, sector and beat boundaries (GeoJSON, EPSG:4326), loaded with geopandas.

`beats.geojson` is the one file needed: each feature has beat, sector, precinct and source;
sectors and precincts are its dissolves. The bundled file is SPD's 2018-present beat layer
(City of Seattle GIS), simplified to about 20 m.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd


@cache
def load_boundaries(folder: Path) -> dict[str, gpd.GeoDataFrame]:
    """{'beat': ..., 'sector': ..., 'precinct': ...} from folder/beats.geojson."""
    beats = gpd.read_file(Path(folder) / "beats.geojson")
    beats = beats[["beat", "sector", "precinct", "source", "geometry"]]
    sectors = beats.dissolve(by="sector", as_index=False, aggfunc="first")[["sector", "precinct", "geometry"]]
    precincts = beats.dissolve(by="precinct", as_index=False)[["precinct", "geometry"]]
    return {"beat": beats, "sector": sectors, "precinct": precincts}
