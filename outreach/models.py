"""The "2+6" safety culture system: carriers (宣教阵地), the activities held in them, and their visitors.

Carriers are places of safety education: the two main bases (the safety culture park and the mini fire
education hall) and six kinds of everyday carriers (cultural rooms, publicity boards, intersection signs …).
Activities are the trainings, drills, publicity days and study sessions that reach people there; both
join up, village by village, into the coverage matrix (连点成面).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chashan_safety.scoping import ScopedQuerySet
from inspections.models import StoredPhoto
from responsibility.models import Village


class OutreachQuerySet(ScopedQuerySet):
    """Officers, administrators and leaders read every village's outreach; a village office its own."""

    scope_village = "village"
    scope_officers_see_all = True


class CarrierTypeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class CarrierType(models.Model):
    """A kind of carrier; the list is configurable and starts with the article's "2+6" types."""

    class Tier(models.TextChoices):
        BASE = "base", _("Main base (the “2”)")
        EVERYDAY = "everyday", _("Everyday carrier (the “6”)")

    name = models.CharField(_("name"), max_length=40, unique=True)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.EVERYDAY)
    is_venue = models.BooleanField(
        _("venue"), default=False, help_text=_("A place people visit: it has opening hours, a capacity and visitors.")
    )
    expected_in_every_village = models.BooleanField(
        _("expected in every village"),
        default=True,
        help_text=_("A village without one shows a gap in the coverage matrix; a town-wide base does not."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True, help_text=_("Only types in use are offered."))

    history = HistoricalRecords()
    objects = CarrierTypeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("carrier type")
        verbose_name_plural = _("carrier types")

    def __str__(self) -> str:
        return self.name


class Carrier(models.Model):
    """A place of safety education in a village: a park, a hall, a cultural room, a board, a sign."""

    class Status(models.TextChoices):
        IN_USE = "in_use", _("In use")
        UNDER_REPAIR = "under_repair", _("Under repair")
        RETIRED = "retired", _("Retired")

    type = models.ForeignKey(
        CarrierType, verbose_name=_("carrier type"), on_delete=models.PROTECT, related_name="carriers"
    )
    name = models.CharField(_("name"), max_length=80)
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="outreach_carriers"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.IN_USE)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = OutreachQuerySet.as_manager()

    class Meta:
        ordering = ["village__order", "type__order", "name"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="carrier_name_unique_in_village"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="carrier_point_whole_or_none",
            ),
        ]
        indexes = [models.Index(fields=["village", "type", "status"], name="carrier_village_type")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outreach:carrier-detail", args=[self.pk])

    @property
    def is_retired(self) -> bool:
        return self.status == self.Status.RETIRED

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Activity(models.Model):
    """A training, drill, publicity day or study session held in a village, often at a carrier."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Safety training")
        DRILL = "drill", _("Emergency drill")
        PUBLICITY_DAY = "publicity_day", _("Publicity day")
        EXHIBITION_VISIT = "exhibition_visit", _("Exhibition visit")
        FIRST_AGENDA = "first_agenda", _("“First agenda item” study (第一议题)")
        SAFETY_MONTH = "safety_month", _("Safety Production Month (June)")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    held_on = models.DateField(_("date"))
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="outreach_activities"
    )
    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("carrier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    organiser = models.CharField(_("organiser"), max_length=100)
    audience_count = models.PositiveIntegerField(_("audience (people)"), null=True, blank=True)
    feedback_score = models.DecimalField(
        _("attendees' feedback score"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Optional: the attendees' average score, 1 to 5."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = OutreachQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(feedback_score__isnull=True) | Q(feedback_score__gte=1, feedback_score__lte=5),
                name="activity_feedback_score_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["held_on", "village", "kind"], name="activity_held_village_kind"),
            models.Index(fields=["village", "held_on"], name="activity_village_held"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("outreach:activity-detail", args=[self.pk])

    @property
    def is_upcoming(self) -> bool:
        return self.held_on > timezone.localdate()


class VisitorCountQuerySet(ScopedQuerySet):
    scope_village = "carrier__village"
    scope_officers_see_all = True


class VisitorCount(models.Model):
    """How many people visited a venue in one month."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("carrier"), on_delete=models.CASCADE, related_name="visits")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    visitors = models.PositiveIntegerField(_("visitors"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = VisitorCountQuerySet.as_manager()

    class Meta:
        ordering = ["carrier", "-month"]
        verbose_name = _("visitor count")
        verbose_name_plural = _("visitor counts")
        constraints = [
            models.UniqueConstraint(fields=["carrier", "month"], name="visitor_count_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="visitor_count_month_starts_on_first"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} · {self.month:%Y-%m}"


class PhotoQuerySet(ScopedQuerySet):
    def scope_conditions(self, user) -> list[Q]:
        if user.is_safety_officer:
            return [Q()]  # officers read every village's outreach
        # a photo is seen by whoever may see its carrier, or its activity
        carriers = Carrier.objects.visible_to(user).values("pk")
        activities = Activity.objects.visible_to(user).values("pk")
        return [Q(carrier__in=carriers) | Q(activity__in=activities)]


class Photo(StoredPhoto):
    """A re-encoded photo of a carrier or an activity."""

    FOLDER = "outreach"

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")

    objects = PhotoQuerySet.as_manager()

    class Meta(StoredPhoto.Meta):
        verbose_name = _("outreach photo")
        verbose_name_plural = _("outreach photos")
        constraints = [
            models.CheckConstraint(
                condition=Q(carrier__isnull=False, activity__isnull=True)
                | Q(carrier__isnull=True, activity__isnull=False),
                name="outreach_photo_of_carrier_or_activity",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("outreach:photo", args=[self.pk, "full"])

    @property
    def thumbnail_url(self) -> str:
        return reverse("outreach:photo", args=[self.pk, "thumb"])

    def get_kind_display(self) -> str:
        # the shared photo gallery names each photo by its kind
        return str(_("Photo"))
