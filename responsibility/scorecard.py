"""The year-end scorecard: each party's letter scored item by item out of 100, graded and ranked.

An item with a measure is computed from live data (``responsibility.measures``: findings closed on
time and inspections from the inspections app, cards and signing from this one, accidents and deaths
from the incidents app); the town administrator scores the rest with a note, and may adjust a
computed item, also with a note. A veto item that applies — its measure above 0, or found by hand —
fails the party whatever its points. Grades: 90 and above excellent, below 70 fail, pass between.

Each measure is computed once for all parties (one aggregate query each), the manual scores are
read in one query: the cost of a scorecard does not grow with the number of parties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chashan_safety.models import User
from responsibility.measures import Measure, compute_all, get_measure, register_measure
from responsibility.models import Card, ResponsibilityLetter, ScoreEntry, TargetItem

EXCELLENT_FROM = Decimal(90)
PASS_FROM = Decimal(70)
TENTH = Decimal("0.1")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", gettext_lazy("Excellent")
    PASSED = "pass", gettext_lazy("Pass")
    FAILED = "fail", gettext_lazy("Fail")


def grade_for(total: Decimal, vetoed: bool) -> str:
    if vetoed or total < PASS_FROM:
        return Grade.FAILED
    return Grade.EXCELLENT if total >= EXCELLENT_FROM else Grade.PASSED


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def computed_points(item: TargetItem, value) -> Decimal:
    """The points a computed item earns for ``value`` of its measure, by the item's rule."""
    points = item.points
    if item.rule == TargetItem.Rule.PROPORTIONAL:
        if value is None:
            return points  # nothing was due: nothing to hold against the party
        rate = min(max(Decimal(str(value)), Decimal(0)), Decimal(1))
        return _tenth(points * rate)
    if item.rule == TargetItem.Rule.AT_LEAST:
        target = item.target or Decimal(0)
        if target <= 0:
            return points
        reached = min(Decimal(str(value or 0)) / target, Decimal(1))
        return _tenth(points * reached)
    if item.rule == TargetItem.Rule.DEDUCT:
        each = item.target if item.target is not None else points
        return _tenth(max(points - each * Decimal(str(value or 0)), Decimal(0)))
    return points


@dataclass
class ItemScore:
    item: TargetItem
    #: the measure's value for the party (computed items), else None
    value: object = None
    #: the points earned (None: a manual item not scored yet)
    points: Decimal | None = None
    #: the points the data gave, before the administrator's adjustment
    computed: Decimal | None = None
    adjusted: bool = False
    vetoed: bool = False
    note: str = ""
    entry: ScoreEntry | None = None

    @property
    def is_computed(self) -> bool:
        return bool(self.item.measure)

    @property
    def measure(self) -> Measure | None:
        return get_measure(self.item.measure) if self.item.measure else None


@dataclass
class PartyScore:
    letter: ResponsibilityLetter
    items: list[ItemScore] = field(default_factory=list)
    rank: int = 0

    @property
    def scored_items(self) -> list[ItemScore]:
        return [score for score in self.items if not score.item.is_veto]

    @property
    def veto_items(self) -> list[ItemScore]:
        return [score for score in self.items if score.item.is_veto]

    @property
    def total(self) -> Decimal:
        return sum((score.points or Decimal(0) for score in self.scored_items), Decimal(0))

    @property
    def vetoed(self) -> bool:
        return any(score.vetoed for score in self.veto_items)

    @property
    def unscored(self) -> int:
        return sum(1 for score in self.scored_items if score.points is None)

    @property
    def grade(self) -> str:
        return grade_for(self.total, self.vetoed)

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label)


def party_scores(letters) -> list[PartyScore]:
    """Score each of ``letters`` (a queryset of one year's letters), ranked by total, vetoed ones last."""
    letters = list(
        letters.select_related("village", "unit", "template")
        .prefetch_related(
            Prefetch("template__items", queryset=TargetItem.objects.order_by("order", "pk")),
            Prefetch("scores", queryset=ScoreEntry.objects.select_related("scored_by")),
        )
        .order_by("party_key")
    )
    by_year: dict[int, set[str]] = {}
    for letter in letters:
        by_year.setdefault(letter.year, set()).update(i.measure for i in letter.template.items.all() if i.measure)
    values = {year: compute_all(keys, year) for year, keys in by_year.items()}
    result = []
    for letter in letters:
        entries = {entry.item_id: entry for entry in letter.scores.all()}
        party = PartyScore(letter)
        for item in letter.template.items.all():
            entry = entries.get(item.pk)
            score = ItemScore(item, entry=entry, note=entry.note if entry else "")
            if item.measure:
                measure = get_measure(item.measure)
                default = measure.default if measure else None
                score.value = values[letter.year].get(item.measure, {}).get(letter.party_key, default)
            if item.is_veto:
                score.vetoed = bool(entry and entry.vetoed) or bool(item.measure and (score.value or 0) > 0)
            elif item.measure:
                score.computed = computed_points(item, score.value)
                score.points = score.computed
                if entry is not None and entry.points is not None:
                    score.points, score.adjusted = min(entry.points, item.points), True
            elif entry is not None and entry.points is not None:
                score.points = min(entry.points, item.points)
            party.items.append(score)
        result.append(party)
    result.sort(key=lambda p: (p.vetoed, -p.total, p.letter.party_name))
    for rank, party in enumerate(result, start=1):
        party.rank = rank
    return result


def party_score(letter: ResponsibilityLetter) -> PartyScore:
    return party_scores(ResponsibilityLetter.objects.filter(pk=letter.pk))[0]


@transaction.atomic
def score_record(
    *,
    letter: ResponsibilityLetter,
    item: TargetItem,
    by: User,
    points: Decimal | None = None,
    vetoed: bool = False,
    note: str = "",
) -> ScoreEntry | None:
    """The town administrator scores a manual item, adjusts a computed one, or finds a veto by hand.

    ``points`` None on a computed item takes the adjustment back. Every score needs a note. A refusal names
    the field it is about (``note``, ``points``), for the form to show it beside that field.
    """
    if not by.is_town_admin:
        raise PermissionDenied
    if item.template_id != letter.template_id:
        raise ValidationError(_("This item is not part of this letter."))
    note = (note or "").strip()
    if item.is_veto:
        if vetoed and not note:
            raise ValidationError({"note": _("Say in a note why the veto applies.")})
        points = None
    else:
        vetoed = False
        if points is not None:
            if points < 0 or points > item.points:
                message = _("Give between 0 and %(points)s points for this item.") % {"points": f"{item.points:.1f}"}
                raise ValidationError({"points": message})
            if not note:
                raise ValidationError({"note": _("Say in a note how the points were reached.")})
    if points is None and not vetoed:
        ScoreEntry.objects.filter(letter=letter, item=item).delete()
        return None
    entry, _created = ScoreEntry.objects.update_or_create(
        letter=letter,
        item=item,
        defaults={"points": points, "vetoed": vetoed, "note": note, "scored_by": by, "scored_at": timezone.now()},
    )
    return entry


# --- the measures this app knows itself ---------------------------------------------------------------


def _cards(color: str):
    def compute(year: int) -> dict[str, int]:
        rows = Card.objects.filter(year=year, color=color).values("party_key").annotate(n=Count("pk"))
        return {row["party_key"]: row["n"] for row in rows}

    return compute


def _signed_on_time(year: int) -> dict[str, float]:
    rows = (
        ResponsibilityLetter.objects.filter(year=year)
        .values("party_key")
        .annotate(on_time=Count("pk", filter=Q(signed_at__date__lte=F("deadline"))))
    )
    return {row["party_key"]: float(row["on_time"]) for row in rows}


def register_measures() -> None:
    register_measure(
        Measure(
            "responsibility.yellow_cards",
            gettext_lazy("Yellow cards in the year"),
            _cards(Card.Color.YELLOW),
            help=gettext_lazy("Yellow cards recorded against the party for hazards not rectified in time."),
        )
    )
    register_measure(
        Measure(
            "responsibility.red_cards",
            gettext_lazy("Red cards in the year"),
            _cards(Card.Color.RED),
            help=gettext_lazy("Red cards recorded against the party."),
        )
    )
    register_measure(
        Measure(
            "responsibility.letter_signed_on_time",
            gettext_lazy("Letter signed by its deadline"),
            _signed_on_time,
            kind=Measure.Kind.RATE,
            help=gettext_lazy("1 when the year's letter was signed by its deadline, else 0."),
        )
    )


def scorecard_year_default() -> int:
    """The year the scorecard opens on: last year until the end of January, then this year."""
    today = timezone.localdate()
    cutoff = int(getattr(settings, "RESPONSIBILITY_SCORECARD_SWITCH_MONTH", 2))
    return today.year if today.month >= cutoff else today.year - 1
