"""Campaigns (专项整治): a period and a category, linked inspections and findings, progress by village,
and a report for leadership."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, FindingStatus
from supervision.models import Campaign, CampaignCategory
from supervision.services import campaign_link_inspection, campaign_link_matching
from tests.factories import FindingFactory, InspectionFactory, SiteFactory
from tests.helpers import count_queries, messages_of, shows

TODAY = timezone.localdate


@pytest.fixture
def campaign(town_admin):
    return Campaign.objects.create(
        name="违章搭建专项整治（测试）",
        category=CampaignCategory.objects.get(name="违章搭建"),
        finding_category=Finding.Category.ILLEGAL_CONSTRUCTION,
        starts_on=TODAY() - dt.timedelta(days=90),
        ends_on=TODAY() + dt.timedelta(days=90),
        created_by=town_admin,
    )


def findings_in(village, officer, *statuses, category=Finding.Category.ILLEGAL_CONSTRUCTION, days_ago=30):
    inspection = InspectionFactory(
        site=SiteFactory(village=village), led_by=officer, on=TODAY() - dt.timedelta(days=days_ago)
    )
    return inspection, [FindingFactory(inspection=inspection, status=s, category=category) for s in statuses]


def test_the_four_lines_of_the_three_year_action_are_there_and_the_town_adds_more(client_for, town_admin):
    assert set(CampaignCategory.objects.values_list("name", flat=True)) >= {
        "违章搭建",
        "道路交通安全",
        "消防技防改造",
        "装修工程",
    }
    client_for(town_admin).post(reverse("supervision:category-create"), {"name": "有限空间", "order": "50"})
    assert CampaignCategory.objects.filter(name="有限空间").exists()


def test_a_campaign_ending_before_it_starts_is_refused_and_nothing_is_saved(client_for, town_admin):
    response = client_for(town_admin).post(
        reverse("supervision:campaign-create"),
        {
            "name": "道路交通安全整治",
            "category": CampaignCategory.objects.get(name="道路交通安全").pk,
            "starts_on": "2026-06-01",
            "ends_on": "2026-05-01",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"] == ["A campaign cannot end before it starts."]
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [
        (dt.date(2026, 1, 1), dt.date(9999, 12, 31), "ends_on"),
        (dt.date(2026, 1, 1), dt.date(2062, 12, 31), "ends_on"),
        (TODAY() + dt.timedelta(days=400), TODAY() + dt.timedelta(days=500), "starts_on"),
    ],
    ids=["for-ever", "year-mistyped", "start-years-ahead"],
)
def test_a_campaign_with_a_mistyped_year_is_refused(starts_on, ends_on, field, client_for, town_admin):
    response = client_for(town_admin).post(
        reverse("supervision:campaign-create"),
        {
            "name": "道路交通安全整治",
            "category": CampaignCategory.objects.get(name="道路交通安全").pk,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Campaign.objects.exists()


def test_a_three_year_action_is_a_campaign_like_any_other(client_for, town_admin):
    client_for(town_admin).post(
        reverse("supervision:campaign-create"),
        {
            "name": "安全生产专项整治三年行动",
            "category": CampaignCategory.objects.get(name="违章搭建").pk,
            "starts_on": "2020-01-01",
            "ends_on": "2022-12-31",
        },
    )

    assert Campaign.objects.filter(name="安全生产专项整治三年行动").exists()


def test_the_town_admin_creates_a_campaign(client_for, town_admin):
    response = client_for(town_admin).post(
        reverse("supervision:campaign-create"),
        {
            "name": "装修工程专项整治",
            "category": CampaignCategory.objects.get(name="装修工程").pk,
            "starts_on": "2026-03-01",
            "ends_on": "2026-12-31",
            "description": "排查装修工程动火作业",
        },
        follow=True,
    )
    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.created_by) == ("装修工程专项整治", town_admin)
    assert response.context["campaign"] == campaign


@pytest.mark.parametrize("persona", ["safety_officer", "village_office", "unit_office", "leadership"], indirect=True)
def test_only_the_town_admin_creates_campaigns(client_for, persona):
    assert client_for(persona).get(reverse("supervision:campaign-create")).status_code == 403


def test_progress_by_village_counts_found_fixed_and_overdue(
    client_for, campaign, leadership, safety_officer, other_officer, village_a, village_b
):
    inspection_a, _ = findings_in(village_a, safety_officer, FindingStatus.CLOSED, FindingStatus.OPEN, days_ago=5)
    _, findings_b = findings_in(village_b, other_officer, FindingStatus.OPEN, days_ago=60)
    campaign.inspections.add(inspection_a)
    campaign.findings.add(*findings_b)
    findings_in(village_b, other_officer, FindingStatus.OPEN)  # not linked: does not count

    response = client_for(leadership).get(reverse("supervision:campaign-report", args=[campaign.pk]))

    rows = {row["village_name"]: (row["found"], row["fixed"], row["overdue"]) for row in response.context["by_village"]}
    # village B's finding was found 60 days ago with 15 days to fix it: overdue
    assert rows == {village_a.name: (2, 1, 0), village_b.name: (1, 0, 1)}
    assert response.context["totals"]["found"] == 3 and response.context["totals"]["rate"] == 33
    assert shows(response, "违章搭建专项整治（测试）")


def test_a_village_office_sees_only_its_own_figures(
    client_for, campaign, village_office, safety_officer, other_officer, village_a, village_b
):
    inspection_a, _ = findings_in(village_a, safety_officer, FindingStatus.OPEN)
    inspection_b, _ = findings_in(village_b, other_officer, FindingStatus.OPEN)
    campaign.inspections.add(inspection_a, inspection_b)

    response = client_for(village_office).get(reverse("supervision:campaign-detail", args=[campaign.pk]))

    assert [row["village_name"] for row in response.context["by_village"]] == [village_a.name]


def test_matching_findings_of_the_period_are_linked_in_one_action(
    client_for, campaign, town_admin, safety_officer, village_a
):
    findings_in(village_a, safety_officer, FindingStatus.OPEN, FindingStatus.CLOSED)
    findings_in(village_a, safety_officer, FindingStatus.OPEN, category=Finding.Category.FIRE)
    findings_in(village_a, safety_officer, FindingStatus.OPEN, days_ago=200)  # before the campaign

    response = client_for(town_admin).post(
        reverse("supervision:campaign-link-matching", args=[campaign.pk]), follow=True
    )

    assert messages_of(response) == ["2 findings were linked."]
    assert campaign.findings.count() == 2
    assert campaign_link_matching(campaign=campaign, by=town_admin) == 0


def test_an_officer_counts_an_inspection_in_a_running_campaign(client_for, campaign, safety_officer, village_a):
    inspection, _ = findings_in(village_a, safety_officer, FindingStatus.OPEN)
    response = client_for(safety_officer).post(
        reverse("supervision:campaign-link-inspection", args=[inspection.pk]), {"campaign": campaign.pk}, follow=True
    )
    assert messages_of(response) == [f"The inspection now counts in {campaign.name}."]
    assert list(campaign.inspections.all()) == [inspection]


def test_an_inspection_outside_the_campaigns_period_is_refused(campaign, safety_officer, village_a):
    inspection, _ = findings_in(village_a, safety_officer, FindingStatus.OPEN, days_ago=200)
    with pytest.raises(ValidationError):
        campaign_link_inspection(campaign=campaign, inspection=inspection, by=safety_officer)
    assert not campaign.inspections.exists()


def test_an_officer_cannot_link_an_inspection_outside_his_zones(
    client_for, campaign, other_officer, safety_officer, village_a
):
    inspection, _ = findings_in(village_a, safety_officer, FindingStatus.OPEN)
    response = client_for(other_officer).post(
        reverse("supervision:campaign-link-inspection", args=[inspection.pk]), {"campaign": campaign.pk}
    )
    assert response.status_code == 404
    assert not campaign.inspections.exists()


def test_the_campaign_pages_queries_do_not_grow_with_its_findings(
    client_for, campaign, leadership, safety_officer, village_a, village_b, other_officer
):
    inspection, _ = findings_in(village_a, safety_officer, FindingStatus.OPEN)
    campaign.inspections.add(inspection)
    client = client_for(leadership)
    url = reverse("supervision:campaign-detail", args=[campaign.pk])
    one = count_queries(client, url)
    for village, officer in ((village_a, safety_officer), (village_b, other_officer)):
        more, _ = findings_in(village, officer, FindingStatus.OPEN, FindingStatus.CLOSED, FindingStatus.OPEN)
        campaign.inspections.add(more)
    assert count_queries(client, url) == one


@pytest.mark.parametrize(
    "persona", ["town_admin", "safety_officer", "village_office", "unit_office", "leadership"], indirect=True
)
def test_every_role_reads_the_campaigns(client_for, campaign, persona):
    assert client_for(persona).get(reverse("supervision:campaign-list")).status_code == 200
    assert client_for(persona).get(reverse("supervision:campaign-report", args=[campaign.pk])).status_code == 200


def test_the_inspection_page_offers_running_campaigns_to_its_zones_officer_only(
    client_for, campaign, safety_officer, village_office, village_a
):
    inspection, _ = findings_in(village_a, safety_officer, FindingStatus.OPEN)
    link = reverse("supervision:campaign-link-inspection", args=[inspection.pk])
    assert link in client_for(safety_officer).get(inspection.get_absolute_url()).content.decode()
    assert link not in client_for(village_office).get(inspection.get_absolute_url()).content.decode()
    response = client_for(village_office).post(link, {"campaign": campaign.pk})
    assert response.status_code == 403 and not campaign.inspections.exists()
