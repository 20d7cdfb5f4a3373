"""The outreach of the small test town: the seeded 2+6 types, carriers in villages A and B, activities."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from outreach.models import Carrier, CarrierType
from tests.factories import ActivityFactory, CarrierFactory


def jpeg_upload(name: str = "drill.jpg", colour=(30, 120, 200)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def board_type(db) -> CarrierType:
    return CarrierType.objects.get(name="宣传栏")


@pytest.fixture
def hall_type(db) -> CarrierType:
    return CarrierType.objects.get(name="消防微型宣教馆")


@pytest.fixture
def hall_a(village_a, hall_type) -> Carrier:
    return CarrierFactory(
        village=village_a,
        type=hall_type,
        name="上元村消防微型宣教馆",
        opening_hours="周二至周日 9:00–17:00",
        capacity=60,
    )


@pytest.fixture
def board_b(village_b, board_type) -> Carrier:
    return CarrierFactory(village=village_b, type=board_type, name="超朗村安全宣传栏")


@pytest.fixture
def activity_a(village_a, hall_a):
    return ActivityFactory(
        village=village_a, carrier=hall_a, kind="drill", title="上元村消防疏散演练", held_on=timezone.localdate()
    )


@pytest.fixture
def activity_b(village_b, board_b):
    return ActivityFactory(
        village=village_b, carrier=board_b, kind="publicity_day", title="超朗村安全宣传日", held_on=timezone.localdate()
    )
