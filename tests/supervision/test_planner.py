"""The surprise and night inspection planner: targets drawn at random, weighted by risk and by the time
since the last inspection; accept, redraw or swap; the accepted plan shows on the officer's home."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections.models import Inspection, Site
from supervision.models import InspectionPlan, PlannedVisit
from supervision.services import Candidate, plan_accept, plan_draw, plan_swap, site_weight, weighted_draw
from tests.factories import InspectionFactory, SiteFactory
from tests.helpers import count_queries, messages_of, shows

TODAY = timezone.localdate


# --- the weighting ------------------------------------------------------------------------------------


def test_a_riskier_site_weighs_more():
    assert site_weight(1, 30) < site_weight(2, 30) < site_weight(3, 30) < site_weight(4, 30)


def test_a_site_not_seen_for_longer_weighs_more_and_never_seen_counts_as_a_year():
    assert site_weight(2, 0) < site_weight(2, 30) < site_weight(2, 200) < site_weight(2, None)
    assert site_weight(2, None) == site_weight(2, 365) == site_weight(2, 2000)


def test_heavier_sites_are_drawn_more_often_in_proportion():
    light = Candidate(site_id=1, weight=site_weight(1, 0), days_since=0)  # blue, seen today: 1
    heavy = Candidate(site_id=2, weight=site_weight(4, None), days_since=None)  # red, never: 8 × 13.2
    middle = Candidate(site_id=3, weight=site_weight(2, 60), days_since=60)  # yellow, 2 months: 6
    first_picks = Counter(
        weighted_draw([light, heavy, middle], 1, random.Random(seed))[0].site_id for seed in range(3000)
    )
    assert first_picks[2] > first_picks[3] > first_picks[1]
    # the chance of the first pick is the weight's share: 105.6 / 112.6 for the red site
    assert 0.90 < first_picks[2] / 3000 < 0.97


def test_the_same_seed_draws_the_same_targets():
    candidates = [Candidate(i, float(i % 5 + 1), None) for i in range(1, 40)]
    assert weighted_draw(candidates, 5, random.Random(11)) == weighted_draw(candidates, 5, random.Random(11))
    assert len({c.site_id for c in weighted_draw(candidates, 5, random.Random(11))}) == 5


# --- drawing a plan -------------------------------------------------------------------------------------


@pytest.fixture
def sites(village_a):
    return [SiteFactory(village=village_a, risk_level=level) for level in (1, 2, 3, 4, 4)]


def test_a_plan_draws_only_sites_in_operation_in_the_teams_zone(team_a, safety_officer, sites, village_b):
    SiteFactory(village=village_b)
    closed_down = SiteFactory(village=sites[0].village, is_active=False)

    plan = plan_draw(by=safety_officer, team=team_a, kind="night", planned_for=TODAY(), size=5, seed=1)

    drawn = set(plan.visits.values_list("site_id", flat=True))
    assert drawn == {site.pk for site in sites}
    assert closed_down.pk not in drawn


def test_the_days_since_the_last_inspection_are_kept_with_each_target(team_a, safety_officer, sites):
    InspectionFactory(site=sites[4], led_by=safety_officer, on=TODAY() - dt.timedelta(days=40))
    plan = plan_draw(by=safety_officer, team=team_a, kind="night", planned_for=TODAY(), size=5, seed=1)
    visit = plan.visits.get(site=sites[4])
    assert visit.days_since_inspected == 40
    assert visit.weight == pytest.approx(site_weight(4, 40), rel=1e-3)
    assert plan.visits.get(site=sites[3]).days_since_inspected is None


def test_a_planner_with_no_sites_says_so_and_writes_nothing(client_for, team_a, safety_officer):
    response = client_for(safety_officer).post(
        reverse("supervision:planner"),
        {"kind": "night", "team": team_a.pk, "planned_for": TODAY().isoformat(), "size": "3"},
    )

    assert response.status_code == 200
    assert "There are no sites in operation" in str(response.context["form"].non_field_errors())
    assert not InspectionPlan.objects.exists() and not PlannedVisit.objects.exists()


def test_a_plan_for_a_past_day_is_refused(client_for, team_a, safety_officer, sites):
    response = client_for(safety_officer).post(
        reverse("supervision:planner"),
        {"kind": "night", "team": team_a.pk, "planned_for": (TODAY() - dt.timedelta(days=1)).isoformat(), "size": "3"},
    )
    assert response.context["form"].errors["planned_for"] == ["A plan cannot be made for a day in the past."]
    assert not InspectionPlan.objects.exists()


def test_an_officer_cannot_plan_for_another_zones_team(client_for, team_b, safety_officer, sites):
    response = client_for(safety_officer).post(
        reverse("supervision:planner"),
        {"kind": "night", "team": team_b.pk, "planned_for": TODAY().isoformat(), "size": "3"},
    )
    assert "team" in response.context["form"].errors
    assert not InspectionPlan.objects.exists()


def test_draw_swap_redraw_and_accept_on_the_page(client_for, team_a, safety_officer, sites, village_a):
    SiteFactory(village=village_a, risk_level=2)  # six sites: one is left over to swap in
    client = client_for(safety_officer)
    response = client.post(
        reverse("supervision:planner"),
        {"kind": "night", "team": team_a.pk, "planned_for": TODAY().isoformat(), "size": "3"},
        follow=True,
    )
    plan = InspectionPlan.objects.get()
    assert response.context["plan"] == plan and plan.is_draft
    assert len(response.context["visits"]) == 3

    visit = plan.visits.get(position=2)
    before = set(plan.visits.values_list("site_id", flat=True))
    client.post(reverse("supervision:plan-swap", args=[plan.pk, visit.pk]))
    after = set(plan.visits.values_list("site_id", flat=True))
    assert len(after) == 3 and after != before and (before - after) == {visit.site_id}

    client.post(reverse("supervision:plan-redraw", args=[plan.pk]))
    assert plan.visits.count() == 3

    response = client.post(reverse("supervision:plan-accept", args=[plan.pk]), follow=True)
    plan.refresh_from_db()
    assert plan.status == InspectionPlan.Status.ACCEPTED
    assert (
        messages_of(response)[-1] == f"The plan was accepted: it is the team's inspections for {TODAY().isoformat()}."
    )


def test_an_accepted_plan_no_longer_changes(team_a, safety_officer, sites):
    plan = plan_draw(by=safety_officer, team=team_a, kind="surprise", planned_for=TODAY(), size=2, seed=4)
    plan_accept(plan=plan, by=safety_officer)
    with pytest.raises(ValidationError):
        plan_swap(plan=plan, visit=plan.visits.first(), by=safety_officer)


def test_a_swap_with_no_site_left_says_so(client_for, team_a, safety_officer, sites):
    plan = plan_draw(by=safety_officer, team=team_a, kind="night", planned_for=TODAY(), size=5, seed=4)
    response = client_for(safety_officer).post(
        reverse("supervision:plan-swap", args=[plan.pk, plan.visits.first().pk]), follow=True
    )
    assert messages_of(response) == ["There is no other site in this zone to swap in."]


def test_todays_plan_shows_on_the_officers_home_and_marks_what_was_inspected(client_for, team_a, safety_officer, sites):
    plan = plan_draw(by=safety_officer, team=team_a, kind="night", planned_for=TODAY(), size=2, seed=8)
    plan_accept(plan=plan, by=safety_officer)
    first, second = plan.visits.order_by("position")
    # five minutes ago, but today still when the suite runs just after midnight
    midnight = timezone.make_aware(dt.datetime.combine(TODAY(), dt.time()))
    started = max(timezone.now() - dt.timedelta(minutes=5), midnight)
    Inspection.objects.create(kind="night", site=first.site, led_by=safety_officer, started_at=started)

    response = client_for(safety_officer).get(reverse("home"))

    panel = {p.key: c for p, c in response.context["panels"]}["todays-plan"]
    visits = {v.site_id: v.done for v in panel["plans"][0].day_visits}
    assert visits == {first.site_id: True, second.site_id: False}
    assert shows(response, Site.objects.get(pk=second.site_id).name)
    assert f'?site={second.site_id}"' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("safety_officer", 200),
        ("town_admin", 200),
        ("other_officer", 404),
        ("village_office", 403),
        ("leadership", 403),
    ],
    indirect=["persona"],
)
def test_who_sees_a_plan(client_for, team_a, safety_officer, sites, persona, status):
    plan = plan_draw(by=safety_officer, team=team_a, kind="night", planned_for=TODAY(), size=2, seed=8)
    assert client_for(persona).get(plan.get_absolute_url()).status_code == status


def test_the_plan_page_and_the_home_panel_cost_the_same_queries_for_few_or_many_targets(
    client_for, team_a, safety_officer, village_a
):
    for level in (1, 2, 3, 4) * 3:
        SiteFactory(village=village_a, risk_level=level)
    few = plan_draw(by=safety_officer, team=team_a, kind="night", planned_for=TODAY(), size=1, seed=1)
    many = plan_draw(by=safety_officer, team=team_a, kind="surprise", planned_for=TODAY(), size=10, seed=2)
    client = client_for(safety_officer)
    assert count_queries(client, few.get_absolute_url()) == count_queries(client, many.get_absolute_url())

    plan_accept(plan=few, by=safety_officer)
    with_one = count_queries(client, reverse("home"))
    plan_accept(plan=many, by=safety_officer)
    assert count_queries(client, reverse("home")) == with_one
