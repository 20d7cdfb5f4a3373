"""How far a year's responsibility letters are signed: one figure for the dashboard, one board for the office."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from responsibility.models import ResponsibilityLetter

#: the URL name of the progress board; it takes ``?year=`` (and ``?kind=``, ``?zone=``, ``?status=``)
PROGRESS_URL_NAME = "responsibility:rletter-progress"


@dataclass(frozen=True)
class SigningProgress:
    year: int
    #: letters issued for the year
    total: int
    #: of those, signed
    signed: int
    #: not signed and past their deadline
    late: int

    @property
    def unsigned(self) -> int:
        return self.total - self.signed

    @property
    def percent(self) -> int:
        """Signed, as a whole percentage of the letters issued (0 when none were issued)."""
        return round(self.signed * 100 / self.total) if self.total else 0


def signing_progress(year: int, *, today: dt.date | None = None, letters=None) -> SigningProgress:
    """The year's signing progress in one query; ``letters`` narrows it (a filtered or scoped queryset)."""
    today = today or timezone.localdate()
    qs = ResponsibilityLetter.objects.all() if letters is None else letters
    figures = qs.filter(year=year).aggregate(
        total=Count("pk"),
        signed=Count("pk", filter=Q(signed_at__isnull=False)),
        late=Count("pk", filter=Q(signed_at__isnull=True, deadline__lt=today)),
    )
    return SigningProgress(year=year, total=figures["total"], signed=figures["signed"], late=figures["late"])
