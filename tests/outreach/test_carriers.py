"""Carriers: recording them with a point and photos, venues' hours and visitors, the configurable types."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from outreach.models import Carrier, CarrierType, Photo, VisitorCount
from tests.factories import CarrierFactory, VillageFactory
from tests.helpers import count_queries, messages_of, shows
from tests.outreach.conftest import jpeg_upload

URL = "/outreach/carriers/new/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def carrier_post(place, kind, **overrides) -> dict:
    data = {
        "type": kind.pk,
        "name": "上元村安全宣传栏",
        "village": place.pk,
        "address": "上元村委会门前",
        "latitude": "",
        "longitude": "",
        "status": "in_use",
        "opening_hours": "",
        "capacity": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_the_migration_seeds_the_2_plus_6_types(db):
    bases = list(CarrierType.objects.filter(tier="base").values_list("name", flat=True))
    assert bases == ["安全文化公园", "消防微型宣教馆"]
    assert CarrierType.objects.filter(tier="everyday").count() == 6
    for name in ("文化室", "宣传栏", "路口标识"):
        assert CarrierType.objects.filter(name=name).exists()


def test_a_village_office_records_a_board_with_its_point_and_a_photo(client_for, village_office, village_a, board_type):
    data = carrier_post(village_a, board_type, latitude="23.0815601", longitude="113.853870", photos=[jpeg_upload()])
    response = client_for(village_office).post(URL, data)
    carrier = Carrier.objects.get()
    assert response.status_code == 302
    assert (carrier.village, carrier.type, carrier.created_by) == (village_a, board_type, village_office)
    assert carrier.latitude == Decimal("23.081560") and carrier.longitude == Decimal("113.853870")
    assert carrier.photos.count() == 1


def test_a_board_keeps_no_opening_hours_or_capacity(client_for, town_admin, village_a, board_type):
    client_for(town_admin).post(URL, carrier_post(village_a, board_type, opening_hours="全天", capacity="30"))
    carrier = Carrier.objects.get()
    assert (carrier.opening_hours, carrier.capacity) == ("", None)


def test_a_venue_keeps_its_opening_hours_and_capacity(client_for, town_admin, village_a, hall_type):
    data = carrier_post(village_a, hall_type, name="上元村宣教馆", opening_hours="周二至周日 9:00–17:00", capacity="60")
    client_for(town_admin).post(URL, data)
    carrier = Carrier.objects.get()
    assert (carrier.opening_hours, carrier.capacity) == ("周二至周日 9:00–17:00", 60)
    page = client_for(town_admin).get(carrier.get_absolute_url())
    assert shows(page, "周二至周日 9:00–17:00")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": "23.08"}, None),
        ({"latitude": "123", "longitude": "113"}, "latitude"),
        ({"capacity": "-3"}, "capacity"),
        ({"village": "999999"}, "village"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_carrier_input_is_refused_and_nothing_is_saved(
    client_for, town_admin, village_a, hall_type, overrides, field
):
    response = client_for(town_admin).post(URL, carrier_post(village_a, hall_type, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field or "__all__"]
    assert not Carrier.objects.exists()


def test_a_carrier_photo_that_is_not_an_image_is_refused(client_for, village_office, village_a, board_type):
    fake = SimpleUploadedFile("board.png", b"GIF89a nonsense", content_type="image/png")
    response = client_for(village_office).post(URL, carrier_post(village_a, board_type, photos=[fake]))
    assert response.context["form"].errors["photos"]
    assert not Carrier.objects.exists() and not Photo.objects.exists()


def test_a_village_office_cannot_place_a_carrier_in_another_village(client_for, village_office, village_b, board_type):
    response = client_for(village_office).post(URL, carrier_post(village_b, board_type))
    assert response.context["form"].errors["village"]
    assert not Carrier.objects.exists()


def test_a_second_carrier_of_the_same_name_in_a_village_is_refused(client_for, town_admin, hall_a, hall_type):
    response = client_for(town_admin).post(URL, carrier_post(hall_a.village, hall_type, name=hall_a.name))
    assert response.status_code == 200
    assert Carrier.objects.count() == 1


def test_retiring_a_carrier_is_kept_in_its_history(client_for, village_office, hall_a):
    data = carrier_post(hall_a.village, hall_a.type, name=hall_a.name, status="retired")
    response = client_for(village_office).post(reverse("outreach:carrier-edit", args=[hall_a.pk]), data)
    assert response.status_code == 302
    hall_a.refresh_from_db()
    assert hall_a.is_retired
    assert list(hall_a.history.values_list("status", flat=True)) == ["retired", "in_use"]


def test_visitors_of_a_month_are_recorded_and_replaced(client_for, village_office, hall_a):
    client = client_for(village_office)
    url = reverse("outreach:carrier-visitors", args=[hall_a.pk])
    month = timezone.localdate().replace(day=1)
    client.post(url, {"month": month.strftime("%Y-%m"), "visitors": "230"})
    client.post(url, {"month": month.strftime("%Y-%m"), "visitors": "250"})
    assert list(VisitorCount.objects.values_list("month", "visitors")) == [(month, 250)]
    page = client.get(hall_a.get_absolute_url())
    assert shows(page, month.strftime("%Y-%m")) and shows(page, "250")


@pytest.mark.parametrize(
    "data",
    [
        {"month": "2025-03", "visitors": "-1"},
        {"month": "not-a-month", "visitors": "10"},
        {"month": "2999-01", "visitors": "10"},
    ],
)
def test_bad_visitor_counts_are_refused_with_a_message(client_for, village_office, hall_a, data):
    response = client_for(village_office).post(
        reverse("outreach:carrier-visitors", args=[hall_a.pk]), data, follow=True
    )
    assert messages_of(response)
    assert not VisitorCount.objects.exists()


def test_a_board_has_no_visitors(client_for, village_office, village_a, board_type):
    board = CarrierFactory(village=village_a, type=board_type)
    response = client_for(village_office).post(
        reverse("outreach:carrier-visitors", args=[board.pk]), {"month": "2025-03", "visitors": "5"}, follow=True
    )
    assert messages_of(response)
    assert not VisitorCount.objects.exists()


def test_the_town_admin_adds_a_carrier_type_that_becomes_a_column(client_for, town_admin, village_a):
    client = client_for(town_admin)
    response = client.post(
        reverse("outreach:carrier-type-create"),
        {"name": "安全体验车", "tier": "everyday", "description": "", "order": "9", "is_active": "on"},
    )
    assert response.status_code == 302
    kind = CarrierType.objects.get(name="安全体验车")
    page = client.get(reverse("outreach:coverage"))
    assert f'data-column="type-{kind.pk}"' in page.content.decode()


def test_the_carrier_list_runs_the_same_queries_for_one_row_or_many(client_for, town_admin, zone_a, board_type):
    client = client_for(town_admin)
    url = reverse("outreach:carrier-list")
    CarrierFactory(type=board_type, village=VillageFactory(zone=zone_a))
    few = count_queries(client, url)
    for _ in range(20):
        CarrierFactory(type=board_type, village=VillageFactory(zone=zone_a))
    assert count_queries(client, url) == few


def test_the_carrier_page_runs_the_same_queries_whatever_it_holds(client_for, town_admin, hall_a, village_a):
    from tests.factories import ActivityFactory

    client = client_for(town_admin)
    ActivityFactory(village=village_a, carrier=hall_a)
    few = count_queries(client, hall_a.get_absolute_url())
    ActivityFactory.create_batch(15, village=village_a, carrier=hall_a)
    for months in range(1, 10):
        VisitorCount.objects.create(carrier=hall_a, month=dt.date(2025, months, 1), visitors=10 * months)
    assert count_queries(client, hall_a.get_absolute_url()) == few
