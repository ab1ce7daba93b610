"""The report's texts: the selection's filters in words, method notes, sources and licences."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...finding import BY_NAME, FLAG_PARAMS, LIST_PARAMS, SearchParams, language_name
from ...models import Region, Term
from ..numbers import day, number
from .inputs import Attribution, Reach

TYPE_LABELS = {"location": _l("Lernorte"), "offer": _l("Angebote")}
WHEN_LABELS = {"today": _l("heute"), "week": _l("diese Woche"), "month": _l("diesen Monat")}


def value_labels(name: str, codes: list[str], locale: str) -> list[str]:
    """Return the labels of a filter's selected values in the locale (codes where unknown)."""
    f = BY_NAME[name]
    if f.vocabulary is not None:
        terms = db.session.scalars(
            select(Term).where(Term.vocabulary == f.vocabulary.value, Term.code.in_(codes))
        )
        labels = {t.code: t.label(locale) for t in terms}
    elif f.labels == "regions":
        labels = dict(
            db.session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all()
        )
    elif f.labels == "languages":
        labels = {code: language_name(code, locale) for code in codes}
    else:
        labels = {code: str(TYPE_LABELS.get(code, code)) for code in codes}
    return [labels.get(code, code) for code in codes]


def selection_in_words(params: SearchParams, locale: str = "de") -> list[str]:
    """Describe a search selection's filters, one line each ("Art des Lernorts: Grundschule")."""
    lines = []
    if params.q:
        lines.append(str(_l("Suchbegriff: „%(q)s“", q=params.q)))
    for name in LIST_PARAMS:
        codes = params.values(name)
        if codes:
            labels = ", ".join(value_labels(name, codes, locale))
            lines.append(f"{BY_NAME[name].title}: {labels}")
    lines.extend(str(BY_NAME[name].title) for name in FLAG_PARAMS if params.flags.get(name))
    if params.age is not None:
        lines.append(str(_l("Alter: %(age)s Jahre", age=params.age)))
    if params.when:
        lines.append(str(_l("Termine: %(when)s", when=WHEN_LABELS[params.when])))
    elif params.date_from or params.date_to:
        lines.append(
            str(
                _l(
                    "Termine vom %(start)s bis %(end)s",
                    start=day(params.date_from, locale),
                    end=day(params.date_to, locale),
                )
            )
        )
    if params.near:
        lines.append(
            str(_l("im Umkreis von %(km)s km um %(place)s", km=params.radius_km, place=params.near))
        )
    return lines or [str(_l("alle Lernorte und Angebote (keine Filter)"))]


def method_notes(coverage, reach: list[Reach], today: dt.date, locale: str) -> list[str]:
    """Return the method notes that apply to this report, each a paragraph."""
    notes = [
        str(
            _l(
                "Gezählt werden die veröffentlichten Lernorte und die am Stichtag aktuellen "
                "Angebote der Auswahl (nicht abgelaufen, letzter Termin nicht vor dem Stichtag). "
                "Ein Lernort zählt in der Gemeinde, in deren Gebiet er liegt."
            )
        ),
        str(
            _l(
                "Ein Angebot an Lernorten in mehreren Gemeinden zählt in jeder dieser Gemeinden; "
                "in der Summe des gesamten Gebiets zählt es einmal. Die Summe der Gemeinden kann "
                "daher größer sein als die Summe des Gebiets."
            )
        ),
        str(
            _l(
                "Werte je 1.000 Einwohner: Anzahl × 1.000 ÷ Einwohnerzahl der Gemeinde zum "
                "Bevölkerungsstand auf der Titelseite. Ohne Einwohnerzahl gibt es keinen Wert "
                "(„keine Angabe“, in den Karten schraffiert)."
            )
        ),
    ]
    dates = [coverage.reference_date] + (
        [coverage.compare.reference_date] if coverage.compare else []
    )
    if any(d < today for d in dates):
        notes.append(
            str(
                _l(
                    "Für einen vergangenen Stichtag wird der Stand aus dem Änderungsprotokoll "
                    "rekonstruiert: ein Eintrag zählt, wenn er bis dahin angelegt und an dem Tag "
                    "veröffentlicht war (angelegt, archiviert, wiederhergestellt). Art, Gemeinde "
                    "und Bildungsbereiche gelten so, wie sie heute eingetragen sind."
                )
            )
        )
    if coverage.estimated or (coverage.compare and coverage.compare.estimated):
        notes.append(
            str(
                _l(
                    "Mit * markierte Werte sind geschätzt: Wo es Einwohner nach Altersgruppen "
                    "nur für den Kreis gibt, ist die Altersgruppe einer Gemeinde aus ihrer "
                    "Einwohnerzahl und dem Anteil der Altersgruppe im Kreis geschätzt."
                )
            )
        )
    unplaced = coverage.without_region
    if unplaced.lernorte or unplaced.angebote:
        notes.append(
            str(
                _l(
                    "%(lernorte)s Lernorte und %(angebote)s Angebote liegen in keiner Gemeinde "
                    "(ohne Position, außerhalb des Gebiets oder nur online); sie zählen nur in "
                    "der Summe des gesamten Gebiets.",
                    lernorte=number(unplaced.lernorte, 0, locale),
                    angebote=number(unplaced.angebote, 0, locale),
                )
            )
        )
    notes.append(
        str(
            _l(
                "Klassen der Karten: Quantile der verschiedenen Werte, auf runde Zahlen gerundet; "
                "der Wert 0 bildet eine eigene Klasse."
            )
        )
    )
    notes.extend(_reach_notes(reach))
    return notes


def _reach_notes(reach: list[Reach]) -> list[str]:
    """Return the notes on reachability: how it is computed, and whether it is approximate."""
    if not reach:
        return []
    notes = [
        str(
            _l(
                "Erreichbarkeit: Reisezeit über das Straßen- und Wegenetz von OpenStreetMap vom "
                "Wohnort zum nächsten Lernort der Art; angegeben ist der Anteil der Einwohner "
                "einer Gemeinde, der ihn in der genannten Zeit erreicht."
            )
        )
    ]
    notes.extend(dict.fromkeys(r.method for r in reach if r.method))  # each text once
    if any(r.approximate for r in reach):
        notes.append(
            str(
                _l(
                    "Näherung: Ohne Bevölkerungsraster ist die Einwohnerzahl jeder Gemeinde "
                    "gleichmäßig auf die Knoten ihrer Wohnstraßen verteilt."
                )
            )
        )
    return notes


def sources(coverage, attribution: Attribution, reach: list[Reach], with_map: bool) -> list[str]:
    """Return the sources and licences to name, each once."""
    found = list(attribution.listings)
    found.extend(coverage.population_sources)
    if coverage.compare is not None:
        found.extend(coverage.compare.population_sources)
    if with_map and attribution.outlines:
        found.append(str(_l("Gemeindegrenzen: %(source)s", source=attribution.outlines)))
    if reach and attribution.network:
        found.append(str(_l("Straßen- und Wegenetz: %(source)s", source=attribution.network)))
    return list(dict.fromkeys(s for s in found if s))
