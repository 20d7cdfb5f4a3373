"""The incident register (生产安全事故台账): every accident with the official statistics fields."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chashan_safety.scoping import ScopedQuerySet

#: the first year the register holds: the dashboard's years and the list's year filter begin there too
EARLIEST_YEAR = 2000


class IncidentQuerySet(ScopedQuerySet):
    scope_village = "village"

    def in_year(self, year: int):
        return self.filter(occurred_at__gte=year_start(year), occurred_at__lt=year_start(year + 1))

    def between(self, start: dt.date, end: dt.date):
        """Incidents from the start of ``start`` to the end of ``end`` (local days), as a range on the index."""
        return self.filter(occurred_at__gte=day_start(start), occurred_at__lt=day_start(end + dt.timedelta(days=1)))

    def with_casualties(self):
        return self.filter(Q(deaths__gt=0) | Q(serious_injuries__gt=0) | Q(minor_injuries__gt=0))

    def totals(self) -> dict:
        """Count, deaths, injuries, casualties and loss of these incidents, in one aggregate."""
        return totals_of(self.aggregate(**TOTALS))


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def year_start(year: int) -> dt.datetime:
    return day_start(dt.date(year, 1, 1))


class Incident(models.Model):
    """One accident (生产安全事故) as the statistics report it."""

    class Category(models.TextChoices):
        PRODUCTION = "production", _("Production safety")
        FIRE = "fire", _("Fire")
        ROAD_TRAFFIC = "road_traffic", _("Road traffic")
        OTHER = "other", _("Other")

    occurred_at = models.DateTimeField(_("occurred at"))
    village = models.ForeignKey(
        "responsibility.Village", verbose_name=_("village"), on_delete=models.PROTECT, related_name="incidents"
    )
    site = models.ForeignKey(
        "inspections.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    unit = models.ForeignKey(
        "responsibility.Unit",
        verbose_name=_("unit involved"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        help_text=_("The enterprise or department of the 37 units the accident is charged to, if any."),
    )
    location = models.CharField(_("place"), max_length=120, blank=True)
    category = models.CharField(_("type"), max_length=16, choices=Category.choices)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    serious_injuries = models.PositiveIntegerField(_("serious injuries"), default=0)
    minor_injuries = models.PositiveIntegerField(_("minor injuries"), default=0)
    direct_loss = models.DecimalField(
        _("direct economic loss (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    cause = models.TextField(_("cause"), blank=True)
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        # the casualty counts are positive integer fields, which the database checks already
        constraints = [
            models.CheckConstraint(condition=Q(direct_loss__gte=0), name="incident_loss_not_negative"),
        ]
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="incident_occurred"),
            models.Index(fields=["village", "-occurred_at"], name="incident_village_occurred"),
            models.Index(fields=["category", "-occurred_at"], name="incident_category_occurred"),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.occurred_at).strftime("%Y-%m-%d") if self.occurred_at else ""
        return f"{when} {self.village} {self.get_category_display()}".strip()

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident-detail", args=[self.pk])

    @property
    def injuries(self) -> int:
        return self.serious_injuries + self.minor_injuries

    @property
    def casualties(self) -> int:
        """Deaths and injuries: the "伤亡人数" of the double-decline figure."""
        return self.deaths + self.injuries

    def clean(self):
        super().clean()
        if self.occurred_at and self.occurred_at > timezone.now():
            raise ValidationError({"occurred_at": _("An incident cannot lie in the future.")})
        # a date cell holding 0 reads as 1899-12-30 in Excel's calendar; such a row would sit where no year
        # filter or dashboard finds it, yet count in every total
        if self.occurred_at and self.occurred_at < year_start(EARLIEST_YEAR):
            message = _("The register starts in %(year)s: an incident cannot lie before that year.")
            raise ValidationError({"occurred_at": message % {"year": EARLIEST_YEAR}})
        if self.site_id and self.village_id and self.site.village_id != self.village_id:
            message = _("%(site)s lies in %(village)s, not in the village chosen.")
            raise ValidationError({"site": message % {"site": self.site, "village": self.site.village}})


INJURIES = F("serious_injuries") + F("minor_injuries")
#: the aggregate of every incident figure, shared by the register's totals and the dashboard; the names
#: carry a prefix so that they never shadow the fields the sums read (see ``totals_of``)
TOTALS = {
    "t_count": models.Count("pk"),
    "t_deaths": Sum("deaths"),
    "t_serious_injuries": Sum("serious_injuries"),
    "t_minor_injuries": Sum("minor_injuries"),
    "t_injuries": Sum(INJURIES),
    "t_casualties": Sum(F("deaths") + INJURIES),
    "t_loss": Sum("direct_loss"),
}


def totals_of(row: dict) -> dict:
    """The figures of an aggregate row of ``TOTALS`` under their plain names, 0 where nothing was summed."""
    return {key.removeprefix("t_"): row.get(key) or 0 for key in TOTALS}
