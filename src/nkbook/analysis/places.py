"""The places and routes the evidence names, and the country boundaries they are drawn on.

``places`` and ``place_routes`` are curated tables: each place has its coordinates from a
gazetteer and the rows of the evidence tables that name it (``evidence_rows``, ``table:id; ...``).
The boundaries are Natural Earth's 1:110m countries in the copy that the pinned ``pyogrio``
package ships (``pyogrio/tests/fixtures/naturalearth_lowres``, public domain): read from disk,
never downloaded. They are clipped to a map's extent and thinned (Douglas-Peucker) so that a
chart carries a few kilobytes of geometry, not the world's.

Pure Python and pandas; the maps are drawn in :mod:`nkbook.present.plots.maps`.
"""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

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
    #: Douglas-Peucker tolerance (degrees) and decimals kept for the boundaries.
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
        0.2,
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


# --------------------------------------------------------------------------- reading the shapefile
# The .shp and .dbf formats are read directly (ESRI's shapefile technical description; dBASE III):
# no GDAL call, so nothing can reach for the network.


def _dbf_records(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    count, header_len, record_len = struct.unpack("<xxxxIHH", data[:12])
    fields, pos = [], 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0", 1)[0].decode("ascii")
        fields.append((name, data[pos + 16]))
        pos += 32
    records = []
    for i in range(count):
        start = header_len + i * record_len + 1  # skip the deletion flag
        row, off = {}, start
        for name, length in fields:
            row[name] = data[off : off + length].decode("utf-8", "replace").strip()
            off += length
        records.append(row)
    return records


def _shp_polygons(path: Path) -> list[list[list[tuple[float, float]]]]:
    """Each record's rings (lists of (lon, lat)); polygon records only (shape type 5)."""
    data = path.read_bytes()
    shapes, pos = [], 100
    while pos < len(data):
        _, words = struct.unpack(">ii", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + 2 * words]
        pos += 8 + 2 * words
        kind = struct.unpack("<i", body[:4])[0]
        if kind != 5:
            shapes.append([])
            continue
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", body[44 : 44 + 4 * n_parts]))
        flat = struct.unpack(f"<{2 * n_points}d", body[44 + 4 * n_parts : 44 + 4 * n_parts + 16 * n_points])
        points = list(zip(flat[0::2], flat[1::2], strict=True))
        shapes.append([points[a:b] for a, b in zip(parts, [*parts[1:], n_points], strict=True)])
    return shapes


def countries_raw() -> pd.DataFrame:
    """Every country of the file: ``iso3``, ``name`` (Natural Earth's) and ``rings``."""
    path = boundaries_file()
    records = _dbf_records(path.with_suffix(".dbf"))
    shapes = _shp_polygons(path)
    rows = []
    for record, rings in zip(records, shapes, strict=True):
        iso = record.get("iso_a3", "")
        iso = _NAME_TO_ISO.get(record.get("name", ""), iso)
        rows.append({"iso3": iso, "name": record.get("name", ""), "rings": rings})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- geometry
def _clip(ring, bbox):
    """Sutherland-Hodgman: the ring cut to the box (edges along the box where it was cut)."""
    west, south, east, north = bbox
    edges = (
        (lambda p: p[0] >= west, lambda a, b: _cross_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _cross_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _cross_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _cross_y(a, b, north)),
    )
    out = list(ring)
    for inside, cross in edges:
        if not out:
            break
        points, out = out, []
        prev = points[-1]
        for cur in points:
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
            prev = cur
    return out


def _cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def _thin(points, tolerance):
    """Douglas-Peucker on an open run of points (keeps both ends)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = points[a], points[b]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = -1.0, None
        for i in range(a + 1, b):
            x, y = points[i]
            d = abs(dy * (x - x1) - dx * (y - y1)) / norm if norm else ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _densify(points, step):
    """Points added every ``step`` degrees along long edges: d3-geo draws an edge as a great-circle
    arc, and a long edge along the map's frame would bow."""
    out = [points[0]]
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        n = int(max(abs(x2 - x1), abs(y2 - y1)) // step)
        out += [
            [round(x1 + (x2 - x1) * k / (n + 1), 2), round(y1 + (y2 - y1) * k / (n + 1), 2)] for k in range(1, n + 1)
        ]
        out.append([x2, y2])
    return out


def _ring_area(ring) -> float:
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True))


def _geometry(rings, bbox, tolerance, digits, step=1.0) -> dict | None:
    """The country's rings cut to ``bbox``, thinned and rounded, as a GeoJSON (Multi)Polygon.

    Each ring is its own polygon (the 1:110m countries have no holes). Rings are wound
    clockwise, as d3-geo (Vega's projection) expects of an outer ring.
    """
    polygons = []
    for ring in rings:
        cut = _clip(ring, bbox)
        if len(cut) < 3:
            continue
        closed = cut if cut[0] == cut[-1] else [*cut, cut[0]]
        thin = _thin(closed, tolerance)
        points = [(round(x, digits), round(y, digits)) for x, y in thin]
        points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        if len(points) < 4 or abs(_ring_area(points)) < tolerance**2:
            continue
        if _ring_area(points) > 0:  # counter-clockwise in lon/lat: turn it
            points = points[::-1]
        points = _densify(points, step)
        polygons.append([list(p) for p in points])
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": [polygons[0]]}
    return {"type": "MultiPolygon", "coordinates": [[ring] for ring in polygons]}


def _label_point(geometry: dict, bbox, grid: int = 24) -> tuple[float, float, float]:
    """A point well inside the geometry for its name: of a grid over the map, the one farthest from
    the geometry's edges (and from the map's frame); with that distance in degrees (a vertex and 0
    where no point of the grid is inside)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    rings = [poly[0] for poly in polygons]
    west, south, east, north = bbox
    first = rings[0][0]
    best = (round(first[0], 2), round(first[1], 2), 0.0)
    for i in range(1, grid):
        for j in range(1, grid):
            lon, lat = west + (east - west) * i / grid, south + (north - south) * j / grid
            if not contains(rings, lon, lat):
                continue
            room = min(_edge_distance(rings, lon, lat), lon - west, east - lon, lat - south, north - lat)
            if room > best[2]:
                best = (round(lon, 2), round(lat, 2), room)
    return best


def countries(bbox: tuple[float, float, float, float], tolerance: float = 0.08, digits: int = 2) -> pd.DataFrame:
    """The countries of :data:`COUNTRIES` that reach into ``bbox``, clipped to it: ``iso3``,
    ``country`` (the book's name), ``geometry`` (GeoJSON) and where its name may go
    (``label_lon``, ``label_lat``, and ``label_room``: degrees to the nearest edge)."""
    raw = countries_raw()
    raw = raw[raw["iso3"].isin(COUNTRIES)]
    rows = []
    for r in raw.itertuples():
        geometry = _geometry(r.rings, bbox, tolerance, digits)
        if geometry is not None:
            lon, lat, room = _label_point(geometry, bbox)
            rows.append(
                {
                    "iso3": r.iso3,
                    "country": COUNTRIES[r.iso3],
                    "geometry": geometry,
                    "label_lon": lon,
                    "label_lat": lat,
                    "label_room": round(room, 2),
                }
            )
    columns = ["iso3", "country", "geometry", "label_lon", "label_lat", "label_room"]
    return pd.DataFrame(rows, columns=columns).sort_values("iso3", ignore_index=True)


def contains(rings, lon: float, lat: float) -> bool:
    """Whether the point lies inside one of the rings (even-odd rule)."""
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def distance_to(rings, lon: float, lat: float) -> float:
    """Degrees from the point to the nearest edge of the rings (0 inside)."""
    return 0.0 if contains(rings, lon, lat) else _edge_distance(rings, lon, lat)


def _edge_distance(rings, lon: float, lat: float) -> float:
    best = float("inf")
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
            dx, dy = x2 - x1, y2 - y1
            t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((lon - x1) * dx + (lat - y1) * dy) / (dx * dx + dy * dy)))
            best = min(best, ((x1 + t * dx - lon) ** 2 + (y1 + t * dy - lat) ** 2) ** 0.5)
    return best


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


def _clip_segment(x1, y1, x2, y2, bbox):
    """Liang-Barsky: the part of the segment inside the box, or None."""
    west, south, east, north = bbox
    t0, t1, dx, dy = 0.0, 1.0, x2 - x1, y2 - y1
    for p, q in ((-dx, x1 - west), (dx, east - x1), (-dy, y1 - south), (dy, north - y1)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return (x1 + t0 * dx, y1 + t0 * dy, x1 + t1 * dx, y1 + t1 * dy)


def route_lines(routes: pd.DataFrame, places: pd.DataFrame, area: Area | None = None) -> pd.DataFrame:
    """Each route with its ends' names and the line drawn for it (``lon1``, ``lat1``, ``lon2``,
    ``lat2``): the straight line between its ends. Within ``area``, only the routes with both ends
    inside it (a line leaving the map would point nowhere); the line is still cut to the extent."""
    ends = places.set_index("place_id")[["name", "latitude", "longitude"]]
    out = routes.join(ends.add_prefix("from_"), on="from_place").join(ends.add_prefix("to_"), on="to_place")
    if area is not None:
        west, south, east, north = area.bbox
        inside = [
            west <= lon <= east and south <= lat <= north
            for lon, lat in zip(
                [*out["from_longitude"], *out["to_longitude"]],
                [*out["from_latitude"], *out["to_latitude"]],
                strict=True,
            )
        ]
        out = out[[a and b for a, b in zip(inside[: len(out)], inside[len(out) :], strict=True)]]
    bbox = area.bbox if area is not None else (-180.0, -90.0, 180.0, 90.0)
    lines = [
        _clip_segment(r.from_longitude, r.from_latitude, r.to_longitude, r.to_latitude, bbox) for r in out.itertuples()
    ]
    out = out.assign(line=lines).dropna(subset=["line"])
    coords = pd.DataFrame(out["line"].tolist(), columns=["lon1", "lat1", "lon2", "lat2"], index=out.index).round(3)
    return pd.concat([out.drop(columns="line"), coords], axis=1).reset_index(drop=True)
