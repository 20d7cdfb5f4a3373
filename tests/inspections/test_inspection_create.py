"""Logging an inspection with its findings and photos in one post: all or nothing, never twice."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from inspections.forms.inspections import default_kind
from inspections.models import Finding, FindingEvent, Inspection, Photo, Site
from tests.helpers import messages_of, shows

CREATE_URL = reverse("inspections:inspection-create")


# --- helpers shared with the other inspection test modules -------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_under(root) -> list[Path]:
    root = Path(root)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def image_upload(name: str = "photo.png", *, fmt: str = "PNG", size=(64, 48), colour="red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    content_type = "image/png" if fmt == "PNG" else "image/jpeg"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def text_named_jpg() -> SimpleUploadedFile:
    return SimpleUploadedFile("exit.jpg", b"this is not a photo at all", content_type="image/jpeg")


def make_site(village, name: str = "横江五金加工厂", **fields) -> Site:
    return Site.objects.create(village=village, name=name, address="横江工业路8号", contact_name="何老板", **fields)


def local_now_input(delta: dt.timedelta = dt.timedelta()) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def finding_fields(**overrides) -> dict:
    fields = {
        "category": "fire",
        "grade": "general",
        "location": "二楼楼梯间",
        "description": "安全出口被杂物堵塞",
        "measures": "立即清理杂物",
        "deadline": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "responsible_unit": "",
        "responsible_contact": "",
        "responsible_phone": "",
    }
    fields.update(overrides)
    return fields


def inspection_post(site, *, findings=(), token=None, **overrides) -> dict:
    """The POST of the new-inspection page: the inspection and its findings formset (prefix "findings")."""
    data = {
        "kind": "night",
        "site": site.pk if site is not None else "",
        "team": "",
        "started_at": local_now_input(-dt.timedelta(minutes=30)),
        "ended_at": "",
        "latitude": "23.06",
        "longitude": "113.85",
        "location_accuracy": "12.4",
        "participants": "王网格",
        "notes": "夜查五金厂",
        "client_token": str(token or uuid.uuid4()),
        "findings-TOTAL_FORMS": str(len(findings)),
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "30",
    }
    for index, finding in enumerate(findings):
        for key, value in finding.items():
            data[f"findings-{index}-{key}"] = value
    data.update(overrides)
    return data


def row_counts() -> dict:
    return {
        "inspections": Inspection.objects.count(),
        "findings": Finding.objects.count(),
        "events": FindingEvent.objects.count(),
        "photos": Photo.objects.count(),
    }


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["safety_officer", "town_admin"], indirect=True)
def test_officers_and_town_admins_open_the_new_inspection_page(client_for, persona):
    response = client_for(persona).get(CREATE_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'capture="environment"' in content
    assert 'name="client_token"' in content
    assert reverse("inspections:site-search") in content
    assert 'id="finding-template"' in content


@pytest.mark.parametrize("persona", ["village_office", "leadership", "unit_office"], indirect=True)
def test_offices_and_leadership_may_not_log_an_inspection(client_for, persona, village_a, media_root):
    site = make_site(village_a)
    client = client_for(persona)
    assert client.get(CREATE_URL).status_code == 403
    response = client.post(CREATE_URL, inspection_post(site, findings=[finding_fields()]))
    assert response.status_code == 403
    assert row_counts() == {"inspections": 0, "findings": 0, "events": 0, "photos": 0}


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client_for):
    response = client_for(None).get(CREATE_URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_without_javascript_the_page_offers_one_finding_block_and_counts_it(client_for, safety_officer):
    content = client_for(safety_officer).get(CREATE_URL).content.decode()
    noscript = content[content.index("<noscript>", content.index("data-finding-list")) :]
    assert 'name="findings-0-description"' in noscript[: noscript.index("</noscript>")]
    assert 'name="findings-TOTAL_FORMS" value="1"' in content


def test_after_an_error_the_spare_block_follows_the_blocks_that_were_sent(client_for, safety_officer, village_a):
    site = make_site(village_a)
    data = inspection_post(site, findings=[finding_fields(description=""), finding_fields()])
    content = client_for(safety_officer).post(CREATE_URL, data).content.decode()
    assert 'name="findings-TOTAL_FORMS" value="3"' in content
    assert 'name="findings-2-description"' in content


def test_each_rendering_of_the_page_carries_a_new_client_token(client_for, safety_officer):
    client = client_for(safety_officer)
    first = client.get(CREATE_URL).context["form"].initial["client_token"]
    second = client.get(CREATE_URL).context["form"].initial["client_token"]
    assert isinstance(first, uuid.UUID)
    assert first != second


@pytest.mark.parametrize(
    ("hour", "kind"),
    [(21, "night"), (2, "night"), (19, "night"), (5, "night"), (6, "routine"), (14, "routine"), (18, "routine")],
)
def test_the_kind_defaults_to_night_between_seven_in_the_evening_and_six_in_the_morning(hour, kind):
    moment = timezone.make_aware(dt.datetime(2026, 3, 5, hour, 30))
    assert default_kind(moment) == kind


def test_a_site_in_the_url_is_preselected_when_the_officer_may_inspect_it(client_for, safety_officer, village_a):
    site = make_site(village_a)
    response = client_for(safety_officer).get(CREATE_URL, {"site": site.pk})
    assert response.context["site"] == site
    assert shows(response, site.name)


def test_a_site_in_the_url_outside_the_officers_zones_is_not_preselected(client_for, safety_officer, village_b):
    site = make_site(village_b, name="超朗印染厂")
    response = client_for(safety_officer).get(CREATE_URL, {"site": site.pk})
    assert response.context["site"] is None
    assert not shows(response, site.name)
    assert messages_of(response)


def test_the_officers_own_team_comes_first_and_is_chosen(client_for, safety_officer, team_a, team_b, town_admin):
    response = client_for(safety_officer).get(CREATE_URL)
    teams = list(response.context["form"].fields["team"].queryset)
    assert teams == [team_a]  # the other zone's team is not offered
    assert response.context["form"].initial["team"] == team_a.pk


def test_searching_a_site_without_javascript_lists_matches_of_the_officers_zones(
    client_for, safety_officer, village_a, village_b
):
    inside = make_site(village_a, name="横江五金加工厂")
    outside = make_site(village_b, name="超朗五金加工厂")
    response = client_for(safety_officer).get(CREATE_URL, {"site_q": "五金"})
    assert list(response.context["site_matches"]) == [inside]
    assert shows(response, f"?site={inside.pk}")
    assert not shows(response, outside.name)


# --- saving -----------------------------------------------------------------------------------


def test_an_inspection_with_two_findings_and_photos_is_saved_in_one_post(
    client_for, safety_officer, village_a, team_a, media_root
):
    site = make_site(village_a)
    data = inspection_post(
        site,
        team=team_a.pk,
        findings=[
            finding_fields(photos=[image_upload("exit.png"), image_upload("exit2.jpg", fmt="JPEG")]),
            finding_fields(description="插线板私拉乱接", location="车间东侧", photos=[image_upload("leads.png")]),
        ],
        photos=[image_upload("gate.jpg", fmt="JPEG", colour="blue")],
    )
    response = client_for(safety_officer).post(CREATE_URL, data)

    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response.url == inspection.get_absolute_url()
    assert inspection.kind == "night"
    assert inspection.site == site
    assert inspection.team == team_a
    assert inspection.led_by == safety_officer
    assert str(inspection.latitude) == "23.060000"
    assert str(inspection.longitude) == "113.850000"
    assert inspection.location_accuracy == 12
    assert str(inspection.client_token) == data["client_token"]
    findings = list(inspection.findings.order_by("number"))
    assert [f.description for f in findings] == ["安全出口被杂物堵塞", "插线板私拉乱接"]
    assert all(f.responsible_village == village_a and f.responsible_unit is None for f in findings)
    assert all(f.deadline == timezone.localdate() + dt.timedelta(days=3) for f in findings)
    assert row_counts() == {"inspections": 1, "findings": 2, "events": 2, "photos": 4}
    assert inspection.photos.filter(kind=Photo.Kind.INSPECTION, finding__isnull=True).count() == 1
    assert findings[0].photos.filter(kind=Photo.Kind.BEFORE).count() == 2
    assert findings[1].photos.filter(kind=Photo.Kind.BEFORE).count() == 1
    assert set(FindingEvent.objects.values_list("action", flat=True)) == {FindingEvent.Action.CREATED}
    assert len(files_under(media_root)) == 8  # each photo and its thumbnail


def test_the_success_message_says_how_many_findings_were_saved(client_for, safety_officer, village_a, media_root):
    site = make_site(village_a)
    client = client_for(safety_officer)
    response = client.post(
        CREATE_URL, inspection_post(site, findings=[finding_fields(), finding_fields()]), follow=True
    )
    assert response.status_code == 200
    assert any("2" in message for message in messages_of(response))
    assert shows(response, "安全出口被杂物堵塞")


def test_a_finding_can_be_assigned_to_a_unit_instead_of_the_village(
    client_for, safety_officer, village_a, unit_a, media_root
):
    site = make_site(village_a)
    data = inspection_post(site, findings=[finding_fields(responsible_unit=unit_a.pk, responsible_contact="燃气科王")])
    client_for(safety_officer).post(CREATE_URL, data)
    finding = Finding.objects.get()
    assert finding.responsible_unit == unit_a
    assert finding.responsible_village is None
    assert finding.responsible_contact == "燃气科王"


def test_an_inspection_without_findings_or_a_gps_point_is_saved(client_for, safety_officer, village_a, media_root):
    site = make_site(village_a)
    data = inspection_post(site, latitude="", longitude="", location_accuracy="", kind="routine")
    response = client_for(safety_officer).post(CREATE_URL, data)
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert not inspection.has_location
    assert inspection.location_accuracy is None
    assert inspection.findings.count() == 0


def test_a_finding_block_added_and_left_empty_is_ignored(client_for, safety_officer, village_a, media_root):
    site = make_site(village_a)
    empty = finding_fields(description="", location="", measures="", category="")
    client_for(safety_officer).post(CREATE_URL, inspection_post(site, findings=[finding_fields(), empty]))
    assert Finding.objects.count() == 1


def test_a_phone_reporting_many_decimals_is_rounded_to_the_columns_precision(
    client_for, safety_officer, village_a, media_root
):
    site = make_site(village_a)
    data = inspection_post(site, latitude="23.0612345678", longitude="113.8512345678", location_accuracy="8.6")
    client_for(safety_officer).post(CREATE_URL, data)
    inspection = Inspection.objects.get()
    assert str(inspection.latitude) == "23.061235"
    assert str(inspection.longitude) == "113.851235"
    assert inspection.location_accuracy == 9


# --- never twice -------------------------------------------------------------------------------


def test_a_resend_with_the_same_client_token_creates_nothing_and_leads_to_the_same_inspection(
    client_for, safety_officer, village_a, media_root
):
    site = make_site(village_a)
    token = uuid.uuid4()
    client = client_for(safety_officer)
    first = client.post(CREATE_URL, inspection_post(site, token=token, findings=[finding_fields(), finding_fields()]))
    counts = row_counts()
    files = files_under(media_root)

    again = inspection_post(site, token=token, findings=[finding_fields(photos=[image_upload()]), finding_fields()])
    second = client.post(CREATE_URL, again, follow=True)

    inspection = Inspection.objects.get()
    assert first.url == inspection.get_absolute_url()
    assert second.redirect_chain[-1][0] == inspection.get_absolute_url()
    assert row_counts() == counts == {"inspections": 1, "findings": 2, "events": 2, "photos": 0}
    assert files_under(media_root) == files
    assert any("already" in message or "已" in message for message in messages_of(second))


def test_a_resend_sent_with_fetch_gets_the_same_inspection_as_json(client_for, safety_officer, village_a, media_root):
    site = make_site(village_a)
    client = client_for(safety_officer, headers={"X-Requested-With": "fetch"})
    data = inspection_post(site, findings=[finding_fields()])
    first = client.post(CREATE_URL, data)
    second = client.post(CREATE_URL, data)
    inspection = Inspection.objects.get()
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"redirect": inspection.get_absolute_url()}
    assert Finding.objects.count() == 1


def test_a_post_with_errors_sent_with_fetch_answers_422_with_the_page(client_for, safety_officer, village_a):
    site = make_site(village_a)
    client = client_for(safety_officer, headers={"X-Requested-With": "fetch"})
    response = client.post(CREATE_URL, inspection_post(site, findings=[finding_fields(description="")]))
    assert response.status_code == 422
    assert "text/html" in response["Content-Type"]
    assert "data-inspection-form" in response.content.decode()
    assert Inspection.objects.count() == 0


# --- bad input: nothing is half-written --------------------------------------------------------


def test_a_text_file_named_jpg_is_refused_on_its_finding_and_nothing_is_saved(
    client_for, safety_officer, village_a, media_root
):
    site = make_site(village_a)
    data = inspection_post(
        site,
        photos=[image_upload("gate.png")],
        findings=[
            finding_fields(photos=[image_upload("good.png")]),
            finding_fields(description="插线板私拉乱接", photos=[text_named_jpg()]),
        ],
    )
    response = client_for(safety_officer).post(CREATE_URL, data)

    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.forms[0].errors == {}
    assert "photos" in formset.forms[1].errors
    assert "exit.jpg" in formset.forms[1].errors["photos"][0]
    assert shows(response, formset.forms[1].errors["photos"][0])
    assert row_counts() == {"inspections": 0, "findings": 0, "events": 0, "photos": 0}
    assert files_under(media_root) == []
    # what was typed comes back, so only the photo must be chosen again
    assert shows(response, "插线板私拉乱接")


def test_a_text_file_as_an_inspection_photo_is_refused_and_nothing_is_saved(
    client_for, safety_officer, village_a, media_root
):
    site = make_site(village_a)
    data = inspection_post(site, photos=[text_named_jpg()], findings=[finding_fields(photos=[image_upload()])])
    response = client_for(safety_officer).post(CREATE_URL, data)
    assert "photos" in response.context["form"].errors
    assert row_counts() == {"inspections": 0, "findings": 0, "events": 0, "photos": 0}
    assert files_under(media_root) == []


def test_a_deadline_before_the_inspection_day_is_an_error_on_that_finding(
    client_for, safety_officer, village_a, media_root
):
    site = make_site(village_a)
    started = timezone.localtime() - dt.timedelta(days=2)
    data = inspection_post(
        site,
        started_at=started.strftime("%Y-%m-%dT%H:%M"),
        findings=[
            finding_fields(),
            finding_fields(deadline=(started.date() - dt.timedelta(days=1)).isoformat(), photos=[image_upload()]),
        ],
    )
    response = client_for(safety_officer).post(CREATE_URL, data)
    formset = response.context["formset"]
    assert response.status_code == 200
    assert formset.forms[0].errors == {}
    assert "deadline" in formset.forms[1].errors
    assert shows(response, formset.forms[1].errors["deadline"][0])
    assert row_counts()["inspections"] == 0
    assert files_under(media_root) == []


def test_a_deadline_more_than_a_year_after_the_inspection_day_is_an_error_on_that_finding(
    client_for, safety_officer, village_a, media_root
):
    site = make_site(village_a)
    mistyped = (timezone.localdate() + dt.timedelta(days=366)).isoformat()  # 2062 for 2026, and the like
    data = inspection_post(site, findings=[finding_fields(deadline=mistyped, photos=[image_upload()])])
    response = client_for(safety_officer).post(CREATE_URL, data)
    formset = response.context["formset"]
    assert response.status_code == 200
    with translation.override("zh-hans"):
        expected = gettext(
            "The deadline cannot be more than a year after the day the hazard was found (%(date)s)."
        ) % {"date": (timezone.localtime() - dt.timedelta(minutes=30)).date().isoformat()}  # the day it started
    assert formset.forms[0].errors["deadline"] == [expected]
    assert shows(response, formset.forms[0].errors["deadline"][0])
    assert row_counts()["inspections"] == 0
    assert files_under(media_root) == []


def test_an_officer_choosing_a_site_outside_his_zones_gets_site_not_found_and_nothing_is_saved(
    client_for, safety_officer, village_b, media_root
):
    site = make_site(village_b, name="超朗印染厂")
    data = inspection_post(site, findings=[finding_fields(photos=[image_upload()])])
    response = client_for(safety_officer).post(CREATE_URL, data)
    assert response.status_code == 200
    assert "site" in response.context["form"].errors
    assert shows(response, response.context["form"].errors["site"][0])
    assert not shows(response, site.name)
    assert row_counts() == {"inspections": 0, "findings": 0, "events": 0, "photos": 0}
    assert files_under(media_root) == []


def test_an_inspection_without_a_site_asks_for_one(client_for, safety_officer):
    response = client_for(safety_officer).post(CREATE_URL, inspection_post(None))
    assert "site" in response.context["form"].errors
    assert Inspection.objects.count() == 0


def test_an_inspection_that_ends_before_it_starts_is_refused(client_for, safety_officer, village_a):
    site = make_site(village_a)
    data = inspection_post(site, ended_at=local_now_input(-dt.timedelta(hours=2)))
    response = client_for(safety_officer).post(CREATE_URL, data)
    assert "ended_at" in response.context["form"].errors
    assert Inspection.objects.count() == 0


def test_an_inspection_starting_tomorrow_is_refused(client_for, safety_officer, village_a):
    site = make_site(village_a)
    response = client_for(safety_officer).post(
        CREATE_URL, inspection_post(site, started_at=local_now_input(dt.timedelta(days=1)))
    )
    assert "started_at" in response.context["form"].errors
    assert Inspection.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "picnic"),
        ("started_at", "yesterday evening"),
        ("latitude", "123.5"),
        ("client_token", "not-a-uuid"),
        ("findings-0-category", "ghosts"),
        ("findings-0-grade", "terrible"),
        ("findings-0-deadline", "2026-02-30"),
        ("findings-0-responsible_unit", "999999"),
    ],
)
def test_malformed_input_is_reported_and_nothing_is_saved(client_for, safety_officer, village_a, field, value):
    site = make_site(village_a)
    data = inspection_post(site, findings=[finding_fields()])
    data[field] = value
    response = client_for(safety_officer).post(CREATE_URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors or response.context["formset"].total_error_count()
    assert row_counts()["inspections"] == 0


def test_a_broken_management_form_is_reported_not_a_server_error(client_for, safety_officer, village_a):
    site = make_site(village_a)
    data = inspection_post(site)
    del data["findings-TOTAL_FORMS"]
    response = client_for(safety_officer).post(CREATE_URL, data)
    assert response.status_code == 200
    assert Inspection.objects.count() == 0


def test_more_findings_than_the_limit_are_refused(client_for, safety_officer, village_a):
    site = make_site(village_a)
    data = inspection_post(site, findings=[finding_fields() for _ in range(31)])
    response = client_for(safety_officer).post(CREATE_URL, data)
    assert response.status_code == 200
    assert Inspection.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_the_form_arriving_at_the_same_moment_make_one_inspection(
    client_for, safety_officer, village_a, media_root
):
    """A double tap on a slow network: both requests reach the server together (PostgreSQL only)."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    site = make_site(village_a)
    token = uuid.uuid4()
    barrier = Barrier(2)

    def post(_):
        client = client_for(safety_officer, headers={"X-Requested-With": "fetch"})
        data = inspection_post(site, token=token, findings=[finding_fields(photos=[image_upload()])])
        barrier.wait()
        try:
            return client.post(CREATE_URL, data)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(post, range(2)))

    inspection = Inspection.objects.get()
    assert [response.json() for response in responses] == [{"redirect": inspection.get_absolute_url()}] * 2
    assert row_counts() == {"inspections": 1, "findings": 1, "events": 1, "photos": 1}
    assert len(files_under(media_root)) == 2  # the loser's photo files were removed
