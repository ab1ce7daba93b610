"""Import from the browser: upload, mapping, dry run, apply."""

from __future__ import annotations

import io

from kbm_map.extensions import db
from kbm_map.models import ImportRun, Location

CSV = """Nr;Einrichtung;Anschrift
1;Kita Sonnenschein;Am Markt 3, 36037 Fulda
2;;Leer 1, 36037 Fulda
"""
MAPPING = """
[import]
target = "location"
id = "Nr"

[columns]
name = "Einrichtung"
address = "Anschrift"

[defaults]
kind = "Kita"
"""


def upload(client, forms, **fields):
    """Send the upload form with the CSV file."""
    data = {
        "csrf_token": forms.token(client, "/admin/import"),
        "file": (io.BytesIO(CSV.encode()), "kitas.csv"),
        "mapping": "jedeschule-schulen",
        **fields,
    }
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def test_a_dry_run_shows_the_summary_and_changes_nothing(admin_client, forms):
    response = upload(admin_client, forms, mapping_text=MAPPING, source="kitas")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "Probelauf" in html
    assert "Zeile 3" in html or "row 3" in html  # the row without a name is rejected
    assert db.session.query(Location).count() == 0
    assert db.session.query(ImportRun).one().dry_run is True


def test_applying_the_checked_file_imports_it(admin_client, forms, app):
    html = upload(admin_client, forms, mapping_text=MAPPING, source="kitas").get_data(as_text=True)
    token = html.split('name="token" type="hidden" value="')[1].split('"')[0]
    response = forms.post(admin_client, "/admin/import/ausfuehren", {"token": token})
    assert response.status_code == 200
    assert "Import ausgeführt" in response.get_data(as_text=True)
    location = db.session.query(Location).one()
    assert (location.name, location.source, location.city) == (
        "Kita Sonnenschein",
        "kitas",
        "Fulda",
    )
    run = db.session.query(ImportRun).filter_by(dry_run=False).one()
    assert run.counts["new"] == 1


def test_a_mapping_that_does_not_fit_is_explained(admin_client, forms):
    response = upload(admin_client, forms)  # the JedeSchule mapping wants other columns
    assert response.status_code == 422
    assert "Einrichtung" in response.get_data(as_text=True)  # the file's columns are listed
    assert db.session.query(Location).count() == 0


def test_an_unknown_upload_token_is_refused(admin_client, forms):
    response = forms.post(admin_client, "/admin/import/ausfuehren", {"token": "../../etc"})
    assert response.status_code == 404


def test_a_later_import_keeps_what_staff_changed_by_hand(app_ctx, tmp_path, admin_user):
    from kbm_map.services.imports import run_import
    from kbm_map.services.locations import update_location

    data, mapping = tmp_path / "kitas.csv", tmp_path / "kitas.toml"
    mapping.write_text(MAPPING)
    data.write_text("Nr;Einrichtung;Anschrift\n1;Kita Sonnenschein;Am Markt 3, 36037 Fulda\n")
    run_import(data, mapping, "kitas")
    location = db.session.query(Location).one()
    update_location(location, {"name": "Kita Sonnenschein (Familienzentrum)"}, admin_user)
    data.write_text("Nr;Einrichtung;Anschrift\n1;Kita Sonnenschein;Am Markt 5, 36037 Fulda\n")
    summary = run_import(data, mapping, "kitas")
    db.session.refresh(location)
    assert location.name == "Kita Sonnenschein (Familienzentrum)"  # kept
    assert location.house_number == "5"  # not edited by hand: updated
    assert summary.kept_edits == 1
