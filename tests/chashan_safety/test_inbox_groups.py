"""Group items: a person told of many reminders by one rung of one sweep gets one inbox item listing them.

``REMINDER_GROUP_OVER`` (5) is the most a rung tells a person of one by one; a backlog swept on the
portal's first day, or a town-wide rung for leadership, arrives as one item, one line in the digests.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from chashan_safety.digests import send_digests, withdraw_stale
from chashan_safety.models import Notification, Reminder
from chashan_safety.reminders import group_members, told_counts
from inspections.reminders import reminders_for
from tests.builders import closed, make_site, overdue_findings, sweep_today
from tests.helpers import count_queries, shows


@pytest.fixture
def backlog(safety_officer, village_a, village_office):
    """Seven findings of village A one day overdue, swept: more than the office is told of one by one."""
    findings = overdue_findings(officer=safety_officer, site=make_site(village_a), days=1, count=7)
    sweep_today()
    return findings


def items_of(user):
    return list(Notification.objects.for_user(user))


def test_more_than_five_reminders_of_one_rung_reach_a_person_as_one_item(village_office, backlog):
    (item,) = items_of(village_office)

    assert item.is_group and item.reminder is None
    assert (item.size, item.kind, item.level) == (7, "finding.overdue", "d1")
    assert set(group_members(item).values_list("object_id", flat=True)) == {f.pk for f in backlog}


def test_five_or_fewer_arrive_one_by_one(village_office, safety_officer, village_a):
    findings = overdue_findings(officer=safety_officer, site=make_site(village_a), days=1, count=5)

    sweep_today()

    items = items_of(village_office)
    assert len(items) == 5 and not any(item.is_group for item in items)
    assert {item.reminder.object_id for item in items} == {f.pk for f in findings}


def test_the_inbox_shows_the_group_as_one_line_linking_to_its_list(client_for, village_office, backlog):
    (item,) = items_of(village_office)

    response = client_for(village_office).get(reverse("inbox"))

    (listed,) = response.context["notifications"]
    assert listed.text_url == reverse("inbox-group", args=[item.pk])
    assert "7" in listed.text_title
    assert f'href="{reverse("inbox-open", args=[item.pk])}"' in response.content.decode()


def test_opening_the_group_lists_its_findings_marks_it_read_and_drops_the_unread_count(
    client_for, village_office, backlog
):
    (item,) = items_of(village_office)
    client = client_for(village_office)
    assert client.get(reverse("inbox")).context["inbox_unread"] == 1

    response = client.get(reverse("inbox-open", args=[item.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("inbox-group", args=[item.pk])
    assert all(shows(response, finding.number) for finding in backlog)
    for finding in backlog:
        assert f'href="{finding.get_absolute_url()}"' in response.content.decode()
    item.refresh_from_db()
    assert item.read_at is not None
    assert client.get(reverse("inbox")).context["inbox_unread"] == 0


def test_a_group_lists_only_what_its_recipient_was_told_of(
    safety_officer, other_officer, village_a, village_b, village_office, other_village_office
):
    mine = overdue_findings(officer=safety_officer, site=make_site(village_a), days=1, count=6)
    theirs = overdue_findings(officer=other_officer, site=make_site(village_b), days=1, count=6)

    sweep_today()

    (my_group,) = items_of(village_office)
    (their_group,) = items_of(other_village_office)
    assert my_group.batch == their_group.batch  # one sweep of one rung
    assert set(group_members(my_group).values_list("object_id", flat=True)) == {f.pk for f in mine}
    assert set(group_members(their_group).values_list("object_id", flat=True)) == {f.pk for f in theirs}


def test_another_persons_group_answers_404_and_stays_unread(client_for, other_village_office, village_office, backlog):
    (item,) = items_of(village_office)
    client = client_for(other_village_office)

    assert client.get(reverse("inbox-group", args=[item.pk])).status_code == 404
    assert client.get(reverse("inbox-open", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_an_item_that_is_not_a_group_has_no_group_page(client_for, village_office, safety_officer, village_a):
    overdue_findings(officer=safety_officer, site=make_site(village_a), days=1)
    sweep_today()
    (item,) = items_of(village_office)

    assert client_for(village_office).get(reverse("inbox-group", args=[item.pk])).status_code == 404


def test_findings_fixed_since_are_marked_on_the_group_page(client_for, village_office, safety_officer, backlog):
    (item,) = items_of(village_office)
    fixed = backlog[:2]
    for finding in fixed:
        closed(finding, village_office, safety_officer)

    response = client_for(village_office).get(reverse("inbox-group", args=[item.pk]))

    rows = response.context["rows"]
    assert len(rows) == 7
    for row in rows:
        was_fixed = any(finding.number in row["text"].title for finding in fixed)
        assert row["applies"] is not was_fixed, row["text"].title
    assert sum(not row["applies"] for row in rows) == 2


def test_the_group_page_runs_as_many_queries_for_30_findings_as_for_6(
    client_for, village_office, other_village_office, safety_officer, other_officer, village_a, village_b
):
    overdue_findings(officer=safety_officer, site=make_site(village_a), days=1, count=6)
    overdue_findings(officer=other_officer, site=make_site(village_b), days=1, count=24)
    sweep_today()
    (six,) = items_of(village_office)
    (twenty_four,) = items_of(other_village_office)

    few = count_queries(client_for(village_office), reverse("inbox-group", args=[six.pk]))
    many = count_queries(client_for(other_village_office), reverse("inbox-group", args=[twenty_four.pk]))

    assert few == many


def test_a_group_is_withdrawn_only_when_none_of_its_findings_still_needs_fixing(
    village_office, safety_officer, backlog
):
    (item,) = items_of(village_office)
    for finding in backlog[:-1]:
        closed(finding, village_office, safety_officer)

    assert withdraw_stale() == 0
    closed(backlog[-1], village_office, safety_officer)
    assert withdraw_stale() == 1
    item.refresh_from_db()
    assert item.cancelled_at is not None


def test_the_digest_lists_a_group_as_one_line_linking_to_it(village_office, backlog, mailoutbox, settings):
    village_office.email = "shangyuan@example.org"
    village_office.save()
    settings.PORTAL_BASE_URL = "https://aj.chashan.example"
    (item,) = items_of(village_office)

    send_digests()

    (mail,) = mailoutbox
    assert f"https://aj.chashan.example{reverse('inbox-group', args=[item.pk])}" in mail.body
    assert "/findings/" not in mail.body


def test_the_timeline_and_the_overview_count_the_people_a_group_told(client_for, town_admin, village_office, backlog):
    reminder = Reminder.objects.get(object_id=backlog[0].pk)

    assert [entry["recipients"] for entry in reminders_for(backlog[0])] == [1]
    assert told_counts([reminder]) == {reminder.pk: (1, 0)}
    response = client_for(town_admin).get(reverse("reminders-overview"))
    assert {row.recipients for row in response.context["reminders"]} == {1}


def test_leadership_hears_of_a_town_wide_rung_in_one_item(leadership, town_admin, safety_officer, village_a):
    overdue_findings(officer=safety_officer, site=make_site(village_a), days=15, count=8)

    sweep_today()

    for person in (leadership, town_admin):
        (item,) = items_of(person)
        assert (item.level, item.size) == ("d15", 8)
        assert group_members(item).count() == 8
