"""What people see of reminders: their inbox, the unread badge, and the town administrator's overview.

The text of a reminder is not stored: ``chashan_safety.reminders.describe`` makes it from the object
(one query per kind for a whole page), so an inbox always shows the finding as it is now.
Notifications that are not reminders carry their own title and link.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from chashan_safety.auth import UNREAD_ATTRIBUTE
from chashan_safety.digests import recipients_without_contact
from chashan_safety.models import DigestDelivery, Notification, Reminder, User
from chashan_safety.permissions import town_admin_required
from chashan_safety.registry import HomePanel, NavItem, register_nav, register_panel
from chashan_safety.reminders import (
    describe,
    group_members,
    in_village,
    notification_texts,
    reminder_kinds,
    still_relevant,
    told_counts,
)

PAGE_SIZE = 25
PANEL_SIZE = 5

# the Village model through the user's relation: chashan_safety imports no app
Village = User._meta.get_field("village").related_model


# --- the inbox ------------------------------------------------------------------------------------


def with_texts(notifications: list[Notification]) -> list[Notification]:
    """Give each notification ``text_title`` and ``text_url``: one query per kind of reminder."""
    texts = notification_texts(notifications)
    for notification in notifications:
        text = texts.get(notification.pk)
        notification.text_title = text.title if text else ""
        notification.text_url = text.url if text else ""
        if not notification.text_title:
            notification.text_title = _("A reminder about an item that no longer exists")
    return notifications


def unread_count(request) -> int:
    """The signed-in user's unread items, counted once per request (the navigation's badge).

    A user loaded by ``chashan_safety.auth.PortalBackend`` brings the count along; views that mark
    items read redirect, so the next page counts again.
    """
    if not hasattr(request, "_inbox_unread"):
        loaded = getattr(request.user, UNREAD_ATTRIBUTE, None)
        if loaded is None:
            loaded = Notification.objects.for_user(request.user).unread().count()
        request._inbox_unread = loaded
    return request._inbox_unread


@login_required
def inbox(request):
    only_unread = request.GET.get("show") == "unread"
    notifications = Notification.objects.for_user(request.user).select_related("reminder")
    if only_unread:
        notifications = notifications.unread()
    page = Paginator(notifications.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_texts(list(page.object_list))
    return render(
        request,
        "notifications/inbox.html",
        {"page_obj": page, "notifications": page.object_list, "only_unread": only_unread},
    )


def _safe_target(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse("inbox")


@login_required
def inbox_open(request, pk: int):
    """Mark the item read and go to what it is about; another person's item answers 404."""
    notification = get_object_or_404(
        Notification.objects.filter(recipient=request.user).select_related("reminder"), pk=pk
    )
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    with_texts([notification])
    return redirect(_safe_target(request, notification.text_url))


@login_required
def inbox_group(request, pk: int):
    """A group item: the reminders it stands for, a page at a time; opening it marks it read."""
    notification = get_object_or_404(
        Notification.objects.filter(recipient=request.user, batch__isnull=False).select_related("recipient"), pk=pk
    )
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    page = Paginator(group_members(notification).order_by("pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    members = list(page.object_list)
    texts, relevant = describe(members), still_relevant(members)
    rows = [{"text": texts.get(member.pk), "applies": member.pk in relevant} for member in members]
    return render(
        request,
        "notifications/group.html",
        {"notification": with_texts([notification])[0], "rows": rows, "page_obj": page},
    )


@require_POST
@login_required
def inbox_read_all(request):
    marked = Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    if marked:
        messages.success(
            request,
            ngettext("%(count)d item marked as read.", "%(count)d items marked as read.", marked) % {"count": marked},
        )
    return redirect("inbox")


def _panel_inbox(user) -> dict:
    unread = Notification.objects.for_user(user).unread()
    items = with_texts(list(unread.select_related("reminder").order_by("-created_at", "-pk")[:PANEL_SIZE]))
    return {"items": items}


# --- the town administrator's overview ------------------------------------------------------------


def _kind_choices() -> list:
    choices = []
    for kind in reminder_kinds():
        options = [(kind.key, _("all levels"))]
        options += [(f"{kind.key}:{level.key}", level.label) for level in kind.levels]
        choices.append((kind.label, options))
    return choices


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ReminderFilter(django_filters.FilterSet):
    created_from = django_filters.DateFilter(label=gettext_lazy("Sent from"), method="filter_from")
    created_to = django_filters.DateFilter(label=gettext_lazy("Sent until"), method="filter_to")
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind and level"), choices=_kind_choices, method="filter_kind"
    )
    village = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Village"), queryset=Village.objects.all(), method="filter_village"
    )

    class Meta:
        model = Reminder
        fields = ["created_from", "created_to", "kind", "village"]

    def filter_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_kind(self, queryset, name, value):
        kind, _sep, level = value.partition(":")
        queryset = queryset.filter(kind=kind)
        return queryset.filter(level=level) if level else queryset

    def filter_village(self, queryset, name, value):
        return in_village(queryset, value.pk)


def _labels() -> dict[tuple[str, str], tuple[str, str]]:
    return {(kind.key, level.key): (kind.label, level.label) for kind in reminder_kinds() for level in kind.levels}


@town_admin_required
def reminders_overview(request):
    reminders = Reminder.objects.order_by("-created_at", "-pk")
    reminder_filter = ReminderFilter(request.GET, queryset=reminders)
    page = Paginator(reminder_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    texts = describe(page.object_list)
    counts = told_counts(page.object_list)
    labels = _labels()
    for reminder in page.object_list:
        reminder.recipients, reminder.read = counts[reminder.pk]
        reminder.kind_label, reminder.level_label = labels.get(
            (reminder.kind, reminder.level), (reminder.kind, reminder.level)
        )
        reminder.text = texts.get(reminder.pk)
    gaps = recipients_without_contact()
    return render(
        request,
        "notifications/overview.html",
        {
            "filter": reminder_filter,
            "page_obj": page,
            "reminders": page.object_list,
            "tab": "reminders",
            "no_email": len(gaps[DigestDelivery.Channel.EMAIL]),
            "no_phone": len(gaps[DigestDelivery.Channel.SMS]),
        },
    )


@town_admin_required
def reminders_no_contact(request):
    """People with items waiting who get them in the inbox only: no e-mail address or no mobile number."""
    gaps = recipients_without_contact()
    missing: dict[int, set[str]] = {}
    for channel, users in gaps.items():
        for user in users:
            missing.setdefault(user.pk, set()).add(str(channel))
    # read again with what the affiliation column needs, so the page's queries do not grow with its rows
    users = User.objects.filter(pk__in=missing).select_related("village", "unit").prefetch_related("zones")
    rows = [
        {"user": user, "email": "email" in missing[user.pk], "sms": "sms" in missing[user.pk]}
        for user in users.order_by("role", "username")
    ]
    return render(request, "notifications/no_contact.html", {"rows": rows, "tab": "no-contact"})


# --- registration -----------------------------------------------------------------------------------


def register() -> None:
    register_panel(HomePanel("inbox", "notifications/includes/_panel_inbox.html", _panel_inbox, order=5))
    register_nav(
        NavItem(
            "reminders",
            gettext_lazy("Reminders and cards"),
            "reminders-overview",
            "bi-bell",
            order=80,
            roles=frozenset({"town_admin"}),
            group="admin",
            active_prefixes=("/reminders/", "/cards/", "/supervision-letters/"),
        )
    )
