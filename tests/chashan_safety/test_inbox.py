"""The inbox: every signed-in person's reminders, newest first, unread in bold, opened to their object."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chashan_safety.models import Notification
from tests.builders import make_site, overdue_findings, sweep_today
from tests.helpers import count_queries, messages_of, shows


@pytest.fixture
def site_a(village_a):
    return make_site(village_a)


@pytest.fixture
def overdue(safety_officer, site_a, village_office):
    """A finding of village A two days overdue, swept: its office has the day-1 reminder."""
    finding = overdue_findings(officer=safety_officer, site=site_a, days=2)[0]
    sweep_today()
    return finding


def inbox_items(user):
    return Notification.objects.for_user(user)


def test_a_village_office_sees_the_overdue_reminder_in_its_inbox(client_for, village_office, overdue):
    response = client_for(village_office).get(reverse("inbox"))

    assert response.status_code == 200
    assert shows(response, overdue.number)
    assert shows(response, overdue.site.name)
    item = inbox_items(village_office).get()
    assert f'href="{reverse("inbox-open", args=[item.pk])}"' in response.content.decode()


def test_unread_items_are_bold_and_read_ones_are_not(client_for, village_office, overdue):
    client = client_for(village_office)
    item = inbox_items(village_office).get()

    unread = client.get(reverse("inbox")).content.decode()
    item.read_at = timezone.now()
    item.save()
    read = client.get(reverse("inbox")).content.decode()

    assert "fw-bold" in unread and "data-unread" in unread
    assert "fw-bold" not in read and "data-unread" not in read


def test_opening_an_item_marks_it_read_and_leads_to_the_finding(client_for, village_office, overdue):
    item = inbox_items(village_office).get()

    response = client_for(village_office).get(reverse("inbox-open", args=[item.pk]))

    assert response.status_code == 302
    assert response["Location"] == overdue.get_absolute_url()
    item.refresh_from_db()
    assert item.read_at is not None


def test_opening_by_post_works_too_and_keeps_the_first_reading_time(client_for, village_office, overdue):
    item = inbox_items(village_office).get()
    client = client_for(village_office)
    client.post(reverse("inbox-open", args=[item.pk]))
    item.refresh_from_db()
    first = item.read_at

    response = client.post(reverse("inbox-open", args=[item.pk]))

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.read_at == first


def test_another_persons_item_answers_404_and_stays_unread(client_for, village_office, other_village_office, overdue):
    item = inbox_items(village_office).get()

    for method in ("get", "post"):
        response = getattr(client_for(other_village_office), method)(reverse("inbox-open", args=[item.pk]))
        assert response.status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_the_inbox_lists_only_the_signed_in_persons_items(client_for, village_office, other_village_office, overdue):
    response = client_for(other_village_office).get(reverse("inbox"))

    assert not shows(response, overdue.number)
    assert response.context["page_obj"].paginator.count == 0


def test_mark_all_read_marks_every_item_of_mine_and_nobody_elses(client_for, village_office, town_admin, overdue):
    Notification.objects.create(recipient=village_office, title="另一条通知", url="/")
    Notification.objects.create(recipient=town_admin, title="管理员的通知", url="/")

    response = client_for(village_office).post(reverse("inbox-read-all"), follow=True)

    assert inbox_items(village_office).unread().count() == 0
    assert inbox_items(town_admin).unread().count() == 1
    assert messages_of(response)


def test_mark_all_read_is_a_post(client_for, village_office, overdue):
    response = client_for(village_office).get(reverse("inbox-read-all"))

    assert response.status_code == 405
    assert inbox_items(village_office).unread().count() == 1


def test_the_navigation_shows_the_unread_count_on_the_bell(client_for, village_office, overdue):
    Notification.objects.create(recipient=village_office, title="另一条通知", url="/")

    response = client_for(village_office).get(reverse("home"))

    assert response.context["inbox_unread"] == 2
    assert 'data-testid="inbox-badge">2<' in response.content.decode()


def test_the_badge_is_hidden_when_nothing_is_unread(client_for, village_office, overdue):
    inbox_items(village_office).update(read_at=timezone.now())

    response = client_for(village_office).get(reverse("home"))

    assert 'data-testid="inbox-bell"' in response.content.decode()
    assert 'data-testid="inbox-badge"' not in response.content.decode()


def test_withdrawn_items_are_neither_listed_nor_counted(client_for, village_office, overdue):
    inbox_items(village_office).update(cancelled_at=timezone.now())

    response = client_for(village_office).get(reverse("inbox"))

    assert response.context["inbox_unread"] == 0
    assert not shows(response, overdue.number)


def test_the_unread_count_is_one_count_query_per_page(client_for, village_office, overdue):
    client = client_for(village_office)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    table = Notification._meta.db_table
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and table in q["sql"]]
    # the badge's count; the home panel lists the newest unread items without counting them again
    assert len(counts) == 1


def test_an_item_that_is_not_a_reminder_shows_its_own_title_and_link(client_for, village_office):
    item = Notification.objects.create(recipient=village_office, title="督办函已下发，请查收", url="/villages/")

    page = client_for(village_office).get(reverse("inbox"))
    opened = client_for(village_office).get(reverse("inbox-open", args=[item.pk]))

    assert shows(page, "督办函已下发，请查收")
    assert opened["Location"] == "/villages/"


def test_a_link_to_another_site_is_not_followed(client_for, village_office):
    item = Notification.objects.create(recipient=village_office, title="可疑链接", url="https://example.org/phish")

    response = client_for(village_office).get(reverse("inbox-open", args=[item.pk]))

    assert response["Location"] == reverse("inbox")


def test_the_inbox_shows_newest_first_25_a_page_and_filters_unread(client_for, village_office):
    for index in range(30):
        Notification.objects.create(
            recipient=village_office,
            title=f"通知第{index:02d}条",
            created_at=timezone.now() - timezone.timedelta(minutes=30 - index),
            read_at=timezone.now() if index % 2 else None,
        )
    client = client_for(village_office)

    first = client.get(reverse("inbox"))
    second = client.get(reverse("inbox"), {"page": 2})
    unread = client.get(reverse("inbox"), {"show": "unread"})

    titles = [item.text_title for item in first.context["notifications"]]
    assert len(titles) == 25 and titles[0] == "通知第29条" and titles[-1] == "通知第05条"
    assert [item.text_title for item in second.context["notifications"]][-1] == "通知第00条"
    assert unread.context["page_obj"].paginator.count == 15


def test_signing_in_is_needed(client_for):
    response = client_for(None).get(reverse("inbox"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_home_panel_lists_the_five_newest_unread_items(client_for, village_office, overdue):
    for index in range(6):
        Notification.objects.create(recipient=village_office, title=f"较新的通知{index}", url="/")
    Notification.objects.create(recipient=village_office, title="已读的通知", url="/", read_at=timezone.now())

    response = client_for(village_office).get(reverse("home"))

    panel = {p.key: ctx for p, ctx in response.context["panels"]}["inbox"]
    assert [item.text_title for item in panel["items"]] == [f"较新的通知{index}" for index in range(5, 0, -1)]
    assert shows(response, "较新的通知5") and not shows(response, "已读的通知")


def test_the_inbox_runs_as_many_queries_for_30_items_as_for_1(
    client_for, village_office, safety_officer, site_a, settings
):
    settings.REMINDER_GROUP_OVER = 100  # thirty items of their own, not one group
    client = client_for(village_office)
    overdue_findings(officer=safety_officer, site=site_a, days=4)
    sweep_today()
    Notification.objects.create(recipient=village_office, title="非提醒通知", url="/")
    client.get(reverse("inbox"))
    one = {url: count_queries(client, url) for url in (reverse("inbox"), reverse("home"))}

    overdue_findings(officer=safety_officer, site=site_a, days=4, count=29)
    sweep_today()
    thirty = {url: count_queries(client, url) for url in (reverse("inbox"), reverse("home"))}

    assert inbox_items(village_office).count() >= 30
    assert thirty == one
