"""The parties that sign safety responsibility letters with the town: villages and units."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
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


class CardQuerySet(ScopedQuerySet):
    scope_village = "village"
    scope_unit = "unit"

    def scope_conditions(self, user) -> list[models.Q]:
        conditions = super().scope_conditions(user)
        if user.is_safety_officer:
            # units are town-wide: officers read their cards as they read the units
            conditions.append(models.Q(unit__isnull=False))
        return conditions


class Card(models.Model):
    """A yellow or red card recorded against a village or unit (跟踪问责); cards feed the year-end score."""

    class Color(models.TextChoices):
        YELLOW = "yellow", _("Yellow card")
        RED = "red", _("Red card")

    color = models.CharField(_("card"), max_length=10, choices=Color.choices)
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, null=True, blank=True, related_name="cards"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="cards"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # what the card is for, e.g. "finding:123" or "second-yellow:2026"; unique with the party and colour
    source = models.CharField(_("source"), max_length=60)
    # "village:3" or "unit:5": one column for the unique key (a NULL never conflicts)
    party_key = models.CharField(max_length=20, editable=False)
    reason = models.CharField(_("reason"), max_length=300)
    url = models.CharField(_("link"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(village__isnull=False, unit__isnull=True)
                | models.Q(village__isnull=True, unit__isnull=False),
                name="card_against_one_party",
            ),
            models.UniqueConstraint(fields=["color", "source", "party_key"], name="card_once"),
        ]
        indexes = [models.Index(fields=["year", "color"], name="card_year_color")]

    def __str__(self) -> str:
        return f"{self.get_color_display()} · {self.party}"

    def save(self, *args, **kwargs):
        self.party_key = f"village:{self.village_id}" if self.village_id else f"unit:{self.unit_id}"
        super().save(*args, **kwargs)

    @property
    def party(self):
        return self.village or self.unit


class SupervisionLetterQuerySet(ScopedQuerySet):
    scope_village = "card__village"
    scope_unit = "card__unit"


class SupervisionLetter(models.Model):
    """A supervision letter (督办函) drafted for a red card, for the town administrator to send."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")

    card = models.OneToOneField(Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="letter")
    number = models.CharField(_("number"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = SupervisionLetterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("supervision letter")
        verbose_name_plural = _("supervision letters")

    def __str__(self) -> str:
        return self.number or str(_("Supervision letter (draft)"))
