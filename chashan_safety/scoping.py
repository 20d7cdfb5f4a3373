"""The one scoping mechanism: ``Model.objects.visible_to(user)``.

Every view that reads data starts from ``visible_to(user)``. A model's queryset
says, with lookups, how a record leads to the village, unit or zone that decides
who may read it; the rules by role live here, once:

- town administrators and leadership read everything;
- a safety officer reads what lies in the villages of their zones;
- a village office reads what belongs to its village;
- a unit office reads what belongs to its unit.

A record outside a user's scope is simply not in the queryset, so
``get_object_or_404(Model.objects.visible_to(user), pk=...)`` answers 404.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q


def _join(path: str, rest: str) -> str:
    return f"{path}__{rest}" if path else rest


class ScopedQuerySet(models.QuerySet):
    #: every signed-in user may read these records (the town's public structure)
    scope_public: bool = False
    #: lookup from this model to a Village ("" when the model is Village itself)
    scope_village: str | None = None
    #: lookup from this model to a Unit ("" when the model is Unit itself)
    scope_unit: str | None = None
    #: lookup from this model to a Zone; officers use it before the village path
    scope_zone: str | None = None
    #: safety officers read every record of this model (town-wide registries)
    scope_officers_see_all: bool = False

    def visible_to(self, user) -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_whole_town or self.scope_public:
            return self
        conditions = self.scope_conditions(user)
        if not conditions:
            return self.none()
        return self.filter(reduce(or_, conditions))

    def scope_conditions(self, user) -> list[Q]:
        """The conditions, any of which lets ``user`` read a record; override to add a rule."""
        conditions: list[Q] = []
        if user.is_safety_officer:
            if self.scope_officers_see_all:
                return [Q()]
            if self.scope_zone is not None:
                conditions.append(Q(**{_join(self.scope_zone, "pk__in"): user.zone_ids}))
            elif self.scope_village is not None:
                conditions.append(Q(**{_join(self.scope_village, "zone_link__zone__in"): user.zone_ids}))
        elif user.is_village_office and user.village_id and self.scope_village is not None:
            conditions.append(Q(**{_join(self.scope_village, "pk"): user.village_id}))
        elif user.is_unit_office and user.unit_id and self.scope_unit is not None:
            conditions.append(Q(**{_join(self.scope_unit, "pk"): user.unit_id}))
        return conditions
