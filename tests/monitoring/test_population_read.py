"""The population read API: reference dates, age ranges and estimates from Kreis shares."""

from __future__ import annotations

from datetime import date

import pytest

from kbm_map.monitoring.population import population_at, population_dates, tiling

from .population_files import (
    FULDA,
    FULDA_2018,
    FULDA_GEMEINDEN,
    GENESIS,
    KREIS,
    genesis_csv,
    hessen_extract,
    kbm,
)

pytestmark = pytest.mark.shared_data
GENESIS_MAPPING = "genesis-12411-altersgruppen"
DESTATIS = "© Statistisches Bundesamt (Destatis), 2023, dl-de/by-2.0"
LAENDER = "© Statistische Ämter des Bundes und der Länder, 2020, dl-de/by-2.0"


@pytest.fixture(scope="session")
def gv_hessen(shared_data, tmp_path_factory):
    """Return the GV extract cut to Hessen: the same layout, a fraction of the reading time."""
    return hessen_extract(shared_data, tmp_path_factory.mktemp("gv") / "gv-hessen.xlsx")


@pytest.fixture
def gemeinden(runner, shared_data, gv_hessen):
    """Import the Fulda Gemeinden and their totals on 31.12.2022."""
    kbm(runner, "regions", "import", shared_data / FULDA_GEMEINDEN, "--no-index")
    result = kbm(runner, "population", "import", gv_hessen)
    assert "403 rows matched no region (8-digit Gemeinde codes)" in result.output, result.output


@pytest.fixture
def kreis_shares(runner, shared_data, gemeinden):
    """Add the Kreis-level age groups on 31.12.2018 (the shared GENESIS file)."""
    result = kbm(runner, "population", "import", shared_data / GENESIS, "-m", GENESIS_MAPPING)
    assert result.exit_code == 0, result.output


def test_the_newest_figures_by_default(kreis_shares):
    assert population_dates() == [date(2018, 12, 31), date(2022, 12, 31)]
    figures = population_at()
    assert len(figures) == 23 and KREIS not in figures  # the regions, not the Kreis kept
    fulda = figures[FULDA]
    assert (fulda.value, fulda.reference_date, fulda.estimated) == (
        69_968,
        date(2022, 12, 31),
        False,
    )
    assert fulda.credits == (DESTATIS,)


def test_a_date_takes_the_newest_figures_on_or_before_it(kreis_shares):
    codes = [FULDA, KREIS]
    in_2020 = population_at(date(2020, 6, 30), codes=codes)
    assert (in_2020[KREIS].value, in_2020[KREIS].reference_date) == (222_584, date(2018, 12, 31))
    assert in_2020.missing == {FULDA: "no population figures on or before 2020-06-30"}
    assert population_at(date(2022, 12, 31), codes=codes)[FULDA].value == 69_968
    assert population_at(date(2030, 1, 1), codes=codes)[FULDA].reference_date == date(2022, 12, 31)
    before = population_at(date(2018, 12, 30), codes=codes)
    assert (dict(before), set(before.missing)) == ({}, {FULDA, KREIS})


def test_gemeinde_age_groups_are_estimated_from_the_kreis_shares(kreis_shares):
    fulda = population_at(ages=(6, 10))[FULDA]
    assert fulda.value == round(69_968 * 7_866 / 222_584) == 2_473
    assert (fulda.estimated, fulda.reference_date) == (True, date(2022, 12, 31))
    assert (fulda.shares.code, fulda.shares.reference_date) == (KREIS, date(2018, 12, 31))
    assert fulda.credits == (DESTATIS, LAENDER)
    under_six = population_at(ages=(0, 6), codes=[KREIS])[KREIS]
    assert (under_six.value, under_six.estimated) == (6_379 + 6_178, False)
    adults = population_at(ages=(18, None), codes=[FULDA])[FULDA]
    assert adults.value == round(
        69_968 * (222_584 - 6_379 - 6_178 - 7_866 - 10_468 - 6_824) / 222_584
    )


def test_a_range_the_groups_do_not_make_up_has_no_value_and_a_reason(kreis_shares):
    figures = population_at(ages=(6, 12), codes=[FULDA, KREIS])
    assert dict(figures) == {}
    assert figures.missing[FULDA] == (
        "the age groups on 2022-12-31 (only the total) do not make up 6–12, and neither do "
        "the region's on other dates or its Kreis 06631's, to estimate it by"
    )
    assert figures.missing[KREIS].startswith("the age groups on 2018-12-31 (0–3, 3–6, 6–10, 10–15,")


def test_without_kreis_shares_there_is_no_estimate(gemeinden):
    figures = population_at(ages=(6, 10), codes=[FULDA])
    assert FULDA not in figures and "Kreis 06631" in figures.missing[FULDA]


def test_gemeinde_level_age_groups_are_stored_not_estimated(
    runner, shared_data, tmp_path, kreis_shares
):
    rows = {FULDA: ("Fulda, Stadt", FULDA_2018)}
    path = genesis_csv(shared_data, tmp_path / "gemeinden.csv", rows)
    assert kbm(runner, "population", "import", path, "-m", GENESIS_MAPPING).exit_code == 0
    on_the_day = population_at(date(2018, 12, 31), ages=(6, 10), codes=[FULDA])[FULDA]
    assert (on_the_day.value, on_the_day.estimated, on_the_day.shares) == (2_480, False, None)
    # Later totals are split by the Gemeinde's own shares, not the Kreis's.
    newest = population_at(ages=(6, 10), codes=[FULDA])[FULDA]
    assert newest.value == round(69_968 * 2_480 / sum(FULDA_2018))
    assert (newest.estimated, newest.shares.code) == (True, FULDA)


def test_ages_must_be_a_range():
    with pytest.raises(ValueError, match="0 <= first < end"):
        population_at(ages=(10, 6))


@pytest.mark.parametrize(
    ("groups", "ages", "expected"),
    [
        (["0-3", "3-6", "6-10", "total"], (0, 6), ["0-3", "3-6"]),
        (["0-3", "3-6", "6-10", "total"], (0, None), ["total"]),
        (["0-3", "3-6", "6-10", "10-"], (6, None), ["6-10", "10-"]),
        (["0-3", "0-6", "3-6"], (0, 6), ["0-6"]),
        (["0-3", "3-6", "6-10"], (6, 12), None),
        (["0-3", "6-10"], (0, 10), None),
    ],
)
def test_tiling_adds_groups_end_to_end(groups, ages, expected):
    assert tiling(groups, *ages) == expected
