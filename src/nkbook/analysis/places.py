"""The places and routes the evidence names, and the country boundaries they are drawn on.

``places`` and ``place_routes`` are curated tables: each place has its coordinates from a
gazetteer and the rows of the evidence tables that name it (``evidence_rows``, ``table:id; ...``).
The boundaries are Natural Earth's 1:110m countries in the copy that the pinned ``pyogrio``
package ships (``pyogrio/tests/fixtures/naturalearth_lowres``, public domain): read from disk,
never downloaded: ``pyogrio`` reads it and ``shapely`` (GEOS) clips it to a map's extent and
simplifies it, so that a chart carries a few kilobytes of geometry, not the world's. The file
draws Crimea within Russia; the book draws Ukraine's internationally recognised borders, so the
peninsula is moved into Ukraine (:func:`countries_raw`).

The maps are drawn in :mod:`nkbook.present.plots.maps`.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio.raw
import shapely
import shapely.geometry

from nkbook.analysis.claims.evidence import public_dates
from nkbook.data import load, resource

#: BibTeX key of the boundaries (Natural Earth, read in pyogrio's copy).
BOUNDARIES_SOURCE = "naturalearth-2026-06-admin0-110m-pyogrio"
#: Countries drawn on every map (Natural Earth ``iso_a3``), with the names the book gives them.
COUNTRIES = {
    "RUS": "Russia",
    "UKR": "Ukraine",
    "PRK": "North Korea (DPRK)",
    "KOR": "South Korea",
    "CHN": "China",
    "JPN": "Japan",
    "MNG": "Mongolia",
    "KAZ": "Kazakhstan",
    "BLR": "Belarus",
    "POL": "Poland",
    "MDA": "Moldova",
    "ROU": "Romania",
    "GEO": "Georgia",
    "TUR": "Turkey",
    "LTU": "Lithuania",
    "LVA": "Latvia",
    "EST": "Estonia",
    "FIN": "Finland",
    "SVK": "Slovakia",
    "HUN": "Hungary",
    "AZE": "Azerbaijan",
    "ARM": "Armenia",
    "UZB": "Uzbekistan",
    "TKM": "Turkmenistan",
    "KGZ": "Kyrgyzstan",
}
#: Natural Earth's 1:110m file gives some states no ISO code (-99): their names instead.
_NAME_TO_ISO = {"Kazakhstan": "KAZ"}


@dataclass(frozen=True)
class Area:
    """A map's extent (west, south, east, north in degrees), its projection and its title."""

    key: str
    title: str
    subtitle: str
    bbox: tuple[float, float, float, float]
    projection: dict
    height: int
    #: Simplification tolerance (degrees: about the square root of the area of the smallest
    #: triangle kept, in ``shapely.coverage_simplify``) and decimals kept for the boundaries.
    tolerance: float = 0.05
    digits: int = 2


AREAS = {
    "far_east": Area(
        "far_east",
        "The ports and the rail crossing: where North Korea meets Russia's Far East",
        "Points: places the evidence names; lines: routes it names (straight, not the path taken)",
        (124.2, 38.2, 134.6, 44.3),
        {"type": "mercator"},
        360,
    ),
    "front": Area(
        "front",
        "Kursk, the border regions and the end of the rail route",
        "Points: places the evidence names in Russia and Ukraine",
        (28.0, 44.3, 54.0, 57.6),
        {"type": "mercator"},
        360,
    ),
    "overview": Area(
        "overview",
        "From Rajin to Kursk: every place and route the evidence names",
        "Points: places; lines: routes (straight, not the path taken)",
        (24.0, 37.5, 146.0, 61.0),
        {"type": "mercator"},
        210,
        0.4,
        1,
    ),
}


def boundaries_file() -> Path:
    """Natural Earth's 1:110m countries, as the installed pyogrio package ships them."""
    spec = importlib.util.find_spec("pyogrio")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("pyogrio is not installed: make installs it from requirements.lock")
    path = (
        Path(next(iter(spec.submodule_search_locations))) / "tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp"
    )
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the pinned pyogrio ships it")
    return path


#: The Crimean peninsula, south of the Perekop isthmus (the file's shared vertex with Ukraine's
#: mainland is at 33.70E 46.22N) and west of the Kerch Strait (Russia's Taman coast begins at
#: 36.68E): the part of Russia's geometry inside it is Crimea, which the file draws within Russia.
CRIMEA_CUT = shapely.Polygon([(32.0, 44.0), (36.6, 44.0), (36.6, 45.8), (34.9, 46.3), (33.8, 46.3), (32.0, 45.7)])


def _recognised_borders(iso3: pd.Series, geometry: np.ndarray) -> np.ndarray:
    """Crimea moved from Russia's geometry into Ukraine's: Ukraine's internationally recognised
    borders (UN General Assembly resolution 68/262, 2014), which the book draws. The occupied
    areas of eastern and southern Ukraine are not marked: the file draws no line for them."""
    geometry = geometry.copy()
    rus, ukr = (int(np.flatnonzero(iso3.to_numpy() == code)[0]) for code in ("RUS", "UKR"))
    crimea = shapely.intersection(geometry[rus], CRIMEA_CUT)
    if crimea.is_empty:
        raise ValueError("no part of Russia's geometry lies in Crimea: has the boundaries file changed?")
    geometry[rus] = shapely.difference(geometry[rus], CRIMEA_CUT)
    geometry[ukr] = shapely.union(geometry[ukr], crimea)
    return geometry


def countries_raw() -> pd.DataFrame:
    """Every country of the file: ``iso3``, ``name`` (Natural Earth's) and ``geometry`` (shapely),
    with Crimea drawn within Ukraine (:func:`_recognised_borders`).

    Read with ``pyogrio.raw.read`` (GDAL's shapefile driver, on a local file: no network)."""
    _, _, wkb, (names, iso3) = pyogrio.raw.read(boundaries_file(), columns=["name", "iso_a3"])
    iso = pd.Series([_NAME_TO_ISO.get(name, code) for name, code in zip(names, iso3, strict=True)], dtype=str)
    geometry = _recognised_borders(iso, shapely.from_wkb(wkb))
    return pd.DataFrame({"iso3": iso, "name": pd.Series(names, dtype=str), "geometry": geometry})


#: Share of a map's width kept free of country names at its left and right edges.
LABEL_INSET = 0.04


def _rounded(geometry, digits: int):
    return shapely.transform(geometry, lambda xy: np.round(xy, digits))


def countries(bbox: tuple[float, float, float, float], tolerance: float = 0.08, digits: int = 2) -> pd.DataFrame:
    """The countries of :data:`COUNTRIES` that reach into ``bbox``, clipped to it: ``iso3``,
    ``country`` (the book's name), ``geometry`` (GeoJSON) and where its name may go
    (``label_lon``, ``label_lat``, and ``label_room``: degrees to the nearest edge or frame).

    The countries are clipped to the box, simplified together as a coverage (a border two
    countries share stays one line), snapped to ``digits`` decimals, rid of specks smaller than
    ``tolerance`` squared, densified every degree (d3-geo draws an edge as a great-circle arc: a
    long edge along the frame would bow) and wound clockwise, as d3-geo expects of an outer ring.
    """
    raw = countries_raw()
    raw = raw[raw["iso3"].isin(COUNTRIES)].sort_values("iso3", ignore_index=True)
    clipped = shapely.clip_by_rect(raw["geometry"].to_numpy(), *bbox)
    keep = ~shapely.is_empty(clipped) & (shapely.area(clipped) >= tolerance**2)
    raw, clipped = raw[keep].reset_index(drop=True), clipped[keep]
    west, south, east, north = bbox
    inner = shapely.box(west + LABEL_INSET * (east - west), south, east - LABEL_INSET * (east - west), north)
    shapes = shapely.set_precision(shapely.coverage_simplify(clipped, tolerance), 10**-digits)
    rows = []
    for iso, shape in zip(raw["iso3"], shapes, strict=True):
        parts = [p for p in shapely.get_parts(shape) if p.area >= tolerance**2]
        if not parts:
            continue
        shape = shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]
        # the name's point: the centre of the largest circle inside the country, kept off the
        # map's left and right edges (a name runs across its point)
        # (no room where the country lies only at an edge)
        inside = [p for p in shapely.get_parts(shape.intersection(inner)) if p.geom_type == "Polygon" and p.area > 0]
        if not inside:
            (lon, lat), room = shape.representative_point().coords[0], 0.0
        else:
            circle = shapely.maximum_inscribed_circle(shapely.MultiPolygon(inside), 10**-digits)
            (lon, lat), room = circle.coords[0], circle.length
        drawn = shapely.orient_polygons(_rounded(shapely.segmentize(shape, 1.0), digits), exterior_cw=True)
        rows.append(
            {
                "iso3": iso,
                "country": COUNTRIES[iso],
                "geometry": shapely.geometry.mapping(drawn),
                "label_lon": round(lon, 2),
                "label_lat": round(lat, 2),
                "label_room": round(room, 2),
            }
        )
    columns = ["iso3", "country", "geometry", "label_lon", "label_lat", "label_room"]
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------- the evidence
def references(cell: str) -> list[tuple[str, str]]:
    """``'milestones:E010; munitions_transfers:M002'`` as ``[(table, id), ...]``."""
    return [tuple(part.strip().split(":", 1)) for part in str(cell).split(";") if part.strip()]


def unresolved(frame: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Every ``evidence_rows`` reference of ``frame`` that names no row of ``tables`` (each table's
    first column is its key)."""
    keys = {name: set(t.iloc[:, 0].astype(str)) for name, t in tables.items()}
    return [
        f"{key}: {table}:{row}"
        for key, cell in zip(frame.iloc[:, 0], frame["evidence_rows"], strict=True)
        for table, row in references(cell)
        if row not in keys.get(table, set())
    ]


def newest_evidence(*frames: pd.DataFrame) -> pd.Timestamp:
    """The day the newest of the rows that ``frames`` (places, routes) name became public: how far
    the evidence a map draws reaches."""
    refs = [ref for frame in frames for cell in frame["evidence_rows"] for ref in references(cell)]
    newest = []
    for table in sorted({t for t, _ in refs}):
        key = resource(table)["schema"]["primaryKey"]
        rows = load(table)
        rows = rows.set_index(key if isinstance(key, str) else key[0], drop=False)
        wanted = [r for t, r in refs if t == table]
        newest.append(public_dates(table, rows.loc[wanted]).max())
    return max(newest)


def _count_by_table(cell: str) -> str:
    counts = pd.Series([t for t, _ in references(cell)]).value_counts(sort=False)
    total = int(counts.sum())
    parts = ", ".join(f"{table} {n}" for table, n in counts.items())
    return f"{total} row{'s' if total != 1 else ''} ({parts})" if len(counts) > 1 else f"{total}: {cell}"


def place_points(places: pd.DataFrame, area: Area | None = None) -> pd.DataFrame:
    """The places inside ``area`` (all, without one), with ``rows``: the evidence rows counted by
    table (or listed, for a few from one table)."""
    out = places.copy()
    if area is not None:
        west, south, east, north = area.bbox
        out = out[out["longitude"].between(west, east) & out["latitude"].between(south, north)]
    out["rows"] = out["evidence_rows"].map(lambda c: _count_by_table(c) if len(references(c)) > 4 else c)
    return out.reset_index(drop=True)


def route_lines(routes: pd.DataFrame, places: pd.DataFrame, area: Area | None = None) -> pd.DataFrame:
    """Each route with its ends' names and the line drawn for it (``lon1``, ``lat1``, ``lon2``,
    ``lat2``): the straight line between its ends. Within ``area``, only the routes with both ends
    inside it (a line leaving the map would point nowhere); the line is still cut to the extent."""
    ends = places.set_index("place_id")[["name", "latitude", "longitude"]]
    out = routes.join(ends.add_prefix("from_"), on="from_place").join(ends.add_prefix("to_"), on="to_place")
    starts = shapely.points(out[["from_longitude", "from_latitude"]].to_numpy(float))
    stops = shapely.points(out[["to_longitude", "to_latitude"]].to_numpy(float))
    frame = shapely.box(*(area.bbox if area is not None else (-180.0, -90.0, 180.0, 90.0)))
    keep = shapely.covers(frame, starts) & shapely.covers(frame, stops) if area is not None else np.full(len(out), True)
    segments = shapely.linestrings(np.stack([shapely.get_coordinates(starts), shapely.get_coordinates(stops)], axis=1))
    cut = shapely.intersection(segments, frame)
    keep &= ~shapely.is_empty(cut)
    out, cut = out[keep], cut[keep]
    xy = shapely.get_coordinates(cut).reshape(-1, 4)
    coords = pd.DataFrame(xy, columns=["lon1", "lat1", "lon2", "lat2"], index=out.index).round(3)
    return pd.concat([out, coords], axis=1).reset_index(drop=True)
