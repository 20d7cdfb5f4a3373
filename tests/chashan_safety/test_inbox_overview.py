"""The town administrator's overview of reminders sent, and of the people the digests cannot reach."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from chashan_safety.models import Notification, Reminder, User
from chashan_safety.reminders import sweep
from inspections.reminders import OVERDUE
from tests.builders import make_site, overdue_findings, sweep_today
from tests.helpers import count_queries, page_text, shows

NOT_ADMINS = ["safety_officer", "village_office", "unit_office", "leadership"]


@pytest.fixture
def findings(safety_officer, other_officer, village_a, village_b, village_office, other_village_office):
    """A finding of village A four days overdue (levels d1 and d3) and one of village B one day overdue (d1)."""
    in_a = overdue_findings(officer=safety_officer, site=make_site(village_a), days=4)[0]
    sweep(timezone.localdate() - dt.timedelta(days=3))  # the daily sweep saw it one day overdue
    in_b = overdue_findings(officer=other_officer, site=make_site(village_b), days=1)[0]
    sweep_today()
    return in_a, in_b


def listed(response) -> list[tuple[int, str]]:
    return [(reminder.object_id, reminder.level) for reminder in response.context["reminders"]]


@pytest.mark.parametrize("persona", NOT_ADMINS, indirect=True)
@pytest.mark.parametrize("url_name", ["reminders-overview", "reminders-no-contact"])
def test_only_the_town_administrator_may_open_the_overview(client_for, persona, url_name):
    assert client_for(persona).get(reverse(url_name)).status_code == 403


def test_the_overview_lists_each_reminder_with_its_labels_text_and_recipients(client_for, town_admin, findings):
    in_a, in_b = findings

    response = client_for(town_admin).get(reverse("reminders-overview"))

    assert response.status_code == 200
    assert sorted(listed(response)) == sorted([(in_a.pk, "d1"), (in_a.pk, "d3"), (in_b.pk, "d1")])
    day3 = next(r for r in response.context["reminders"] if r.level == "d3")
    assert day3.level_label != "d3" and shows(response, str(day3.level_label))
    assert day3.kind_label != OVERDUE and shows(response, str(day3.kind_label))
    assert day3.recipients == 2  # the village's office again, and the zone's one officer
    assert day3.read == 0
    assert day3.text.title and in_a.number in day3.text.title
    assert shows(response, in_a.number) and shows(response, in_b.number)


def test_the_recipient_and_read_counts_come_from_the_notifications(client_for, town_admin, findings, village_office):
    in_a, _in_b = findings
    Notification.objects.filter(recipient=village_office).update(read_at=timezone.now())

    response = client_for(town_admin).get(reverse("reminders-overview"))

    day1 = next(r for r in response.context["reminders"] if r.object_id == in_a.pk and r.level == "d1")
    assert (day1.recipients, day1.read) == (1, 1)


def test_the_overview_filters_by_kind_and_level(client_for, town_admin, findings):
    in_a, _in_b = findings
    client = client_for(town_admin)

    level = client.get(reverse("reminders-overview"), {"kind": f"{OVERDUE}:d3"})
    kind = client.get(reverse("reminders-overview"), {"kind": OVERDUE})

    assert listed(level) == [(in_a.pk, "d3")]
    assert len(listed(kind)) == 3


def test_the_overview_filters_by_village(client_for, town_admin, findings, village_b):
    _in_a, in_b = findings

    response = client_for(town_admin).get(reverse("reminders-overview"), {"village": village_b.pk})

    assert listed(response) == [(in_b.pk, "d1")]


def test_the_overview_filters_by_date_range(client_for, town_admin, findings):
    in_a, _in_b = findings
    Reminder.objects.filter(object_id=in_a.pk, level="d1").update(created_at=timezone.now() - dt.timedelta(days=10))
    client = client_for(town_admin)
    today = timezone.localdate()

    recent = client.get(reverse("reminders-overview"), {"created_from": today.isoformat()})
    older = client.get(reverse("reminders-overview"), {"created_to": (today - dt.timedelta(days=5)).isoformat()})

    assert (in_a.pk, "d1") not in listed(recent) and len(listed(recent)) == 2
    assert listed(older) == [(in_a.pk, "d1")]


def test_a_bad_filter_value_shows_everything_rather_than_failing(client_for, town_admin, findings):
    response = client_for(town_admin).get(reverse("reminders-overview"), {"kind": "nonsense", "created_from": "x"})

    assert response.status_code == 200


def test_people_without_email_or_phone_are_listed_with_a_link_to_their_account(
    client_for, town_admin, findings, village_office, safety_officer
):
    village_office.email, village_office.phone = "", "13900000001"
    village_office.save()
    safety_officer.email, safety_officer.phone = "officer@example.org", ""
    safety_officer.save()
    client = client_for(town_admin)

    overview = client.get(reverse("reminders-overview"))
    gaps = client.get(reverse("reminders-no-contact"))

    assert 'data-testid="no-contact-alert"' in overview.content.decode()
    rows = {row["user"].username: (row["email"], row["sms"]) for row in gaps.context["rows"]}
    assert rows["village"] == (True, False)
    assert rows["officer"] == (False, True)
    assert reverse("accounts:user-edit", args=[village_office.pk]) in gaps.content.decode()


def test_the_contact_alert_names_only_the_missing_channel_in_chinese(client_for, town_admin, findings):
    User.objects.exclude(pk=town_admin.pk).update(email="someone@example.org", phone="")

    page = page_text(client_for(town_admin).get(reverse("reminders-overview")))
    alert = re.search(r'data-testid="no-contact-alert">(.*?)</div>', page, re.S).group(1)

    assert 'data-testid="no-phone"' in alert and 'data-testid="no-email"' not in alert
    assert "没有手机号码" in alert and "没有电子邮箱" not in alert
    assert ";" not in re.sub(r"<[^>]+>", "", alert)


def test_the_overview_runs_as_many_queries_for_30_reminders_as_for_1(client_for, town_admin, safety_officer, village_a):
    client = client_for(town_admin)
    site = make_site(village_a)
    overdue_findings(officer=safety_officer, site=site, days=1)
    sweep_today()
    urls = [reverse("reminders-overview"), reverse("reminders-no-contact")]
    for url in urls:
        client.get(url)
    one = {url: count_queries(client, url) for url in urls}

    overdue_findings(officer=safety_officer, site=site, days=1, count=29)
    sweep_today()
    thirty = {url: count_queries(client, url) for url in urls}

    assert Reminder.objects.count() == 30
    assert thirty == one
