"""Helpers of the supervision tests: a complete 五落实 plan, findings closed through the services."""

from __future__ import annotations

from inspections.models import Finding
from inspections.services import finding_close, finding_submit_fix, finding_verify
from tests.builders import after_photo, complete_plan


def close_general(finding: Finding, *, office, officer) -> Finding:
    """Submit the fix as the village office and pass it as the officer: a general finding is closed."""
    finding_submit_fix(finding=finding, by=office, note="已整改", photos=[after_photo()])
    finding_verify(finding=finding, by=officer, passed=True, note="复查通过")
    finding.refresh_from_db()
    return finding


def close_major(finding: Finding, *, office, officer, admin) -> Finding:
    complete_plan(finding, officer)
    close_general(finding, office=office, officer=officer)
    finding_close(finding=finding, by=admin, note="挂牌督办销号")
    finding.refresh_from_db()
    return finding
