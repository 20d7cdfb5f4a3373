"""回头看 rounds: a share of the closed findings of each village, drawn at random and reproducible from
the seed; bad shares and empty populations are refused with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, FindingStatus
from supervision.models import FollowUp, FollowUpRound
from supervision.services import draw_sample, follow_up_record, round_draw
from tests.factories import FindingFactory, InspectionFactory, SiteFactory
from tests.helpers import count_queries, shows

POPULATION = {1: list(range(100, 120)), 2: list(range(200, 205)), 3: [300]}


def test_the_same_seed_draws_the_same_sample_whatever_order_the_findings_come_in():
    shuffled = {village: list(reversed(ids)) for village, ids in reversed(list(POPULATION.items()))}
    assert draw_sample(POPULATION, 30, seed=42) == draw_sample(shuffled, 30, seed=42)


def test_another_seed_draws_another_sample():
    samples = {tuple(draw_sample(POPULATION, 30, seed=seed)) for seed in range(10)}
    assert len(samples) > 1


def test_the_share_is_taken_from_each_village_and_every_village_is_represented():
    sample = draw_sample(POPULATION, 30, seed=7)
    per_village = {village: len([pk for pk in sample if pk in ids]) for village, ids in POPULATION.items()}
    assert per_village == {1: 6, 2: 2, 3: 1}  # 30 % of 20, of 5 and of 1, rounded up


def test_a_share_of_100_percent_takes_every_finding():
    assert draw_sample(POPULATION, 100, seed=1) == sorted(pk for ids in POPULATION.values() for pk in ids)


def closed_findings(village, count: int, officer) -> list[Finding]:
    site = SiteFactory(village=village)
    inspection = InspectionFactory(site=site, led_by=officer, on=timezone.localdate() - dt.timedelta(days=60))
    return [FindingFactory(inspection=inspection, status=FindingStatus.CLOSED) for _ in range(count)]


@pytest.fixture
def town(safety_officer, other_officer, village_a, village_b):
    return closed_findings(village_a, 10, safety_officer) + closed_findings(village_b, 10, other_officer)


def test_an_officers_round_draws_only_from_his_zones(town, safety_officer, village_a):
    drawn = round_draw(by=safety_officer, name="第一轮", share=Decimal(50), due_on=timezone.localdate(), seed=3)

    follow_ups = FollowUp.objects.filter(round=drawn)
    assert follow_ups.count() == 5 and drawn.population == 10
    assert set(follow_ups.values_list("finding__village", flat=True)) == {village_a.pk}
    assert set(follow_ups.values_list("source", flat=True)) == {FollowUp.Source.SAMPLED}


def test_a_round_is_reproducible_from_its_seed(town, town_admin):
    first = round_draw(by=town_admin, name="一", share=Decimal(25), due_on=timezone.localdate(), seed=99)
    drawn_first = sorted(first.follow_ups.values_list("finding_id", flat=True))
    first.delete()  # the same closed findings again, none waiting

    again = round_draw(by=town_admin, name="二", share=Decimal(25), due_on=timezone.localdate(), seed=99)

    assert sorted(again.follow_ups.values_list("finding_id", flat=True)) == drawn_first
    assert again.seed == 99


@pytest.mark.parametrize("share", ["0", "150", "100.01", "-5"])
def test_a_share_outside_0_to_100_percent_is_refused_and_nothing_is_drawn(client_for, town, safety_officer, share):
    response = client_for(safety_officer).post(
        reverse("supervision:round-create"),
        {"name": "第二轮", "share": share, "due_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["share"] == ["The share sampled must be more than 0 % and at most 100 %."]
    assert not FollowUpRound.objects.exists() and not FollowUp.objects.exists()


def test_the_service_refuses_a_share_over_100_percent_too(town, town_admin):
    with pytest.raises(ValidationError):
        round_draw(by=town_admin, name="x", share=Decimal(101), due_on=timezone.localdate())
    assert not FollowUpRound.objects.exists()


def test_the_round_form_proposes_this_years_close_outs(client_for, safety_officer, village_a):
    """Left as proposed, a round draws from this year's close-outs, not from every year on record."""
    form = client_for(safety_officer).get(reverse("supervision:round-create")).context["form"]
    today = timezone.localdate()
    assert (form["closed_from"].value(), form["closed_to"].value()) == (today.replace(month=1, day=1), today)


def test_a_round_with_nothing_to_draw_from_says_so_and_writes_nothing(client_for, safety_officer, village_a):
    response = client_for(safety_officer).post(
        reverse("supervision:round-create"),
        {"name": "空轮", "share": "20", "due_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 200
    assert "There are no closed findings" in str(response.context["form"].non_field_errors())
    assert not FollowUpRound.objects.exists()


def test_drawing_a_round_on_the_page_lists_its_follow_ups(client_for, town, safety_officer):
    response = client_for(safety_officer).post(
        reverse("supervision:round-create"),
        {"name": "十一月回头看", "share": "30", "due_on": timezone.localdate().isoformat(), "seed": "5"},
        follow=True,
    )

    drawn = FollowUpRound.objects.get()
    assert response.context["round"] == drawn
    assert [f.pk for f in response.context["page_obj"]] == list(
        drawn.follow_ups.order_by("finding__village__order", "finding__number").values_list("pk", flat=True)
    )
    assert response.context["counts"]["drawn"] == 3
    assert shows(response, "十一月回头看")


def test_findings_with_a_follow_up_waiting_are_not_drawn_again(town, town_admin):
    first = round_draw(by=town_admin, name="一", share=Decimal(100), due_on=timezone.localdate())
    assert first.follow_ups.count() == 20
    with pytest.raises(ValidationError):
        round_draw(by=town_admin, name="二", share=Decimal(100), due_on=timezone.localdate())


@pytest.mark.parametrize(
    ("persona", "status"),
    [("safety_officer", 200), ("town_admin", 200), ("other_officer", 404), ("other_village_office", 404)],
    indirect=["persona"],
)
def test_a_round_is_seen_by_who_sees_its_findings(client_for, town, safety_officer, persona, status):
    drawn = round_draw(by=safety_officer, name="一", share=Decimal(50), due_on=timezone.localdate())
    assert client_for(persona).get(drawn.get_absolute_url()).status_code == status


@pytest.mark.parametrize("persona", ["village_office", "leadership", "unit_office"], indirect=True)
def test_only_officers_and_the_town_draw_rounds(client_for, persona):
    assert client_for(persona).get(reverse("supervision:round-create")).status_code == 403


def test_the_round_page_and_the_figures_cost_the_same_queries_for_few_or_many(
    client_for, safety_officer, village_a, town_admin
):
    closed_findings(village_a, 2, safety_officer)
    few = round_draw(by=safety_officer, name="少", share=Decimal(100), due_on=timezone.localdate())
    closed_findings(village_a, 12, safety_officer)
    many = round_draw(by=safety_officer, name="多", share=Decimal(100), due_on=timezone.localdate())
    client = client_for(safety_officer)

    assert count_queries(client, few.get_absolute_url()) == count_queries(client, many.get_absolute_url())
    assert count_queries(client, reverse("supervision:round-list")) > 0
    figures = reverse("supervision:follow-up-figures")
    before = count_queries(client, figures)
    for follow_up in many.follow_ups.all()[:6]:
        follow_up_record(follow_up=follow_up, by=safety_officer, result="held")
    assert count_queries(client, figures) == before
