"""Supervision reminders, registered into the sweep (``chashan_safety.reminders``).

- ``follow_up.due``: a 回头看 coming due (``SUPERVISION_FOLLOW_UP_DUE_SOON_DAYS`` before, default 3)
  and overdue (the day after it was due) → the safety officers of the zone the finding lies in.
- ``major.overdue``: a major finding (重大隐患) past its deadline → straight to every ``town_admin``.

Each reminder counts from a date (the follow-up's due date, the finding's deadline): a moved date
starts again, and the sweep's unique rows make every reminder go out once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chashan_safety.models import Reminder, Role
from chashan_safety.reminders import ReminderKind, ReminderLevel, ReminderText, register_reminder_kind
from inspections.models import Finding, FindingStatus
from supervision.models import FollowUp

FOLLOW_UP_DUE = "follow_up.due"
MAJOR_OVERDUE = "major.overdue"
DEFAULT_DUE_SOON_DAYS = 3


def due_soon_days() -> int:
    return int(getattr(settings, "SUPERVISION_FOLLOW_UP_DUE_SOON_DAYS", DEFAULT_DUE_SOON_DAYS))


def _pending() -> QuerySet:
    return FollowUp.objects.filter(done_at__isnull=True, cancelled_at__isnull=True)


def _follow_ups_due_soon(day: dt.date) -> QuerySet:
    return (
        _pending()
        .filter(due_on__gte=day, due_on__lte=day + dt.timedelta(days=due_soon_days()))
        .values(object_id=F("pk"), anchor=F("due_on"))
    )


def _follow_ups_overdue(day: dt.date) -> QuerySet:
    return _pending().filter(due_on__lt=day).values(object_id=F("pk"), anchor=F("due_on"))


def _zone_officers(day: dt.date) -> list[QuerySet]:
    return [
        FollowUp.objects.filter(
            finding__village__zone_link__zone__officers__role=Role.SAFETY_OFFICER,
            finding__village__zone_link__zone__officers__is_active=True,
        ).values(object_id=F("pk"), user_id=F("finding__village__zone_link__zone__officers__id"))
    ]


def _major_overdue(day: dt.date) -> QuerySet:
    return (
        Finding.objects.filter(grade=Finding.Grade.MAJOR, deadline__lt=day)
        .exclude(status=FindingStatus.CLOSED)
        .values(object_id=F("pk"), anchor=F("deadline"))
    )


def _describe_follow_ups(reminders: list[Reminder]) -> dict[int, ReminderText]:
    follow_ups = FollowUp.objects.select_related("finding__site").in_bulk({r.object_id for r in reminders})
    texts = {}
    for reminder in reminders:
        follow_up = follow_ups.get(reminder.object_id)
        if follow_up is None:
            continue
        values = {
            "number": follow_up.finding.number,
            "site": follow_up.finding.site.name,
            "date": follow_up.due_on.isoformat(),
        }
        if reminder.level == "overdue":
            title = gettext("Follow-up (回头看) of %(number)s at %(site)s was due on %(date)s and is not done") % values
        else:
            title = gettext("Follow-up (回头看) of %(number)s at %(site)s is due on %(date)s") % values
        texts[reminder.pk] = ReminderText(title=title, url=follow_up.get_absolute_url())
    return texts


def _relevant_follow_ups(reminders: list[Reminder]) -> set[int]:
    """Still worth sending: the follow-up is still waiting and still due on the day counted from."""
    waiting = dict(_pending().filter(pk__in={r.object_id for r in reminders}).values_list("pk", "due_on"))
    return {r.pk for r in reminders if waiting.get(r.object_id) == r.anchor}


def _describe_major(reminders: list[Reminder]) -> dict[int, ReminderText]:
    findings = Finding.objects.select_related("site").in_bulk({r.object_id for r in reminders})
    today = timezone.localdate()
    texts = {}
    for reminder in reminders:
        finding = findings.get(reminder.object_id)
        if finding is None:
            continue
        title = gettext(
            "Listed major hazard %(number)s at %(site)s is %(days)d days overdue (deadline %(deadline)s)"
        ) % {
            "number": finding.number,
            "site": finding.site.name,
            "days": (today - reminder.anchor).days,
            "deadline": reminder.anchor.isoformat(),
        }
        texts[reminder.pk] = ReminderText(title=title, url=finding.get_absolute_url())
    return texts


def _relevant_major(reminders: list[Reminder]) -> set[int]:
    open_major = dict(
        Finding.objects.filter(pk__in={r.object_id for r in reminders}, grade=Finding.Grade.MAJOR)
        .exclude(status=FindingStatus.CLOSED)
        .values_list("pk", "deadline")
    )
    return {r.pk for r in reminders if open_major.get(r.object_id) == r.anchor}


def _follow_ups_in_village(village_id: int) -> QuerySet:
    return FollowUp.objects.filter(finding__village_id=village_id).values("pk")


def _major_in_village(village_id: int) -> QuerySet:
    return Finding.objects.filter(Q(village_id=village_id) | Q(responsible_village_id=village_id)).values("pk")


def register() -> None:
    register_reminder_kind(
        ReminderKind(
            key=FOLLOW_UP_DUE,
            label=_("Follow-up (回头看) due"),
            levels=(
                ReminderLevel(
                    key="due_soon",
                    label=_("Follow-up due soon"),
                    candidates=_follow_ups_due_soon,
                    recipients=_zone_officers,
                ),
                ReminderLevel(
                    key="overdue",
                    label=_("Follow-up overdue"),
                    candidates=_follow_ups_overdue,
                    recipients=_zone_officers,
                ),
            ),
            describe=_describe_follow_ups,
            relevant=_relevant_follow_ups,
            objects_in_village=_follow_ups_in_village,
        )
    )
    register_reminder_kind(
        ReminderKind(
            key=MAJOR_OVERDUE,
            label=_("Major hazard overdue"),
            levels=(
                ReminderLevel(
                    key="overdue",
                    label=_("Major hazard overdue: to the town"),
                    candidates=_major_overdue,
                    roles=frozenset({Role.TOWN_ADMIN.value}),
                ),
            ),
            describe=_describe_major,
            relevant=_relevant_major,
            objects_in_village=_major_in_village,
        )
    )
