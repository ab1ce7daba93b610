"""Read mapping files: TOML that says how the columns of a file become records."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from . import mapping_keys as keys
from .crs import WGS84, crs_from_name
from .records import ImportFileError
from .targets import REQUIRED, STATUSES, TARGETS
from .values import (
    BadValueError,
    normalize_area,
    normalize_kind,
    normalize_offer_type,
    text,
)

KEEP, EMPTY, REJECT = "keep", "empty", "reject"  # what to do with a value missing from translate
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_SECTIONS = {"import", "columns", "defaults", "flags", "extra", "filter", "age_groups"}
_IMPORT_KEYS = {
    "target",
    "id",
    "format",
    "crs",
    "sheet",
    "delimiter",
    "encoding",
    "source",
    "status",
    "licence",
    "attribution",
    "header",
    "missing",
    "date",
    "estimated",
}

# Inputs that fill other fields: the parts of an address, a session from two columns.
_FILLS = {
    "address": ("street", "house_number", "postcode", "city"),
    "street_and_number": ("street", "house_number"),
    "cost": ("cost_kind", "cost_amount", "cost_note"),
    "starts_at": ("sessions",),
    "ends_at": ("sessions",),
}
_RULE_KEYS = {"column", "columns", "translate", "otherwise", "separator"}


@dataclass(frozen=True)
class Expression:
    """Where a value comes from: a column name, or a template with {column} placeholders."""

    text: str
    columns: tuple[str, ...]
    is_template: bool

    @classmethod
    def parse(cls, source: str) -> Expression:
        """Read 'Spalte' as a column and 'Text {Spalte} Text' as a template."""
        names = tuple(n.strip() for n in _PLACEHOLDER.findall(source))
        if names:
            return cls(source, names, True)
        return cls(source, (source.strip(),), False)

    def renamed(self, names: dict[str, str]) -> Expression:
        """Return the expression with column names replaced by their spelling in the file."""
        if not self.is_template:
            return Expression(names.get(self.text.strip(), self.text.strip()), (), False)
        body = _PLACEHOLDER.sub(
            lambda m: "{" + names.get(m[1].strip(), m[1].strip()) + "}", self.text
        )
        return Expression.parse(body)

    def value(self, data: dict[str, Any]) -> Any:
        """Return the value for one record; a template is '' when all its columns are empty."""
        if not self.is_template:
            return data.get(self.columns[0] if self.columns else self.text)
        found = False

        def fill(match: re.Match) -> str:
            """Substitute one placeholder."""
            nonlocal found
            value = text(data.get(match[1].strip()))
            found = found or bool(value)
            return value

        result = _PLACEHOLDER.sub(fill, self.text)
        return " ".join(result.split()) if found else ""


@dataclass(frozen=True)
class FieldRule:
    """How one field is filled: first non-empty source, then an optional translation."""

    field: str
    sources: tuple[Expression, ...]
    translate: dict[str, Any] | None = None  # keys case-folded
    otherwise: Any = KEEP
    separator: str | None = None  # splits a cell into a list (list fields only)


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file."""

    name: str
    target: str
    id: Expression | None = None
    rules: dict[str, FieldRule] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, tuple[tuple[str, Any], ...]] = field(default_factory=dict)
    extra: dict[str, Expression] = field(default_factory=dict)
    format: str | None = None
    crs: str | None = None  # of coordinate columns; None means WGS84 (and "ask the file")
    sheet: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    source: str | None = None  # who publishes the data, e.g. "JedeSchule"
    status: str = "published"  # of new entries
    licence: str | None = None  # e.g. "CC0-1.0", "ODbL-1.0", "dl-de/by-2.0"
    attribution: str | None = None  # shown with the data, e.g. "© OpenStreetMap contributors"
    header: tuple[int, int] | None = None  # first and last row of a header over several rows
    missing: frozenset[str] = frozenset()  # cell values that mean "no value" ("-", ".")
    # Only rows whose column holds one of the values are read (e.g. Satzart 60 = Gemeinde).
    filters: tuple[tuple[str, frozenset[str]], ...] = ()
    age_groups: dict[str, Expression] = field(default_factory=dict)  # wide → long (population)
    date: date | str | None = None  # reference date of population figures, or TITLE
    estimated: bool = False  # the source's figures are estimates

    @property
    def column_crs(self) -> str:
        """Return the CRS of the lon/lat columns."""
        return self.crs or WGS84

    def required_columns(self) -> list[str]:
        """Return the columns a file must have: those of the id and of required fields."""
        needed = list(self.id.columns) if self.id else []
        for name in REQUIRED[self.target]:
            if name == "population" and self.age_groups:
                continue
            rule = self.rules.get(name)
            if rule is not None and len(rule.sources) == 1:
                needed += rule.sources[0].columns
        return list(dict.fromkeys(needed))

    def filled_fields(self) -> set[str]:
        """Return the record fields this mapping can fill; an import leaves the others alone."""
        named = {*self.rules, *self.defaults, *self.flags}
        filled = {name for name in named if name not in _FILLS}
        for name in named & set(_FILLS):
            filled.update(_FILLS[name])
        return filled

    def renamed(self, names: dict[str, str]) -> Mapping:
        """Return the mapping with column names spelt as in the file (case, blanks)."""
        rules = {
            k: replace(r, sources=tuple(s.renamed(names) for s in r.sources))
            for k, r in self.rules.items()
        }
        flags = {k: tuple((names.get(c, c), v) for c, v in f) for k, f in self.flags.items()}
        extra = {k: e.renamed(names) for k, e in self.extra.items()}
        id_ = self.id.renamed(names) if self.id else None
        filters = tuple((names.get(c, c), values) for c, values in self.filters)
        groups = {k: e.renamed(names) for k, e in self.age_groups.items()}
        return replace(
            self, rules=rules, flags=flags, extra=extra, id=id_, filters=filters, age_groups=groups
        )

    def accepts(self, data: dict[str, Any]) -> bool:
        """Tell whether a row passes the mapping's [filter] (every row, without one)."""
        return all(text(data.get(column)) in values for column, values in self.filters)


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file; raise ImportFileError saying what is wrong where."""
    path = Path(path)
    try:
        return parse_mapping(path.read_text(encoding="utf-8"), path.name)
    except OSError as error:
        raise ImportFileError(f"mapping {path}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"mapping {path.name}: is not UTF-8 text") from None


def parse_mapping(source: str, name: str = "mapping") -> Mapping:
    """Parse mapping text (TOML)."""
    try:
        doc = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise ImportFileError(f"mapping {name}: is not valid TOML: {error}") from None
    try:
        return _build(doc, name)
    except BadValueError as problem:
        raise ImportFileError(f"mapping {name}: {problem}") from None


def _build(doc: dict[str, Any], name: str) -> Mapping:
    """Check the parsed TOML and build the Mapping."""
    _only(doc, _SECTIONS, "sections")
    head = doc.get("import") or {}
    _only(head, _IMPORT_KEYS, "keys in [import]")
    target = head.get("target")
    if target not in TARGETS:
        raise BadValueError(f"[import] target must be one of {', '.join(TARGETS)}, not {target!r}")
    fields = TARGETS[target]
    rules = {k: _rule(k, v, fields) for k, v in (doc.get("columns") or {}).items()}
    defaults = {
        k: _checked(k, v, fields, "[defaults]") for k, v in (doc.get("defaults") or {}).items()
    }
    flags = {}
    for key, table in (doc.get("flags") or {}).items():
        if key not in fields or not isinstance(table, dict):
            raise BadValueError(f"[flags.{key}]: {key!r} is not a field ({', '.join(fields)})")
        flags[key] = tuple(
            (col, _checked(key, v, fields, f"[flags.{key}]")) for col, v in table.items()
        )
    extra = {
        k: Expression.parse(_string(v, f"[extra] {k}")) for k, v in (doc.get("extra") or {}).items()
    }
    id_text = head.get("id")
    if target in ("location", "offer") and not id_text:
        raise BadValueError("[import] id is missing: name the column with a stable id per row")
    fmt = head.get("format")
    if fmt is not None and fmt not in ("csv", "xlsx", "geojson", "json", "osm"):
        raise BadValueError(f"[import] format {fmt!r} is not one of csv, xlsx, geojson, json, osm")
    delimiter = head.get("delimiter")
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            raise BadValueError(
                f"[import] delimiter must be one character or 'tab', not {delimiter!r}"
            )
    status = head.get("status", "published")
    if status not in STATUSES:
        raise BadValueError(f"[import] status must be one of {', '.join(STATUSES)}, not {status!r}")
    groups = {
        group: Expression.parse(column)
        for group, column in keys.age_group_columns(doc.get("age_groups"), target).items()
    }
    if "total" in groups and "population" in rules:
        raise BadValueError("the total is given twice: in [columns] population and [age_groups]")
    for req in REQUIRED[target]:
        if req == "population" and groups:
            continue
        if req not in rules and req not in defaults and not _split_fills(req, rules):
            raise BadValueError(f"[columns] {req} is missing; every {target} needs it")
    return Mapping(
        name=name,
        target=target,
        id=Expression.parse(_string(id_text, "[import] id")) if id_text else None,
        rules=rules,
        defaults=defaults,
        flags=flags,
        extra=extra,
        format=fmt,
        crs=crs_from_name(head["crs"]) if head.get("crs") else None,
        sheet=head.get("sheet"),
        delimiter=delimiter,
        encoding=head.get("encoding"),
        source=head.get("source"),
        status=status,
        licence=head.get("licence"),
        attribution=head.get("attribution"),
        header=keys.header_rows(head.get("header")),
        missing=frozenset(keys.texts(head.get("missing", []), "[import] missing")),
        filters=keys.filters(doc.get("filter") or {}),
        age_groups=groups,
        date=keys.reference_date(head.get("date"), target),
        estimated=keys.flag(head.get("estimated", False), "[import] estimated"),
    )


def _split_fills(field_name: str, rules: dict[str, FieldRule]) -> bool:
    """Tell whether an address rule fills a field."""
    return field_name in ("street", "postcode", "city") and "address" in rules


def _only(table: dict[str, Any], allowed: set[str], what: str) -> None:
    """Refuse unknown keys, which are usually typos."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise BadValueError(
            f"unknown {what}: {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
        )


def _string(value: Any, where: str) -> str:
    """Return a non-empty string or complain."""
    if not isinstance(value, str) or not value.strip():
        raise BadValueError(f"{where} must be a column name in quotes, not {value!r}")
    return value


def _rule(key: str, spec: Any, fields: dict[str, type]) -> FieldRule:
    """Build a field rule from 'Spalte', ['Spalte1', 'Spalte2'] or a table."""
    if key not in fields:
        raise BadValueError(f"[columns] {key!r} is not a field; fields are: {', '.join(fields)}")
    where = f"[columns] {key}"
    if isinstance(spec, str | list):
        spec = {"columns": spec}
    if not isinstance(spec, dict):
        raise BadValueError(f"{where} must be a column name, a list of names, or a table")
    _only(spec, _RULE_KEYS, f"keys in {where}")
    sources = spec.get("column", spec.get("columns"))
    sources = [sources] if isinstance(sources, str) else sources
    if not sources or not isinstance(sources, list):
        raise BadValueError(f'{where}: say which column, e.g. column = "Name"')
    translate = spec.get("translate")
    if translate is not None:
        if not isinstance(translate, dict):
            raise BadValueError(f"{where}: translate must be a table of 'file value' = 'our value'")
        translate = {
            text(k).casefold(): _checked(key, v, fields, where) for k, v in translate.items()
        }
    otherwise = spec.get("otherwise", KEEP)
    if otherwise not in (KEEP, EMPTY, REJECT):
        otherwise = _checked(key, otherwise, fields, where)
    return FieldRule(
        field=key,
        sources=tuple(Expression.parse(_string(s, where)) for s in sources),
        translate=translate,
        otherwise=otherwise,
        separator=spec.get("separator"),
    )


def _checked(key: str, value: Any, fields: dict[str, type], where: str) -> Any:
    """Check a value written in the mapping (kinds and areas must be known)."""
    if key not in fields:
        raise BadValueError(f"{where}: {key!r} is not a field; fields are: {', '.join(fields)}")
    if key == "kind" and fields is TARGETS["location"] and value != "":
        return normalize_kind(_string(value, where))
    if key == "offer_type" and value != "":
        return normalize_offer_type(_string(value, where))
    if key == "areas":
        items = value if isinstance(value, list) else [value]
        return [normalize_area(_string(v, where)) for v in items if v != ""]
    return value
