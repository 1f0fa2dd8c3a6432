"""Maps of the places and routes the evidence names (:mod:`nkbook.analysis.places`).

Each map is an Altair layer chart: the countries (Natural Earth's 1:110m boundaries in the copy
the pinned pyogrio package ships, clipped to the map's extent and simplified, with Crimea within
Ukraine's internationally recognised borders), the routes as
straight lines coloured and dashed by mode, and the places as points with their names. Every
mark's tooltip names its source; the data behind the map (countries, routes, places) is the
figure's table. The spec is built from the tables alone: no download, no random id.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from nkbook.analysis import places as pl
from nkbook.data.provenance import short_citation, with_source_names
from nkbook.present import charts

MODES = ["ship", "rail", "air"]
MODE_COLOURS = ["#0072B2", "#D55E00", "#6A3D9A"]
MODE_DASH = [[1, 0], [7, 3], [2, 3]]
#: Country fills: the two states of the story, Ukraine, then every other country.
FILLS = {"RUS": "#e3e3e3", "PRK": "#d4d4d4", "UKR": "#f4ead2"}
OTHER_FILL = "#f3f3f3"
POINT = "#222222"
#: Where a place's name goes beside its point, per map: (align, dx, dy); right of it unless listed.
LABELS = {
    "far_east": {
        "rajin": ("right", -7, 5),
        "tumangang-khasan": ("right", -3, -10),
        "chongjin": ("right", -7, 0),
        "vladivostok": ("right", -7, -7),
        "dunai": ("left", 5, -9),
        "vostochny-port": ("right", 2, 12),
    },
    "front": {
        "kursk": ("left", 7, -6),
        "sudzha": ("right", -7, 0),
        "zaporizhzhia": ("center", 0, 11),
        "alabuga": ("right", -7, 0),
    },
    "overview": {
        "kursk": ("left", 4, -9),
        "tikhoretsk": ("left", 6, 8),
        "vostochny-cosmodrome": ("right", -7, 0),
        "beijing": ("right", -7, 0),
        "rajin": ("left", 7, 0),
    },
}
#: On the overview, only these places are named (the rest are too close together to read).
OVERVIEW_LABELS = ("kursk", "tikhoretsk", "krasnoyarsk", "vostochny-cosmodrome", "beijing", "rajin")
#: Shorter names for the map (the tooltip gives the full one).
SHORT = {
    "tumangang-khasan": "Tumangang–Khasan",
    "vostochny-port": "Vostochny port",
    "dunai": "Dunai",
    "rajin": "Rajin",
    "alabuga": "Alabuga",
    "zaporizhzhia": "Zaporizhzhia",
}
#: Shorter still on the overview.
OVERVIEW_SHORT = {"kursk": "Kursk"}
COUNTRY_NAMES = {"RUS": "Russia", "UKR": "Ukraine", "PRK": "North Korea", "CHN": "China", "KOR": "South Korea"}
#: Countries named on the map, where there is room (a share of the map's width from any edge).
NAMED_COUNTRIES = {"RUS": "RUSSIA", "PRK": "NORTH KOREA", "CHN": "CHINA", "UKR": "UKRAINE", "BLR": "BELARUS"}
ROOM = 0.045
#: What each country's outline is, in its tooltip.
BORDERS = {
    "UKR": "Internationally recognised, Crimea included (occupied by Russia since 2014)",
    "RUS": "Internationally recognised (without Crimea)",
}
OTHER_BORDER = "Natural Earth's"


def _country_layers(area: pl.Area) -> list[alt.Chart]:
    shapes = pl.countries(area.bbox, tolerance=area.tolerance, digits=area.digits)
    width = area.bbox[2] - area.bbox[0]
    shapes = shapes.assign(
        source=short_citation(pl.BOUNDARIES_SOURCE),
        border=shapes["iso3"].map(BORDERS).fillna(OTHER_BORDER),
        name_shown=[
            NAMED_COUNTRIES.get(iso, "") if room >= ROOM * width and area.key != "overview" else ""
            for iso, room in zip(shapes["iso3"], shapes["label_room"], strict=True)
        ],
    )
    others = sorted(set(shapes["iso3"]) - set(FILLS))
    fill = alt.Fill(
        "iso3:N",
        scale=alt.Scale(domain=[*FILLS, *others], range=[*FILLS.values(), *[OTHER_FILL] * len(others)]),
        legend=None,
    )
    tooltip = [
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("border:N", title="Border"),
        alt.Tooltip("source:N", title="Boundaries"),
    ]
    base = alt.Chart(shapes)
    return [
        base.mark_geoshape(stroke="#8c8c8c", strokeWidth=0.7).encode(
            shape=alt.Shape("geometry:G"), fill=fill, tooltip=tooltip
        ),
        base.transform_filter("datum.name_shown !== ''")
        .mark_text(fontSize=10, color="#6b6b6b", fontWeight="bold")
        .encode(longitude="label_lon:Q", latitude="label_lat:Q", text="name_shown:N", tooltip=tooltip),
    ]


def _route_layer(lines: pd.DataFrame) -> alt.Chart:
    data = with_source_names(lines).assign(route=lambda d: d["from_name"] + " to " + d["to_name"])
    mode = alt.Scale(domain=MODES, range=MODE_COLOURS)
    return (
        alt.Chart(data[["route", "mode", "carried", "note", "evidence_rows", "source", "lon1", "lat1", "lon2", "lat2"]])
        .mark_rule(strokeWidth=2.5, opacity=0.9)
        .encode(
            longitude="lon1:Q",
            latitude="lat1:Q",
            longitude2="lon2:Q",
            latitude2="lat2:Q",
            color=alt.Color("mode:N", title="Route by", scale=mode),
            strokeDash=alt.StrokeDash("mode:N", title="Route by", scale=alt.Scale(domain=MODES, range=MODE_DASH)),
            tooltip=[
                alt.Tooltip("route:N", title="Route"),
                alt.Tooltip("mode:N", title="By"),
                alt.Tooltip("carried:N", title="Carried"),
                alt.Tooltip("note:N", title="What the evidence says"),
                alt.Tooltip("evidence_rows:N", title="Evidence rows"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
    )


def _place_layers(points: pd.DataFrame, area: str) -> list[alt.Chart]:
    data = with_source_names(points)
    labelled = OVERVIEW_LABELS if area == "overview" else tuple(data["place_id"])
    data = data.assign(
        country=data["country_iso3"].map(COUNTRY_NAMES),
        label=[
            (OVERVIEW_SHORT if area == "overview" else {}).get(p, SHORT.get(p, n)) if p in labelled else ""
            for p, n in zip(data["place_id"], data["name"], strict=True)
        ],
    )
    data = data[
        [
            "place_id",
            "name",
            "kind",
            "country",
            "point_marks",
            "role",
            "rows",
            "source",
            "label",
            "latitude",
            "longitude",
        ]
    ]
    tooltip = [
        alt.Tooltip("name:N", title="Place"),
        alt.Tooltip("kind:N", title="Kind"),
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("role:N", title="In the evidence"),
        alt.Tooltip("rows:N", title="Evidence rows"),
        alt.Tooltip("point_marks:N", title="The point marks"),
        alt.Tooltip("source:N", title="Coordinates from"),
    ]
    where = {"longitude": "longitude:Q", "latitude": "latitude:Q"}
    base = alt.Chart(data)
    dots = base.mark_circle(size=64, color=POINT, stroke="white", strokeWidth=1, opacity=1).encode(
        **where, tooltip=tooltip
    )
    texts = []
    groups: dict[tuple, list[str]] = {}
    for place in data["place_id"]:
        groups.setdefault(LABELS[area].get(place, ("left", 7, 0)), []).append(place)
    for (align, dx, dy), ids in sorted(groups.items()):
        texts.append(
            base.transform_filter(alt.FieldOneOfPredicate(field="place_id", oneOf=sorted(ids)))
            .mark_text(align=align, dx=dx, dy=dy, fontSize=11, color="#111", baseline="middle")
            .encode(**where, text="label:N", tooltip=tooltip)
        )
    return [dots, *texts]


def _projection(area: pl.Area) -> alt.Projection:
    """A Mercator map is scaled and centred on its extent by expressions of the view's size (the
    extent fits the narrower side, centred), not fitted to the data: with a fixed height, Vega's fit
    drew the map taller than its view."""
    if area.projection.get("type") != "mercator":
        return alt.Projection(**area.projection)
    west, south, east, north = area.bbox
    merc = [math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) for lat in (south, north)]
    centre = math.degrees(2 * math.atan(math.exp(sum(merc) / 2)) - math.pi / 2)
    across, up = math.radians(east - west), merc[1] - merc[0]
    return alt.Projection(
        type="mercator",
        center=[round((west + east) / 2, 4), round(centre, 4)],
        scale=alt.ExprRef(f"min(width / {across:.6f}, height / {up:.6f})"),
        translate=alt.ExprRef("[width / 2, height / 2]"),
    )


def places_map(places: pd.DataFrame, routes: pd.DataFrame, area: str = "far_east") -> charts.Figure:
    """A map of the places (and the routes) of ``area`` (a key of :data:`~nkbook.analysis.places.AREAS`)."""
    where = pl.AREAS[area]
    points = pl.place_points(places, where)
    lines = pl.route_lines(routes, places, where)
    layers = _country_layers(where)
    if len(lines):
        layers.append(_route_layer(lines))
    layers += _place_layers(points, area)
    description = (
        f"Map of {len(points)} places the evidence names"
        + (f" and {len(lines)} routes" if len(lines) else "")
        + ". Places: "
        + "; ".join(f"{r.name} ({r.kind}, {COUNTRY_NAMES[r.country_iso3]})" for r in points.itertuples())
        + "."
        + (
            " Routes: "
            + "; ".join(f"{r.from_name} to {r.to_name} by {r.mode} ({r.carried})" for r in lines.itertuples())
            + "."
            if len(lines)
            else ""
        )
    )
    chart = alt.layer(*layers).properties(
        width="container",
        height=where.height,
        projection=_projection(where),
        title=alt.Title(where.title, subtitle=where.subtitle),
        description=description,
    )
    return charts.figure(
        chart,
        caption=(
            "Places and routes named by the rows of the evidence tables (hover a point or a line for the rows). "
            "Sources: the rows' own sources (see the tables); coordinates from GeoNames (the rail crossing: Wikipedia); a region is marked by its centre, a port by its town. "
            "Routes are straight lines between their ends, not the paths taken. Boundaries: Natural Earth, 1:110m, in the copy "
            "the pyogrio package ships, simplified. Borders are the internationally recognised ones (UN General Assembly "
            "resolution 68/262, 2014): Crimea, occupied by Russia since 2014, is drawn within Ukraine, where the file draws "
            "it within Russia; the areas of eastern and southern Ukraine that Russia occupies are not shown as such. "
            "Data: <code>places</code>, <code>place_routes</code>."
        ),
        as_of=pl.newest_evidence(points, lines),
    )
