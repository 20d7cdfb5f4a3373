"""Users, roles and the portal's cross-cutting records."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    full_name = models.CharField(pgettext_lazy("person", "name"), max_length=60, blank=True)
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

    @cached_property
    def zone_village_ids(self) -> frozenset[int]:
        """The villages of this user's zones: one query a request, however often rules ask."""
        if not self.pk:
            return frozenset()
        villages = self.zones.filter(village_links__isnull=False).values_list("village_links__village_id", flat=True)
        return frozenset(villages)

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


class Counter(models.Model):
    """Numbers that run per year, such as finding numbers and notice numbers (〔2026〕15号)."""

    key = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [models.UniqueConstraint(fields=["key", "year"], name="counter_key_year_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.year}: {self.last_value}"

    @classmethod
    def next_value(cls, key: str, year: int) -> int:
        """The next number for ``key`` in ``year``; call inside a transaction (the row is locked)."""
        cls.objects.get_or_create(key=key, year=year)
        counter = cls.objects.select_for_update().get(key=key, year=year)
        counter.last_value += 1
        counter.save(update_fields=["last_value"])
        return counter.last_value


class Reminder(models.Model):
    """One reminder that became due: the row that makes every reminder exactly-once.

    The unique key is (kind, object, level, anchor): a second sweep, a duplicate beat or a
    redelivered task finds the row there and sends nothing new. ``anchor`` is the date the
    ladder counts from (a finding's deadline), so a moved deadline starts the ladder again.
    """

    kind = models.CharField(_("kind"), max_length=40)
    level = models.CharField(_("level"), max_length=20)
    object_id = models.PositiveBigIntegerField(_("object"))
    anchor = models.DateField(_("counted from"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # set, with the sweep's claim token, in the transaction that creates the reminder's notifications
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "level", "anchor"], name="reminder_once"),
        ]
        # an object's reminders are found through ``reminder_once`` (kind, object_id, …): every lookup
        # names the kinds; a second index on the object would only slow the sweep's inserts
        indexes = [
            models.Index(fields=["kind", "level", "notified_at"], name="reminder_pending"),
            models.Index(fields=["-created_at"], name="reminder_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}:{self.level}"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user, cancelled_at__isnull=True)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An item in a person's inbox; the daily e-mail and SMS digests list the new ones."""

    # no index of its own: the unique key and both indexes below start with the recipient, and the
    # sweep writes notifications by the hundred thousand
    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    reminder = models.ForeignKey(
        Reminder, verbose_name=_("reminder"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # the reminder's kind and level; for a group, those of all its reminders
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    level = models.CharField(_("level"), max_length=20, blank=True)
    # a group: one item for the many reminders one rung of one sweep told this person of (``size`` of
    # them, without ``reminder``): the sweep's claim on them (``Reminder.claim``); see
    # ``chashan_safety.reminders.group_members``
    batch = models.UUIDField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("items"), default=1)
    # for messages that are not reminders
    title = models.CharField(_("title"), max_length=200, blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    texted_at = models.DateTimeField(_("sent by SMS at"), null=True, blank=True)
    # the object no longer needs it (a finding closed before the digest went out): kept, never sent
    cancelled_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "reminder"], name="notification_once_per_recipient"),
            models.UniqueConstraint(
                fields=["recipient", "batch"], condition=Q(batch__isnull=False), name="notification_group_once"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        about = f"{self.kind}:{self.level} ×{self.size}" if self.is_group else self.reminder or self.title
        return f"{self.recipient} · {about}"

    @property
    def is_group(self) -> bool:
        return self.batch is not None


class DigestDelivery(models.Model):
    """One digest per person, channel and day: written before sending, so it goes out once."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="digests")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    day = models.DateField(_("day"))
    item_count = models.PositiveIntegerField(_("items"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-day", "recipient"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "channel", "day"], name="digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.channel} · {self.day}"
