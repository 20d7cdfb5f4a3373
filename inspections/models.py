"""The "1+4+4" structure and the 1+N patrol teams; inspections and findings build on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chashan_safety.scoping import ScopedQuerySet
from responsibility.models import Village


class PublicQuerySet(ScopedQuerySet):
    """The town's structure is known to every signed-in user."""

    scope_public = True


class Section(models.Model):
    """One of the sub-bureau's 4 sections (股室); each guides one zone."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("section head"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_sections",
    )
    duties = models.TextField(_("duties"), blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    history = HistoricalRecords()
    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:section-detail", args=[self.pk])


class Zone(models.Model):
    """One of the 4 zones (片区): a group of villages patrolled grid by grid by full-time officers."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    section = models.OneToOneField(
        Section,
        verbose_name=_("guiding section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="zone",
    )
    villages = models.ManyToManyField(
        Village, verbose_name=_("villages"), through="ZoneVillage", related_name="zones", blank=True
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    history = HistoricalRecords()
    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:zone-detail", args=[self.pk])


class ZoneVillage(models.Model):
    """A village belongs to exactly one zone."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="village_links")
    village = models.OneToOneField(Village, on_delete=models.CASCADE, related_name="zone_link")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village of a zone")
        verbose_name_plural = _("villages of zones")

    def __str__(self) -> str:
        return f"{self.zone} · {self.village}"


class GridQuerySet(ScopedQuerySet):
    scope_village = "village"


class Grid(models.Model):
    """A patrol cell (网格) inside a village."""

    village = models.ForeignKey(Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="grids")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=60)
    worker_name = models.CharField(_("grid worker"), max_length=40, blank=True)
    worker_phone = models.CharField(_("grid worker's phone"), max_length=20, blank=True)
    description = models.CharField(_("area covered"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = GridQuerySet.as_manager()

    class Meta:
        ordering = ["village__order", "code"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        constraints = [models.UniqueConstraint(fields=["village", "code"], name="grid_code_unique_in_village")]

    def __str__(self) -> str:
        return f"{self.village} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:grid-detail", args=[self.pk])


class PatrolTeamQuerySet(ScopedQuerySet):
    scope_zone = "zone"

    def scope_conditions(self, user) -> list[Q]:
        conditions = super().scope_conditions(user)
        if user.is_village_office and user.village_id:
            # a village office sees the teams its own people patrol with; a subquery, so that
            # counting a team's members afterwards still counts all of them
            members = PatrolTeamMember.objects.filter(village_id=user.village_id).values("team_id")
            conditions.append(Q(pk__in=members))
        return conditions


class PatrolTeam(models.Model):
    """A "1+N" team: one full-time safety officer leading auxiliaries."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="teams")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader (full-time safety officer)"),
        on_delete=models.PROTECT,
        related_name="led_teams",
        limit_choices_to={"role": "safety_officer"},
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()
    objects = PatrolTeamQuerySet.as_manager()

    class Meta:
        ordering = ["zone__order", "name"]
        verbose_name = _("patrol team")
        verbose_name_plural = _("patrol teams")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:team-detail", args=[self.pk])


class PatrolTeamMember(models.Model):
    """One of the "N" in a 1+N team."""

    class Role(models.TextChoices):
        VILLAGE_SAFETY_OFFICE = "village_safety_office", _("Village safety office staff")
        GRID_WORKER = "grid_worker", _("Grid worker")
        ENTERPRISE_SAFETY_MANAGER = "enterprise_safety_manager", _("Enterprise safety manager")

    team = models.ForeignKey(PatrolTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=40)
    role = models.CharField(_("role in the team"), max_length=30, choices=Role.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_memberships",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["team", "role", "name"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "name", "role"], name="team_member_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"
