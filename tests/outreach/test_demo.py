"""The outreach demo: the article's carriers over the 18 villages, a year of activities, gaps on purpose."""

import io

import pytest
from django.db.models import F
from django.utils import timezone

from outreach import demo
from outreach.coverage import coverage_for
from outreach.models import Activity, Carrier, CarrierType, VisitorCount
from responsibility import demo as responsibility_demo


@pytest.fixture
def loaded(db):
    responsibility_demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())


def test_the_demo_spreads_the_2_plus_6_carriers_over_the_villages(loaded):
    assert Carrier.objects.filter(type__name="安全文化公园").count() == 1
    assert Carrier.objects.filter(type__name="消防微型宣教馆").count() == 2
    assert Carrier.objects.filter(type__name="文化室").values("village").distinct().count() == 18
    assert Carrier.objects.filter(status=Carrier.Status.RETIRED).exists()
    assert VisitorCount.objects.filter(carrier__name="上元村消防微型宣教馆").count() == 12


def test_the_demo_holds_a_year_of_activities_and_some_to_come(loaded):
    today = timezone.localdate()
    assert Activity.objects.filter(held_on__lte=today).count() > 100
    assert Activity.objects.filter(held_on__gt=today).exists()
    kinds = set(Activity.objects.values_list("kind", flat=True))
    assert {"drill", "training", "first_agenda", "safety_month", "publicity_day", "exhibition_visit"} <= kinds
    # every activity's carrier lies in its village and is not retired
    assert not Activity.objects.exclude(carrier=None).exclude(carrier__village=F("village")).exists()


def test_the_demo_leaves_gaps_for_the_matrix_to_show(loaded, town_admin):
    matrix = coverage_for(town_admin, timezone.localdate().year)
    board = CarrierType.objects.get(name="宣传栏")
    assert matrix.row("博头村").cell(f"type-{board.pk}").is_gap
    assert matrix.row("博头村").cell("kind-drill").is_gap
    assert matrix.row("横江村").cell("kind-drill").is_gap
    assert not matrix.row("上元村").cell(f"type-{board.pk}").is_gap


def test_loading_the_demo_twice_changes_nothing(loaded):
    before = (
        list(Carrier.objects.order_by("pk").values()),
        list(Activity.objects.order_by("pk").values()),
        list(VisitorCount.objects.order_by("pk").values()),
        Carrier.history.count() + Activity.history.count() + VisitorCount.history.count(),
    )
    out = io.StringIO()
    demo.load(stdout=out)
    after = (
        list(Carrier.objects.order_by("pk").values()),
        list(Activity.objects.order_by("pk").values()),
        list(VisitorCount.objects.order_by("pk").values()),
        Carrier.history.count() + Activity.history.count() + VisitorCount.history.count(),
    )
    assert after == before
    assert "0 new, 0 updated" in out.getvalue()
