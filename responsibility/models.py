"""The parties that sign safety responsibility letters with the town: villages and units."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chashan_safety.scoping import ScopedQuerySet


class VillageQuerySet(ScopedQuerySet):
    scope_village = ""


class Village(models.Model):
    """One of the town's 18 villages and communities (村（社区）)."""

    class Kind(models.TextChoices):
        VILLAGE = "village", _("Administrative village")
        COMMUNITY = "community", _("Community")

    name = models.CharField(_("name"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.VILLAGE)
    head = models.CharField(_("person in charge"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    history = HistoricalRecords()
    objects = VillageQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("responsibility:village-detail", args=[self.pk])

    @property
    def zone(self):
        link = getattr(self, "zone_link", None)
        return link.zone if link else None


class UnitQuerySet(ScopedQuerySet):
    scope_unit = ""
    scope_officers_see_all = True


class Unit(models.Model):
    """One of the 37 units (departments and key enterprises) that sign letters with the town.

    管行业必须管安全: a department supervises the safety of the industries it manages.
    """

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        ENTERPRISE = "enterprise", _("Enterprise")

    name = models.CharField(_("name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DEPARTMENT)
    industries = models.CharField(
        _("industries supervised"),
        max_length=200,
        blank=True,
        help_text=_("Separate several industries with commas."),
    )
    head = models.CharField(_("person in charge"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=120, blank=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Invented for demonstration; not a real unit.")
    )

    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("responsibility:unit-detail", args=[self.pk])

    @property
    def industry_list(self) -> list[str]:
        return [item.strip() for item in self.industries.replace("，", ",").split(",") if item.strip()]
