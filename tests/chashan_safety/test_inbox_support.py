"""Helpers for the inbox, overview, card and letter tests: overdue findings made through the services.

No tests here; the modules about what people see of reminders import these.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from chashan_safety.reminders import sweep
from inspections.models import Finding, Inspection, Site
from inspections.services import FindingDraft, inspection_record


def make_site(village, name: str | None = None) -> Site:
    return Site.objects.create(
        name=name or f"{village.name}五金加工厂",
        village=village,
        address=f"{village.name}工业路8号",
        contact_name="周老板",
        contact_phone="13800138000",
    )


def overdue_findings(*, officer, site, days: int, count: int = 1, responsible_unit=None) -> list[Finding]:
    """``count`` findings at ``site`` whose deadline passed ``days`` days ago (found the day before it)."""
    today = timezone.localdate()
    deadline = today - dt.timedelta(days=days)
    started_at = timezone.make_aware(dt.datetime.combine(deadline - dt.timedelta(days=1), dt.time(21, 40)))
    drafts = [
        FindingDraft(
            category=Finding.Category.FIRE,
            description=f"安全出口被杂物堵塞（第{index + 1}处）",
            location="一楼东侧",
            measures="清理杂物，保持疏散通道畅通",
            deadline=deadline,
            responsible_unit=responsible_unit,
        )
        for index in range(count)
    ]
    inspection, _created = inspection_record(
        by=officer, site=site, kind=Inspection.Kind.NIGHT, started_at=started_at, findings=drafts
    )
    return list(inspection.findings.order_by("pk"))


def sweep_today():
    return sweep(timezone.localdate())
