"""The rectification notice (责令限期整改通知书) as a Chinese A4 PDF, filled from what the officer captured.

The PDF is made with WeasyPrint through ``responsibility.letters.render_pdf``, which imports it only
here and says plainly when the system lacks pango or a CJK font (Debian: ``fonts-noto-cjk``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from responsibility.letters import issuing_office, render_pdf
from supervision.models import RectificationNotice
from supervision.services import notice_findings

DEFAULT_RECHECK_DAYS = 3


def recheck_days() -> int:
    """Days after a deadline within which the officer re-checks the site."""
    return int(getattr(settings, "SUPERVISION_NOTICE_RECHECK_DAYS", DEFAULT_RECHECK_DAYS))


def notice_context(notice: RectificationNotice) -> dict:
    inspection = notice.inspection
    findings = list(notice_findings(notice).select_related("responsible_village", "responsible_unit"))
    for finding in findings:
        finding.recheck_by = finding.deadline + dt.timedelta(days=recheck_days())
    return {
        "notice": notice,
        "inspection": inspection,
        "site": inspection.site,
        "findings": findings,
        "office": issuing_office(),
        "issued_on": timezone.localdate(notice.issued_at),
        "checked_on": timezone.localdate(inspection.started_at),
        # the officer who led the inspection; the second inspector signs on paper
        "inspectors": [inspection.led_by.display_name],
        "for_pdf": True,
    }


def notice_pdf(notice: RectificationNotice) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("supervision/pdf/rectification_notice.html", notice_context(notice))
    return render_pdf(html)


def notice_filename(notice: RectificationNotice) -> str:
    return f"整改通知书-{notice.number}.pdf"
