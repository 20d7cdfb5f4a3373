"""The reminder sweep: what is due, to whom, exactly once.

Apps register *kinds* of reminders (a finding due soon, a finding overdue, a 回头看 due, a letter
unsigned …), each with *levels* (day 1, day 3, …). A level says, as querysets, which objects are
due as of a day and who is to be told. The sweep turns that into rows, set-based, in the
database: a constant number of queries whatever the number of objects.

For each kind and level, in one transaction:

1. ``INSERT … SELECT … ON CONFLICT DO NOTHING`` a ``Reminder`` per due object, claimed by this
   sweep (``notified_at`` and a ``claim`` token set as it is written): the unique key (kind, object,
   level, anchor) makes a second sweep, a duplicate beat or a redelivered task create nothing, and a
   concurrent sweep waits on the rows this one is writing, then skips them;
2. claim, too, any of the level's reminders never notified (none, unless written by other means);
3. ``INSERT … SELECT`` a ``Notification`` per claimed reminder and recipient (unique per recipient
   and reminder), and run the level's ``after`` hook (cards) on the claimed reminders.

A sweep killed halfway loses nothing: the level it was in rolls back and the next run does it.
E-mail and SMS go out later, once a day per person, in ``chashan_safety.digests``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from chashan_safety.models import Notification, Reminder, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderText:
    """How a reminder reads in the inbox and the digests."""

    title: str
    url: str = ""


@dataclass(frozen=True)
class ReminderLevel:
    key: str
    label: str
    #: objects due at this level on a day: a queryset of ``values(object_id=…, anchor=…)``
    candidates: Callable[[dt.date], QuerySet]
    #: who is told, as querysets of ``values(object_id=…, user_id=…)`` over the same objects
    recipients: Callable[[dt.date], Iterable[QuerySet]] = lambda day: ()
    #: besides those, every active user with one of these roles
    roles: frozenset[str] = frozenset()
    #: run in the level's transaction when it recorded new reminders (e.g. cards); gets the day and
    #: a queryset of those reminders
    after: Callable[[dt.date, QuerySet], None] | None = None


@dataclass(frozen=True)
class ReminderKind:
    key: str
    label: str
    levels: tuple[ReminderLevel, ...]
    #: reminders → their text, one query for all
    describe: Callable[[list[Reminder]], dict[int, ReminderText]]
    #: reminders → the ids of those still worth sending (the object did not move on meanwhile)
    relevant: Callable[[list[Reminder]], set[int]]
    #: a village's id → a queryset of ``values("pk")`` of this kind's objects in that village,
    #: for the town administrator's filter; a kind without it is not listed by village
    objects_in_village: Callable[[int], QuerySet] | None = None


_kinds: dict[str, ReminderKind] = {}


def register_reminder_kind(kind: ReminderKind) -> None:
    _kinds[kind.key] = kind


def reminder_kinds() -> list[ReminderKind]:
    return list(_kinds.values())


def get_kind(key: str) -> ReminderKind | None:
    return _kinds.get(key)


@dataclass
class LevelResult:
    kind: str
    level: str
    reminders: int = 0
    notifications: int = 0


@dataclass
class SweepResult:
    day: dt.date
    levels: list[LevelResult] = field(default_factory=list)

    @property
    def reminders(self) -> int:
        return sum(level.reminders for level in self.levels)

    @property
    def notifications(self) -> int:
        return sum(level.notifications for level in self.levels)


def _db(field_name: str, value):
    """``value`` as the database stores it in the Reminder column ``field_name`` (UUIDs, aware datetimes)."""
    return Reminder._meta.get_field(field_name).get_db_prep_value(value, connection)


@dataclass(frozen=True)
class _Claim:
    """The reminders one sweep of one level notifies: their kind and level, stamped with its time and token.

    The condition on (kind, level, notified_at) is the ``reminder_pending`` index: the claimed rows
    are found by an index range, not by scanning every reminder ever sent.
    """

    kind: str
    level: str
    now: dt.datetime
    token: uuid.UUID

    def where(self, alias: str) -> tuple[str, list]:
        sql = f"{alias}.kind = %s AND {alias}.level = %s AND {alias}.notified_at = %s AND {alias}.claim = %s"
        return sql, [self.kind, self.level, _db("notified_at", self.now), _db("claim", self.token)]

    def reminders(self) -> QuerySet:
        return Reminder.objects.filter(kind=self.kind, level=self.level, notified_at=self.now, claim=self.token)


def _insert_reminders(level: ReminderLevel, day: dt.date, claim: _Claim) -> int:
    """Insert the level's due reminders, already claimed by this sweep; returns how many were new.

    What earlier sweeps recorded is skipped by ``ON CONFLICT``: one probe of the unique index per
    due object, whatever the planner believes about the table's size. (An anti-join would be
    cheaper on a second sweep, but with the statistics of an empty table, as on the first sweep
    after an installation, it rescans the growing table for every row.) A concurrent sweep's rows
    are its own to notify; this one skips them the same way.
    """
    sql, params = level.candidates(day).order_by().query.sql_with_params()
    table = connection.ops.quote_name(Reminder._meta.db_table)
    # table names come from the models, the SELECT from the ORM with its own parameters
    statement = (
        f"INSERT INTO {table} (kind, level, object_id, anchor, created_at, notified_at, claim) "  # nosec B608
        f"SELECT %s, %s, src.object_id, src.anchor, %s, %s, %s FROM ({sql}) src WHERE src.object_id IS NOT NULL "
        "ON CONFLICT (kind, object_id, level, anchor) DO NOTHING"
    )
    now, token = _db("created_at", claim.now), _db("claim", claim.token)
    with connection.cursor() as cursor:
        cursor.execute(statement, [claim.kind, claim.level, now, now, token, *params])
        return max(cursor.rowcount, 0)


def _insert_notifications(sql: str, params, claim: _Claim) -> int:
    # no DISTINCT: a person reached twice for one reminder is skipped by ON CONFLICT, in the same statement
    notifications = connection.ops.quote_name(Notification._meta.db_table)
    reminders = connection.ops.quote_name(Reminder._meta.db_table)
    claimed, claimed_params = claim.where("rem")
    statement = (
        f"INSERT INTO {notifications} (recipient_id, reminder_id, title, url, created_at) "  # nosec B608
        f"SELECT src.user_id, rem.id, '', '', %s FROM ({sql}) src "
        f"INNER JOIN {reminders} rem ON rem.object_id = src.object_id "
        f"WHERE {claimed} AND src.user_id IS NOT NULL "
        "ON CONFLICT (recipient_id, reminder_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [_db("created_at", claim.now), *params, *claimed_params])
        return max(cursor.rowcount, 0)


def _insert_role_notifications(roles: frozenset[str], claim: _Claim) -> int:
    notifications = connection.ops.quote_name(Notification._meta.db_table)
    reminders = connection.ops.quote_name(Reminder._meta.db_table)
    users = connection.ops.quote_name(User._meta.db_table)
    claimed, claimed_params = claim.where("rem")
    placeholders = ", ".join(["%s"] * len(roles))
    statement = (
        f"INSERT INTO {notifications} (recipient_id, reminder_id, title, url, created_at) "  # nosec B608
        f"SELECT u.id, rem.id, '', '', %s FROM {reminders} rem CROSS JOIN {users} u "
        f"WHERE {claimed} AND u.role IN ({placeholders}) AND u.is_active "
        "ON CONFLICT (recipient_id, reminder_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [_db("created_at", claim.now), *claimed_params, *sorted(roles)])
        return max(cursor.rowcount, 0)


def _sweep_level(kind: ReminderKind, level: ReminderLevel, day: dt.date) -> LevelResult:
    result = LevelResult(kind.key, level.key)
    claim = _Claim(kind.key, level.key, timezone.now(), uuid.uuid4())
    # one transaction per level: killed halfway, the level rolls back whole and the next sweep does it
    with transaction.atomic():
        result.reminders = _insert_reminders(level, day, claim)
        # normally none: reminders recorded by other means (an import, an older sweep) and never notified
        leftovers = Reminder.objects.filter(kind=kind.key, level=level.key, notified_at__isnull=True).update(
            notified_at=claim.now, claim=claim.token
        )
        if not (result.reminders or leftovers):
            return result
        for recipients in level.recipients(day):
            # joined to the claimed reminders, not filtered by a subquery of them: the planner counts
            # a fresh claim as one row (its token is new), so it drives the join from the reminders
            # into the recipients by primary key, which stays right for 10 or 100,000 of them
            sql, params = recipients.order_by().query.sql_with_params()
            result.notifications += _insert_notifications(sql, params, claim)
        if level.roles:
            result.notifications += _insert_role_notifications(level.roles, claim)
        if level.after is not None:
            # in the same transaction: a card is recorded exactly when its reminder is
            level.after(day, claim.reminders())
    return result


def sweep(day: dt.date | None = None) -> SweepResult:
    """Record every reminder due on ``day`` (today by default) and notify its recipients; safe to repeat."""
    day = day or timezone.localdate()
    result = SweepResult(day)
    for kind in reminder_kinds():
        for level in kind.levels:
            result.levels.append(_sweep_level(kind, level, day))
    log.info("reminder sweep %s: %d reminders, %d notifications", day, result.reminders, result.notifications)
    return result


def preview(day: dt.date | None = None) -> SweepResult:
    """What ``sweep(day)`` would create now, without writing anything (recipients not counted)."""
    day = day or timezone.localdate()
    result = SweepResult(day)
    for kind in reminder_kinds():
        for level in kind.levels:
            existing = Reminder.objects.filter(
                kind=kind.key, level=level.key, object_id=OuterRef("object_id"), anchor=OuterRef("anchor")
            )
            due = level.candidates(day).filter(~Exists(existing)).count()
            result.levels.append(LevelResult(kind.key, level.key, reminders=due))
    return result


def describe(reminders: Iterable[Reminder]) -> dict[int, ReminderText]:
    """The text of each reminder, one query per kind."""
    by_kind: dict[str, list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        by_kind[reminder.kind].append(reminder)
    texts: dict[int, ReminderText] = {}
    for key, items in by_kind.items():
        kind = get_kind(key)
        if kind is not None:
            texts.update(kind.describe(items))
    return texts


def in_village(reminders: QuerySet, village_id: int) -> QuerySet:
    """The ``reminders`` whose object lies in the village, as each kind's ``objects_in_village`` tells."""
    condition = Q(pk__in=[])
    for kind in reminder_kinds():
        if kind.objects_in_village is not None:
            condition |= Q(kind=kind.key, object_id__in=kind.objects_in_village(village_id))
    return reminders.filter(condition)


def still_relevant(reminders: Iterable[Reminder]) -> set[int]:
    by_kind: dict[str, list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        by_kind[reminder.kind].append(reminder)
    relevant: set[int] = set()
    for key, items in by_kind.items():
        kind = get_kind(key)
        if kind is not None:
            relevant |= kind.relevant(items)
    return relevant
