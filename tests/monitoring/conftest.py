"""Fixtures of the monitoring tests: the Fulda Gemeinden with population and schools."""

from __future__ import annotations

import pytest

from tests.monitoring.population_files import FULDA_GEMEINDEN, hessen_extract, kbm

SCHOOLS = "fulda/schulen_lk_fulda.csv"


@pytest.fixture(scope="session")
def gv_hessen(shared_data, tmp_path_factory):
    """Return the GV extract cut to Hessen: the same layout, a fraction of the reading time."""
    return hessen_extract(shared_data, tmp_path_factory.mktemp("gv") / "gv-hessen.xlsx")


@pytest.fixture
def fulda(runner, shared_data, gv_hessen):
    """Load the 23 Fulda Gemeinden, their population on 31.12.2022 and the Fulda schools."""
    for args in (
        ("regions", "import", shared_data / FULDA_GEMEINDEN),
        ("population", "import", gv_hessen, "--source", "2022_12_31_Auszug_GV"),
        ("import", shared_data / SCHOOLS, "--mapping", "jedeschule-schulen", "--source", "fulda"),
    ):
        result = kbm(runner, *args)
        assert result.exit_code == 0, result.output
