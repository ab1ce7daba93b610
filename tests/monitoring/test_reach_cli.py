"""`kbm-map monitoring reach` end to end on the Bayreuth network, on SpatiaLite and PostGIS."""

from __future__ import annotations

import gzip
import json

import pytest
from sqlalchemy import func, select

from kbm_map.extensions import db
from kbm_map.models import Region, Term, Vocabulary
from kbm_map.models.reach import ReachLayer, ReachResult, ReachRun
from kbm_map.monitoring.network import TO_METRIC
from kbm_map.monitoring.reach_layer import reach_layer
from kbm_map.monitoring.reachability import latest_reach, run_reach
from kbm_map.services.catalog import update_region
from kbm_map.services.locations import create_location
from kbm_map.services.regions import import_regions

WEST = [[11.48, 49.97], [11.555, 49.97], [11.555, 50.05], [11.48, 50.05], [11.48, 49.97]]
EAST = [[11.555, 49.97], [11.61, 49.97], [11.61, 50.05], [11.555, 50.05], [11.555, 49.97]]
SCHOOLS = [(11.5705, 50.0255), (11.525, 50.012)]  # Bindlach, Bayreuth-St. Johannis
KITA = (11.575, 50.03)


@pytest.fixture()
def network(shared_data):
    """Return the path of the real Bayreuth street network."""
    return shared_data / "osm" / "north-bayreuth.osm.gz"


@pytest.fixture()
def area(app_ctx, tmp_path):
    """Import two Gemeinden covering the network with population, and three Lernorte."""
    features = [
        {
            "type": "Feature",
            "properties": {"AGS": code, "GEN": name, "BEZ": "Gemeinde"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for code, name, ring in (("09472001", "Westheim", WEST), ("09472002", "Ostdorf", EAST))
    ]
    path = tmp_path / "gemeinden.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    import_regions(path, update_index=False)
    for code, population in (("09472001", 30_000), ("09472002", 7_000)):
        region = db.session.scalar(select(Region).where(Region.code == code))
        update_region(region, {"population": population})
    kinds = dict(
        db.session.execute(
            select(Term.code, Term.id).where(Term.vocabulary == Vocabulary.LOCATION_KIND.value)
        ).all()
    )
    for n, (lon, lat) in enumerate(SCHOOLS):
        create_location(
            {"name": f"Grundschule {n}", "geom": (lon, lat), "kind": kinds["grundschule"]}
            | {"status": "published"}
        )
    create_location({"name": "Kita", "geom": KITA, "kind": kinds["kita"], "status": "published"})
    create_location({"name": "Entwurf", "geom": (11.49, 49.98), "kind": kinds["kita"]})  # draft
    return tmp_path


def count(model) -> int:
    """Count the rows of a table."""
    return db.session.scalar(select(func.count()).select_from(model))


def reach(runner, network, *args):
    """Run `kbm-map monitoring reach` with the Bayreuth network."""
    return runner.invoke(args=["monitoring", "reach", "--network", str(network), *args])


def test_reach_prints_shares_per_gemeinde_and_stores_them(runner, network, area):
    result = reach(runner, network, "--mode", "bike")
    assert result.exit_code == 0, result.output
    assert "© OpenStreetMap contributors, ODbL" in result.output
    assert "spread over its residential streets (an approximation" in result.output
    assert "Grundschule (grundschule): 2 Lernorte, 2 on the network" in result.output
    assert "Kita (kita): 1 Lernort, 1 on the network" in result.output  # not the draft
    run = db.session.scalar(select(ReachRun))
    assert (run.mode, run.network_file, run.approximated) == ("bike", network.name, True)
    rows = run.results_for("grundschule")
    assert [r.region_name for r in rows] == ["Ostdorf", "Westheim", ""]
    east, west, total = rows
    assert (east.population, west.population, total.population) == (7_000, 30_000, 37_000)
    assert 0 < total.share(15) < 1 and total.share(5) <= total.share(30) <= 1
    line = next(x for x in result.output.splitlines() if x.startswith("Westheim"))
    assert f"{west.share(15) * 100:.1f} %".replace(".", ",") in line
    assert "30.000" in line  # German thousands
    assert count(ReachResult) == 6 and count(ReachLayer) == 2


def test_filters_and_kinds_choose_the_lernorte(runner, network, area):
    result = reach(runner, network, "--mode", "walk", "--kind", "grundschule", "region=09472002")
    assert result.exit_code == 0, result.output
    run = db.session.scalar(select(ReachRun))
    assert run.selection == "region=09472002"
    assert [layer.kind for layer in run.layers] == ["grundschule"]
    assert run.layers[0].lernorte == 1  # only the school in Ostdorf


def test_a_grid_csv_replaces_the_approximation(runner, network, area):
    x, y = TO_METRIC.transform(11.571, 50.026)
    cx, cy = int(x // 100 * 100 + 50), int(y // 100 * 100 + 50)
    grid = area / "zensus.csv"
    grid.write_text(
        "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\n"
        f"CRS3035RES100mN{cy - 50}E{cx - 50};{cx};{cy};250\n"
        f"CRS3035RES100mN{cy - 50}E{cx - 50 - 4000};{cx - 4000};{cy};40\n"
    )
    result = reach(runner, network, "--mode", "walk", "--kind", "grundschule", "--grid", str(grid))
    assert result.exit_code == 0, result.output
    assert "Population points: grid cells of zensus.csv." in result.output
    assert "approximation" not in result.output
    east, west, total = db.session.scalar(select(ReachRun)).results_for("grundschule")
    assert (east.population, west.population) == (250, 40)
    assert east.share(5) == 1.0  # the school is round the corner


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "boat"], "Invalid value for '--mode'"),
        (["--mode", "walk", "--kind", "kinderkrippe"], "unknown kind 'kinderkrippe'"),
        (["--mode", "walk", "regio=1"], "regio: unbekannter Parameter"),
        (["--mode", "walk", "area"], "'area' is not NAME=VALUE"),
    ],
)
def test_bad_options_get_one_line_and_store_nothing(runner, network, area, args, message):
    result = reach(runner, network, *args)
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output
    assert count(ReachRun) == 0


def test_bad_files_get_one_line_and_keep_the_earlier_run(runner, network, area):
    assert reach(runner, network, "--mode", "walk").exit_code == 0
    stored = count(ReachResult)
    not_osm = area / "schulen.osm"
    not_osm.write_text("name;lon;lat\n")
    empty = area / "leer.osm.gz"
    empty.write_bytes(gzip.compress(b'<?xml version="1.0"?><osm version="0.6"/>'))
    broken = area / "zensus.csv"
    broken.write_text("GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\na;4428050;;3\n")
    for args, message in (
        (["--network", str(not_osm)], "network file schulen.osm: not a readable OSM file"),
        (["--network", str(empty)], "network file leer.osm.gz: no ways usable on foot"),
        (["--grid", str(broken)], "grid file zensus.csv, row 2, column y_mp_100m"),
    ):
        command = ["monitoring", "reach", "--network", str(network), "--mode", "walk", *args]
        result = runner.invoke(args=command)
        assert result.exit_code == 1, result.output
        *progress, error = result.output.strip().splitlines()
        assert error.startswith("Error: ") and message in error, result.output
        assert all(line.startswith("Reading ") for line in progress)
    assert count(ReachRun) == 1 and count(ReachResult) == stored


def test_latest_reach_and_its_map_layer(app_ctx, network, area):
    first = run_reach(network, "walk", {"area": "schule"}, kinds=["grundschule"])
    second = run_reach(network, "walk", {}, kinds=["grundschule", "kita"])
    latest = latest_reach("walk", "grundschule")
    assert {r.run_id for r in latest} == {second.id} != {first.id}
    assert latest[-1].is_total and latest_reach("car", "grundschule") == []
    layer = reach_layer(second, "kita")
    assert layer["type"] == "FeatureCollection" and layer["features"]
    assert layer["metadata"]["attribution"] == "© OpenStreetMap contributors, ODbL"
    assert [c["label"] for c in layer["legend"]] == [
        "≤ 5 min",
        "5–10 min",
        "10–15 min",
        "15–30 min",
        "> 30 min",
    ]
    near = min(layer["features"], key=lambda f: f["properties"]["class"])
    assert near["properties"]["class"] == 0 and near["geometry"]["type"] == "Polygon"
    total = sum(f["properties"]["population"] for f in layer["features"])
    assert total == pytest.approx(37_000, rel=0.01)
