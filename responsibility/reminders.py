"""Reminders for unsigned responsibility letters, registered into the reminder sweep.

As the signing deadline nears, and again the day after it passes, the party's office is told; a
week after the deadline, the town administrators too. The anchor is the letter's deadline, so a
letter re-issued with a new deadline starts the ladder again; a signed or archived letter drops out.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chashan_safety.models import Reminder, Role
from chashan_safety.reminders import ReminderKind, ReminderLevel, ReminderText, register_reminder_kind
from responsibility.models import ResponsibilityLetter

UNSIGNED = "letter.unsigned"
#: days before the deadline when the office is first reminded
DUE_SOON_DAYS = 5
#: days after the deadline when the town administrators are told
ESCALATE_DAYS = 7


def _open() -> QuerySet:
    return ResponsibilityLetter.objects.filter(signed_at__isnull=True, archived_at__isnull=True)


def _due(queryset: QuerySet) -> QuerySet:
    return queryset.values(object_id=F("pk"), anchor=F("deadline"))


def _due_soon(day: dt.date) -> QuerySet:
    return _due(_open().filter(deadline__gte=day, deadline__lte=day + dt.timedelta(days=DUE_SOON_DAYS)))


def _overdue_by(days: int):
    def candidates(day: dt.date) -> QuerySet:
        return _due(_open().filter(deadline__lte=day - dt.timedelta(days=days)))

    return candidates


def _offices(day: dt.date) -> list[QuerySet]:
    return [
        ResponsibilityLetter.objects.filter(
            village__users__role=Role.VILLAGE_OFFICE, village__users__is_active=True
        ).values(object_id=F("pk"), user_id=F("village__users__id")),
        ResponsibilityLetter.objects.filter(unit__users__role=Role.UNIT_OFFICE, unit__users__is_active=True).values(
            object_id=F("pk"), user_id=F("unit__users__id")
        ),
    ]


def _describe(reminders: list[Reminder]) -> dict[int, ReminderText]:
    letters = ResponsibilityLetter.objects.in_bulk({r.object_id for r in reminders})
    texts = {}
    for reminder in reminders:
        letter = letters.get(reminder.object_id)
        if letter is None:
            continue
        if reminder.level == "due_soon":
            title = gettext("The %(year)d responsibility letter of %(party)s is to be signed by %(deadline)s") % {
                "year": letter.year,
                "party": letter.party_name,
                "deadline": letter.deadline.isoformat(),
            }
        else:
            title = gettext(
                "The %(year)d responsibility letter of %(party)s is not signed; the deadline was %(deadline)s"
            ) % {"year": letter.year, "party": letter.party_name, "deadline": reminder.anchor.isoformat()}
        texts[reminder.pk] = ReminderText(title=title, url=letter.get_absolute_url())
    return texts


def _relevant(reminders: list[Reminder]) -> set[int]:
    """Still worth sending: the letter is neither signed nor archived, and its deadline is the one counted from."""
    deadlines = dict(_open().filter(pk__in={r.object_id for r in reminders}).values_list("pk", "deadline"))
    return {r.pk for r in reminders if deadlines.get(r.object_id) == r.anchor}


def _in_village(village_id: int) -> QuerySet:
    return ResponsibilityLetter.objects.filter(village_id=village_id).values("pk")


def register() -> None:
    register_reminder_kind(
        ReminderKind(
            key=UNSIGNED,
            label=_("Responsibility letter unsigned"),
            levels=(
                ReminderLevel(
                    key="due_soon", label=_("Signing deadline near"), candidates=_due_soon, recipients=_offices
                ),
                ReminderLevel(
                    key="d1", label=_("Day 1 past the signing deadline"), candidates=_overdue_by(1), recipients=_offices
                ),
                ReminderLevel(
                    key="d7",
                    label=_("Day 7 past the signing deadline"),
                    candidates=_overdue_by(ESCALATE_DAYS),
                    roles=frozenset({Role.TOWN_ADMIN.value}),
                ),
            ),
            describe=_describe,
            relevant=_relevant,
            objects_in_village=_in_village,
        )
    )
