"""A finding's page lists the reminders it caused: which rung of the ladder, when, how many were told."""

from django.utils import translation

from tests.builders import make_site, overdue_findings, sweep_days_ago
from tests.helpers import count_queries


def _page(client, finding):
    with translation.override("en"):
        return client.get(finding.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")


def test_the_finding_page_lists_each_reminder_it_caused(client_for, safety_officer, village_office, village_a):
    finding = overdue_findings(officer=safety_officer, site=make_site(village_a), days=3)[0]
    sweep_days_ago(2, 0)  # one day overdue, then three

    response = _page(client_for(village_office), finding)

    reminders = response.context["reminders"]
    with translation.override("en"):
        assert [str(r["label"]) for r in reminders] == ["Day 1 overdue", "Day 3 overdue"]
    # day 1 told the village office, day 3 the office again and the zone's officer
    assert [r["recipients"] for r in reminders] == [1, 2]
    assert "Reminders sent" in response.content.decode()


def test_a_finding_with_no_reminders_shows_no_reminder_list(client_for, safety_officer, village_office, village_a):
    finding = overdue_findings(officer=safety_officer, site=make_site(village_a), days=3)[0]

    response = _page(client_for(village_office), finding)

    assert response.context["reminders"] == []
    assert "data-reminders" not in response.content.decode()


def test_the_reminder_list_costs_the_same_queries_for_one_rung_as_for_four(
    client_for, safety_officer, village_office, village_a
):
    client = client_for(village_office)
    one = overdue_findings(officer=safety_officer, site=make_site(village_a, "一号厂"), days=1)[0]
    four = overdue_findings(officer=safety_officer, site=make_site(village_a, "二号厂"), days=16)[0]
    sweep_days_ago(15, 13, 9, 0)  # 1, 3, 7 and 16 days overdue: one rung each time
    _page(client, one)  # the first request of a session may touch it

    assert len(_page(client, four).context["reminders"]) == 4
    assert count_queries(client, one.get_absolute_url()) == count_queries(client, four.get_absolute_url())
