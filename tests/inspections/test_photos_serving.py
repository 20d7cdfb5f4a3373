"""Photos are served only to those who may see their finding or inspection, by Django or through nginx."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from inspections.models import Photo
from inspections.photos import process_photo
from inspections.services import inspection_record
from tests.builders import jpeg_upload, make_site, record_findings


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def site_a(village_a):
    return make_site(village_a)


@pytest.fixture
def finding(safety_officer, site_a):
    return record_findings(officer=safety_officer, site=site_a, before_photos=1)[0]


@pytest.fixture
def photo(finding):
    return finding.photos.get()


def photo_url(photo, size="full") -> str:
    return reverse("inspections:photo", args=[photo.pk, size])


def body(response) -> bytes:
    # reading a streamed response to its end closes the file (the test client wraps the iterator)
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("town_admin", 200),
        ("leadership", 200),
        ("safety_officer", 200),
        ("village_office", 200),
        ("other_officer", 404),
        ("other_village_office", 404),
        ("unit_office", 404),
        ("other_unit_office", 404),
    ],
    indirect=["persona"],
)
def test_a_finding_photo_answers_by_persona(client_for, persona, expected, photo):
    response = client_for(persona).get(photo_url(photo))
    assert response.status_code == expected
    body(response)


def test_village_office_gets_its_findings_photo_as_a_private_inline_jpeg(client_for, village_office, finding, photo):
    response = client_for(village_office).get(photo_url(photo))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="{finding.number}-{photo.pk}.jpg"'
    data = body(response)
    with photo.image.open("rb") as handle:
        assert data == handle.read()
    assert Image.open(io.BytesIO(data)).size == (photo.width, photo.height)


def test_the_thumbnail_is_the_small_one(client_for, village_office, finding, photo):
    response = client_for(village_office).get(photo_url(photo, "thumb"))

    assert response["Content-Disposition"] == f'inline; filename="{finding.number}-{photo.pk}-thumb.jpg"'
    thumb = Image.open(io.BytesIO(body(response)))
    assert max(thumb.size) <= 320
    assert thumb.size != (photo.width, photo.height)


def test_an_unknown_size_answers_404(client_for, village_office, photo):
    assert client_for(village_office).get(photo_url(photo, "original")).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client_for, photo):
    response = client_for().get(photo_url(photo))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_villages_photo_answers_404_and_shows_nothing(client_for, other_village_office, photo):
    response = client_for(other_village_office).get(photo_url(photo))
    assert response.status_code == 404
    assert b"\xff\xd8" not in response.content
    assert "Content-Disposition" not in response


def test_unit_office_sees_the_photos_of_the_finding_its_unit_must_fix(
    client_for, safety_officer, site_a, unit_a, unit_office, other_unit_office
):
    finding = record_findings(officer=safety_officer, site=site_a, responsible_unit=unit_a, before_photos=1)[0]
    photo = finding.photos.get()
    response = client_for(unit_office).get(photo_url(photo))
    assert response.status_code == 200
    assert body(response)[:2] == b"\xff\xd8"
    assert client_for(other_unit_office).get(photo_url(photo)).status_code == 404


def test_an_inspection_photo_is_seen_in_the_inspections_village(
    client_for, safety_officer, site_a, village_office, other_village_office
):
    from django.utils import timezone

    inspection, _ = inspection_record(
        by=safety_officer, site=site_a, kind="night", started_at=timezone.now(), photos=[process_photo(jpeg_upload())]
    )
    photo = inspection.photos.get()

    response = client_for(village_office).get(photo_url(photo))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="inspection-{inspection.pk}-{photo.pk}.jpg"'
    body(response)
    assert client_for(other_village_office).get(photo_url(photo)).status_code == 404


def test_a_photo_whose_file_is_gone_answers_404_not_500(client_for, village_office, photo):
    photo.image.storage.delete(photo.image.name)
    assert client_for(village_office).get(photo_url(photo)).status_code == 404


# --- through nginx ---------------------------------------------------------------------------------------


@override_settings(PROTECTED_MEDIA_ACCEL_PREFIX="/protected-media/")
def test_with_an_accel_prefix_nginx_is_told_which_file_to_send(client_for, village_office, finding, photo):
    response = client_for(village_office).get(photo_url(photo))

    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="{finding.number}-{photo.pk}.jpg"'

    thumb = client_for(village_office).get(photo_url(photo, "thumb"))
    assert thumb["X-Accel-Redirect"] == f"/protected-media/{photo.thumbnail.name}"


@override_settings(PROTECTED_MEDIA_ACCEL_PREFIX="/protected-media/")
def test_with_an_accel_prefix_an_outsider_still_gets_404_and_no_redirect(client_for, other_village_office, photo):
    response = client_for(other_village_office).get(photo_url(photo))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


@override_settings(PROTECTED_MEDIA_ACCEL_PREFIX="")
def test_an_empty_accel_prefix_means_django_sends_the_file(client_for, village_office, photo):
    response = client_for(village_office).get(photo_url(photo))
    assert "X-Accel-Redirect" not in response
    assert body(response)[:2] == b"\xff\xd8"


def test_photos_are_not_listed_in_the_page_of_an_outsider(client_for, other_village_office, photo):
    assert not Photo.objects.visible_to(other_village_office).exists()
