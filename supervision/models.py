"""Keeping pressure on hazards after they are found.

- ``RectificationPlan``: the 五落实 plan of a major finding (重大隐患) under listed supervision (挂牌督办).
- ``FollowUp``: a 回头看 of a closed finding, scheduled at close-out or drawn in a ``FollowUpRound``.
- ``Campaign``: a special rectification action (专项整治) with its inspections and findings.
- ``InspectionPlan``: the targets of a surprise or night inspection, drawn at random by risk and
  time since the last visit, each a ``PlannedVisit``.
- ``RectificationNotice``: the number of a 责令限期整改通知书 given for a finding or an inspection.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chashan_safety.scoping import ScopedQuerySet
from inspections.models import Finding, Inspection, PatrolTeam, Site


class RectificationPlanQuerySet(ScopedQuerySet):
    def scope_conditions(self, user) -> list[Q]:
        return [Q(finding__in=Finding.objects.visible_to(user).values("pk"))]

    def complete(self):
        return (
            self.exclude(responsible_person="")
            .exclude(measures="")
            .exclude(contingency_plan="")
            .filter(funds__isnull=False, deadline__isnull=False)
        )


class RectificationPlan(models.Model):
    """五落实: responsibility, funds, time limit, measures and contingency plan of a major hazard."""

    finding = models.OneToOneField(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="rectification_plan"
    )
    responsible_person = models.CharField(_("person responsible for the rectification"), max_length=40, blank=True)
    responsible_phone = models.CharField(_("their phone"), max_length=20, blank=True)
    funds = models.DecimalField(_("funds committed (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    deadline = models.DateField(_("time limit"), null=True, blank=True)
    measures = models.TextField(_("rectification measures"), blank=True)
    contingency_plan = models.TextField(_("safety measures and contingency plan meanwhile"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = RectificationPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")
        constraints = [
            models.CheckConstraint(condition=Q(funds__isnull=True) | Q(funds__gte=0), name="plan_funds_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.finding} · {self._meta.verbose_name}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:plan-edit", args=[self.finding_id])

    def missing(self) -> list[str]:
        """The verbose names of the five parts still missing; empty when the plan is complete."""
        parts = [
            ("responsible_person", bool(self.responsible_person.strip())),
            ("funds", self.funds is not None),
            ("deadline", self.deadline is not None),
            ("measures", bool(self.measures.strip())),
            ("contingency_plan", bool(self.contingency_plan.strip())),
        ]
        return [str(self._meta.get_field(name).verbose_name) for name, present in parts if not present]

    @property
    def is_complete(self) -> bool:
        return not self.missing()


# --- 回头看 -----------------------------------------------------------------------------------------


class FollowUpRoundQuerySet(ScopedQuerySet):
    def scope_conditions(self, user) -> list[Q]:
        # a round is seen by whoever drew it and by whoever sees one of its findings
        followups = FollowUp.objects.visible_to(user).filter(round=OuterRef("pk"))
        return [Q(created_by=user) | Q(Exists(followups))]


class FollowUpRound(models.Model):
    """A round of 回头看 over a random sample of closed findings, reproducible from its seed."""

    name = models.CharField(_("name"), max_length=80)
    share = models.DecimalField(_("share sampled (%)"), max_digits=5, decimal_places=2)
    seed = models.PositiveBigIntegerField(_("random seed"))
    closed_from = models.DateField(_("closed from"), null=True, blank=True)
    closed_to = models.DateField(_("closed up to"), null=True, blank=True)
    due_on = models.DateField(_("to be done by"))
    population = models.PositiveIntegerField(_("closed findings to draw from"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    objects = FollowUpRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow-up round")
        verbose_name_plural = _("follow-up rounds")
        constraints = [
            models.CheckConstraint(condition=Q(share__gt=0, share__lte=100), name="round_share_in_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supervision:round-detail", args=[self.pk])


class FollowUpQuerySet(ScopedQuerySet):
    scope_village = "finding__village"

    def scope_conditions(self, user) -> list[Q]:
        conditions = super().scope_conditions(user)
        if user.is_village_office and user.village_id:
            conditions.append(Q(finding__responsible_village_id=user.village_id))
        if user.is_unit_office and user.unit_id:
            conditions.append(Q(finding__responsible_unit_id=user.unit_id))
        return conditions

    def pending(self):
        return self.filter(done_at__isnull=True, cancelled_at__isnull=True)

    def done(self):
        return self.filter(done_at__isnull=False)

    def due(self, day=None):
        day = day or timezone.localdate()
        return self.pending().filter(due_on__lte=day)


class FollowUp(models.Model):
    """回头看: a later re-check of a closed finding; a relapse reopens it."""

    class Result(models.TextChoices):
        HELD = "held", _("Fix held")
        RELAPSED = "relapsed", _("Hazard is back")

    class Source(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled at close-out")
        SAMPLED = "sampled", _("Drawn in a round")

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="follow_ups")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.SCHEDULED)
    round = models.ForeignKey(
        FollowUpRound,
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups_done",
    )
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    # the timeline entry the follow-up wrote; its photos are the follow-up's photos
    event = models.OneToOneField(
        "inspections.FindingEvent",
        verbose_name=_("timeline entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up",
    )
    # the finding was reopened before the follow-up was done: there is nothing left to look back at
    cancelled_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_at = models.DateTimeField(_("scheduled at"), auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            # one follow-up waiting per finding: closing twice or drawing it again adds none
            models.UniqueConstraint(
                fields=["finding"],
                condition=Q(done_at__isnull=True, cancelled_at__isnull=True),
                name="follow_up_one_pending_per_finding",
            ),
            models.CheckConstraint(
                condition=(Q(done_at__isnull=True) & Q(result=""))
                | (Q(done_at__isnull=False) & Q(result__in=["held", "relapsed"])),
                name="follow_up_result_iff_done",
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(done_at__isnull=True), name="follow_up_pending_due"),
            models.Index(fields=["finding", "done_at"], name="follow_up_finding"),
        ]

    def __str__(self) -> str:
        return f"{self.finding} · {self._meta.verbose_name} {self.due_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:follow-up-detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_pending(self) -> bool:
        return self.done_at is None and self.cancelled_at is None

    @property
    def days_overdue(self) -> int:
        """Days past the day it was due (0 when not yet due): what a list of waiting follow-ups says in red."""
        return max((timezone.localdate() - self.due_on).days, 0)

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.due_on < timezone.localdate()


# --- campaigns ----------------------------------------------------------------------------------------


class PublicQuerySet(ScopedQuerySet):
    """Campaigns are the town's: everyone signed in reads them; the figures are scoped."""

    scope_public = True

    def active(self, day=None):
        day = day or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class CampaignCategory(models.Model):
    """A kind of special rectification (违章搭建, 道路交通, 消防技防改造, 装修工程 …); the town adds more."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=100)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("campaign category")
        verbose_name_plural = _("campaign categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supervision:campaign-list")


class Campaign(models.Model):
    """专项整治: a special rectification action over a period, with its inspections and findings."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    category = models.ForeignKey(
        CampaignCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="campaigns"
    )
    finding_category = models.CharField(
        _("hazard category it targets"), max_length=24, choices=Finding.Category.choices, blank=True
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("aims and requirements"), blank=True)
    inspections = models.ManyToManyField(
        Inspection, verbose_name=_("inspections"), blank=True, related_name="campaigns"
    )
    findings = models.ManyToManyField(Finding, verbose_name=_("findings"), blank=True, related_name="campaigns")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[])
    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supervision:campaign-detail", args=[self.pk])

    def all_findings(self):
        """Findings linked to the campaign, directly or through one of its inspections."""
        return Finding.objects.filter(
            Q(pk__in=self.findings.through.objects.filter(campaign=self).values("finding_id"))
            | Q(inspection_id__in=self.inspections.through.objects.filter(campaign=self).values("inspection_id"))
        )

    @property
    def is_running(self) -> bool:
        return self.starts_on <= timezone.localdate() <= self.ends_on


# --- the inspection planner ---------------------------------------------------------------------------


class InspectionPlanQuerySet(ScopedQuerySet):
    scope_zone = "team__zone"

    def scope_conditions(self, user) -> list[Q]:
        conditions = super().scope_conditions(user)
        if user.is_safety_officer:
            conditions.append(Q(created_by=user))
        return conditions


class InspectionPlan(models.Model):
    """Targets for a surprise or night inspection by a team on a day, drawn at random and weighted."""

    class Kind(models.TextChoices):
        SURPRISE = Inspection.Kind.SURPRISE.value, Inspection.Kind.SURPRISE.label
        NIGHT = Inspection.Kind.NIGHT.value, Inspection.Kind.NIGHT.label

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft: redraw or swap targets")
        ACCEPTED = "accepted", _("Accepted")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.NIGHT)
    planned_for = models.DateField(_("date"))
    team = models.ForeignKey(PatrolTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="plans")
    size = models.PositiveSmallIntegerField(_("number of targets"))
    seed = models.PositiveBigIntegerField(_("random seed"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    objects = InspectionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_for", "-pk"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        constraints = [
            models.CheckConstraint(condition=Q(size__gte=1, size__lte=20), name="plan_size_in_range"),
        ]
        indexes = [models.Index(fields=["planned_for", "status"], name="plan_day_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.planned_for:%Y-%m-%d} · {self.team}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:plan-detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class PlannedVisit(models.Model):
    """One target of a plan; done once an inspection of its site is logged on or after the plan's day."""

    plan = models.ForeignKey(InspectionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="visits")
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("order"))
    weight = models.FloatField(_("weight when drawn"))
    days_since_inspected = models.PositiveIntegerField(_("days since last inspection"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        constraints = [
            models.UniqueConstraint(fields=["plan", "site"], name="planned_visit_site_once"),
            models.UniqueConstraint(fields=["plan", "position"], name="planned_visit_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.site}"


# --- rectification notices ---------------------------------------------------------------------------


class RectificationNotice(models.Model):
    """The number of a 责令限期整改通知书: for one finding, or (finding empty) for a whole inspection."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="notices"
    )
    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    number = models.CharField(_("notice number"), max_length=40, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("notice issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection"], condition=Q(finding__isnull=True), name="notice_once_per_inspection"
            ),
            models.UniqueConstraint(
                fields=["finding"], condition=Q(finding__isnull=False), name="notice_once_per_finding"
            ),
        ]

    def __str__(self) -> str:
        return self.number
