"""The staff region list and form show the newest official total with its reference date."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.models import Region
from kbm_map.services.population import import_population
from kbm_map.services.regions import import_regions
from tests.monitoring.population_files import FULDA, FULDA_2018, FULDA_GEMEINDEN, genesis_csv

pytestmark = pytest.mark.shared_data
TOTAL = f"{sum(FULDA_2018):,}".replace(",", ".")


@pytest.fixture
def fulda(app_ctx, shared_data, tmp_path) -> Region:
    """Import the Fulda Gemeinden and the total of Fulda on 31.12.2018."""
    import_regions(shared_data / FULDA_GEMEINDEN, update_index=False)
    path = genesis_csv(shared_data, tmp_path / "fulda.csv", {FULDA: ("Fulda, Stadt", FULDA_2018)})
    import_population(path, "genesis-12411-altersgruppen")
    return db.session.scalars(select(Region).where(Region.code == FULDA)).one()


def test_region_list_shows_the_reference_date(admin_client, fulda):
    page = admin_client.get("/admin/gemeinden?q=Fulda").get_data(as_text=True)
    assert f"{TOTAL} <small>(Stand 31.12.2018)</small>" in page


def test_a_figure_typed_by_hand_is_shown_beside_the_official_one(admin_client, forms, fulda):
    data = {"code": FULDA, "name": "Fulda", "population": "70000"}
    forms.post(admin_client, f"/admin/gemeinden/{fulda.id}", data)
    page = admin_client.get("/admin/gemeinden?q=Fulda").get_data(as_text=True)
    assert f"70.000 <small>(amtlich {TOTAL}, Stand 31.12.2018)</small>" in page
    form = admin_client.get(f"/admin/gemeinden/{fulda.id}").get_data(as_text=True)
    assert f"amtlich {TOTAL}, Stand 31.12.2018" in form
