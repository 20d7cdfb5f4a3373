"""The demo town of the browser journeys (``demo_data``): loaded once a session, and every test that asks for it
gets it as loaded, whatever the test before it changed: rows, ids to come, and the photos on disk.

No browser here: these tests run wherever the database does. On PostgreSQL the town comes back from the
session's snapshot (tests/demo_snapshot.py); elsewhere each test loads it, and the same checks hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from chashan_safety.models import User
from inspections.models import Finding, FindingStatus, Photo, Zone
from responsibility.models import ResponsibilityLetter
from tests.demo_snapshot import DemoSnapshot, empty_tables, load_demo

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the snapshot is PostgreSQL's; elsewhere each test loads the demo"
)


def town() -> dict:
    """What a test could notice of the town: who signs in, the findings, the letters, the photos and their files."""
    facts = {
        "users": sorted(User.objects.values_list("username", "full_name", "is_active")),
        "authenticators": sorted(TOTPDevice.objects.values_list("user__username", "confirmed", "last_t")),
        "findings": sorted(Finding.objects.values_list("number", "status", "deadline")),
        "letters": sorted(
            (year, party, deadline, signed is not None)
            for year, party, deadline, signed in ResponsibilityLetter.objects.values_list(
                "year", "party_name", "deadline", "signed_at"
            )
        ),
        "photos": Photo.objects.count(),
        "missing photo files": sorted(
            name
            for photo in Photo.objects.all()
            for name in (photo.image.name, photo.thumbnail.name)
            if not Path(photo.image.storage.path(name)).is_file()
        ),
        "zones": sorted(Zone.objects.values_list("name", flat=True)),
    }
    if DemoSnapshot.supported():  # each load elsewhere draws new ids; the snapshot gives the same ones back
        facts["user ids"] = sorted(User.objects.values_list("pk", "username"))
        facts["finding ids"] = sorted(Finding.objects.values_list("pk", "number"))
        facts["photo files"] = sorted(Photo.objects.values_list("image", "thumbnail"))
    return facts


def change_everything() -> None:
    """What a journey might leave behind: a renamed user, findings closed, a photo gone from the disk, …"""
    User.objects.filter(username="admin").update(full_name="改过的名字")
    User.objects.create_user("stranger", password="x")
    TOTPDevice.objects.filter(user__username="leader").delete()
    Finding.objects.exclude(status=FindingStatus.CLOSED).update(status=FindingStatus.CLOSED, closed_at=timezone.now())
    photo = Photo.objects.order_by("pk").first()
    photo.image.delete(save=False)
    photo.thumbnail.delete(save=False)
    photo.delete()
    ResponsibilityLetter.objects.filter(signed_at__isnull=True).update(deadline=timezone.localdate())
    Zone.objects.create(name="测试新增片区")


_loaded: dict = {}


def test_a_journey_changes_the_town(demo_data):
    _loaded.update(town())
    assert _loaded["photos"] and _loaded["findings"] and not _loaded["missing photo files"]

    change_everything()

    changed = town()
    assert changed != _loaded
    assert changed["missing photo files"] == []  # the photo row went with its files
    assert changed["photos"] == _loaded["photos"] - 1


def test_the_next_journey_finds_the_town_as_loaded(demo_data):
    if not _loaded:
        pytest.skip("compares with test_a_journey_changes_the_town, which runs first")
    assert town() == _loaded


@on_postgresql
def test_the_snapshot_puts_back_every_row_sequence_and_file_of_a_real_load(demo_data, demo_snapshot):
    loads = demo_snapshot.loads  # one a session (or a day): the rest are restores
    assert loads >= 1
    assert demo_snapshot.differences() == []
    first = town()

    change_everything()
    assert len(demo_snapshot.differences()) >= 6
    demo_snapshot.apply()
    assert demo_snapshot.differences() == []
    zone = Zone.objects.create(name="北片区")  # the ids to come are those after the load
    assert town() == first | {"zones": sorted([*first["zones"], "北片区"])}

    change_everything()
    demo_snapshot.apply()
    assert demo_snapshot.differences() == []
    assert Zone.objects.create(name="北片区").pk == zone.pk
    assert demo_snapshot.loads == loads


@on_postgresql
def test_the_restored_town_is_the_town_a_real_load_makes(demo_data, demo_snapshot):
    def counted() -> dict:
        with connection.cursor() as cursor:
            counts = {}
            for table in demo_snapshot.tables:
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                counts[table] = cursor.fetchone()[0]
        return counts

    restored = town()
    restored_counts = counted()

    empty_tables()
    load_demo()  # the ids differ (the flush keeps the sequences going), what they hold does not

    assert counted() == restored_counts
    loaded = town()
    for key in ("user ids", "finding ids", "photo files"):  # new ids, new photo file names
        restored.pop(key)
        loaded.pop(key)
    assert loaded == restored
