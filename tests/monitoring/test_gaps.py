"""Gap rules: who misses a target and by how much, from coverage and reachability figures."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.models import Location, Region
from kbm_map.models.reach import ReachLayer, ReachResult, ReachRun
from kbm_map.monitoring.gaps import GapRuleError, evaluate, load_rules
from kbm_map.monitoring.reach_lookup import latest_shares
from tests.monitoring.population_files import FULDA

RULES = """
[[rule]]
id = "gymnasium"
title = "Jede Gemeinde über 10.000 Einwohnern hat ein Gymnasium"
filters = { kind = ["gymnasium"] }
indicator = "lernorte"
at_least = 1
min_population = 10000

[[rule]]
id = "schulen-je-1000"
title = "Mindestens 0,5 Schulen je 1.000 Einwohner"
filters = { area = "schule" }
indicator = "lernorte_je_1000"
at_least = 0.5

[[rule]]
id = "grundschule-rad"
title = "90 % erreichen eine Grundschule in 15 Minuten mit dem Rad"
filters = { kind = ["grundschule"] }
indicator = "erreichbar"
mode = "bike"
minutes = 15
at_least = 0.9
"""


@pytest.fixture
def rules(tmp_path):
    """Write the test rules and return them loaded."""
    path = tmp_path / "gaps.toml"
    path.write_text(RULES, encoding="utf-8")
    return load_rules(path)


def by_id(results):
    """Return the results keyed by rule id."""
    return {r.rule.id: r for r in results}


def gymnasien() -> dict[str, int]:
    """Count the Gymnasien per Gemeinde from the database."""
    rows = db.session.execute(
        select(Region.code, Location.name).join(Location, Location.region_id == Region.id)
    ).all()
    counts: dict[str, int] = {}
    for code, name in rows:
        if "gymnasium" in name.lower():
            counts[code] = counts.get(code, 0) + 1
    return counts


def test_count_and_ratio_rules_name_the_gemeinden_and_what_is_missing(fulda, rules):
    results = by_id(evaluate(rules))
    big = {r.code: r for r in db.session.scalars(select(Region).where(Region.population > 10000))}
    gymnasium = results["gymnasium"]
    assert gymnasium.checked == len(big)
    assert FULDA not in {s.code for s in gymnasium.failing}  # the town has several
    for shortfall in gymnasium.failing:
        assert shortfall.code in big and shortfall.missing == "1 Lernort"
    ratio = results["schulen-je-1000"]
    assert ratio.checked == 23
    for shortfall in ratio.failing:
        assert shortfall.value < 0.5 and shortfall.missing.endswith(("Lernort", "Lernorte"))
    assert results["grundschule-rad"].not_evaluated.startswith("Noch keine Erreichbarkeit")


def _reach_run(selection: str, within_15: int) -> None:
    """Store a bike run for Grundschulen in Fulda with a selection and a 15-minute figure."""
    fulda_region = db.session.scalar(select(Region).where(Region.code == FULDA))
    run = ReachRun(
        mode="bike",
        network_file="fulda.osm.pbf",
        network_bytes=1,
        node_count=1,
        edge_count=1,
        selection=selection,
        thresholds=[5, 10, 15, 30],
        population_source="streets",
    )
    layer = ReachLayer(kind="grundschule", lernorte=1, lernorte_on_network=1, cell_size=500)
    run.layers.append(layer)
    run.results.append(
        ReachResult(
            kind="grundschule",
            region_id=fulda_region.id,
            region_code=FULDA,
            region_name=fulda_region.name,
            population=69968,
            within={"5": 40000, "10": 55000, "15": within_15, "30": 69968},
        )
    )
    db.session.add(run)
    db.session.commit()


def test_a_reach_rule_reads_the_newest_run_of_every_lernort_of_its_kind(fulda, rules):
    _reach_run("", 50000)
    _reach_run("kind=grundschule", 60000)
    _reach_run("kind=grundschule&target=familien", 69968)  # newer, but only some schools
    (result,) = [r for r in evaluate(rules, reach=latest_shares) if r.rule.id == "grundschule-rad"]
    assert result.checked == 1
    (shortfall,) = result.failing
    assert shortfall.code == FULDA
    assert shortfall.value == pytest.approx(60000 / 69968)
    # 90 % would be 62,971.2 people: 2,972 more, 4.25 percentage points.
    assert shortfall.missing == "4,25 Prozentpunkte (2.972 Einwohner)"


def test_check_lists_the_gaps_and_exits_non_zero(fulda, runner, tmp_path, app_ctx):
    path = tmp_path / "gaps.toml"
    path.write_text(RULES, encoding="utf-8")
    app_ctx.config["GAP_RULES"] = str(path)
    try:
        result = runner.invoke(args=["check"])
    finally:
        app_ctx.config["GAP_RULES"] = ""
    assert "Angebotslücke Jede Gemeinde über 10.000 Einwohnern hat ein Gymnasium" in result.output
    assert "nicht geprüft" in result.output
    assert result.exit_code == 1


def test_the_shipped_rules_are_valid(app_ctx):
    ids = [rule.id for rule in load_rules()]
    assert "neuzugewanderte" in ids and "kita-zu-fuss" in ids


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]]\nid = 'a'\n", "rule 1: missing at_least, indicator, title"),
        (RULES.replace("at_least = 0.5", 'at_least = 0.5\ncolour = "red"'), "unknown keys colour"),
        (RULES.replace('"lernorte_je_1000"', '"kitas"'), "unknown indicator 'kitas'"),
        (RULES.replace('area = "schule"', 'bereich = "schule"'), "filters: bereich"),
        (RULES.replace('id = "schulen-je-1000"', 'id = "gymnasium"'), "used twice: gymnasium"),
        (RULES.replace("minutes = 15", ""), "erreichbar needs mode"),
        (
            RULES.replace(
                'kind = ["grundschule"] }', 'kind = ["grundschule"], target = "familien" }'
            ),
            "erreichbar rules choose only a kind (not target)",
        ),
        ("[[rule]\n", "not valid TOML"),
    ],
)
def test_bad_rule_files_say_what_and_where(app_ctx, tmp_path, text, message):
    path = tmp_path / "gaps.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GapRuleError, match="gaps.toml") as error:
        load_rules(path)
    assert message in str(error.value)
