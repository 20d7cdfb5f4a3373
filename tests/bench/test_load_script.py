"""The load test's people (``bench/locustfile.py``), each task once against the live server.

``python -m bench.load`` runs them for minutes against gunicorn on a million findings; here each
person signs in through the real form and runs each of their tasks once on a small town, so that a
change to a page the load test reads or posts to breaks this test rather than the next load run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.load import prepare_accounts
from chashan_safety.models import User
from inspections.models import Finding, FindingStatus, Inspection, Photo
from tests.builders import make_finding, make_site

PROJECT = Path(__file__).resolve().parents[2]


def run_each_task_once(live_server, plan_path: Path) -> subprocess.CompletedProcess:
    # locust patches the standard library with gevent on import: it runs in a process of its own
    return subprocess.run(
        [sys.executable, "-m", "bench.locustfile", "--once", "--host", live_server.url],
        cwd=PROJECT,
        env={**os.environ, "CHASHAN_LOAD_PLAN": str(plan_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_person_of_the_load_test_signs_in_and_does_each_task_once(live_server, village_a, zone_a, tmp_path):
    site = make_site(village_a)
    open_findings = [make_finding(site, description=f"消防通道堵塞{n}") for n in range(3)]
    plan = {**prepare_accounts(per_role=1, password="load-test-password-2026"), "photo_size": [640, 480]}
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False))

    result = run_each_task_once(live_server, plan_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failures" in result.stdout
    for name in ("POST sign in", "GET ledger (village office)", "GET admin changelist: text search", "GET dashboard"):
        assert name in result.stdout, name
    # where the portal has a second step, the town administrator and the superuser gave their codes
    assert result.stdout.count("POST sign in: one-time code") == len(plan["totp"])
    # the village office submitted one fix with its after-photo
    fixed = Finding.objects.filter(pk__in=[finding.pk for finding in open_findings], status=FindingStatus.FIX_SUBMITTED)
    assert fixed.count() == 1
    assert Photo.objects.filter(finding=fixed.get(), kind=Photo.Kind.AFTER).count() == 1
    # the officer logged one inspection with its photo
    officer = User.objects.get(username="load_safety_officer_01")
    inspection = Inspection.objects.get(led_by=officer)
    assert inspection.site == site
    assert Photo.objects.filter(inspection=inspection, finding__isnull=True).count() == 1
