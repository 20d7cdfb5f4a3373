"""Finding reminders: due soon, and the escalation ladder for overdue rectifications, with cards.

Registered into ``chashan_safety.reminders`` from ``InspectionsConfig.ready()``. The ladder is
``settings.REMINDER_LADDER``; each rung notifies recipient groups (the responsible office, the
zone's officers, the section head) or roles, and may record a card against the responsible party:
yellow at day 7, red at day 15 or at the second yellow in a year. A red card drafts a
supervision letter (督办函) for the town administrator to send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chashan_safety.bulk import insert_select
from chashan_safety.models import Reminder, Role
from chashan_safety.reminders import (
    ReminderKind,
    ReminderLevel,
    ReminderText,
    register_reminder_kind,
    reminder_kinds,
    told_counts,
)
from inspections.models import Finding, FindingStatus
from responsibility.letters import CardFacts, register_card_source
from responsibility.models import Card, SupervisionLetter

DUE_SOON = "finding.due_soon"
OVERDUE = "finding.overdue"


def _due(queryset: QuerySet) -> QuerySet:
    return queryset.values(object_id=F("pk"), anchor=F("deadline"))


def _open() -> QuerySet:
    return Finding.objects.exclude(status=FindingStatus.CLOSED)


def _overdue_by(days: int, until: int | None = None) -> Callable[[dt.date], QuerySet]:
    """Findings at least ``days`` but fewer than ``until`` days overdue: the rung's own stretch of the ladder.

    Swept every day, a finding passes through every rung's stretch and is reminded once at each. A
    finding the sweep first sees further up (the first sweep after installation, or after days without
    a sweep) is reminded at the rung it has reached, not at every rung below it at once: that rung tells
    everybody the ones below would have (the ladder's ``notify`` lists grow as it climbs) and records only
    its own card, so a late sweep neither floods inboxes nor issues a yellow and a red card on one day.
    """

    def candidates(day: dt.date) -> QuerySet:
        due = _open().filter(deadline__lte=day - dt.timedelta(days=days))
        if until is not None:
            due = due.filter(deadline__gt=day - dt.timedelta(days=until))
        return _due(due)

    return candidates


def _due_soon(day: dt.date) -> QuerySet:
    return _due(
        _open().filter(deadline__gte=day, deadline__lte=day + dt.timedelta(days=settings.REMINDER_DUE_SOON_DAYS))
    )


# --- who is told ----------------------------------------------------------------------------------

RECIPIENT_GROUPS: dict[str, Callable[[], list[QuerySet]]] = {
    "responsible_office": lambda: [
        Finding.objects.filter(
            responsible_village__users__role=Role.VILLAGE_OFFICE, responsible_village__users__is_active=True
        ).values(object_id=F("pk"), user_id=F("responsible_village__users__id")),
        Finding.objects.filter(
            responsible_unit__users__role=Role.UNIT_OFFICE, responsible_unit__users__is_active=True
        ).values(object_id=F("pk"), user_id=F("responsible_unit__users__id")),
    ],
    "zone_officers": lambda: [
        Finding.objects.filter(
            village__zone_link__zone__officers__role=Role.SAFETY_OFFICER,
            village__zone_link__zone__officers__is_active=True,
        ).values(object_id=F("pk"), user_id=F("village__zone_link__zone__officers__id")),
    ],
    "section_head": lambda: [
        Finding.objects.filter(village__zone_link__zone__section__head__is_active=True).values(
            object_id=F("pk"), user_id=F("village__zone_link__zone__section__head_id")
        ),
    ],
}
ROLE_NAMES = {role.value for role in Role}


def _recipients(names: list[str]) -> Callable[[dt.date], list[QuerySet]]:
    unknown = [name for name in names if name not in RECIPIENT_GROUPS and name not in ROLE_NAMES]
    if unknown:
        raise ValueError(f"REMINDER_LADDER names unknown recipients: {unknown}")

    def recipients(day: dt.date) -> list[QuerySet]:
        return [qs for name in names if name in RECIPIENT_GROUPS for qs in RECIPIENT_GROUPS[name]()]

    return recipients


# --- cards ------------------------------------------------------------------------------------------


def _finding_url_prefix() -> str:
    # "/findings/" from the URL of a finding, so the link is built in the database
    return reverse("inspections:finding-detail", args=[0]).removesuffix("0/")


def _card_columns(color: str, day: dt.date, reason_template: str) -> dict:
    before, _sep, after = reason_template.partition("%(number)s")
    return {
        "color": Value(color),
        "year": Value(day.year, output_field=IntegerField()),
        "source": Concat(Value("finding:"), Cast("pk", CharField())),
        "reason": Concat(Value(before), F("number"), Value(after)),
        "url": Concat(Value(_finding_url_prefix()), Cast("pk", CharField()), Value("/")),
        "issued_at": Value(timezone.now(), output_field=DateTimeField()),
    }


def issue_cards(color: str, days: int, day: dt.date, reminders: QuerySet) -> int:
    """Record a card of ``color`` against the responsible party of each finding of ``reminders``.

    Called by the sweep, in its transaction, with the rung's reminders it has just recorded (the
    findings ``days`` overdue): a card is issued exactly when its reminder is, and a sweep that
    records nothing new costs nothing here.
    """
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("Finding %(number)s not fixed %(days)d days after its deadline")
    reason = reason.replace("%(days)d", str(days))
    overdue = _open().filter(pk__in=reminders.values("object_id")).order_by()
    # against the unit when a unit must fix it, otherwise against the village: one statement for both
    by_unit = Q(responsible_unit__isnull=False)
    inserted = insert_select(
        Card,
        overdue,
        {
            **_card_columns(color, day, reason),
            "unit_id": F("responsible_unit_id"),
            "village_id": Case(When(by_unit, then=None), default=F("responsible_village_id")),
            "party_key": Case(
                When(by_unit, then=Concat(Value("unit:"), Cast("responsible_unit_id", CharField()))),
                default=Concat(Value("village:"), Cast("responsible_village_id", CharField())),
            ),
        },
    )
    if color == Card.Color.YELLOW:
        inserted += _red_for_repeated_yellow(day)
    _draft_supervision_letters()
    return inserted


def _red_for_repeated_yellow(day: dt.date) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("%(count)d yellow cards in %(year)d") % {
            "count": settings.REMINDER_RED_AFTER_YELLOWS,
            "year": day.year,
        }
    repeated = (
        Card.objects.filter(color=Card.Color.YELLOW, year=day.year)
        .values("party_key", "village_id", "unit_id")
        .annotate(yellows=Count("pk"))
        .filter(yellows__gte=settings.REMINDER_RED_AFTER_YELLOWS)
    )
    return insert_select(
        Card,
        repeated,
        {
            "color": Value(Card.Color.RED),
            "village_id": F("village_id"),
            "unit_id": F("unit_id"),
            "party_key": F("party_key"),
            "year": Value(day.year, output_field=IntegerField()),
            "source": Value(f"second-yellow:{day.year}"),
            "reason": Value(reason),
            "url": Value(""),
            "issued_at": Value(timezone.now(), output_field=DateTimeField()),
        },
    )


def _draft_supervision_letters() -> int:
    without_letter = Card.objects.filter(color=Card.Color.RED, letter__isnull=True).order_by()
    return insert_select(
        SupervisionLetter,
        without_letter,
        {
            "card_id": F("pk"),
            "number": Value(""),
            "status": Value(SupervisionLetter.Status.DRAFT),
            "created_at": Value(timezone.now(), output_field=DateTimeField()),
        },
    )


# --- how the reminders read -------------------------------------------------------------------------


def _describe(reminders: list[Reminder]) -> dict[int, ReminderText]:
    findings = Finding.objects.select_related("site").in_bulk({r.object_id for r in reminders})
    texts = {}
    today = timezone.localdate()
    for reminder in reminders:
        finding = findings.get(reminder.object_id)
        if finding is None:
            continue
        if reminder.kind == DUE_SOON:
            title = gettext("Finding %(number)s at %(site)s is due on %(deadline)s") % {
                "number": finding.number,
                "site": finding.site.name,
                "deadline": finding.deadline.isoformat(),
            }
        else:
            title = gettext("Finding %(number)s at %(site)s is %(days)d days overdue (deadline %(deadline)s)") % {
                "number": finding.number,
                "site": finding.site.name,
                "days": (today - reminder.anchor).days,
                "deadline": reminder.anchor.isoformat(),
            }
        texts[reminder.pk] = ReminderText(title=title, url=finding.get_absolute_url())
    return texts


def _relevant(reminders: list[Reminder]) -> set[int]:
    """Still worth sending: the finding is open and its deadline is still the one counted from."""
    open_findings = dict(_open().filter(pk__in={r.object_id for r in reminders}).values_list("pk", "deadline"))
    return {r.pk for r in reminders if open_findings.get(r.object_id) == r.anchor}


def _letter_facts(ids: list[int]) -> dict[int, CardFacts]:
    """What a supervision letter states about the findings behind cards ("finding:<id>")."""
    return {
        finding.pk: CardFacts(
            number=finding.number,
            place=finding.site.name + (f"（{finding.location}）" if finding.location else ""),
            description=finding.description,
            deadline=finding.deadline,
            closed_on=timezone.localdate(finding.closed_at) if finding.closed_at else None,
            url=finding.get_absolute_url(),
        )
        for finding in Finding.objects.select_related("site").filter(pk__in=ids)
    }


def _in_village(village_id: int) -> QuerySet:
    """Findings found in the village or to be fixed by it (the overview's village filter)."""
    return Finding.objects.filter(Q(village_id=village_id) | Q(responsible_village_id=village_id)).values("pk")


def _ladder_levels() -> tuple[ReminderLevel, ...]:
    levels = []
    ladder = sorted(settings.REMINDER_LADDER, key=lambda rung: int(rung["days"]))
    for index, rung in enumerate(ladder):
        days = int(rung["days"])
        until = int(ladder[index + 1]["days"]) if index + 1 < len(ladder) else None
        names = list(rung.get("notify", []))
        card = rung.get("card")
        levels.append(
            ReminderLevel(
                key=rung["level"],
                label=format_lazy(_("Day {days} overdue"), days=days),
                candidates=_overdue_by(days, until),
                recipients=_recipients(names),
                roles=frozenset(name for name in names if name in ROLE_NAMES),
                after=(
                    (lambda day, reminders, color=card, days=days: issue_cards(color, days, day, reminders))
                    if card
                    else None
                ),
            )
        )
    return tuple(levels)


def register() -> None:
    register_card_source("finding", _letter_facts)
    register_reminder_kind(
        ReminderKind(
            key=DUE_SOON,
            label=_("Rectification due soon"),
            levels=(
                ReminderLevel(
                    key="due_soon",
                    label=_("Due soon"),
                    candidates=_due_soon,
                    recipients=_recipients(["responsible_office"]),
                ),
            ),
            describe=_describe,
            relevant=_relevant,
            objects_in_village=_in_village,
        )
    )
    register_reminder_kind(
        ReminderKind(
            key=OVERDUE,
            label=_("Rectification overdue"),
            levels=_ladder_levels(),
            describe=_describe,
            relevant=_relevant,
            objects_in_village=_in_village,
        )
    )


def reminders_for(finding: Finding) -> list[dict]:
    """The reminders a finding caused, oldest first, for its timeline: when, which rung, how many told."""
    rows = list(
        Reminder.objects.filter(kind__in=[DUE_SOON, OVERDUE], object_id=finding.pk).order_by("created_at", "pk")
    )
    counts = told_counts(rows)
    labels = {
        (kind.key, level.key): level.label
        for kind in reminder_kinds()
        if kind.key in (DUE_SOON, OVERDUE)
        for level in kind.levels
    }
    return [
        {
            "at": reminder.created_at,
            "label": labels.get((reminder.kind, reminder.level), reminder.level),
            "anchor": reminder.anchor,
            "recipients": counts[reminder.pk][0],
        }
        for reminder in rows
    ]
