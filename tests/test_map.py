"""The places and routes the evidence names, and their maps: coordinates inside their countries,
every evidence reference a real row, every place on a map, and no network while a map is built."""

from __future__ import annotations

import json
import socket

import pytest
import shapely

from nkbook.analysis import places as pl
from nkbook.data import load
from nkbook.present import charts
from nkbook.present.plots import maps

EVIDENCE = (
    "troop_estimates",
    "casualty_estimates",
    "munitions_transfers",
    "reported_transfers_to_dprk",
    "milestones",
    "petroleum_supply",
)
#: At 1:110m a coastal port can lie just off its country's simplified coast: degrees allowed.
COAST = 0.35


@pytest.fixture(scope="module")
def places():
    return load("places")


@pytest.fixture(scope="module")
def routes():
    return load("place_routes")


@pytest.fixture(scope="module")
def outlines():
    raw = pl.countries_raw()
    return dict(zip(raw["iso3"], raw["geometry"], strict=True))


#: Simferopol, in Crimea (GeoNames 693805: 44.952N 34.102E).
SIMFEROPOL = shapely.Point(34.10, 44.95)


def test_the_boundaries_ship_with_the_pinned_package():
    path = pl.boundaries_file()
    assert path.parts[-5:-2] == ("pyogrio", "tests", "fixtures")
    raw = pl.countries_raw()
    assert len(raw) == 177
    assert set(pl.COUNTRIES) <= set(raw["iso3"])


def test_each_place_lies_in_its_country(places, outlines):
    for place in places.itertuples():
        point = shapely.Point(place.longitude, place.latitude)
        gap = outlines[place.country_iso3].distance(point)
        allowed = COAST if place.kind == "port" else 0.0
        assert gap <= allowed, f"{place.place_id} is {gap:.2f} degrees outside {place.country_iso3}"
        others = [iso for iso, shape in outlines.items() if iso != place.country_iso3 and shape.covers(point)]
        assert not others, f"{place.place_id} lies in {others}"


def test_known_places_where_they_belong(places, outlines):
    at = places.set_index("place_id")
    for pid, iso in {
        "kursk": "RUS",
        "rajin": "PRK",
        "pyongyang": "PRK",
        "kharkiv": "UKR",
        "vladivostok": "RUS",
    }.items():
        assert outlines[iso].covers(shapely.Point(at.loc[pid, "longitude"], at.loc[pid, "latitude"])), pid
    # the rail crossing is on the Tumen, the border river: within a few kilometres of Russia
    crossing = at.loc["tumangang-khasan"]
    assert outlines["RUS"].distance(shapely.Point(crossing["longitude"], crossing["latitude"])) < 0.3


def test_crimea_is_drawn_within_ukraine(places, outlines):
    """The file draws Crimea within Russia; the book draws Ukraine's internationally recognised
    borders: Crimea in Ukraine's geometry, not Russia's, on the raw outlines and on the maps."""
    assert outlines["UKR"].covers(SIMFEROPOL) and not outlines["RUS"].intersects(SIMFEROPOL)
    assert outlines["RUS"].intersection(pl.CRIMEA_CUT).area == 0
    assert outlines["UKR"].geom_type == "Polygon" and outlines["UKR"].is_valid and outlines["RUS"].is_valid
    kursk = places.set_index("place_id").loc["kursk"]
    assert outlines["RUS"].covers(shapely.Point(kursk["longitude"], kursk["latitude"]))
    for key in ("front", "overview"):
        drawn = pl.countries(pl.AREAS[key].bbox, pl.AREAS[key].tolerance, pl.AREAS[key].digits)
        shapes = {iso: shapely.geometry.shape(g) for iso, g in zip(drawn["iso3"], drawn["geometry"], strict=True)}
        assert shapes["UKR"].covers(SIMFEROPOL) and not shapes["RUS"].intersects(SIMFEROPOL), key
    caption = maps.places_map(places, load("place_routes"), "front").caption
    assert "Crimea, occupied by Russia since 2014, is drawn within Ukraine" in caption
    assert "internationally recognised" in caption and "not shown as such" in caption


def test_every_evidence_reference_is_a_real_row(places, routes):
    tables = {name: load(name) for name in EVIDENCE}
    assert pl.unresolved(places, tables) == []
    assert pl.unresolved(routes, tables) == []
    broken = places.head(1).assign(evidence_rows="milestones:E999; no_such_table:X001")
    assert pl.unresolved(broken, tables) == ["rajin: milestones:E999", "rajin: no_such_table:X001"]


def test_routes_join_known_places_and_name_their_source_row(places, routes):
    ids = set(places["place_id"])
    assert set(routes["from_place"]) <= ids and set(routes["to_place"]) <= ids
    for route in routes.itertuples():
        table, row = pl.references(route.evidence_rows)[0]
        source = load(table).set_index(load(table).columns[0]).loc[row, "source_id"]
        assert source == route.source_id, route.route_id


def test_the_maps_together_show_every_place_and_route(places, routes):
    shown, drawn = set(), set()
    for area in pl.AREAS:
        spec = maps.places_map(places, routes, area).spec
        charts.check_rules(spec)
        rows = [r for data in spec["datasets"].values() for r in data]
        shown |= {r["place_id"] for r in rows if "place_id" in r}
        drawn |= {r["route"] for r in rows if "route" in r}
    assert shown == set(places["place_id"])
    assert len(drawn) == len(routes)


def test_the_overview_spec_names_every_place_and_stays_small(places, routes):
    figure = maps.places_map(places, routes, "overview")
    text = charts._canonical(charts.trimmed(figure.spec))
    for name in places["name"]:
        assert json.dumps(name, ensure_ascii=False) in text, name
    assert len(text.encode()) < 60_000
    assert "Russia" in figure.spec["description"] and "Rajin" in figure.spec["description"]


def test_a_map_is_the_same_on_every_run(places, routes):
    first = maps.places_map(places, routes, "far_east")._repr_mimebundle_()["text/html"]
    second = maps.places_map(places, routes, "far_east")._repr_mimebundle_()["text/html"]
    assert first == second
    assert 'role="img"' in first and "Data behind this chart" in first


def test_regional_maps_keep_to_their_extent(places, routes):
    for key in ("far_east", "front"):
        area = pl.AREAS[key]
        west, south, east, north = area.bbox
        lines = pl.route_lines(routes, places, area)
        for line in lines.itertuples():
            assert west <= min(line.lon1, line.lon2) and max(line.lon1, line.lon2) <= east
            assert south <= min(line.lat1, line.lat2) and max(line.lat1, line.lat2) <= north
        for geometry in pl.countries(area.bbox, area.tolerance, area.digits)["geometry"]:
            shape = shapely.geometry.shape(geometry)
            assert shape.is_valid
            lon1, lat1, lon2, lat2 = shape.bounds
            assert west - 1e-6 <= lon1 and lon2 <= east + 1e-6 and south - 1e-6 <= lat1 and lat2 <= north + 1e-6
            # wound clockwise (d3-geo's outer rings) and rounded to the area's decimals
            for part in shapely.get_parts(shape):
                assert not part.exterior.is_ccw
            coords = shapely.get_coordinates(shape)
            assert (coords == coords.round(area.digits)).all()


def test_building_a_map_makes_no_network_request(places, routes, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted while building a map")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for area in pl.AREAS:
        html = maps.places_map(places, routes, area)._repr_mimebundle_()["text/html"]
        assert "nkb-chart" in html
