"""Measures: figures about every party in a year that the year-end scorecard reads from live data.

The responsibility app imports no other app; the apps that hold the facts (inspections, incidents)
register here, from their ``AppConfig.ready()``, what the scorecard can compute from them::

    from responsibility.measures import Measure, register_measure

    def _deaths(year: int) -> dict[str, int]:
        rows = (
            Incident.objects.filter(occurred_on__year=year)
            .values("village_id", "unit_id")
            .annotate(n=Sum("deaths"))
        )
        return keyed(rows, "n")

    register_measure(
        Measure(
            key="incidents.deaths",
            label=_("Deaths in accidents"),
            compute=_deaths,
            kind=Measure.Kind.COUNT,
        )
    )

The contract of ``compute(year)``:

- it returns ``{party_key: value}`` for **all parties at once**, aggregating in the database (one
  query, or a fixed few, whatever the number of parties);
- a party key is ``"village:<id>"`` or ``"unit:<id>"`` — the same as ``Card.party_key``; use
  :func:`village_key`, :func:`unit_key` or :func:`keyed` to build them;
- a party missing from the result has nothing to measure: it takes the measure's ``default``
  (``0`` for a count; for a rate, ``None``, which the scorecard treats as nothing to hold against
  the party — full points);
- a ``RATE`` value is a fraction between 0 and 1 (e.g. findings closed on time ÷ findings due);
  a ``COUNT`` value is a non-negative number (inspections logged, deaths).

How a value becomes points is the target item's business, not the measure's: a letter template's
item names a measure by ``key`` and a rule (proportional to a rate, at least N, so many points off
each), and a veto item names a measure whose value above 0 forces a fail. A measure registered under
a key that is already taken replaces the earlier one (tests rely on it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

Value = int | float | Decimal | None


def village_key(village_id: int) -> str:
    return f"village:{village_id}"


def unit_key(unit_id: int) -> str:
    return f"unit:{unit_id}"


def keyed(
    rows: Iterable[Mapping], value: str, *, village: str = "village_id", unit: str = "unit_id"
) -> dict[str, Value]:
    """``{party_key: row[value]}`` from rows of ``values(village, unit).annotate(value=…)``.

    A row with neither a village nor a unit is skipped; rows for the same party are added up.
    """
    result: dict[str, Value] = {}
    for row in rows:
        if row.get(village):
            key = village_key(row[village])
        elif row.get(unit):
            key = unit_key(row[unit])
        else:
            continue
        amount = row[value]
        if amount is None:
            continue
        result[key] = result[key] + amount if key in result else amount
    return result


@dataclass(frozen=True)
class Measure:
    """A figure per party and year, computed from live data by the app that holds the facts."""

    class Kind(StrEnum):
        RATE = "rate"  # a fraction 0..1; higher is better
        COUNT = "count"  # a number of things

    key: str
    label: str
    #: year → {party_key: value}; one aggregate query for all parties
    compute: Callable[[int], dict[str, Value]]
    kind: Kind = Kind.COUNT
    #: a sentence on what is counted, shown beside the scorecard's item
    help: str = ""

    @property
    def default(self) -> Value:
        return None if self.kind == Measure.Kind.RATE else 0


_measures: dict[str, Measure] = {}


def register_measure(measure: Measure) -> None:
    _measures[measure.key] = measure


def unregister_measure(key: str) -> None:
    _measures.pop(key, None)


def get_measure(key: str) -> Measure | None:
    return _measures.get(key)


def measures() -> list[Measure]:
    return sorted(_measures.values(), key=lambda m: m.key)


def measure_choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in measures()]


def compute_all(keys: Iterable[str], year: int) -> dict[str, dict[str, Value]]:
    """Each named measure's values for ``year`` (one compute per measure); unknown keys give ``{}``."""
    result: dict[str, dict[str, Value]] = {}
    for key in set(keys):
        measure = _measures.get(key)
        result[key] = dict(measure.compute(year)) if measure else {}
    return result
