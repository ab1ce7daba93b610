"""Gap rules ("Angebotslücken"): declarative targets per Gemeinde, and who misses them by how much.

The rules live in a TOML file (geodata/gaps.toml, or KBM_GAP_RULES); see its header for the
keys. Coverage rules read the same indicators as the pages and the report; reachability
rules read the newest `kbm-map monitoring reach` run of their mode.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import PROJECT_ROOT
from ..errors import KbmMapError
from ..extensions import db
from ..finding import ParamError, SearchParams, parse_params
from ..models import Region
from .indicators import BY_KEY, Coverage, coverage
from .modes import MODES

DEFAULT_RULES = PROJECT_ROOT / "geodata" / "gaps.toml"
REACH = "erreichbar"
KEYS = {"id", "title", "filters", "indicator", "at_least", "min_population", "minutes", "mode"}
RULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class GapRuleError(KbmMapError):
    """A gap rule file cannot be used as written."""


@dataclass(frozen=True)
class Rule:
    """One target every Gemeinde should meet."""

    id: str
    title: str
    params: SearchParams
    indicator: str
    at_least: float
    min_population: int = 0
    minutes: int | None = None  # reachability rules
    mode: str | None = None

    @property
    def kind(self) -> str | None:
        """Return the one kind of Lernort a reachability rule is about."""
        kinds = self.params.values("kind")
        return kinds[0] if len(kinds) == 1 else None


@dataclass
class Shortfall:
    """A Gemeinde that misses a rule: its value, the target, and what is missing."""

    code: str
    name: str
    value: float | None
    target: float
    missing: str  # in words: "1 Angebot", "2 Lernorte", "12 Prozentpunkte (1.234 Einwohner)"
    estimated: bool = False


@dataclass
class GapResult:
    """The outcome of one rule: the Gemeinden it applies to and those that miss it."""

    rule: Rule
    checked: int = 0
    failing: list[Shortfall] = field(default_factory=list)
    not_evaluated: str = ""  # why the rule could not be checked (no population, no reach run)


def _rule(entry: dict, where: str) -> Rule:
    """Validate one [[rule]] table."""
    unknown = set(entry) - KEYS
    if unknown:
        raise GapRuleError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    missing = {"id", "title", "indicator", "at_least"} - set(entry)
    if missing:
        raise GapRuleError(f"{where}: missing {', '.join(sorted(missing))}")
    if not RULE_ID.match(str(entry["id"])):
        raise GapRuleError(f"{where}: id {entry['id']!r} must be lowercase letters, digits, -")
    indicator = entry["indicator"]
    if indicator != REACH and indicator not in BY_KEY:
        known = ", ".join([*BY_KEY, REACH])
        raise GapRuleError(f"{where}: unknown indicator {indicator!r}; known are {known}")
    filters = entry.get("filters", {})
    if not isinstance(filters, dict):
        raise GapRuleError(f'{where}: filters must be a table like {{ kind = ["kita"] }}')
    pairs = [
        (name, str(v)) for name, value in filters.items() for v in _as_list(value, where, name)
    ]
    try:
        params = parse_params(MultiDict(pairs))
    except ParamError as error:
        raise GapRuleError(f"{where}: filters: {error.param}: {error.message}") from None
    try:
        at_least = float(entry["at_least"])
        min_population = int(entry.get("min_population", 0))
    except (TypeError, ValueError):
        raise GapRuleError(f"{where}: at_least and min_population must be numbers") from None
    rule = Rule(
        id=entry["id"],
        title=str(entry["title"]),
        params=params,
        indicator=indicator,
        at_least=at_least,
        min_population=min_population,
        minutes=entry.get("minutes"),
        mode=entry.get("mode"),
    )
    if indicator == REACH:
        if rule.mode not in MODES or not isinstance(rule.minutes, int) or rule.minutes <= 0:
            raise GapRuleError(f"{where}: erreichbar needs mode (walk, bike, car) and minutes")
        if rule.kind is None or not 0 < at_least <= 1:
            raise GapRuleError(f"{where}: erreichbar needs one kind and a share up to 1")
        others = sorted({name for name, _ in pairs} - {"kind"})
        if others:
            raise GapRuleError(
                f"{where}: erreichbar rules choose only a kind (not {', '.join(others)}): "
                "the reach run counts every Lernort of that kind"
            )
    return rule


def _as_list(value, where: str, name: str) -> list:
    """Return a filter value as a list (a single value or a list of them)."""
    if isinstance(value, list):
        return value
    if isinstance(value, str | int | bool):
        return [int(value) if isinstance(value, bool) else value]
    raise GapRuleError(f"{where}: filters.{name} must be a value or a list of values")


def load_rules(path: Path | None = None) -> list[Rule]:
    """Read and check the gap rules of a TOML file (default: KBM_GAP_RULES, else shipped)."""
    configured = current_app.config.get("GAP_RULES") if has_app_context() else None
    path = Path(path or configured or DEFAULT_RULES)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise GapRuleError(f"gap rules {path}: cannot be read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise GapRuleError(f"gap rules {path}: not valid TOML ({error})") from None
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise GapRuleError(f"gap rules {path}: write each rule as a [[rule]] table")
    rules = [_rule(entry, f"{path.name}, rule {n}") for n, entry in enumerate(entries, 1)]
    ids = [r.id for r in rules]
    doubled = sorted({i for i in ids if ids.count(i) > 1})
    if doubled:
        raise GapRuleError(f"gap rules {path}: ids used twice: {', '.join(doubled)}")
    return rules


def _number(value: float) -> str:
    """Format a number the German way, without needless decimals."""
    from babel.numbers import format_decimal

    return format_decimal(round(value, 2), locale="de")


def _coverage_result(rule: Rule, figures: Coverage) -> GapResult:
    """Check a rule on indicators of the Gemeinden."""
    result = GapResult(rule)
    indicator = BY_KEY[rule.indicator]
    if indicator.per_age_group and figures.ages is None:
        result.not_evaluated = (
            "Der gewählten Art ist keine Altersgruppe zugeordnet (taxonomy.toml)."
        )
        return result
    for area in figures.areas:
        inhabitants = area.population.value if area.population else None
        if rule.min_population and (inhabitants is None or inhabitants <= rule.min_population):
            continue
        value = area.value(rule.indicator)
        if value is None:
            continue  # no population figure: it cannot be judged
        result.checked += 1
        if value + 1e-9 >= rule.at_least:
            continue
        result.failing.append(
            Shortfall(
                area.code,
                area.name,
                value,
                rule.at_least,
                _missing(rule, area, value),
                area.estimated(rule.indicator),
            )
        )
    if not result.checked and not result.failing:
        result.not_evaluated = "Keine Gemeinde hat die Einwohnerzahlen, die diese Regel braucht."
    return result


def _missing(rule: Rule, area, value: float) -> str:
    """Say how many Lernorte or Angebote a Gemeinde lacks to meet a rule."""
    what = "Lernort" if rule.indicator.startswith("lernorte") else "Angebot"
    if BY_KEY[rule.indicator].ratio:
        base = area.age_population if rule.indicator.endswith("_alter") else area.population
        count = math.ceil((rule.at_least - value) * base.value / 1000 - 1e-9)
    else:
        count = math.ceil(rule.at_least - value)
    plural = {"Lernort": "Lernorte", "Angebot": "Angebote"}[what] if count != 1 else what
    return f"{count} {plural}"


ReachLookup = Callable[[Rule], dict[str, tuple[float, int]] | None]


def evaluate(
    rules: list[Rule] | None = None,
    day: dt.date | None = None,
    reach: ReachLookup | None = None,
) -> list[GapResult]:
    """Check every rule on a day; reach(rule) gives {code: (share, population)} or None."""
    rules = load_rules() if rules is None else rules
    results = []
    for rule in rules:
        if rule.indicator == REACH:
            results.append(_reach_result(rule, reach(rule) if reach else None))
        else:
            results.append(_coverage_result(rule, coverage(rule.params, day)))
    return results


def _reach_result(rule: Rule, shares: dict[str, tuple[float, int]] | None) -> GapResult:
    """Check a reachability rule on the shares of the newest reach run."""
    result = GapResult(rule)
    if shares is None:
        result.not_evaluated = (
            "Noch keine Erreichbarkeitswerte: `kbm-map monitoring reach --network DATEI "
            f"--mode {rule.mode} kind={rule.kind}` ausführen."
        )
        return result
    names = dict(db.session.execute(select(Region.code, Region.name)).all())
    for code, (share, population) in sorted(shares.items(), key=lambda kv: names.get(kv[0], "")):
        if rule.min_population and population <= rule.min_population:
            continue
        result.checked += 1
        if share + 1e-9 >= rule.at_least:
            continue
        points = (rule.at_least - share) * 100
        people = math.ceil((rule.at_least - share) * population)
        missing = f"{_number(points)} Prozentpunkte ({_number(people)} Einwohner)"
        result.failing.append(
            Shortfall(code, names.get(code, code), share, rule.at_least, missing, estimated=False)
        )
    return result
