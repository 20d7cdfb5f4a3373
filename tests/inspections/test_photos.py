"""Uploaded photos: bad files are refused with a clear message and leave nothing behind; good ones are cleaned.

Each case goes through the page a village clerk uses (submitting a fix), and what is stored is read back.
"""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from inspections.models import Finding, Photo
from inspections.photos import MAX_PHOTOS_PER_UPLOAD, process_photo
from tests.builders import jpeg_bytes, jpeg_upload, make_site, record_findings, state


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for):
    """Clients that read English, so that messages are asserted in their source form before and after translation."""
    return lambda user=None, **defaults: client_for(user, HTTP_ACCEPT_LANGUAGE="en", **defaults)


@pytest.fixture
def finding(media, safety_officer, village_a):
    return record_findings(officer=safety_officer, site=make_site(village_a))[0]


def files_in(media) -> list:
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []


def submit_fix(client, finding, photos):
    url = reverse("inspections:finding-action", args=[finding.pk, "submit_fix"])
    return client.post(url, {"note": "已整改", "photos": photos})


# --- files that are not what they claim ------------------------------------------------------------


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` one-bit pixels: decoding it would take gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(buffer, format="GIF")
    return buffer.getvalue()


BAD_FILES = [
    pytest.param(
        "notes.jpg", b"this is a text file, not a photo", "This file is not a photo that can be read", id="not an image"
    ),
    pytest.param(
        "huge.jpg", b"\xff\xd8\xff" + b"0" * (11 * 1024 * 1024), "at most 10 MB; this one is 11.0 MB", id="over 10 MB"
    ),
    pytest.param("bomb.png", png_claiming(20_000, 20_000), "too many pixels", id="decompression bomb PNG"),
    pytest.param("big.png", png_claiming(7_000, 7_000), "too many pixels", id="49 megapixels"),
    pytest.param(
        "cut.jpg", jpeg_bytes(size=(1200, 900))[:3000], "This file is not a photo that can be read", id="truncated JPEG"
    ),
    pytest.param("anim.gif", gif_bytes(), "Only JPEG, PNG or WebP photos are accepted.", id="a GIF"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_a_bad_photo_is_refused_with_a_clear_message_and_leaves_nothing_behind(
    client_for, village_office, finding, media, name, content, message
):
    before = state(finding)
    files_before = files_in(media)

    response = submit_fix(client_for(village_office), finding, [SimpleUploadedFile(name, content, "image/jpeg")])

    assert response.status_code == 200
    [error] = response.context["action_forms"]["submit_fix"].errors["photos"]
    assert error.startswith(f"{name}: ")
    assert message in error
    assert state(finding) == before
    assert files_in(media) == files_before
    assert not Photo.objects.exists()


def test_one_bad_photo_among_good_ones_saves_none_of_them(client_for, village_office, finding, media):
    before = state(finding)
    photos = [jpeg_upload("a.jpg"), SimpleUploadedFile("b.jpg", b"garbage", "image/jpeg"), jpeg_upload("c.jpg")]

    response = submit_fix(client_for(village_office), finding, photos)

    assert "b.jpg" in response.context["action_forms"]["submit_fix"].errors["photos"][0]
    assert state(finding) == before
    assert files_in(media) == []


def test_more_photos_than_allowed_at_once_are_refused(client_for, village_office, finding, media):
    photos = [jpeg_upload(f"{n}.jpg", size=(40, 30)) for n in range(MAX_PHOTOS_PER_UPLOAD + 1)]
    response = submit_fix(client_for(village_office), finding, photos)
    assert response.context["action_forms"]["submit_fix"].errors["photos"] == [
        f"At most {MAX_PHOTOS_PER_UPLOAD} photos at a time."
    ]
    assert files_in(media) == []


# --- good photos come out clean ------------------------------------------------------------------------


def stored_after_photo(client, finding, upload) -> tuple[Photo, Image.Image, bytes]:
    response = submit_fix(client, finding, [upload])
    assert response.status_code == 302, response.context and response.context["action_forms"]["submit_fix"].errors
    photo = Photo.objects.get(finding=finding, kind=Photo.Kind.AFTER)
    with photo.image.open("rb") as handle:
        data = handle.read()
    return photo, Image.open(io.BytesIO(data)), data


def test_a_transparent_png_is_stored_as_a_jpeg_on_white(client_for, village_office, finding):
    buffer = io.BytesIO()
    image = Image.new("RGBA", (300, 200), (255, 0, 0, 0))  # fully transparent red
    image.paste((0, 0, 255, 255), (0, 0, 100, 100))  # an opaque blue corner
    image.save(buffer, format="PNG")

    _, stored, _ = stored_after_photo(
        client_for(village_office), finding, SimpleUploadedFile("t.png", buffer.getvalue())
    )

    assert stored.format == "JPEG"
    assert stored.mode == "RGB"
    assert all(channel > 245 for channel in stored.getpixel((250, 150)))  # white, not black or red
    red, _, blue = stored.getpixel((20, 20))
    assert blue > 200 and red < 40


def test_a_phone_photo_taken_upright_is_stored_upright(client_for, village_office, finding):
    """Orientation 6: the sensor's landscape pixels are shown rotated a quarter turn, as portrait."""
    exif = Image.Exif()
    exif[0x0112] = 6
    upload = SimpleUploadedFile("upright.jpg", jpeg_bytes(size=(400, 200), exif=exif.tobytes()))

    photo, stored, _ = stored_after_photo(client_for(village_office), finding, upload)

    assert stored.size == (200, 400)
    assert (photo.width, photo.height) == (200, 400)


def test_a_photo_with_a_gps_position_is_stored_without_any_metadata(client_for, village_office, finding):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (22.0, 58.0, 12.5), 3: "E", 4: (113.0, 51.0, 30.2)}
    original = jpeg_bytes(size=(640, 480), exif=exif.tobytes())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the upload does carry a position

    _, stored, data = stored_after_photo(client_for(village_office), finding, SimpleUploadedFile("gps.jpg", original))

    assert not stored.getexif()
    assert "exif" not in stored.info
    assert b"Exif" not in data
    assert b"PhoneMaker" not in data


def test_a_large_photo_is_shrunk_and_gets_a_thumbnail(village_office):
    processed = process_photo(jpeg_upload(size=(4000, 3000)))
    assert (processed.width, processed.height) == (2048, 1536)
    thumb = Image.open(processed.thumbnail)
    assert max(thumb.size) == 320


def test_the_stored_name_is_the_servers_not_the_uploaders(client_for, village_office, finding):
    upload = jpeg_upload("../../etc/我的照片 (1).JPG")
    photo, _, _ = stored_after_photo(client_for(village_office), finding, upload)
    for name in (photo.image.name, photo.thumbnail.name):
        assert name.startswith("photos/")
        assert "我的照片" not in name and ".." not in name
        assert name.endswith(".jpg")


def test_a_finding_keeps_its_status_when_the_photo_is_refused(client_for, village_office, finding):
    submit_fix(client_for(village_office), finding, [SimpleUploadedFile("x.jpg", b"x")])
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
