"""Sites, inspections and findings made straight in the database for the ledger's tests (no tests here).

The lifecycle has its own tests through the services; the ledger only needs rows in every state,
made quickly and with the dates a test chooses.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from chashan_safety.models import Role
from inspections.models import Finding, FindingStatus, Inspection, Site
from tests.factories import UserFactory

_sequence = itertools.count(1)


def make_site(village, *, name: str | None = None) -> Site:
    n = next(_sequence)
    return Site.objects.create(
        name=name or f"测试场所{n:05d}号", village=village, contact_name="联系人", contact_phone="13800000000"
    )


def make_inspection(site: Site, *, led_by=None, on: dt.date | None = None) -> Inspection:
    on = on or timezone.localdate()
    led_by = led_by or UserFactory(role=Role.SAFETY_OFFICER)
    started = timezone.make_aware(dt.datetime.combine(on, dt.time(21, 30)))
    return Inspection.objects.create(site=site, kind=Inspection.Kind.NIGHT, led_by=led_by, started_at=started)


def make_finding(
    site: Site | None = None,
    *,
    inspection: Inspection | None = None,
    found_on: dt.date | None = None,
    deadline: dt.date | None = None,
    status: str = FindingStatus.OPEN,
    grade: str = Finding.Grade.GENERAL,
    category: str = Finding.Category.FIRE,
    description: str | None = None,
    responsible_village=None,
    responsible_unit=None,
    closed_at: dt.datetime | None = None,
    **extra,
) -> Finding:
    """A finding in ``site`` (or in the site of ``inspection``), found ``found_on`` (default today)."""
    n = next(_sequence)
    if inspection is None:
        inspection = make_inspection(site, on=found_on)
    site = inspection.site
    found_on = found_on or timezone.localdate(inspection.started_at)
    deadline = deadline or found_on + dt.timedelta(days=15)
    if responsible_village is None and responsible_unit is None:
        responsible_village = site.village
    if status == FindingStatus.CLOSED and closed_at is None:
        closed_at = timezone.make_aware(dt.datetime.combine(deadline, dt.time(10, 0)))
    return Finding.objects.create(
        number=f"YH{found_on.year}-{n:05d}",
        inspection=inspection,
        site=site,
        village=site.village,
        found_on=found_on,
        category=category,
        grade=grade,
        description=description or f"测试隐患描述{n:05d}号：消防通道堵塞",
        measures="清理通道",
        responsible_village=responsible_village,
        responsible_unit=responsible_unit,
        responsible_contact="责任人",
        responsible_phone="13900000000",
        deadline=deadline,
        status=status,
        closed_at=closed_at if status == FindingStatus.CLOSED else None,
        created_by=inspection.led_by,
        **extra,
    )


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)
