"""The parties that sign safety responsibility letters with the town: villages and units."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
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


# --- safety responsibility letters (安全生产责任书) ----------------------------------------------------


class PartyKind(models.TextChoices):
    """Who a letter template is for: villages and communities, departments, or key enterprises."""

    VILLAGE = "village", _("Villages and communities")
    DEPARTMENT = "department", _("Departments")
    ENTERPRISE = "enterprise", _("Enterprises")


class LetterTemplateQuerySet(ScopedQuerySet):
    """Templates are the town's to write: administrators and leadership read them; offices read their letters."""


class LetterTemplate(models.Model):
    """The text and the target items of one year's letter for one kind of party."""

    year = models.PositiveSmallIntegerField(_("year"))
    party_kind = models.CharField(_("for"), max_length=12, choices=PartyKind.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("body"), help_text=_("The letter's text; the target items follow it."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = LetterTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "party_kind"]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        constraints = [models.UniqueConstraint(fields=["year", "party_kind"], name="letter_template_once")]

    def __str__(self) -> str:
        return f"{self.year} · {self.get_party_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("responsibility:template-detail", args=[self.pk])


class TargetItem(models.Model):
    """One target of a letter (责任目标) with its points, or a veto item (一票否决) with none.

    An item with a ``measure`` is scored from live data at year end by its ``rule``; one without is
    scored by the town administrator.
    """

    class Section(models.TextChoices):
        ACCIDENT = "accident", _("Accident-control targets")
        WORK = "work", _("Work targets")
        RATE = "rate", _("Required rates")
        VETO = "veto", _("Veto items")

    class Rule(models.TextChoices):
        MANUAL = "manual", _("Scored by the town administrator")
        PROPORTIONAL = "proportional", _("Points in proportion to the rate")
        AT_LEAST = "at_least", _("Full points at the target, in proportion below it")
        DEDUCT = "deduct", _("Points off for each occurrence")

    template = models.ForeignKey(
        LetterTemplate, verbose_name=_("letter template"), on_delete=models.CASCADE, related_name="items"
    )
    section = models.CharField(_("part of the letter"), max_length=10, choices=Section.choices)
    text = models.CharField(_("target"), max_length=300)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1, default=0)
    measure = models.CharField(_("computed from"), max_length=60, blank=True)
    rule = models.CharField(_("scoring"), max_length=14, choices=Rule.choices, default=Rule.MANUAL)
    target = models.DecimalField(
        _("target or points off"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For “at least”: the number to reach; for “points off”: the points taken off each time."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("target item")
        verbose_name_plural = _("target items")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(section="veto") | models.Q(points=0), name="target_veto_has_no_points"
            ),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="target_points_not_negative"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_veto(self) -> bool:
        return self.section == self.Section.VETO

    @property
    def is_computed(self) -> bool:
        return bool(self.measure)


class ResponsibilityLetterQuerySet(ScopedQuerySet):
    scope_village = "village"
    scope_unit = "unit"

    def scope_conditions(self, user) -> list[models.Q]:
        conditions = super().scope_conditions(user)
        if user.is_safety_officer:
            conditions.append(models.Q(unit__isnull=False))
        return conditions

    def signed(self):
        return self.filter(signed_at__isnull=False)

    def unsigned(self):
        return self.filter(signed_at__isnull=True)


class ResponsibilityLetter(models.Model):
    """One party's letter for one year: its text frozen when issued, its signature for good once signed.

    The database guards it too (a trigger, see migration 0004): the frozen text, the party and the
    year never change, and once ``signed_at`` is set nothing about the signing changes and the row
    cannot be deleted. Only ``archived_at`` may still be set.
    """

    class Method(models.TextChoices):
        DRAWN = "drawn", _("Signed by hand in the browser")
        SCAN = "scan", _("Scan or photo of the signed paper copy")

    template = models.ForeignKey(
        LetterTemplate, verbose_name=_("letter template"), on_delete=models.PROTECT, related_name="letters"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    party_key = models.CharField(max_length=20, editable=False)
    party_name = models.CharField(_("party"), max_length=60)
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"))
    deadline = models.DateField(_("sign by"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signer_name = models.CharField(_("signer"), max_length=60, blank=True)
    signed_from = models.GenericIPAddressField(_("signed from"), null=True, blank=True)
    signed_agent = models.CharField(_("browser"), max_length=300, blank=True)
    method = models.CharField(_("signed by way of"), max_length=8, choices=Method.choices, blank=True)
    signature = models.BinaryField(_("signature"), null=True, blank=True, editable=False)
    signature_type = models.CharField(_("signature format"), max_length=20, blank=True)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True)
    signature_sha256 = models.CharField(_("SHA-256 of the signature"), max_length=64, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    objects = ResponsibilityLetterQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "party_key"]
        verbose_name = _("responsibility letter")
        verbose_name_plural = _("responsibility letters")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(village__isnull=False, unit__isnull=True)
                | models.Q(village__isnull=True, unit__isnull=False),
                name="rletter_for_one_party",
            ),
            models.UniqueConstraint(fields=["year", "party_key"], name="rletter_once_a_year"),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True)
                | (
                    models.Q(signed_by__isnull=False, signature__isnull=False)
                    & ~models.Q(text_sha256="")
                    & ~models.Q(signature_sha256="")
                ),
                name="rletter_signed_has_signature",
            ),
        ]
        indexes = [models.Index(fields=["year", "signed_at"], name="rletter_year_signed")]

    def __str__(self) -> str:
        return f"{self.year} · {self.party_name}"

    def save(self, *args, **kwargs):
        self.party_key = f"village:{self.village_id}" if self.village_id else f"unit:{self.unit_id}"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("responsibility:rletter-detail", args=[self.pk])

    @property
    def party(self):
        return self.village or self.unit

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def is_late(self, day=None) -> bool:
        day = day or timezone.localdate()
        if self.signed_at:
            return timezone.localdate(self.signed_at) > self.deadline
        return day > self.deadline


@receiver(pre_delete, sender=ResponsibilityLetter)
def _refuse_to_delete_a_signed_letter(sender, instance: ResponsibilityLetter, **kwargs) -> None:
    if instance.signed_at is not None:
        raise IntegrityError(f"responsibility letter {instance.pk} is signed and cannot be deleted")


class ScoreEntry(models.Model):
    """The town administrator's score for one item of one party's letter, or a veto found by hand."""

    letter = models.ForeignKey(
        ResponsibilityLetter, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(TargetItem, verbose_name=_("target item"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1, null=True, blank=True)
    vetoed = models.BooleanField(_("veto applies"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    scored_at = models.DateTimeField(_("scored at"), default=timezone.now)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("scored by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["letter", "item"], name="score_once_per_item"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.letter} · {self.item}"
