"""Users, roles and the portal's cross-cutting records."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from chashan_safety.scoping import ScopedQuerySet


class Role(models.TextChoices):
    TOWN_ADMIN = "town_admin", _("Town administrator")
    SAFETY_OFFICER = "safety_officer", _("Safety officer")
    VILLAGE_OFFICE = "village_office", _("Village safety office")
    UNIT_OFFICE = "unit_office", _("Unit office")
    LEADERSHIP = "leadership", _("Town leadership")


class UserQuerySet(ScopedQuerySet):
    def scope_conditions(self, user) -> list[Q]:
        # everyone sees themselves; offices see their colleagues; officers see one another
        conditions = [Q(pk=user.pk)]
        if user.is_village_office and user.village_id:
            conditions.append(Q(village_id=user.village_id))
        if user.is_unit_office and user.unit_id:
            conditions.append(Q(unit_id=user.unit_id))
        if user.is_safety_officer:
            conditions.append(Q(role=Role.SAFETY_OFFICER))
        return conditions

    def officers(self):
        return self.filter(role=Role.SAFETY_OFFICER, is_active=True)


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in: one role, and the village, unit or zones it belongs to."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SAFETY_OFFICER)
    full_name = models.CharField(_("name"), max_length=60, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    title = models.CharField(_("post"), max_length=60, blank=True)
    village = models.ForeignKey(
        "responsibility.Village",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    unit = models.ForeignKey(
        "responsibility.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    zones = models.ManyToManyField("inspections.Zone", verbose_name=_("zones"), blank=True, related_name="officers")

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="village_office") | Q(village__isnull=False),
                name="user_village_office_has_village",
            ),
            models.CheckConstraint(
                condition=~Q(role="unit_office") | Q(unit__isnull=False),
                name="user_unit_office_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    # Role tests read better in templates and predicates than comparisons with Role members.
    @property
    def is_town_admin(self) -> bool:
        return self.is_active and (self.role == Role.TOWN_ADMIN or self.is_superuser)

    @property
    def is_safety_officer(self) -> bool:
        return self.is_active and self.role == Role.SAFETY_OFFICER

    @property
    def is_village_office(self) -> bool:
        return self.is_active and self.role == Role.VILLAGE_OFFICE

    @property
    def is_unit_office(self) -> bool:
        return self.is_active and self.role == Role.UNIT_OFFICE

    @property
    def is_leadership(self) -> bool:
        return self.is_active and self.role == Role.LEADERSHIP

    @property
    def sees_whole_town(self) -> bool:
        """Town administrators and leadership read every record; others read their affiliation's."""
        return self.is_town_admin or self.is_leadership

    @cached_property
    def zone_ids(self) -> list[int]:
        return list(self.zones.values_list("pk", flat=True)) if self.pk else []

    @property
    def affiliation(self) -> str:
        if self.role == Role.VILLAGE_OFFICE and self.village_id:
            return str(self.village)
        if self.role == Role.UNIT_OFFICE and self.unit_id:
            return str(self.unit)
        if self.role == Role.SAFETY_OFFICER:
            return "、".join(str(zone) for zone in self.zones.all())
        return ""


class Heartbeat(models.Model):
    """The last time a periodic job ran; /healthz reads it to tell whether beat is alive."""

    name = models.CharField(max_length=60, unique=True)
    last_seen = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"
