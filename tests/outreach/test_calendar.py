import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tests.factories import ActivityFactory
from tests.helpers import count_queries, shows


def test_the_calendar_shows_the_months_activities_and_whats_coming(client_for, town_admin, village_a):
    today = timezone.localdate()
    soon = today + dt.timedelta(days=40)
    ActivityFactory(village=village_a, title="本月的演练", kind="drill", held_on=today)
    ActivityFactory(village=village_a, title="下个月的培训", kind="training", held_on=soon, audience_count=None)
    client = client_for(town_admin)
    response = client.get(reverse("outreach:calendar"))
    html = response.content.decode()
    day = html.split(f'data-day="{today.isoformat()}"')[1].split('<div class="cal-day')[0]
    assert "上元村" in day
    upcoming = html.split('data-testid="upcoming"')[1].split("</ul>")[0]
    assert "下个月的培训" in upcoming and "本月的演练" not in upcoming
    later = client.get(reverse("outreach:calendar") + f"?month={soon:%Y-%m}")
    assert shows(later, soon.isoformat())


def test_an_unreadable_month_shows_this_month(client_for, town_admin):
    response = client_for(town_admin).get(reverse("outreach:calendar") + "?month=2026-13")
    assert response.context["month"] == timezone.localdate().replace(day=1)


def test_the_calendar_runs_the_same_queries_for_one_activity_or_many(client_for, town_admin, village_a):
    today = timezone.localdate()
    client = client_for(town_admin)
    ActivityFactory(village=village_a, held_on=today)
    few = count_queries(client, reverse("outreach:calendar"))
    ActivityFactory.create_batch(20, village=village_a, held_on=today)
    ActivityFactory.create_batch(5, village=village_a, held_on=today + dt.timedelta(days=3))
    assert count_queries(client, reverse("outreach:calendar")) == few
