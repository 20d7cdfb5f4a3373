"""Duty (值班值守) and the 1+4+N joint response (联动处置).

The roster of response units with their 24-hour contacts and the templates that say which units a
type of incident calls; duty shifts with one leader on duty (带班领导) and one or two duty officers
(值班员); swaps; the duty log kept by the four steps 接 报 传 跟 with a handover at the end of each
shift; and response activations, each an incident's call-out list as a timeline.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chashan_safety.scoping import ScopedQuerySet
from incidents.models import Incident

USER = settings.AUTH_USER_MODEL


# --- the 1+4+N roster ------------------------------------------------------------------------------


class PublicQuerySet(ScopedQuerySet):
    # the roster is the town's public structure: every signed-in user may read who answers what
    scope_public = True


class ResponseUnitQuerySet(PublicQuerySet):
    def active(self):
        return self.filter(is_active=True)


class ResponseUnit(models.Model):
    """A unit of the 1+4+N joint response: one of the 4 core units or one of the N others."""

    class CoreRole(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency management")
        POLICE = "police", _("Police")
        FIRE = "fire", _("Fire rescue")
        VILLAGE = "village", _("Territorial village")

    name = models.CharField(_("unit name"), max_length=60, unique=True)
    core_role = models.CharField(
        _("core role"),
        max_length=12,
        choices=CoreRole.choices,
        blank=True,
        help_text=_("One of the 4 core units; leave empty for the N others."),
    )
    duties = models.TextField(_("duties"), blank=True)
    unit = models.ForeignKey(
        "responsibility.Unit",
        verbose_name=_("party of the letters"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response_units",
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ResponseUnitQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("response unit")
        verbose_name_plural = _("response units")
        constraints = [
            models.UniqueConstraint(
                fields=["core_role"],
                condition=~Q(core_role=""),
                name="response_unit_one_per_core",
                violation_error_message=_("Each of the 4 core units is on the roster once."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_core(self) -> bool:
        return bool(self.core_role)

    @property
    def is_territorial(self) -> bool:
        """The territorial village: its contacts are those of the incident's village."""
        return self.core_role == self.CoreRole.VILLAGE


class ResponseContact(models.Model):
    """A person of a response unit reachable day and night; ``order`` is the order of call."""

    unit = models.ForeignKey(ResponseUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=40)
    post = models.CharField(_("post"), max_length=60, blank=True)
    phone = models.CharField(_("24-hour phone"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order of call"), default=1)

    class Meta:
        ordering = ["unit", "order", "pk"]
        verbose_name = _("response contact")
        verbose_name_plural = _("response contacts")
        constraints = [models.UniqueConstraint(fields=["unit", "order"], name="response_contact_order_unique")]

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"


class ResponseTemplate(models.Model):
    """Which units a type of incident calls, in the order they are called."""

    name = models.CharField(_("type of incident"), max_length=40, unique=True)
    category = models.CharField(_("category in the register"), max_length=16, choices=Incident.Category.choices)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return self.name


class TemplateUnit(models.Model):
    template = models.ForeignKey(ResponseTemplate, on_delete=models.CASCADE, related_name="template_units")
    unit = models.ForeignKey(ResponseUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order of call"), default=1)

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("unit called")
        verbose_name_plural = _("units called")
        constraints = [models.UniqueConstraint(fields=["template", "unit"], name="template_unit_unique")]

    def __str__(self) -> str:
        return f"{self.template}: {self.unit}"


# --- duty shifts -------------------------------------------------------------------------------------


class DutyShiftQuerySet(ScopedQuerySet):
    # the duty table is published to everyone: who is on duty is what every office needs to know
    scope_public = True

    def covering(self, moment):
        return self.filter(starts_at__lte=moment, ends_at__gt=moment)

    def overlapping(self, start, end):
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class DutyShift(models.Model):
    """A duty shift: one leader on duty and one or two duty officers, from ``starts_at`` to ``ends_at``."""

    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    holiday = models.CharField(
        _("holiday"), max_length=30, blank=True, help_text=_("e.g. 春节; empty on an ordinary day.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="duty_shift_ends_after_start"),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="duty_shift_span")]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return f"{start:%Y-%m-%d %H:%M} – {end:%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("duty:shift-detail", args=[self.pk])

    @property
    def is_now(self) -> bool:
        now = timezone.now()
        return self.starts_at <= now < self.ends_at

    def people(self) -> list[DutyAssignment]:
        """Leader first, then the officers (from a prefetch of ``assignments__person`` when there is one)."""
        return sorted(self.assignments.all(), key=lambda a: (a.position != DutyAssignment.Position.LEADER, a.pk))

    @property
    def leader(self):
        return next((a.person for a in self.assignments.all() if a.position == DutyAssignment.Position.LEADER), None)

    @property
    def officers(self) -> list:
        return [a.person for a in self.people() if a.position == DutyAssignment.Position.OFFICER]


class DutyAssignment(models.Model):
    class Position(models.TextChoices):
        LEADER = "leader", _("Leader on duty")
        OFFICER = "officer", _("Duty officer")

    shift = models.ForeignKey(DutyShift, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        USER, verbose_name=_("person"), on_delete=models.PROTECT, related_name="duty_assignments"
    )
    position = models.CharField(_("position"), max_length=8, choices=Position.choices)
    #: set when the person took the place by an approved swap
    swap = models.ForeignKey("SwapRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["shift", "pk"]
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty assignments")
        constraints = [
            models.UniqueConstraint(fields=["shift", "person"], name="duty_assignment_person_once"),
            # one leader on duty per shift, whatever writes the rows
            models.UniqueConstraint(
                fields=["shift"], condition=Q(position="leader"), name="duty_assignment_one_leader"
            ),
        ]
        indexes = [models.Index(fields=["person", "shift"], name="duty_assignment_person")]

    def __str__(self) -> str:
        return f"{self.shift} {self.get_position_display()} {self.person}"


class SwapRequest(models.Model):
    """An officer asks a named colleague to take their place on a shift, optionally taking the colleague's in return."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    shift = models.ForeignKey(DutyShift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="swaps")
    requester = models.ForeignKey(USER, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")
    colleague = models.ForeignKey(USER, verbose_name=_("colleague"), on_delete=models.PROTECT, related_name="+")
    counter_shift = models.ForeignKey(
        DutyShift,
        verbose_name=_("colleague's shift taken in return"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        constraints = [
            models.CheckConstraint(condition=~Q(requester=models.F("colleague")), name="swap_not_with_oneself"),
            models.UniqueConstraint(
                fields=["shift", "requester"], condition=Q(status="pending"), name="swap_one_pending_per_place"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.colleague} ({self.shift})"


# --- the duty log ------------------------------------------------------------------------------------


class DutyLogQuerySet(ScopedQuerySet):
    scope_village = "village"
    # officers keep the duty desk in turn: the whole log is theirs to read
    scope_officers_see_all = True


class DutyLogEntry(models.Model):
    """接: a call received on duty, with what the caller said."""

    shift = models.ForeignKey(
        DutyShift, verbose_name=_("shift"), on_delete=models.PROTECT, null=True, blank=True, related_name="log_entries"
    )
    received_at = models.DateTimeField(_("received at"))
    caller_name = models.CharField(_("caller"), max_length=40)
    caller_unit = models.CharField(_("caller's unit and post"), max_length=80, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=20)
    event_type = models.ForeignKey(
        ResponseTemplate,
        verbose_name=_("type of event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    village = models.ForeignKey(
        "responsibility.Village", verbose_name=_("village"), on_delete=models.PROTECT, related_name="duty_log_entries"
    )
    place = models.CharField(_("where it happened"), max_length=120)
    what_happened = models.TextField(_("what happened"))
    casualties = models.CharField(_("casualties"), max_length=120, blank=True, help_text=_("As the caller said it."))
    measures_taken = models.CharField(_("measures already taken"), max_length=200, blank=True)
    help_requested = models.CharField(_("help requested"), max_length=200, blank=True)
    already_told = models.CharField(_("whom the caller already told"), max_length=120, blank=True)
    incident = models.OneToOneField(
        Incident, verbose_name=_("incident"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = DutyLogQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log entries")
        indexes = [models.Index(fields=["-received_at", "-id"], name="duty_log_received")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.received_at):%Y-%m-%d %H:%M} {self.place}"

    def get_absolute_url(self) -> str:
        return reverse("duty:log-detail", args=[self.pk])


class DutyLogStep(models.Model):
    """报 传 跟: what was done after the call, each step with its time."""

    class Step(models.TextChoices):
        REPORT = "report", _("Report upward (报)")
        PASS_ON = "pass_on", _("Pass on orders (传)")
        FOLLOW_UP = "follow_up", _("Follow up (跟)")

    class ReportKind(models.TextChoices):
        INITIAL = "initial", _("Initial report (初报)")
        CONTINUED = "continued", _("Continued report (续报)")
        FINAL = "final", _("Final report (终报)")

    entry = models.ForeignKey(DutyLogEntry, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    report_kind = models.CharField(_("report"), max_length=10, choices=ReportKind.choices, blank=True)
    at = models.DateTimeField(_("at"))
    counterpart = models.CharField(_("to or from whom"), max_length=80)
    content = models.TextField(_("content"))
    by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("duty log step")
        verbose_name_plural = _("duty log steps")
        constraints = [
            models.CheckConstraint(
                condition=(Q(step="report") & ~Q(report_kind="")) | (~Q(step="report") & Q(report_kind="")),
                name="duty_log_step_report_kind",
            ),
            models.UniqueConstraint(
                fields=["entry"], condition=Q(report_kind="initial"), name="duty_log_one_initial_report"
            ),
            models.UniqueConstraint(
                fields=["entry"], condition=Q(report_kind="final"), name="duty_log_one_final_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.counterpart}"


class ShiftHandover(models.Model):
    """The note the outgoing shift leaves the next one."""

    shift = models.OneToOneField(DutyShift, on_delete=models.CASCADE, related_name="handover")
    note = models.TextField(_("handover note"))
    by = models.ForeignKey(USER, verbose_name=_("handed over by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("handed over at"), default=timezone.now)

    class Meta:
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")

    def __str__(self) -> str:
        return str(self.shift)


# --- response activations ----------------------------------------------------------------------------


class ActivationQuerySet(ScopedQuerySet):
    scope_village = "incident__village"
    scope_officers_see_all = True

    def open(self):
        return self.filter(status=ResponseActivation.Status.OPEN)


class ResponseActivation(models.Model):
    """An incident's joint response: the call-out list and its timeline, closed with an outcome."""

    class Status(models.TextChoices):
        OPEN = "open", _("Responding")
        CLOSED = "closed", _("Ended")

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="response_activations"
    )
    log_entry = models.ForeignKey(
        DutyLogEntry,
        verbose_name=_("duty log entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    template = models.ForeignKey(
        ResponseTemplate, verbose_name=_("type of incident"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(USER, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)

    objects = ActivationQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("response activation")
        verbose_name_plural = _("response activations")
        constraints = [
            # an incident is answered by one response; once closed, it stays closed
            models.UniqueConstraint(fields=["incident"], name="activation_one_per_incident"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (Q(status="closed", closed_at__isnull=False) & ~Q(outcome="")),
                name="activation_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.incident}"

    def get_absolute_url(self) -> str:
        return reverse("duty:activation-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CallOut(models.Model):
    """One unit on an activation's call-out list; the contacts are copied when the list opens."""

    activation = models.ForeignKey(ResponseActivation, on_delete=models.CASCADE, related_name="callouts")
    unit = models.ForeignKey(ResponseUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(_("unit"), max_length=80)
    contacts = models.JSONField(_("contacts"), default=list)  # [{"name", "post", "phone"}] in order of call
    order = models.PositiveSmallIntegerField(_("order of call"), default=1)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["activation", "order", "pk"]
        verbose_name = _("call-out")
        verbose_name_plural = _("call-outs")
        constraints = [
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True)
                | Q(called_at__isnull=False, arrived_at__gte=models.F("called_at")),
                name="callout_arrives_after_call",
            ),
        ]

    def __str__(self) -> str:
        return self.unit_name


class ActivationEvent(models.Model):
    """A line of an activation's timeline."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Response opened")
        CALLED = "called", _("Called")
        ARRIVED = "arrived", _("Arrived")
        NOTE = "note", _("Note")
        CLOSED = "closed", _("Response closed")

    activation = models.ForeignKey(ResponseActivation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    callout = models.ForeignKey(CallOut, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("text"), blank=True)
    by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("activation event")
        verbose_name_plural = _("activation events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.text}"
