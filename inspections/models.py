"""The "1+4+4" structure and the 1+N patrol teams; inspections and findings build on it."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
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
    name = models.CharField(pgettext_lazy("person", "name"), max_length=40)
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


# ---------------------------------------------------------------------------------------------
# Sites, inspections, findings and their photos
# ---------------------------------------------------------------------------------------------


class SiteQuerySet(ScopedQuerySet):
    scope_village = "village"

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(address__icontains=text) | Q(contact_name__icontains=text))


class Site(models.Model):
    """An enterprise or place that is inspected (检查对象)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        PLACE = "place", _("Place")

    class RiskLevel(models.IntegerChoices):
        # the four colours of risk grading: blue, yellow, orange, red
        LOW = 1, _("Low (blue)")
        GENERAL = 2, _("General (yellow)")
        HIGH = 3, _("High (orange)")
        MAJOR = 4, _("Major (red)")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.ENTERPRISE)
    village = models.ForeignKey(Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="sites")
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.SET_NULL, null=True, blank=True, related_name="sites"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    risk_level = models.PositiveSmallIntegerField(_("risk level"), choices=RiskLevel.choices, default=RiskLevel.GENERAL)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("in operation"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()
    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["village__order", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [models.UniqueConstraint(fields=["village", "name"], name="site_name_unique_in_village")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:site-detail", args=[self.pk])

    def clean(self):
        if self.grid_id and self.village_id and self.grid.village_id != self.village_id:
            raise ValidationError({"grid": _("The grid must lie in the site's village.")})


class InspectionQuerySet(ScopedQuerySet):
    scope_village = "site__village"

    def scope_conditions(self, user) -> list[Q]:
        conditions = super().scope_conditions(user)
        if user.is_unit_office and user.unit_id:
            # a unit office sees the inspections that found something it must fix
            conditions.append(
                Q(pk__in=Finding.objects.filter(responsible_unit_id=user.unit_id).values("inspection_id"))
            )
        return conditions


class Inspection(models.Model):
    """One visit to a site by an officer and their team; findings are recorded on it."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        SURPRISE = "surprise", _("Surprise (no notice, no escort)")
        NIGHT = "night", _("Night inspection")
        JOINT = "joint", _("Joint inspection")
        CAMPAIGN = "campaign", _("Campaign")
        FOLLOW_UP = "follow_up", _("Follow-up (look back)")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.ROUTINE)
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="inspections")
    team = models.ForeignKey(
        PatrolTeam, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="inspections"
    )
    led_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("led by"), on_delete=models.PROTECT, related_name="inspections_led"
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    location_accuracy = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    participants = models.CharField(_("other participants"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # generated on the phone when the form is opened: a resent form finds the inspection it already made
    client_token = models.UUIDField(_("form token"), null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="inspection_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="inspection_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="inspection_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "-started_at"], name="inspection_site_started"),
            models.Index(fields=["led_by", "-started_at"], name="inspection_leader_started"),
            models.Index(fields=["-started_at", "-id"], name="inspection_started"),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.get_kind_display()} · {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection-detail", args=[self.pk])

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Awaiting rectification")
    FIX_SUBMITTED = "fix_submitted", _("Awaiting verification")
    VERIFIED = "verified", _("Verified, awaiting close-out")
    CLOSED = "closed", _("Closed")


SEARCH_SITE_LIST_LIMIT = 5000


class FindingQuerySet(ScopedQuerySet):
    scope_village = "village"
    scope_unit = "responsible_unit"

    def scope_conditions(self, user) -> list[Q]:
        conditions = super().scope_conditions(user)
        if user.is_village_office and user.village_id:
            # a village office also sees what it must fix outside its own territory
            conditions.append(Q(responsible_village_id=user.village_id))
        return conditions

    def open(self):
        return self.exclude(status=FindingStatus.CLOSED)

    def closed(self):
        return self.filter(status=FindingStatus.CLOSED)

    def overdue(self, today=None):
        """Deadline passed and not closed; derived, never stored."""
        today = today or timezone.localdate()
        return self.open().filter(deadline__lt=today)

    def not_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(Q(status=FindingStatus.CLOSED) | Q(deadline__gte=today))

    def major(self):
        return self.filter(grade=Finding.Grade.MAJOR)

    def search(self, text: str):
        """Description, site name or finding number; each branch can use an index on PostgreSQL.

        The matching sites are looked up first: a list of ids lets the database OR two index scans
        (trigram on the description, b-tree on the site) where a subquery inside OR would make it
        read every finding. Past a few hundred sites the subquery is kept.
        """
        text = text.strip()
        if not text:
            return self
        sites = Site.objects.filter(name__icontains=text).order_by().values_list("pk", flat=True)
        site_ids = list(sites[: SEARCH_SITE_LIST_LIMIT + 1])
        if len(site_ids) > SEARCH_SITE_LIST_LIMIT:
            site_ids = sites
        condition = Q(description__icontains=text) | Q(number=text.upper())
        if site_ids:
            condition |= Q(site_id__in=site_ids)
        return self.filter(condition)

    def with_overdue_flag(self, today=None):
        today = today or timezone.localdate()
        return self.annotate(
            overdue_flag=models.Case(
                models.When(Q(deadline__lt=today) & ~Q(status=FindingStatus.CLOSED), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


class Finding(models.Model):
    """A hazard (隐患) found on an inspection, followed until it is fixed, verified and closed."""

    Status = FindingStatus

    class Category(models.TextChoices):
        FIRE = "fire", _("Fire safety")
        CHEMICAL = "chemical", _("Hazardous chemicals")
        GAS = "gas", _("Gas")
        TRAFFIC = "traffic", _("Road traffic")
        CONSTRUCTION = "construction", _("Construction")
        TOURISM = "tourism", _("Tourism")
        ILLEGAL_CONSTRUCTION = "illegal_construction", _("Illegal construction")
        OTHER = "other", _("Other")

    class Grade(models.TextChoices):
        GENERAL = "general", _("General")
        MAJOR = "major", _("Major")

    number = models.CharField(_("finding number"), max_length=20, unique=True, editable=False)
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="findings"
    )
    # copied from the inspection so that the ledger filters without joins
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="findings")
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="findings_found"
    )
    found_on = models.DateField(_("found on"))
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, default=Grade.GENERAL)
    location = models.CharField(_("exact location"), max_length=120, blank=True)
    description = models.TextField(_("hazard description"))
    measures = models.TextField(_("rectification measures required"), blank=True)
    responsible_village = models.ForeignKey(
        Village,
        verbose_name=_("responsible village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings_to_fix",
    )
    responsible_unit = models.ForeignKey(
        "responsibility.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings_to_fix",
    )
    responsible_contact = models.CharField(_("responsible person"), max_length=40, blank=True)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=20, blank=True)
    deadline = models.DateField(_("rectification deadline"))
    status = models.CharField(_("status"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("found_on")), name="finding_deadline_not_before_found"
            ),
            models.CheckConstraint(
                condition=Q(responsible_village__isnull=False) | Q(responsible_unit__isnull=False),
                name="finding_has_a_responsible_party",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="finding_closed_at_iff_closed",
            ),
        ]
        indexes = [
            # the ledger's default order, and each filter users combine with it
            models.Index(fields=["-found_on", "-id"], name="finding_found"),
            models.Index(fields=["village", "status", "-found_on", "-id"], name="finding_village_status"),
            models.Index(fields=["status", "deadline"], name="finding_status_deadline"),
            # the findings not yet closed, newest first: open and overdue lists read only these
            models.Index(fields=["-found_on", "-id"], condition=~Q(status="closed"), name="finding_not_closed_found"),
            models.Index(fields=["deadline"], condition=~Q(status="closed"), name="finding_not_closed_deadline"),
            models.Index(fields=["site", "-found_on"], name="finding_site_found"),
            models.Index(fields=["responsible_unit", "status"], name="finding_unit_status"),
            models.Index(fields=["responsible_village", "status"], name="finding_resp_village_status"),
            models.Index(fields=["category", "-found_on"], name="finding_category_found"),
            models.Index(fields=["grade", "status"], name="finding_grade_status"),
        ]

    def __str__(self) -> str:
        return self.number or _("New finding")

    def get_absolute_url(self) -> str:
        return reverse("inspections:finding-detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == FindingStatus.CLOSED

    @property
    def is_major(self) -> bool:
        return self.grade == self.Grade.MAJOR

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.deadline < timezone.localdate()

    @property
    def days_to_deadline(self) -> int:
        return (self.deadline - timezone.localdate()).days

    @property
    def urgency(self) -> str:
        """For colouring: overdue (red), due within 2 days (amber), otherwise calm."""
        if self.is_closed:
            return "closed"
        days = self.days_to_deadline
        if days < 0:
            return "overdue"
        if days <= 2:
            return "due-soon"
        return "on-time"

    @property
    def responsible_party(self):
        return self.responsible_unit or self.responsible_village


class FindingEvent(models.Model):
    """One move in a finding's life, kept for its timeline: who did what, when, and why."""

    class Action(models.TextChoices):
        CREATED = "created", _("Recorded")
        FIX_SUBMITTED = "fix_submitted", _("Fix submitted")
        VERIFIED_PASSED = "verified_passed", _("Verified: fixed")
        VERIFIED_FAILED = "verified_failed", _("Verified: not fixed")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        DEADLINE_CHANGED = "deadline_changed", _("Deadline changed")
        EDITED = "edited", _("Details corrected")
        FOLLOW_UP_HELD = "follow_up_held", _("Follow-up: the fix held")
        RELAPSED = "relapsed", _("Follow-up: the hazard is back, reopened")

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=FindingStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=FindingStatus.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="finding_events"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    deadline = models.DateField(_("deadline set"), null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")
        indexes = [models.Index(fields=["finding", "at"], name="finding_event_finding_at")]

    def __str__(self) -> str:
        return f"{self.finding} · {self.get_action_display()}"


class PhotoQuerySet(ScopedQuerySet):
    def scope_conditions(self, user) -> list[Q]:
        # a photo is seen by whoever may see its finding, or its inspection
        findings = Finding.objects.visible_to(user).values("pk")
        inspections = Inspection.objects.visible_to(user).values("pk")
        return [Q(finding__in=findings) | Q(inspection__in=inspections)]


def _photo_path(instance, filename: str) -> str:
    # the name is the server's: nothing of the uploaded file name reaches the disk
    now = timezone.now()
    return f"{instance.FOLDER}/{now:%Y/%m}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class StoredPhoto(models.Model):
    """What every stored photo keeps: the re-encoded file and its thumbnail (``inspections.photos``), who uploaded it.

    Concrete photo models (of findings here, of outreach carriers and activities) add what the photo is of,
    their scoping and their ``FOLDER`` under ``MEDIA_ROOT``.
    """

    FOLDER = "photos"

    image = models.FileField(_("photo"), upload_to=_photo_path, max_length=120)
    thumbnail = models.FileField(_("thumbnail"), upload_to=_photo_path, max_length=120)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]


class Photo(StoredPhoto):
    """A re-encoded photo of an inspection, a finding, or a step in a finding's life."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        BEFORE = "before", _("Before rectification")
        AFTER = "after", _("After rectification")
        VERIFICATION = "verification", _("Verification")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    event = models.ForeignKey(FindingEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")

    objects = PhotoQuerySet.as_manager()

    class Meta(StoredPhoto.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.CheckConstraint(
                condition=Q(inspection__isnull=False) | Q(finding__isnull=False), name="photo_belongs_somewhere"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:photo", args=[self.pk, "full"])

    @property
    def thumbnail_url(self) -> str:
        return reverse("inspections:photo", args=[self.pk, "thumb"])
