"""/api/v1/map: clusters at low zoom, places at high zoom, the search filters, errors, size."""

from __future__ import annotations

import json

import pytest

from kbm_map.extensions import db
from kbm_map.mapview.features import MAX_POINTS, POINTS_ZOOM

from .places import WIDE, next_monday


def get_map(client, **args):
    """Ask /api/v1/map and return the decoded GeoJSON (after checking the status)."""
    args.setdefault("bbox", WIDE)
    response = client.get("/api/v1/map", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response.get_json()


def place_ids(collection) -> set[int]:
    """Return the ids of the single places in a collection."""
    return {f["properties"]["id"] for f in collection["features"] if "id" in f["properties"]}


def test_low_zoom_returns_clusters_whose_counts_add_up(client, places):
    points = places.scatter(200)
    collection = get_map(client, zoom=9)
    clusters = [f for f in collection["features"] if f["properties"].get("cluster")]
    assert collection["clustered"] is True
    assert clusters and max(c["properties"]["count"] for c in clusters) > 5
    singles = len(collection["features"]) - len(clusters)
    assert sum(c["properties"]["count"] for c in clusters) + singles == len(points)
    assert collection["total"] == len(points)


def test_a_cluster_lies_within_its_bbox_and_the_places_it_stands_for(client, places):
    points = places.scatter(200)
    for feature in get_map(client, zoom=9)["features"]:
        if not feature["properties"].get("cluster"):
            continue
        west, south, east, north = feature["properties"]["bbox"]
        lon, lat = feature["geometry"]["coordinates"]
        assert west <= lon <= east and south <= lat <= north
        inside = [p for p in points.values() if west <= p[0] <= east and south <= p[1] <= north]
        assert len(inside) >= feature["properties"]["count"]


def test_high_zoom_returns_places_with_what_the_popup_needs(client, places):
    here = places.location(9.68, 50.55, name="Stadtbibliothek", kind="bibliothek")
    places.location(9.681, 50.551, name="VHS")
    places.location(9.9, 50.7)  # outside the view
    db.session.commit()
    collection = get_map(client, bbox="9.67,50.54,9.69,50.56", zoom=16)
    assert collection["clustered"] is False
    assert {f["properties"]["name"] for f in collection["features"]} == {"Stadtbibliothek", "VHS"}
    feature = next(f for f in collection["features"] if f["properties"]["id"] == here.id)
    assert feature["geometry"] == {"type": "Point", "coordinates": [9.68, 50.55]}
    assert feature["properties"] == {
        "id": here.id,
        "name": "Stadtbibliothek",
        "kind": "Bibliothek",
        "address": f"Hauptstraße {here.id}, 36037 Fulda",
        "area": "schule",
        "url": f"/de/lernort/{here.slug}",
    }


def test_kind_labels_and_links_follow_the_language(client, places):
    places.location(9.68, 50.55, kind="bibliothek")
    db.session.commit()
    feature = get_map(client, bbox="9.6,50.5,9.7,50.6", zoom=16, lang="en")["features"][0]
    assert feature["properties"]["kind"] == "Library"
    assert feature["properties"]["url"].startswith("/en/lernort/")


def test_a_lone_place_at_low_zoom_is_a_point_not_a_cluster_of_one(client, places):
    places.location(9.0, 51.0, name="Einzelhof")
    places.scatter(30, spread=0.05)
    collection = get_map(client, bbox="8.5,49.9,10.5,51.2", zoom=8)
    assert "Einzelhof" in {f["properties"].get("name") for f in collection["features"]}
    assert all(f["properties"].get("count", 2) > 1 for f in collection["features"])


def test_too_many_places_in_a_high_zoom_view_are_clustered(client, places):
    places.scatter(MAX_POINTS + 50, spread=0.01)
    collection = get_map(client, bbox="9.66,50.54,9.70,50.56", zoom=POINTS_ZOOM)
    assert collection["clustered"] is True
    assert collection["total"] == MAX_POINTS + 50


def test_unpublished_and_unlocated_places_stay_off_the_map(client, places):
    places.location(9.68, 50.55, name="Entwurf", status="draft")
    places.location(None, None, name="Ohne Lage")
    places.location(9.681, 50.551, name="Sichtbar")
    db.session.commit()
    names = {
        f["properties"]["name"]
        for f in get_map(client, zoom=17, bbox="9.67,50.54,9.69,50.56")["features"]
    }
    assert names == {"Sichtbar"}


def test_area_filter_keeps_places_of_the_area_and_places_hosting_offers_of_it(client, places):
    school = places.location(9.60, 50.50, areas=["schule"])
    library = places.location(9.61, 50.51, areas=["non_formale_bildung"])
    vhs = places.location(9.62, 50.52, areas=["weiterbildung"])
    places.offer([library], areas=["schule"], title="Hausaufgabenhilfe")
    db.session.commit()
    found = place_ids(get_map(client, zoom=15, bbox="9.5,50.4,9.7,50.6", area="schule"))
    assert found == {school.id, library.id}
    assert vhs.id not in found


def test_offer_only_filters_show_the_places_hosting_matching_offers(client, places):
    a = places.location(9.60, 50.50)
    b = places.location(9.61, 50.51)
    places.location(9.62, 50.52)
    places.offer([a], topics=["sprache"], cost_kind="free", title="Deutschkurs")
    places.offer([b], topics=["digitales"], cost_kind="amount", title="Computerkurs")
    db.session.commit()
    view = {"zoom": 15, "bbox": "9.5,50.4,9.7,50.6"}
    assert place_ids(get_map(client, **view, topic="sprache")) == {a.id}
    assert place_ids(get_map(client, **view, free="1")) == {a.id}
    assert place_ids(get_map(client, **view, topic="sprache", type="location")) == set()
    assert place_ids(get_map(client, **view, type="offer")) == {a.id, b.id}


def test_age_and_date_filters_follow_the_search_rules(client, places):
    kids = places.location(9.60, 50.50)
    adults = places.location(9.61, 50.51)
    ongoing = places.location(9.62, 50.52)
    places.offer([kids], min_age=6, max_age=10, sessions=[next_monday()])
    places.offer(
        [adults], min_age=18, sessions=[next_monday().replace(year=next_monday().year + 1)]
    )
    places.offer([ongoing], title="Offener Treff")  # no dates, no ages: always passes
    db.session.commit()
    view = {"zoom": 15, "bbox": "9.5,50.4,9.7,50.6", "type": "offer"}
    assert place_ids(get_map(client, **view, age="8")) == {kids.id, ongoing.id}
    monday = next_monday().date().isoformat()
    found = place_ids(get_map(client, **view, **{"from": monday, "to": monday}))
    assert found == {kids.id, ongoing.id}


def test_near_limits_the_map_to_the_circle(client, places):
    close = places.location(9.68, 50.55)
    places.location(9.90, 50.70)
    db.session.commit()
    found = place_ids(
        get_map(client, zoom=14, bbox="9.6,50.5,10.0,50.75", near="50.55,9.68", radius="5")
    )
    assert found == {close.id}


def test_text_query_uses_the_search_engine(client, places):
    from kbm_map.services.indexing import rebuild_index

    museum = places.location(9.60, 50.50, name="Naturkundemuseum")
    places.location(9.61, 50.51, name="Grundschule Mitte")
    host = places.location(9.62, 50.52, name="Gemeindehaus")
    places.offer([host], title="Museumsnacht für Familien")
    db.session.commit()
    rebuild_index()
    found = place_ids(get_map(client, zoom=15, bbox="9.5,50.4,9.7,50.6", q="Museum"))
    assert found == {museum.id, host.id}


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        ({"bbox": "9,50,10"}, "bbox"),
        ({"bbox": "10,50,9,51"}, "bbox"),
        ({"bbox": "9,50,10,51", "zoom": "23"}, "zoom"),
        ({"bbox": "9,50,10,51", "zoom": "x"}, "zoom"),
        ({"zoom": "10"}, "bbox"),
        ({"bbox": "9,50,10,51"}, "zoom"),
        ({"bbox": "-180,-85,180,85", "zoom": "12"}, "bbox"),
        ({"bbox": "9,50,10,51", "zoom": "9", "colour": "red"}, "colour"),
        ({"bbox": "9,50,10,51", "zoom": "9", "area": "<script>"}, "area"),
        ({"bbox": "9,50,10,51", "zoom": "9", "lang": "fr"}, "lang"),
        ({"bbox": "9,50,10,51", "zoom": "9", "age": "200"}, "age"),
    ],
)
def test_bad_parameters_are_answered_with_400_naming_them(client, args, parameter):
    response = client.get("/api/v1/map", query_string=args)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_body_stays_small_at_every_zoom(client, places):
    places.scatter(1500, spread=0.4)
    places.scatter(1500, spread=0.03, seed=6)  # a town: more places in view than MAX_POINTS
    for zoom in range(6, 19, 2):
        scale = 360 / (256 * 2**zoom)  # degrees per pixel: a 1600 x 1000 pixel view
        west, south = 9.68 - 800 * scale, 50.55 - 500 * scale * 0.64
        bbox = f"{west},{south},{9.68 + 800 * scale},{50.55 + 500 * scale * 0.64}"
        response = client.get("/api/v1/map", query_string={"bbox": bbox, "zoom": zoom})
        assert response.status_code == 200
        assert len(response.data) < 100_000, f"zoom {zoom}: {len(response.data)} bytes"


def test_places_list_is_paged_by_name_and_limited_to_the_box(client, places):
    for name in ("Cäcilienschule", "Adolf-Reichwein-Schule", "Bücherei"):
        places.location(9.60, 50.50, name=name)
    places.location(9.95, 50.75, name="Anderswo")
    db.session.commit()
    body = client.get("/api/v1/map/places?bbox=9.5,50.4,9.7,50.6&per_page=2").get_json()
    assert body["total"] == 3
    assert [item["name"] for item in body["items"]] == ["Adolf-Reichwein-Schule", "Bücherei"]
    everywhere = client.get("/api/v1/map/places").get_json()
    assert everywhere["total"] == 4


def test_regions_give_places_and_offers_per_1000_inhabitants(client, places, region):
    a = places.location(9.60, 50.50, region_id=region.id)
    places.location(9.61, 50.51, region_id=region.id)
    places.offer([a], title="Kurs A")
    places.offer([a], title="Kurs B", topics=["sprache"])
    db.session.commit()
    collection = client.get("/api/v1/map/regions").get_json()
    properties = collection["features"][0]["properties"]
    assert properties["code"] == region.code
    assert (properties["locations"], properties["offers"]) == (2, 2)
    assert properties["locations_per_1000"] == pytest.approx(0.1)
    filtered = client.get("/api/v1/map/regions?topic=sprache").get_json()
    assert filtered["features"][0]["properties"]["offers"] == 1
    assert filtered["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_outlines_are_simplified_geojson(client, region):
    body = client.get("/api/v1/map/outlines").get_json()
    assert [f["properties"]["name"] for f in body["features"]] == ["Testgemeinde"]


def test_names_with_markup_come_back_as_plain_strings(client, places):
    places.location(9.68, 50.55, name="<img src=x onerror=alert(1)> ${alert(1)}")
    db.session.commit()
    response = client.get("/api/v1/map", query_string={"bbox": "9.6,50.5,9.7,50.6", "zoom": 16})
    name = json.loads(response.data)["features"][0]["properties"]["name"]
    assert name == "<img src=x onerror=alert(1)> ${alert(1)}"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cells_are_stable_when_the_view_is_panned(client, places):
    places.scatter(300)
    first = get_map(client, zoom=10, bbox="9.3,50.3,9.9,50.7")
    panned = get_map(client, zoom=10, bbox="9.35,50.32,9.95,50.72")

    def inner(collection):
        """Return (centre, count) of the features well inside both views."""
        return {
            (tuple(f["geometry"]["coordinates"]), f["properties"].get("count", 1))
            for f in collection["features"]
            if 9.5 < f["geometry"]["coordinates"][0] < 9.75
            and 50.45 < f["geometry"]["coordinates"][1] < 50.57
        }

    assert inner(first) and inner(first) == inner(panned)


def test_a_change_shows_at_once_despite_remembered_answers(client, places):
    host = places.location(9.60, 50.50)
    places.offer([host], topics=["sprache"])
    places.scatter(20)
    args = {"zoom": 9, "topic": "sprache"}
    assert get_map(client, **args)["total"] == 1
    assert get_map(client, zoom=9)["total"] == 21
    other = places.location(9.70, 50.60)
    places.offer([other], topics=["sprache"])
    db.session.commit()
    assert get_map(client, **args)["total"] == 2
    assert get_map(client, zoom=9)["total"] == 22


def test_regions_come_with_the_monitorings_classes(client, places, region):
    from kbm_map.models import Region

    other = Region(code="06999002", name="Leerdorf", population=500, geom=region.geom)
    db.session.add(other)
    places.location(9.60, 50.50, region_id=region.id)
    db.session.commit()
    collection = client.get("/api/v1/map/regions").get_json()
    classes = collection["classes"]["locations"]
    labels = [c["label"] for c in classes]
    assert labels and not any("0,0 – < 0,0" in label for label in labels)
    assert labels[0] in ("0", "0,00")  # Leerdorf has none: zero is a class of its own
    by_name = {f["properties"]["name"]: f["properties"] for f in collection["features"]}
    assert by_name["Leerdorf"]["locations_class"] == 0
    assert by_name["Testgemeinde"]["locations_class"] == len(classes) - 1


def reference_figures(selection):
    """Count places and Angebote per Gemeinde with one SQL join (slow on big data, but plain)."""
    from sqlalchemy import func, select

    from kbm_map.finding.filters import PUBLISHED
    from kbm_map.models import Location, Offer, Region
    from kbm_map.models import offer_locations as ol

    places = dict(
        db.session.execute(
            select(Region.code, func.count())
            .join(Location, Location.region_id == Region.id)
            .where(*selection.located_lernorte())
            .group_by(Region.code)
        ).all()
    )
    offers = {}
    conditions = selection.offer_conditions(respect_type=False)
    if conditions is not None:
        pairs = (
            select(ol.c.offer_id, Location.region_id)
            .join(Location, Location.id == ol.c.location_id)
            .where(
                ol.c.offer_id.in_(select(Offer.id).where(*conditions)),
                Location.status == PUBLISHED,
                *selection.place_conditions(),
            )
            .distinct()
            .subquery()
        )
        offers = dict(
            db.session.execute(
                select(Region.code, func.count())
                .join(pairs, pairs.c.region_id == Region.id)
                .group_by(Region.code)
            ).all()
        )
    return {
        code: {"locations": places.get(code, 0), "offers": offers.get(code, 0)}
        for code in set(places) | set(offers)
    }


@pytest.mark.parametrize(
    "query", ["", "topic=sprache", "kind=kita", "type=offer&when=week", "area=schule&free=1"]
)
def test_region_figures_match_a_plain_sql_count(app_ctx, runner, query):
    """The numpy count of the choropleth gives the same figures as the plain SQL join."""
    from werkzeug.datastructures import MultiDict

    from kbm_map.finding import parse_params, select_for
    from kbm_map.mapview.regions import region_figures

    result = runner.invoke(args=["demo", "--locations", "80", "--offers", "300", "--seed", "5"])
    assert result.exit_code == 0, result.output
    args = MultiDict([pair.split("=") for pair in query.split("&") if pair])
    with app_ctx.test_request_context("/api/v1/map/regions"):
        selection = select_for(parse_params(args))
        assert region_figures(selection) == reference_figures(selection)
