"""deploy/backup.sh and deploy/restore.sh, for real: pg_dump of the test database and a tar of its uploads,
restored into a new database and an empty folder, where every finding, letter hash and photo is found again."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from inspections.models import Finding
from inspections.models import Photo as FindingPhoto
from inspections.photos import process_photo
from inspections.services import FindingDraft, finding_submit_fix, inspection_record
from outreach.models import Photo as OutreachPhoto
from outreach.services import carrier_save
from responsibility.models import ResponsibilityLetter
from responsibility.signing import drawn_signature, letter_sign, letters_issue, scanned_signature, sha256
from tests.builders import jpeg_upload, make_site
from tests.deploy.conftest import DEPLOY_DIR, database_url, require
from tests.factories import CarrierFactory
from tests.responsibility.conftest import make_template, this_year
from tests.responsibility.signatures import drawn_url, scan_upload


@pytest.fixture(autouse=True)
def _programs():
    require(postgresql=True, programs=("pg_dump", "pg_restore", "psql", "tar", "sha256sum"))


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def restored_database():
    """A new, empty database on the test server, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DEPLOY_DIR / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def photo(n: int):
    # each photo its own colour, so that a file restored under another's name would not compare equal
    return process_photo(jpeg_upload(f"p{n}.jpg", colour=(20 * n % 256, 90, 200 - 10 * n)))


@pytest.fixture
def town(media, town_admin, safety_officer, village_office, unit_office, village_a, village_b, unit_a):
    """Findings with photos before and after a fix, an outreach photo, and two signed letters."""
    started = timezone.now() - dt.timedelta(hours=2)
    for site_village, first in ((village_a, 0), (village_b, 3)):
        site = make_site(site_village)
        drafts = [
            FindingDraft(
                category=Finding.Category.FIRE,
                description=f"消防通道被堵塞（第{first + index + 1}项）",
                deadline=timezone.localdate() + dt.timedelta(days=5),
                photos=[photo(first + index)],
            )
            for index in range(3)
        ]
        inspection_record(by=safety_officer, site=site, kind="night", started_at=started, findings=drafts)
    fixed = Finding.objects.filter(site__village=village_a).order_by("pk").first()
    finding_submit_fix(finding=fixed, by=village_office, note="已清理", photos=[photo(10), photo(11)])
    carrier = CarrierFactory(village=village_a, name="上元村安全宣传栏")
    carrier_save(carrier=carrier, by=village_office, photos=[photo(12)])

    for kind in ("village", "department", "enterprise"):
        make_template(this_year(), kind)
    letters_issue(year=this_year(), deadline=timezone.localdate() + dt.timedelta(days=20), by=town_admin)
    drawn = ResponsibilityLetter.objects.get(year=this_year(), village=village_a)
    letter_sign(letter=drawn, by=village_office, signature=drawn_signature(drawn_url()), signer_name="张建国")
    scanned = ResponsibilityLetter.objects.get(year=this_year(), unit=unit_a)
    letter_sign(letter=scanned, by=unit_office, signature=scanned_signature(scan_upload()), signer_name="陈志明")


def rows(cursor, model, columns: str, where: str = "TRUE") -> list[tuple]:
    """The rows of ``model``'s table in the restored database, sorted."""
    cursor.execute(f"SELECT {columns} FROM {model._meta.db_table} WHERE {where}")  # noqa: S608 (the test's own names)
    return sorted(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_holds_every_finding_letter_hash_and_photo(
    town, media, tmp_path, restored_database
):
    backups = tmp_path / "backups"
    made = run(
        "backup.sh",
        env={"DATABASE_URL": database_url(), "MEDIA_ROOT": str(media), "BACKUP_DIR": str(backups)},
    )
    assert made.returncode == 0, made.stderr
    (backup,) = backups.iterdir()
    assert sorted(path.name for path in backup.iterdir()) == ["SHA256SUMS", "database.dump", "media.tar.gz"]
    assert f"backup: {backup} " in made.stdout

    restored_media = tmp_path / "restored-media"
    restored = run(
        "restore.sh",
        str(backup),
        env={"DATABASE_URL": database_url(restored_database), "MEDIA_ROOT": str(restored_media)},
    )
    assert restored.returncode == 0, restored.stderr
    assert "files" in restored.stdout

    expected_findings = sorted(Finding.objects.values_list("pk", "number", "description", "status"))
    assert len(expected_findings) == 6
    expected_photos = sorted(
        [(p.pk, p.image.name, p.thumbnail.name) for p in FindingPhoto.objects.all()]
        + [(p.pk, p.image.name, p.thumbnail.name) for p in OutreachPhoto.objects.all()]
    )
    assert len(expected_photos) == 9  # 6 before, 2 after the fix, 1 of the carrier

    with psycopg2.connect(database_url(restored_database)) as restored_db, restored_db.cursor() as cursor:
        assert rows(cursor, Finding, "id, number, description, status") == expected_findings

        signed = rows(
            cursor, ResponsibilityLetter, "id, text, signature, text_sha256, signature_sha256", "signed_at IS NOT NULL"
        )
        assert len(signed) == 2
        for pk, text, signature, text_hash, signature_hash in signed:
            original = ResponsibilityLetter.objects.get(pk=pk)
            assert (text_hash, signature_hash) == (original.text_sha256, original.signature_sha256)
            assert sha256(text) == text_hash
            assert sha256(bytes(signature)) == signature_hash

        restored_photos = rows(cursor, FindingPhoto, "id, image, thumbnail")
        restored_photos += rows(cursor, OutreachPhoto, "id, image, thumbnail")
    assert sorted(restored_photos) == expected_photos
    for _, image, thumbnail in restored_photos:
        for name in (image, thumbnail):
            assert (restored_media / name).read_bytes() == (media / name).read_bytes(), name


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_in_use_and_a_backup_that_does_not_match_its_checksums(
    town, media, tmp_path, restored_database
):
    backups = tmp_path / "backups"
    env = {"DATABASE_URL": database_url(), "MEDIA_ROOT": str(media), "BACKUP_DIR": str(backups)}
    assert run("backup.sh", env=env).returncode == 0
    (backup,) = backups.iterdir()
    fresh_media = tmp_path / "restored-media"

    into_live = run("restore.sh", str(backup), env={"DATABASE_URL": database_url(), "MEDIA_ROOT": str(fresh_media)})
    assert into_live.returncode != 0
    assert "is not empty" in into_live.stderr
    assert not fresh_media.exists()
    assert Finding.objects.count() == 6

    with (backup / "media.tar.gz").open("ab") as archive:
        archive.write(b"\0")
    tampered = run(
        "restore.sh", str(backup), env={"DATABASE_URL": database_url(restored_database), "MEDIA_ROOT": str(fresh_media)}
    )
    assert tampered.returncode != 0
    assert "does not match its SHA256SUMS" in tampered.stderr
    assert not fresh_media.exists()


def test_backups_beyond_the_number_to_keep_are_removed_oldest_first(media, tmp_path):
    backups = tmp_path / "backups"
    for stamp in ("20260101-023000", "20260102-023000", "20260103-023000"):
        (backups / f"chashan-{stamp}").mkdir(parents=True)
    (backups / "chashan-20260104-023000.partial").mkdir()  # a failed run's leftover is not a backup
    media.mkdir(parents=True, exist_ok=True)

    made = run(
        "backup.sh",
        env={"DATABASE_URL": database_url(), "MEDIA_ROOT": str(media), "BACKUP_DIR": str(backups), "BACKUP_KEEP": "2"},
    )

    assert made.returncode == 0, made.stderr
    kept = sorted(path.name for path in backups.iterdir() if not path.name.endswith(".partial"))
    assert len(kept) == 2
    assert kept[0] == "chashan-20260103-023000"
    assert kept[1].startswith("chashan-2") and kept[1] > "chashan-20260104"
    assert "removed" in made.stdout


def test_backup_explains_a_missing_setting_instead_of_failing_half_way(tmp_path):
    made = run("backup.sh", env={"DATABASE_URL": "", "MEDIA_ROOT": str(tmp_path), "BACKUP_DIR": str(tmp_path / "b")})
    assert made.returncode != 0
    assert "DATABASE_URL is not set" in made.stderr
    assert not (tmp_path / "b").exists()
