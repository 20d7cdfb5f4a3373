"""What tests build findings with: quick rows for reading pages, and findings recorded through the services.

- ``make_site``, ``make_inspection`` and ``make_finding`` write rows straight to the database (through the
  factories of ``tests.factories``), with the dates a test chooses: for lists, ledgers and panels.
- ``record_findings`` and ``overdue_findings`` go through ``inspections.services``, as an officer would:
  numbers, timeline and photos as in real use, for lifecycle and reminder tests.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from inspections.models import Finding, Inspection, Site
from inspections.photos import process_photo
from inspections.services import FindingDraft, finding_submit_fix, finding_verify, inspection_record
from supervision.services import plan_save
from tests.factories import FindingFactory, InspectionFactory, SiteFactory

# --- rows straight in the database --------------------------------------------------------------


def make_site(village, name: str | None = None, **fields) -> Site:
    """A site in ``village``; a unique name unless one is given."""
    if name is not None:
        fields["name"] = name
    return SiteFactory(village=village, **fields)


def make_inspection(
    site: Site,
    *,
    led_by=None,
    on: dt.date | None = None,
    started_at: dt.datetime | None = None,
    kind: str = Inspection.Kind.NIGHT,
    **fields,
) -> Inspection:
    """An inspection at ``site``: ``on`` a day (at 21:30) or ``started_at``, by default an hour ago."""
    if led_by is not None:
        fields["led_by"] = led_by
    if started_at is not None:
        fields["started_at"] = started_at
    return InspectionFactory(site=site, on=on, kind=kind, **fields)


def make_finding(
    site: Site | None = None,
    *,
    inspection: Inspection | None = None,
    found_on: dt.date | None = None,
    **fields,
) -> Finding:
    """A finding at ``site`` (or at the site of ``inspection``), found ``found_on`` (default: the inspection's day).

    Other fields as ``FindingFactory`` takes them: ``deadline`` (15 days after it), ``status``,
    ``responsible_unit`` (the site's village is responsible otherwise), ``grade`` …
    """
    if inspection is None:
        inspection = make_inspection(site, on=found_on)
    if found_on is not None:
        fields["found_on"] = found_on
    return FindingFactory(inspection=inspection, **fields)


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


# --- photos -------------------------------------------------------------------------------------


def jpeg_bytes(size=(800, 600), colour=(190, 40, 40), **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG", **save_options)
    return buffer.getvalue()


def jpeg_upload(name: str = "photo.jpg", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**options), content_type="image/jpeg")


def after_photo():
    return process_photo(jpeg_upload("after.jpg", colour=(40, 160, 60)))


# --- through the services -------------------------------------------------------------------------


def record_findings(
    *,
    officer,
    site,
    count: int = 1,
    grade: str = Finding.Grade.GENERAL,
    category: str = Finding.Category.FIRE,
    deadline: dt.date | None = None,
    responsible_unit=None,
    before_photos: int = 0,
    started_at: dt.datetime | None = None,
    kind: str = Inspection.Kind.NIGHT,
) -> list[Finding]:
    """An inspection (night by default) by ``officer`` at ``site`` with ``count`` findings, through the service."""
    started_at = started_at or timezone.now() - dt.timedelta(hours=1)
    found_on = timezone.localdate(started_at)
    drafts = [
        FindingDraft(
            category=category,
            grade=grade,
            description=f"隐患描述第{index + 1}项：安全出口被杂物堵塞",
            location="一楼东侧安全出口",
            measures="清理杂物，保持疏散通道畅通",
            deadline=deadline or found_on + dt.timedelta(days=3),
            responsible_unit=responsible_unit,
            photos=[process_photo(jpeg_upload(f"before-{n}.jpg")) for n in range(before_photos)],
        )
        for index in range(count)
    ]
    inspection, _ = inspection_record(by=officer, site=site, kind=kind, started_at=started_at, findings=drafts)
    return list(inspection.findings.order_by("pk"))


def overdue_findings(*, officer, site, days: int, count: int = 1, responsible_unit=None) -> list[Finding]:
    """``count`` findings at ``site`` whose deadline passed ``days`` days ago (found at night the day before it)."""
    deadline = timezone.localdate() - dt.timedelta(days=days)
    started_at = timezone.make_aware(dt.datetime.combine(deadline - dt.timedelta(days=1), dt.time(21, 40)))
    return record_findings(
        officer=officer,
        site=site,
        count=count,
        deadline=deadline,
        responsible_unit=responsible_unit,
        started_at=started_at,
    )


def complete_plan(finding: Finding, by):
    """A complete 五落实 plan for a major ``finding``, written by ``by``."""
    return plan_save(
        finding=finding,
        by=by,
        responsible_person="周老板",
        responsible_phone="13800138000",
        funds=Decimal("50000"),
        deadline=finding.deadline,
        measures="更换储罐阀门，加装可燃气体报警装置",
        contingency_plan="整改期间停用储罐区，设置警戒线，专人值守",
    )


def submitted(finding, village_office):
    """``finding`` with a fix submitted by ``village_office`` (with an after-photo).

    A major finding is under listed supervision: its 五落实 plan is completed first.
    """
    if finding.is_major:
        complete_plan(finding, village_office)
    finding_submit_fix(finding=finding, by=village_office, note="已清理安全出口", photos=[after_photo()])
    return finding


def closed(finding, village_office, officer):
    """``finding`` fixed by ``village_office`` and verified (so closed, when general) by ``officer``."""
    submitted(finding, village_office)
    finding_verify(finding=finding, by=officer, passed=True)
    return finding


def state(finding: Finding) -> tuple[str, int]:
    """What a refused move must leave alone: the status and the number of events."""
    finding.refresh_from_db()
    return finding.status, finding.events.count()


def sweep_today():
    from chashan_safety.reminders import sweep

    return sweep(timezone.localdate())


def sweep_days_ago(*days: int):
    """Sweep as of each of these days before today, in the order given, as the daily beat did then."""
    from chashan_safety.reminders import sweep

    return [sweep(timezone.localdate() - dt.timedelta(days=back)) for back in days]
