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
   and reminder) — or, for a person told of more than ``REMINDER_GROUP_OVER`` of them, one item for
   them all (unique per recipient and claim) — and run the level's ``after`` hook (cards) on the
   claimed reminders.

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

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

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
    #: inbox items written (a group counts once)
    notifications: int = 0
    #: people × reminders told, grouped or not
    told: int = 0


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

    @property
    def told(self) -> int:
        return sum(level.told for level in self.levels)


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


def _pairs(level: ReminderLevel, day: dt.date, claim: _Claim) -> tuple[str, list]:
    """SQL of the distinct (user_id, reminder_id) the level's recipient querysets tell of the claimed reminders.

    Each recipient queryset is joined to the claimed reminders, not filtered by a subquery of them.
    ``UNION`` drops a person reached twice for one reminder. The level's roles are not here: they are
    told of every claimed reminder (``_notify``).
    """
    # table names come from the models, the SELECTs from the ORM with their own parameters
    reminders = connection.ops.quote_name(Reminder._meta.db_table)
    claimed, claimed_params = claim.where("rem")
    parts, params = [], []
    for recipients in level.recipients(day):
        sql, sql_params = recipients.order_by().query.sql_with_params()
        parts.append(
            f"SELECT src.user_id AS user_id, rem.id AS reminder_id FROM ({sql}) src "  # nosec B608
            f"INNER JOIN {reminders} rem ON rem.object_id = src.object_id "
            f"WHERE {claimed} AND src.user_id IS NOT NULL"
        )
        params += [*sql_params, *claimed_params]
    return " UNION ".join(parts), params


def _notify(level: ReminderLevel, day: dt.date, claim: _Claim, claimed: int) -> tuple[int, int]:
    """Write the inbox items of the ``claimed`` reminders; returns (items written, people × reminders told).

    A person told of at most ``REMINDER_GROUP_OVER`` of them gets an item for each; one told of more
    gets a single item for them all (a group, ``Notification.batch`` = the claim): a backlog on the first
    day, or a town-wide rung for leadership, is one line in an inbox and in a digest, not thousands.
    Everybody of the level's roles is told of all of them, so their number needs no counting.
    """
    counts: dict[int, int] = {}
    pairs, params = _pairs(level, day, claim)
    with connection.cursor() as cursor:
        if pairs:
            cursor.execute(f"SELECT p.user_id, COUNT(*) FROM ({pairs}) p GROUP BY p.user_id", params)  # nosec B608
            counts.update(cursor.fetchall())
    if level.roles:
        role_users = User.objects.filter(role__in=level.roles, is_active=True).values_list("pk", flat=True)
        counts.update((user, claimed) for user in role_users)
    grouped = sorted(user for user, count in counts.items() if count > settings.REMINDER_GROUP_OVER)
    told, written = sum(counts.values()), 0
    if len(grouped) < len(counts):
        written += _insert_single_items(level, claim, pairs, params, set(grouped))
    if grouped:
        created = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=user,
                    kind=claim.kind,
                    level=claim.level,
                    batch=claim.token,
                    size=counts[user],
                    created_at=claim.now,
                )
                for user in grouped
            ],
            ignore_conflicts=True,
        )
        written += len(created)
    return written, told


def _insert_single_items(level: ReminderLevel, claim: _Claim, pairs: str, params: list, grouped: set[int]) -> int:
    """An item per claimed reminder for each person told of it who gets no group; returns how many."""
    notifications = connection.ops.quote_name(Notification._meta.db_table)
    reminders = connection.ops.quote_name(Reminder._meta.db_table)
    users = connection.ops.quote_name(User._meta.db_table)
    claimed, claimed_params = claim.where("rem")
    sources, source_params = [], []
    if pairs:
        sources.append(pairs)
        source_params += params
    if level.roles:
        sources.append(
            f"SELECT u.id AS user_id, rem.id AS reminder_id FROM {reminders} rem CROSS JOIN {users} u "  # nosec B608
            f"WHERE {claimed} AND u.role IN ({', '.join(['%s'] * len(level.roles))}) AND u.is_active"
        )
        source_params += [*claimed_params, *sorted(level.roles)]
    # a WHERE in any case: SQLite reads "SELECT … FROM p ON CONFLICT" as a join without it
    skip = f"p.user_id NOT IN ({', '.join(['%s'] * len(grouped))})" if grouped else "1 = 1"
    with connection.cursor() as cursor:
        # ON CONFLICT skips a person reached both ways, and what a rerun already wrote
        cursor.execute(
            f"INSERT INTO {notifications} (recipient_id, reminder_id, kind, level, size, title, url, created_at) "  # nosec B608
            f"SELECT p.user_id, p.reminder_id, %s, %s, 1, '', '', %s FROM ({' UNION '.join(sources)}) p "
            f"WHERE {skip} ON CONFLICT (recipient_id, reminder_id) DO NOTHING",
            [claim.kind, claim.level, _db("created_at", claim.now), *source_params, *sorted(grouped)],
        )
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
        if result.reminders and connection.vendor == "postgresql":
            # the planner would count a fresh claim as one row and walk the rest of the level's
            # statements from it one finding at a time; statistics that include the new rows (ANALYZE
            # samples this transaction's own, and a fixed-size sample of the rest) let it hash-join a
            # large claim instead. Only a level with new reminders pays for it.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(Reminder._meta.db_table)}")
        result.notifications, result.told = _notify(level, day, claim, result.reminders + leftovers)
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
    log.info(
        "reminder sweep %s: %d reminders, %d inbox items telling %d",
        day,
        result.reminders,
        result.notifications,
        result.told,
    )
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


def notification_texts(notifications: Iterable[Notification]) -> dict[int, ReminderText]:
    """The text of each inbox item: its reminder's, a group's own, or the title it was written with."""
    notifications = list(notifications)
    texts = describe([n.reminder for n in notifications if n.reminder_id])
    result = {}
    for notification in notifications:
        if notification.is_group:
            kind, level = get_kind(notification.kind), get_level(notification.kind, notification.level)
            values = {
                "count": notification.size,
                "kind": kind.label if kind else notification.kind,
                "level": level.label if level else notification.level,
            }
            if kind is not None and len(kind.levels) == 1:
                # a kind of one level: its name says it all
                title = ngettext("%(count)d reminder: %(kind)s", "%(count)d reminders: %(kind)s", notification.size)
            else:
                title = ngettext(
                    "%(count)d reminder: %(kind)s, %(level)s",
                    "%(count)d reminders: %(kind)s, %(level)s",
                    notification.size,
                )
            title %= values
            result[notification.pk] = ReminderText(title=title, url=reverse("inbox-group", args=[notification.pk]))
        elif notification.reminder_id:
            text = texts.get(notification.reminder_id)
            if text is not None:
                result[notification.pk] = text
        else:
            result[notification.pk] = ReminderText(title=notification.title, url=notification.url)
    return result


def get_level(kind_key: str, level_key: str) -> ReminderLevel | None:
    kind = get_kind(kind_key)
    return next((level for level in kind.levels if level.key == level_key), None) if kind else None


def group_members(notification: Notification) -> QuerySet:
    """The reminders a group item stands for: those of its claim that its recipient was told of.

    Worked out again from the level's recipients (as the sweep did), so it follows who belongs to an
    office or zone now; one query.
    """
    level = get_level(notification.kind, notification.level)
    claimed = Reminder.objects.filter(kind=notification.kind, level=notification.level, claim=notification.batch)
    if level is None or notification.batch is None:
        return Reminder.objects.none()
    user = notification.recipient
    if user.role in level.roles:
        return claimed
    condition = Q(pk__in=[])
    for recipients in level.recipients(timezone.localdate(notification.created_at)):
        condition |= Q(object_id__in=recipients.filter(user_id=user.pk).values("object_id"))
    return claimed.filter(condition)


def told_counts(reminders: list[Reminder]) -> dict[int, tuple[int, int]]:
    """Each reminder's (people told, of whom read), counting group items: a constant number of queries.

    One query for the items of single reminders, one for the groups of these reminders' claims, and,
    when there are groups, one per recipient queryset of each level among them to see which of the
    groups' people were told of which object.
    """
    ids = [reminder.pk for reminder in reminders]
    counts: dict[int, list[int]] = {pk: [0, 0] for pk in ids}
    single = (
        Notification.objects.filter(reminder_id__in=ids)
        .values("reminder_id")
        .annotate(told=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False)))
        .order_by()
    )
    for row in single:
        counts[row["reminder_id"]] = [row["told"], row["read"]]
    claims = {reminder.claim for reminder in reminders if reminder.claim}
    groups = defaultdict(list)
    for group in Notification.objects.filter(batch__in=claims).values(
        "batch", "recipient_id", "recipient__role", "read_at"
    ):
        groups[group["batch"]].append(group)
    by_level: dict[tuple[str, str], list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        if reminder.claim in groups:
            by_level[reminder.kind, reminder.level].append(reminder)
    for (kind_key, level_key), members in by_level.items():
        level = get_level(kind_key, level_key)
        if level is None:
            continue
        people = {group["recipient_id"] for member in members for group in groups[member.claim]}
        objects = {member.object_id for member in members}
        reached = set()
        for recipients in level.recipients(timezone.localdate()):
            reached |= set(
                recipients.filter(object_id__in=objects, user_id__in=people).values_list("object_id", "user_id")
            )
        for member in members:
            for group in groups[member.claim]:
                if group["recipient__role"] in level.roles or (member.object_id, group["recipient_id"]) in reached:
                    counts[member.pk][0] += 1
                    counts[member.pk][1] += group["read_at"] is not None
    return {pk: (told, read) for pk, (told, read) in counts.items()}


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
