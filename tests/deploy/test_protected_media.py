"""Every file under MEDIA_ROOT is answered after the scope check: by nginx (X-Accel-Redirect) or by Django.

The inspections' own photo tests (tests/inspections/test_photos_serving.py) cover finding photos by
persona; here the outreach photos, the shared helper, and the setting's strict reading.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from chashan_safety.files import accel_redirect_path
from inspections.photos import process_photo
from outreach.models import Photo as OutreachPhoto
from outreach.services import carrier_save
from tests.builders import jpeg_upload, make_site, record_findings
from tests.factories import CarrierFactory

PREFIX = "/protected-media/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def carrier_photo(village_a, village_office) -> OutreachPhoto:
    carrier = CarrierFactory(village=village_a, name="上元村安全宣传栏")
    carrier_save(carrier=carrier, by=village_office, photos=[process_photo(jpeg_upload())])
    return carrier.photos.get()


@pytest.fixture
def finding_photo(safety_officer, village_a):
    finding = record_findings(officer=safety_officer, site=make_site(village_a), before_photos=1)[0]
    return finding.photos.get()


def stored_bytes(file) -> bytes:
    with file.open("rb") as handle:
        return handle.read()


def streamed_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def test_behind_nginx_an_outreach_photo_is_an_empty_answer_naming_the_file(
    settings, client_for, village_office, carrier_photo
):
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = PREFIX
    response = client_for(village_office).get(reverse("outreach:photo", args=[carrier_photo.pk, "full"]))
    thumb = client_for(village_office).get(reverse("outreach:photo", args=[carrier_photo.pk, "thumb"]))

    assert response.status_code == 200
    assert not response.streaming
    assert response.content == b""
    assert response["X-Accel-Redirect"] == PREFIX + carrier_photo.image.name
    assert response["Content-Type"] == "image/jpeg"
    expected_name = f"outreach-carrier-{carrier_photo.carrier_id}-{carrier_photo.pk}.jpg"
    assert response["Content-Disposition"] == f'inline; filename="{expected_name}"'
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert thumb["X-Accel-Redirect"] == PREFIX + carrier_photo.thumbnail.name
    assert carrier_photo.image.name.startswith("outreach/")


def test_behind_nginx_another_villages_office_still_gets_404_and_no_redirect(
    settings, client_for, other_village_office, unit_office, carrier_photo
):
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = PREFIX
    for outsider in (other_village_office, unit_office):
        response = client_for(outsider).get(reverse("outreach:photo", args=[carrier_photo.pk, "full"]))
        assert response.status_code == 404
        assert "X-Accel-Redirect" not in response
        assert "Content-Disposition" not in response


def test_behind_nginx_a_visitor_who_is_not_signed_in_is_sent_to_sign_in_without_a_redirect_to_the_file(
    settings, client_for, carrier_photo, finding_photo
):
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = PREFIX
    for url in (
        reverse("outreach:photo", args=[carrier_photo.pk, "full"]),
        reverse("inspections:photo", args=[finding_photo.pk, "full"]),
    ):
        response = client_for().get(url)
        assert response.status_code == 302
        assert "X-Accel-Redirect" not in response


def test_without_the_prefix_django_streams_the_outreach_photo_itself(
    settings, client_for, village_office, carrier_photo
):
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = ""
    response = client_for(village_office).get(reverse("outreach:photo", args=[carrier_photo.pk, "full"]))

    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response
    assert streamed_bytes(response) == stored_bytes(carrier_photo.image)


def test_without_the_prefix_a_finding_photo_is_streamed_byte_for_byte(
    settings, client_for, village_office, finding_photo
):
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = ""
    response = client_for(village_office).get(reverse("inspections:photo", args=[finding_photo.pk, "thumb"]))
    assert "X-Accel-Redirect" not in response
    assert streamed_bytes(response) == stored_bytes(finding_photo.thumbnail)


def test_behind_nginx_an_outreach_photo_whose_file_is_gone_is_left_to_nginx(
    settings, client_for, village_office, carrier_photo
):
    # Django does not look at the disk: nginx answers 404 for a missing file (tests/deploy/test_nginx.py)
    carrier_photo.image.storage.delete(carrier_photo.image.name)
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = PREFIX
    response = client_for(village_office).get(reverse("outreach:photo", args=[carrier_photo.pk, "full"]))
    assert response["X-Accel-Redirect"] == PREFIX + carrier_photo.image.name


def test_the_redirect_path_is_percent_encoded_under_the_prefix(settings):
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = PREFIX
    assert accel_redirect_path("photos/2026/05/a b#c.jpg") == "/protected-media/photos/2026/05/a%20b%23c.jpg"
    assert accel_redirect_path("/photos/x.jpg") == "/protected-media/photos/x.jpg"


@pytest.mark.parametrize("value", ["protected-media/", "/protected-media"])
def test_a_prefix_without_its_slashes_stops_start_up_with_a_message(tmp_path, value):
    env = {key: item for key, item in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="chashan_safety.settings",
        CHASHAN_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
        PROTECTED_MEDIA_ACCEL_PREFIX=value,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(django_settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "PROTECTED_MEDIA_ACCEL_PREFIX" in result.stderr
    assert "Traceback" not in result.stderr
