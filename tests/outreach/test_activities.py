"""Recording activities from a phone, with photos; the bad inputs leave nothing behind."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach.models import Activity, Carrier, Photo
from tests.factories import ActivityFactory
from tests.helpers import count_queries, messages_of, shows
from tests.outreach.conftest import jpeg_upload

URL = "/outreach/activities/new/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def activity_post(village, carrier=None, **overrides) -> dict:
    data = {
        "kind": "drill",
        "title": "上元村安全生产月消防演练",
        "held_on": timezone.localdate().isoformat(),
        "village": village.pk,
        "carrier": carrier.pk if carrier else "",
        "organiser": "上元村安全办、茶山消防救援站",
        "audience_count": "120",
        "feedback_score": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def snapshot() -> tuple:
    return list(Activity.objects.values()), list(Photo.objects.values()), Activity.history.count()


def test_a_village_office_records_a_drill_with_photos(client_for, village_office, village_a, hall_a):
    data = activity_post(village_a, hall_a, photos=[jpeg_upload("1.jpg"), jpeg_upload("2.jpg", (200, 40, 40))])
    response = client_for(village_office).post(URL, data)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert (activity.village, activity.carrier, activity.kind) == (village_a, hall_a, "drill")
    assert activity.audience_count == 120
    assert activity.created_by == village_office
    photos = list(activity.photos.all())
    assert len(photos) == 2
    assert all(photo.uploaded_by == village_office and photo.image.name.endswith(".jpg") for photo in photos)
    # the server names the files, not the phone
    assert {Path(photo.image.name).name for photo in photos}.isdisjoint({"1.jpg", "2.jpg"})
    page = client_for(village_office).get(activity.get_absolute_url())
    assert page.content.decode().count("data-photo-gallery") == 1
    assert page.content.decode().count(reverse("outreach:photo", args=[photos[0].pk, "thumb"])) == 1


def test_an_officer_records_an_activity_in_any_village(client_for, other_officer, village_a, hall_a):
    response = client_for(other_officer).post(URL, activity_post(village_a, hall_a))
    assert response.status_code == 302
    assert Activity.objects.get().village == village_a


def test_an_audience_below_zero_is_refused(client_for, village_office, village_a, hall_a):
    before = snapshot()
    response = client_for(village_office).post(URL, activity_post(village_a, hall_a, audience_count="-5"))
    assert response.status_code == 200
    message = _("The audience cannot be fewer than zero people.")
    assert response.context["form"].errors["audience_count"] == [message]
    assert shows(response, message)
    assert snapshot() == before


def test_an_activity_before_the_records_start_is_refused(client_for, village_office, village_a, hall_a):
    before = snapshot()
    response = client_for(village_office).post(URL, activity_post(village_a, hall_a, held_on="1900-01-01"))
    assert response.status_code == 200
    message = _("The outreach records start in %(year)s: an activity cannot lie before that year.") % {"year": 2000}
    assert response.context["form"].errors["held_on"] == [message]
    assert snapshot() == before


def test_an_activity_in_a_retired_carrier_is_refused(client_for, village_office, village_a, hall_a):
    hall_a.status = Carrier.Status.RETIRED
    hall_a.save()
    before = snapshot()
    response = client_for(village_office).post(URL, activity_post(village_a, hall_a, photos=[jpeg_upload()]))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["carrier"])
    assert hall_a.name in errors
    assert snapshot() == before


def test_a_file_that_is_not_a_photo_is_refused(client_for, village_office, village_a, hall_a):
    before = snapshot()
    fake = SimpleUploadedFile("drill.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client_for(village_office).post(URL, activity_post(village_a, hall_a, photos=[jpeg_upload(), fake]))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photos"])
    assert "drill.jpg" in errors
    assert snapshot() == before


def test_another_villages_carrier_is_refused(client_for, village_office, village_a, board_b):
    before = snapshot()
    response = client_for(village_office).post(URL, activity_post(village_a, board_b))
    assert response.status_code == 200
    assert response.context["form"].errors["carrier"]
    assert snapshot() == before


def test_another_village_is_refused(client_for, village_office, village_b):
    before = snapshot()
    response = client_for(village_office).post(URL, activity_post(village_b))
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert snapshot() == before


def test_an_officer_cannot_place_a_carrier_in_another_village(client_for, safety_officer, village_a, board_b):
    before = snapshot()
    response = client_for(safety_officer).post(URL, activity_post(village_a, board_b))
    assert response.status_code == 200
    errors = " ".join(str(error) for error in response.context["form"].errors["carrier"])
    assert board_b.name in errors and "超朗村" in errors
    assert snapshot() == before


@pytest.mark.parametrize("score", ["0", "5.5", "-1", "999", "100"])
def test_a_feedback_score_outside_one_to_five_is_refused_saying_so(client_for, village_office, village_a, score):
    before = snapshot()
    response = client_for(village_office).post(URL, activity_post(village_a, feedback_score=score))
    # the rule the person broke, not the column's number of digits
    assert response.context["form"].errors["feedback_score"] == [_("A feedback score lies between 1 and 5.")]
    assert snapshot() == before


def test_a_past_activity_needs_its_audience_but_a_planned_one_does_not(client_for, village_office, village_a):
    client = client_for(village_office)
    response = client.post(URL, activity_post(village_a, audience_count=""))
    assert response.context["form"].errors["audience_count"]
    planned = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(URL, activity_post(village_a, audience_count="", held_on=planned))
    assert response.status_code == 302
    assert Activity.objects.get().audience_count is None


@pytest.mark.parametrize("persona", ["leadership", "unit_office"], indirect=True)
def test_who_may_not_record_gets_403_and_nothing_changes(client_for, persona, village_a):
    before = snapshot()
    assert client_for(persona).post(URL, activity_post(village_a)).status_code == 403
    assert snapshot() == before


def test_an_activity_keeps_its_carrier_after_the_carrier_is_retired(client_for, village_office, village_a, hall_a):
    activity = ActivityFactory(village=village_a, carrier=hall_a, kind="drill", audience_count=40)
    hall_a.status = Carrier.Status.RETIRED
    hall_a.save()
    data = activity_post(village_a, hall_a, title=activity.title, held_on=activity.held_on.isoformat())
    data["audience_count"] = "45"
    data["photos"] = [jpeg_upload()]
    response = client_for(village_office).post(reverse("outreach:activity-edit", args=[activity.pk]), data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.audience_count == 45
    assert activity.photos.count() == 1
    assert activity.history.count() == 2


def test_the_form_offers_only_the_carriers_of_the_users_village(client_for, village_office, hall_a, board_b):
    response = client_for(village_office).get(URL)
    carriers = list(response.context["form"].fields["carrier"].queryset)
    assert carriers == [hall_a]


def test_a_carrier_given_in_the_address_is_filled_in(client_for, village_office, hall_a, board_b):
    client = client_for(village_office)
    form = client.get(f"{URL}?carrier={hall_a.pk}&kind=drill").context["form"]
    assert form.initial["carrier"] == hall_a and form.initial["kind"] == "drill"
    assert "carrier" not in client.get(f"{URL}?carrier={board_b.pk}").context["form"].initial


def test_the_list_filters_by_kind_and_year(client_for, town_admin, village_a):
    ActivityFactory(village=village_a, kind="drill", title="今年的演练", held_on=timezone.localdate())
    ActivityFactory(village=village_a, kind="training", title="今年的培训", held_on=timezone.localdate())
    old = timezone.localdate().replace(year=timezone.localdate().year - 2, day=1)
    ActivityFactory(village=village_a, kind="drill", title="前年的演练", held_on=old)
    year = timezone.localdate().year
    response = client_for(town_admin).get(reverse("outreach:activity-list") + f"?kind=drill&year={year}")
    titles = [activity.title for activity in response.context["page_obj"]]
    assert titles == ["今年的演练"]


def test_the_success_message_names_the_photos(client_for, village_office, village_a, hall_a):
    response = client_for(village_office).post(
        URL, activity_post(village_a, hall_a, photos=[jpeg_upload()]), follow=True
    )
    assert any("上元村安全生产月消防演练" in message for message in messages_of(response))


def test_the_activity_list_runs_the_same_queries_for_one_row_or_many(client_for, town_admin, village_a, hall_a):
    client = client_for(town_admin)
    ActivityFactory(village=village_a, carrier=hall_a)
    few = count_queries(client, reverse("outreach:activity-list"))
    ActivityFactory.create_batch(30, village=village_a, carrier=hall_a)
    assert count_queries(client, reverse("outreach:activity-list")) == few


def test_the_activity_page_runs_the_same_queries_whatever_its_photos(client_for, village_office, village_a, hall_a):
    client = client_for(village_office)
    client.post(URL, activity_post(village_a, hall_a, photos=[jpeg_upload()]))
    activity = Activity.objects.get()
    few = count_queries(client, activity.get_absolute_url())
    data = activity_post(village_a, hall_a, photos=[jpeg_upload(str(n)) for n in range(5)])
    client.post(reverse("outreach:activity-edit", args=[activity.pk]), data)
    assert activity.photos.count() == 6
    assert count_queries(client, activity.get_absolute_url()) == few


def test_the_history_keeps_who_recorded_and_who_changed_an_activity(client_for, village_office, town_admin, village_a):
    client_for(village_office).post(URL, activity_post(village_a))
    activity = Activity.objects.get()
    client_for(town_admin).post(
        reverse("outreach:activity-edit", args=[activity.pk]), activity_post(village_a, audience_count="130")
    )
    users = list(activity.history.order_by("history_date").values_list("history_user__username", flat=True))
    assert users == [village_office.username, town_admin.username]
    page = client_for(town_admin).get(activity.get_absolute_url())
    assert shows(page, town_admin.display_name)
