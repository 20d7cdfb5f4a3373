"""Who sees which carrier, activity and photo: officers and administrators all; a village office its own."""

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.photos import process_photo
from outreach.models import Activity, Carrier, Photo
from outreach.services import activity_record
from tests.helpers import shows
from tests.outreach.conftest import jpeg_upload

#: who may read the outreach of village A: (persona, status of its pages)
WHO_READS_VILLAGE_A_OUTREACH = [
    ("town_admin", 200),
    ("leadership", 200),
    ("safety_officer", 200),
    ("other_officer", 200),  # officers see every village's outreach, not only their zones'
    ("village_office", 200),
    ("other_village_office", 404),
    ("unit_office", 404),
]


@pytest.fixture
def photographed_activity(village_office, village_a, hall_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return activity_record(
        by=village_office,
        kind=Activity.Kind.DRILL,
        title="上元村消防疏散演练（有照片）",
        held_on=timezone.localdate(),
        village=village_a,
        carrier=hall_a,
        organiser="上元村安全办",
        audience_count=120,
        photos=[process_photo(jpeg_upload())],
    )


@pytest.mark.parametrize(("persona", "status"), WHO_READS_VILLAGE_A_OUTREACH, indirect=["persona"])
def test_a_carrier_page_answers_by_scope(client_for, persona, status, hall_a):
    response = client_for(persona).get(hall_a.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert shows(response, "上元村消防微型宣教馆")


@pytest.mark.parametrize(("persona", "status"), WHO_READS_VILLAGE_A_OUTREACH, indirect=["persona"])
def test_an_activity_page_answers_by_scope(client_for, persona, status, activity_a):
    response = client_for(persona).get(activity_a.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert shows(response, "上元村消防疏散演练")


@pytest.mark.parametrize(("persona", "status"), WHO_READS_VILLAGE_A_OUTREACH, indirect=["persona"])
def test_a_photo_is_served_only_to_those_who_may_see_its_activity(client_for, persona, status, photographed_activity):
    photo = Photo.objects.get(activity=photographed_activity)
    for size in ("full", "thumb"):
        response = client_for(persona).get(reverse("outreach:photo", args=[photo.pk, size]))
        assert response.status_code == status
        if status == 200:
            assert response["Content-Type"] == "image/jpeg"
            assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_a_photo_of_another_size_is_not_found(client_for, town_admin, photographed_activity):
    photo = Photo.objects.get(activity=photographed_activity)
    assert client_for(town_admin).get(reverse("outreach:photo", args=[photo.pk, "huge"])).status_code == 404


def test_a_village_office_lists_only_its_own_villages_carriers_and_activities(
    client_for, village_office, activity_a, activity_b
):
    client = client_for(village_office)
    carriers = client.get(reverse("outreach:carrier-list"))
    assert shows(carriers, "上元村消防微型宣教馆")
    assert not shows(carriers, "超朗村安全宣传栏")
    activities = client.get(reverse("outreach:activity-list"))
    assert shows(activities, "上元村消防疏散演练")
    assert not shows(activities, "超朗村安全宣传日")
    calendar = client.get(reverse("outreach:calendar"))
    assert shows(calendar, "上元村")
    assert not shows(calendar, "超朗村")


def test_an_officer_lists_every_villages_outreach(client_for, other_officer, activity_a, activity_b):
    response = client_for(other_officer).get(reverse("outreach:activity-list"))
    assert shows(response, "上元村消防疏散演练")
    assert shows(response, "超朗村安全宣传日")


def test_a_village_office_cannot_edit_another_villages_carrier_or_activity(
    client_for, other_village_office, hall_a, activity_a
):
    client = client_for(other_village_office)
    before = list(Carrier.objects.values()), list(Activity.objects.values())
    assert client.get(reverse("outreach:carrier-edit", args=[hall_a.pk])).status_code == 404
    assert client.post(reverse("outreach:carrier-edit", args=[hall_a.pk]), {"name": "改名"}).status_code == 404
    assert client.post(reverse("outreach:activity-edit", args=[activity_a.pk]), {"title": "改名"}).status_code == 404
    post = client.post(reverse("outreach:carrier-visitors", args=[hall_a.pk]), {"month": "2026-01", "visitors": "5"})
    assert post.status_code == 404
    assert (list(Carrier.objects.values()), list(Activity.objects.values())) == before


def test_leadership_reads_but_cannot_edit(client_for, leadership, hall_a, activity_a):
    client = client_for(leadership)
    assert client.get(hall_a.get_absolute_url()).status_code == 200
    assert client.get(reverse("outreach:carrier-edit", args=[hall_a.pk])).status_code == 403
    assert client.get(reverse("outreach:activity-edit", args=[activity_a.pk])).status_code == 403


@pytest.mark.parametrize("persona", ["safety_officer", "village_office", "leadership"], indirect=True)
def test_only_the_town_admin_manages_carrier_types(client_for, persona):
    client = client_for(persona)
    assert client.get(reverse("outreach:carrier-type-list")).status_code == 403
    assert client.post(reverse("outreach:carrier-type-create"), {"name": "新类型"}).status_code == 403
