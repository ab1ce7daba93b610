"""`kbm-map build-static`: a self-contained site with the selection's data embedded."""

from __future__ import annotations

import json
import re

from kbm_map.extensions import db

URL = re.compile(r"(?:src|href)=\"(https?://[^\"]+)\"")


def build(runner, outdir, *args):
    """Run build-static and return the result."""
    return runner.invoke(args=["build-static", str(outdir), *args])


def embedded(html: str, element_id: str):
    """Return the JSON of a script element of the page."""
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html)
    return json.loads(match.group(1))


def test_writes_map_list_pages_and_assets_for_the_selection(runner, places, region, tmp_path):
    school = places.location(9.60, 50.50, name="Grundschule am Bach", region_id=region.id)
    places.location(9.61, 50.51, name="Bücherei", areas=["non_formale_bildung"])
    places.offer([school], title="Lesepaten", areas=["schule"])
    db.session.commit()
    result = build(runner, tmp_path / "site", "area=non_formale_bildung")
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    html = (site / "index.html").read_text()
    data = embedded(html, "kbm-map-data")
    assert [f["properties"]["name"] for f in data["places"]["features"]] == ["Bücherei"]
    assert data["places"]["features"][0]["properties"]["url"].startswith("lernort/")
    assert data["regions"]["features"][0]["properties"]["name"] == "Testgemeinde"
    assert (site / "lernort" / "ort-2.html").exists() and not (
        site / "lernort" / "ort-1.html"
    ).exists()
    for asset in (
        "vendor/leaflet/leaflet.js",
        "vendor/markercluster/leaflet.markercluster.js",
        "js/map.js",
    ):
        assert (site / "assets" / asset).exists()
    assert (
        URL.findall(html) == [] and URL.findall((site / "lernort" / "ort-2.html").read_text()) == []
    )


def test_names_stay_out_of_the_map_script(runner, places, tmp_path):
    places.location(9.60, 50.50, name="</script><script>alert(1)</script>${alert(1)}")
    db.session.commit()
    assert build(runner, tmp_path / "site").exit_code == 0
    html = (tmp_path / "site" / "index.html").read_text()
    assert "<script>alert(1)" not in html
    assert embedded(html, "kbm-map-data")["places"]["features"][0]["properties"]["name"].startswith(
        "</script>"
    )


def test_bad_filter_is_reported_and_nothing_is_written(runner, app_ctx, tmp_path):
    result = build(runner, tmp_path / "site", "colour=red")
    assert result.exit_code != 0 and "colour" in result.output
    assert not (tmp_path / "site").exists()


def test_refuses_to_empty_a_folder_it_did_not_write(runner, places, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    result = build(runner, tmp_path)
    assert result.exit_code != 0 and "--force" in result.output
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_rebuilding_replaces_the_previous_site(runner, places, tmp_path):
    places.location(9.60, 50.50)
    db.session.commit()
    assert build(runner, tmp_path / "site").exit_code == 0
    (tmp_path / "site" / "lernort" / "stale.html").write_text("old")
    assert build(runner, tmp_path / "site").exit_code == 0
    assert not (tmp_path / "site" / "lernort" / "stale.html").exists()
