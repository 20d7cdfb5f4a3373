"""The daily digests: one e-mail and one SMS a day per person, listing all their new items.

Before anything is sent, notifications whose object moved on (a finding closed between the sweep
and the digest, a deadline moved) are withdrawn. A ``DigestDelivery`` row per person, channel and
day is written before sending, so a repeated run sends nothing twice; a failed send removes its
row again, so that the next run retries.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chashan_safety.models import DigestDelivery, Notification, Reminder, User
from chashan_safety.reminders import get_level, notification_texts, still_relevant
from chashan_safety.sms import SmsMessage, can_text, get_backend

log = logging.getLogger(__name__)

MAX_LISTED = 30
CHUNK = 2000
# plain strings as keys: the results read {'email': 3, 'sms': 2}, not {<Channel.EMAIL: 'email'>: 3, …}
CHANNELS = {
    DigestDelivery.Channel.EMAIL.value: ("emailed_at", "email"),
    DigestDelivery.Channel.SMS.value: ("texted_at", "phone"),
}


def reachable(channel: str, user: User) -> bool:
    """Whether ``user`` can get a digest on ``channel``: an e-mail address, or a mobile number for SMS."""
    _sent_field, contact = CHANNELS[channel]
    value = getattr(user, contact)
    if channel == DigestDelivery.Channel.SMS:
        return can_text(value)
    return bool(value)


@dataclass
class DigestResult:
    day: dt.date
    withdrawn: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    no_contact: dict[str, list[int]] = field(default_factory=dict)


def withdraw_stale(now: dt.datetime | None = None) -> int:
    """Withdraw unsent items whose reminders no longer apply; returns how many.

    A group item is withdrawn when none of the reminders it stands for applies any more.
    """
    now = now or timezone.now()
    # only what a digest may still send: older items stay in the inbox as they are
    unsent = Notification.objects.filter(cancelled_at__isnull=True, created_at__gte=window_start(now)).filter(
        Q(emailed_at__isnull=True) | Q(texted_at__isnull=True)
    )
    reminder_ids = list(unsent.filter(reminder__isnull=False).values_list("reminder_id", flat=True).distinct())
    withdrawn = 0
    for start in range(0, len(reminder_ids), CHUNK):
        reminders = list(Reminder.objects.filter(pk__in=reminder_ids[start : start + CHUNK]))
        stale = {r.pk for r in reminders} - still_relevant(reminders)
        if stale:
            withdrawn += unsent.filter(reminder_id__in=stale).update(cancelled_at=now)
    groups = defaultdict(list)
    for group in unsent.filter(batch__isnull=False).select_related("recipient"):
        groups[group.kind, group.level, group.batch].append(group)
    for (kind, level_key, batch), items in groups.items():
        live = _groups_still_relevant(kind, level_key, batch, items)
        stale = [item.pk for item in items if item.pk not in live]
        if stale:
            withdrawn += Notification.objects.filter(pk__in=stale).update(cancelled_at=now)
    return withdrawn


def _groups_still_relevant(kind: str, level_key: str, batch, items: list[Notification]) -> set[int]:
    """The group items of one claim that stand for at least one reminder that still applies."""
    level = get_level(kind, level_key)
    if level is None:
        return set()
    claimed = Reminder.objects.filter(kind=kind, level=level_key, claim=batch).order_by("pk")
    live: set[int] = set()
    people = {item.recipient_id: item for item in items if item.recipient.role not in level.roles}
    everyone = [item for item in items if item.recipient.role in level.roles]
    last = 0
    while len(live) < len(items):
        reminders = list(claimed.filter(pk__gt=last)[:CHUNK])
        if not reminders:
            break
        last = reminders[-1].pk
        relevant = still_relevant(reminders)
        if not relevant:
            continue
        live |= {item.pk for item in everyone}
        objects = {r.object_id for r in reminders if r.pk in relevant}
        waiting = [user for user, item in people.items() if item.pk not in live]
        for recipients in level.recipients(timezone.localdate(items[0].created_at)):
            reached = recipients.filter(object_id__in=objects, user_id__in=waiting).values_list("user_id", flat=True)
            live |= {people[user].pk for user in reached}
    return live


def window_start(now: dt.datetime | None = None) -> dt.datetime:
    """The oldest moment an item may have been created at and still go out in a digest."""
    return (now or timezone.now()) - dt.timedelta(days=settings.DIGEST_WINDOW_DAYS)


def pending_for(channel: str):
    """Items not yet sent on ``channel`` and young enough to be (``DIGEST_WINDOW_DAYS``)."""
    sent_field, _contact = CHANNELS[channel]
    return Notification.objects.filter(
        cancelled_at__isnull=True, created_at__gte=window_start(), **{f"{sent_field}__isnull": True}
    )


def recipients_without_contact() -> dict[str, list[User]]:
    """People with items waiting who cannot get them by e-mail or SMS: the gap for the town to fill."""
    gaps = {}
    for channel in CHANNELS:
        waiting = pending_for(channel).values("recipient_id")
        # one row per person with items waiting (the town's staff, not its findings): checked here, as the
        # mobile-number rule is not the database's
        people = User.objects.filter(pk__in=waiting, is_active=True).order_by("role", "username")
        gaps[channel] = [user for user in people if not reachable(channel, user)]
    return gaps


def _titles(items: list[Notification]) -> list[tuple[str, str]]:
    """(title, url) of each item, one query per kind of reminder."""
    texts = notification_texts(items)
    return [(texts[n.pk].title, texts[n.pk].url) for n in items if n.pk in texts]


def _send(channel: str, user: User, count: int, items: list[Notification], day: dt.date) -> None:
    titles = _titles(items)
    with translation.override(settings.LANGUAGE_CODE):
        if channel == DigestDelivery.Channel.EMAIL:
            subject = _("Chashan Safety: %(count)d item(s) for you on %(day)s") % {"count": count, "day": day}
            lines = [f"- {title}" + (f"\n  {settings.PORTAL_BASE_URL}{url}" if url else "") for title, url in titles]
            if count > len(items):
                lines.append(_("… and %(more)d more in your inbox.") % {"more": count - len(items)})
            body = "\n".join(
                [
                    _("Hello %(name)s,") % {"name": user.display_name},
                    "",
                    _("These items need your attention:"),
                    "",
                    *lines,
                    "",
                    _("Inbox: %(url)s") % {"url": f"{settings.PORTAL_BASE_URL}/inbox/"},
                ]
            )
            send_mail(subject, body, None, [user.email])
        else:
            first = titles[0][0] if titles else ""
            text = _("[Chashan Safety] %(count)d item(s) need your attention, e.g. %(first)s. See the portal inbox.")
            get_backend().send_messages([SmsMessage(phone=user.phone, text=text % {"count": count, "first": first})])


def send_digests(day: dt.date | None = None) -> DigestResult:
    """Send today's digests on every channel; safe to run again the same day."""
    day = day or timezone.localdate()
    result = DigestResult(day, withdrawn=withdraw_stale())
    for channel, (sent_field, _contact) in CHANNELS.items():
        result.sent[channel] = result.failed[channel] = 0
        result.no_contact[channel] = []
        # what exists now is this digest's; items arriving meanwhile wait for tomorrow's
        pending = pending_for(channel).filter(created_at__lte=timezone.now())
        waiting = (
            User.objects.filter(is_active=True, notifications__in=pending)
            .annotate(items=Count("notifications", filter=Q(notifications__in=pending)))
            .order_by("pk")
        )
        for user in waiting:
            if not reachable(channel, user):
                result.no_contact[channel].append(user.pk)
                continue
            try:
                with transaction.atomic():
                    delivery = DigestDelivery.objects.create(
                        recipient=user, channel=channel, day=day, item_count=user.items
                    )
            except IntegrityError:
                continue  # already sent today
            mine = pending.filter(recipient=user)
            items = list(mine.select_related("reminder").order_by("-created_at")[:MAX_LISTED])
            try:
                _send(channel, user, user.items, items, day)
            except Exception as error:  # a mail server or gateway failure must not stop the others
                log.warning("digest %s to %s failed: %s", channel, user.username, error)
                delivery.delete()
                result.failed[channel] += 1
                continue
            now = timezone.now()
            mine.update(**{sent_field: now})
            DigestDelivery.objects.filter(pk=delivery.pk).update(sent_at=now)
            result.sent[channel] += 1
    return result
