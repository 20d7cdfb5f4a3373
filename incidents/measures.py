"""What the incident register tells the year-end scorecard: accidents, deaths and injuries per party.

An incident counts against its village and, when one is named, against the unit it is charged to.
Each measure is two grouped queries (by village, by unit), whatever the number of parties.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from incidents.models import INJURIES, Incident
from responsibility.measures import Measure, keyed, register_measure

#: deaths in one accident from which the scorecard's veto (一票否决) applies
VETO_DEATHS = 2


def _per_party(year: int, aggregate) -> dict:
    incidents = Incident.objects.in_year(year).order_by()
    by_village = incidents.values("village_id").annotate(value=aggregate)
    by_unit = incidents.filter(unit__isnull=False).values("unit_id").annotate(value=aggregate)
    result = keyed(by_village, "value")
    result.update(keyed(by_unit, "value"))
    return {key: value for key, value in result.items() if value}


def accidents(year: int) -> dict:
    return _per_party(year, Count("pk"))


def deaths(year: int) -> dict:
    return _per_party(year, Sum("deaths"))


def injuries(year: int) -> dict:
    return _per_party(year, Sum(INJURIES))


def fatal_accidents(year: int) -> dict:
    return _per_party(year, Count("pk", filter=Q(deaths__gte=VETO_DEATHS)))


def register() -> None:
    register_measure(
        Measure(
            key="incidents.accidents",
            label=_("Accidents"),
            compute=accidents,
            help=_("Accidents in the incident register that year, in the village or charged to the unit."),
        )
    )
    register_measure(
        Measure(
            key="incidents.deaths",
            label=_("Deaths in accidents"),
            compute=deaths,
            help=_("People killed in those accidents."),
        )
    )
    register_measure(
        Measure(
            key="incidents.injuries",
            label=_("Injuries in accidents"),
            compute=injuries,
            help=_("People seriously or slightly injured in those accidents."),
        )
    )
    register_measure(
        Measure(
            key="incidents.fatal_accidents",
            label=_("Accidents with two or more deaths"),
            compute=fatal_accidents,
            help=_("Accidents in which two or more people died: one is enough to fail the year (veto)."),
        )
    )
