"""The coverage matrix against data built for it: counts, gaps, what does not count, and its query count."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.coverage import coverage_for
from outreach.models import Activity, Carrier, CarrierType
from tests.factories import ActivityFactory, CarrierFactory, VillageFactory
from tests.helpers import count_queries


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def built(village_a, village_b, board_type, hall_type, today):
    """Village A: two boards (one retired), a hall, two drills this year (150 people), a drill last year and one
    planned. Village B: nothing but a training this year."""
    CarrierFactory(village=village_a, type=board_type, name="上元村宣传栏一")
    CarrierFactory(village=village_a, type=board_type, name="上元村旧宣传栏", status=Carrier.Status.RETIRED)
    CarrierFactory(village=village_a, type=hall_type, name="上元村宣教馆", status=Carrier.Status.UNDER_REPAIR)
    ActivityFactory(village=village_a, kind=Activity.Kind.DRILL, held_on=today, audience_count=120)
    ActivityFactory(village=village_a, kind=Activity.Kind.DRILL, held_on=dt.date(today.year, 1, 1), audience_count=30)
    ActivityFactory(village=village_a, kind=Activity.Kind.DRILL, held_on=dt.date(today.year - 1, 12, 31))
    ActivityFactory(
        village=village_a, kind=Activity.Kind.TRAINING, held_on=today + dt.timedelta(days=1), audience_count=None
    )
    ActivityFactory(village=village_b, kind=Activity.Kind.TRAINING, held_on=today, audience_count=25)


def test_the_matrix_counts_carriers_in_use_and_activities_held_this_year(town_admin, built, board_type, today):
    matrix = coverage_for(town_admin, today.year)
    a, b = matrix.row("上元村"), matrix.row("超朗村")
    assert a.cell(f"type-{board_type.pk}").count == 1  # the retired board does not count
    hall = CarrierType.objects.get(name="消防微型宣教馆")
    assert a.cell(f"type-{hall.pk}").count == 1  # a hall under repair is still there
    assert a.cell("kind-drill").count == 2  # last year's drill and the planned training do not count
    assert a.cell("kind-drill").audience == 150
    assert a.cell("kind-training").is_gap  # planned, not yet held
    assert b.cell("kind-training").count == 1
    assert b.cell("kind-drill").is_gap
    assert b.cell(f"type-{board_type.pk}").is_gap
    assert a.activities == 2 and a.audience == 150
    assert b.activities == 1 and b.audience == 25


def test_a_zero_is_a_gap_where_every_village_is_expected_to_have_one(town_admin, built, hall_type, today):
    matrix = coverage_for(town_admin, today.year)
    expected = [column for column in matrix.columns if column.expected]
    assert len(expected) == CarrierType.objects.filter(expected_in_every_village=True).count() + len(Activity.Kind) - 1
    assert matrix.row("上元村").gaps == len(expected) - 2  # a board and a drill; the hall is a town-wide base
    assert matrix.row("超朗村").gaps == len(expected) - 1  # a training
    assert not matrix.row("超朗村").cell(f"type-{hall_type.pk}").is_gap  # not every village needs a hall
    assert matrix.gap_count == 2 * len(expected) - 3
    drill = next(column for column in matrix.columns if column.key == "kind-drill")
    hall = next(column for column in matrix.columns if column.key == f"type-{hall_type.pk}")
    assert (drill.covered, hall.covered) == (1, 1)
    assert matrix.complete_villages == 0


def test_a_village_with_everything_expected_has_no_gap(town_admin, village_a, today):
    for kind in CarrierType.objects.filter(expected_in_every_village=True):
        CarrierFactory(village=village_a, type=kind)
    for kind in Activity.Kind.values:
        if kind != Activity.Kind.OTHER:
            ActivityFactory(village=village_a, kind=kind, held_on=today)
    matrix = coverage_for(town_admin, today.year)
    assert matrix.row("上元村").gaps == 0
    assert matrix.complete_villages == 1


def test_last_years_matrix_counts_last_years_activities(town_admin, built, today):
    matrix = coverage_for(town_admin, today.year - 1)
    assert matrix.row("上元村").cell("kind-drill").count == 1
    assert matrix.row("超朗村").cell("kind-training").is_gap


def test_a_retired_carrier_type_is_no_longer_a_column(town_admin, built, board_type, today):
    board_type.is_active = False
    board_type.save()
    keys = [column.key for column in coverage_for(town_admin, today.year).columns]
    assert f"type-{board_type.pk}" not in keys


def test_a_village_office_sees_only_its_own_row(village_office, built, today):
    matrix = coverage_for(village_office, today.year)
    assert [row.village.name for row in matrix.rows] == ["上元村"]


def test_a_unit_office_sees_no_village(unit_office, built, today):
    assert coverage_for(unit_office, today.year).rows == []


def test_the_page_marks_the_gaps(client_for, town_admin, built, today):
    response = client_for(town_admin).get(reverse("outreach:coverage"))
    html = response.content.decode()
    row_b = html.split('data-village="超朗村"')[1].split("</tr>")[0]
    assert 'data-column="kind-drill" data-count="0"' in row_b
    assert "coverage-gap" in row_b
    row_a = html.split('data-village="上元村"')[1].split("</tr>")[0]
    assert 'data-column="kind-drill" data-count="2"' in row_a


def test_a_bad_year_shows_this_year(client_for, town_admin, built, today):
    response = client_for(town_admin).get(reverse("outreach:coverage") + "?year=abc")
    assert response.context["year"] == today.year
    response = client_for(town_admin).get(reverse("outreach:coverage") + "?year=99999")
    assert response.context["year"] == today.year


def test_the_matrix_runs_the_same_queries_for_one_row_or_many(client_for, town_admin, board_type, today, zone_a):
    client = client_for(town_admin)
    url = reverse("outreach:coverage")
    village = VillageFactory(zone=zone_a)
    CarrierFactory(village=village, type=board_type)
    ActivityFactory(village=village, kind=Activity.Kind.DRILL, held_on=today)
    few = count_queries(client, url)
    types = list(CarrierType.objects.filter(is_active=True))
    for _ in range(12):
        village = VillageFactory(zone=zone_a)
        for kind in types[:4]:
            CarrierFactory(village=village, type=kind)
        for kind in (Activity.Kind.DRILL, Activity.Kind.TRAINING, Activity.Kind.SAFETY_MONTH):
            ActivityFactory.create_batch(3, village=village, kind=kind, held_on=today)
    assert Activity.objects.count() > 100
    assert count_queries(client, url) == few


def test_coverage_for_runs_four_queries(django_assert_num_queries, town_admin, built, today):
    with django_assert_num_queries(4):
        coverage_for(town_admin, today.year)
