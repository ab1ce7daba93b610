"""Map fixtures: Lernorte and Angebote at known positions, on SpatiaLite and PostGIS."""

from __future__ import annotations

import pytest

from kbm_map.models import Region

from .places import Places, add_region


@pytest.fixture()
def places(app_ctx) -> Places:
    """Return the helper that adds Lernorte and Angebote to the empty test database."""
    return Places()


@pytest.fixture()
def region(app_ctx) -> Region:
    """Add a square Gemeinde around the centre with 20,000 inhabitants."""
    return add_region()
