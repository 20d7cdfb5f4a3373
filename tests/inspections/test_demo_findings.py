"""The demo's sites and five years of inspections and findings: shaped like a real town's, loaded once.

``manage.py load_demo`` runs once for the whole module (inside a transaction rolled back at the
end), so that the checks below share one load; each test runs in a savepoint of its own.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image

from chashan_safety.models import Counter, Role, User
from inspections import services
from inspections.demo_findings import demo_token
from inspections.models import Finding, FindingEvent, FindingStatus, Inspection, Photo, Site, Zone
from responsibility.models import Village

S = FindingStatus
A = FindingEvent.Action


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, _media_root):
    """The demo data, loaded once for the module; returns what the command printed."""
    media = _media_root  # the suite's media folder, which every test of the module also uses
    output = io.StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        call_command("load_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def today():
    return timezone.localdate()


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_the_demo_spreads_a_few_hundred_sites_over_all_eighteen_villages(demo, db):
    assert Site.objects.count() >= 250
    per_village = dict(Village.objects.annotate(n=Count("sites")).values_list("name", "n"))
    assert len(per_village) == 18
    assert all(count >= 8 for count in per_village.values()), per_village
    assert Site.objects.filter(village__name="横江村", name__contains="五金", industry="小作坊").exists()
    assert Site.objects.filter(village__name="塘角村").count() >= 8
    assert Site.objects.filter(village__name="南社村", industry="旅游景区").exists()
    assert Site.objects.filter(grid__isnull=False).exclude(grid__village=F("village")).count() == 0
    risks = dict(Site.objects.values_list("risk_level").annotate(n=Count("pk")).order_by())
    assert risks[1] + risks[2] > 0.7 * sum(risks.values())
    assert 1 <= risks.get(4, 0) <= 30
    assert set(Site.objects.values_list("kind", flat=True)) == {Site.Kind.ENTERPRISE, Site.Kind.PLACE}
    assert not Site.objects.filter(Q(contact_name="") | Q(contact_phone="") | Q(address="")).exists()


def test_the_demo_has_five_years_of_inspections_by_the_zone_officers_with_night_ones(demo, db, today):
    inspections = Inspection.objects.all()
    assert 4000 <= inspections.count() <= 6000
    span = inspections.aggregate(first=Min("started_at"), last=Max("started_at"))
    assert timezone.localdate(span["first"]) <= today - dt.timedelta(days=int(4.5 * 365))
    assert span["last"] <= timezone.now()
    assert not inspections.filter(ended_at__lt=F("started_at")).exists()

    night = inspections.filter(kind=Inspection.Kind.NIGHT)
    assert 0.08 * inspections.count() <= night.count() <= 0.3 * inspections.count()
    for started_at in night.values_list("started_at", flat=True)[:500]:
        local = timezone.localtime(started_at).time()
        assert dt.time(20, 0) <= local <= dt.time(23, 30), local
    assert inspections.filter(kind=Inspection.Kind.SURPRISE).count() >= 200
    assert set(inspections.values_list("kind", flat=True)) == set(Inspection.Kind.values)

    # led by safety officers; a team always patrols the zone of the site's village
    assert not inspections.exclude(led_by__role=Role.SAFETY_OFFICER).exists()
    with_team = inspections.filter(team__isnull=False)
    assert with_team.count() > 0.6 * inspections.count()
    assert not with_team.exclude(team__zone__village_links__village=F("site__village")).exists()
    assert Inspection.objects.filter(client_token=demo_token(0)).count() == 1  # the mark of a loaded history


def test_the_demo_findings_keep_every_rule_of_the_ledger(demo, db):
    findings = Finding.objects.all()
    total = findings.count()
    assert 8000 <= total <= 15000
    assert not findings.filter(deadline__lt=F("found_on")).exists()
    assert not findings.filter(responsible_village__isnull=True, responsible_unit__isnull=True).exists()
    assert not findings.filter(status=S.CLOSED, closed_at__isnull=True).exists()
    assert not findings.exclude(status=S.CLOSED).filter(closed_at__isnull=False).exists()
    assert not findings.exclude(village=F("site__village")).exists()
    assert not findings.exclude(site=F("inspection__site")).exists()
    assert not findings.filter(responsible_village__isnull=False).exclude(responsible_village=F("village")).exists()
    assert not findings.filter(Q(description="") | Q(measures="")).exists()

    categories = dict(findings.values_list("category").annotate(n=Count("pk")).order_by())
    assert set(categories) == set(Finding.Category.values)
    assert max(categories, key=categories.get) == Finding.Category.FIRE
    assert categories[Finding.Category.GAS] > categories[Finding.Category.TOURISM]
    assert 0.015 * total <= findings.major().count() <= 0.05 * total

    # gas and traffic findings are sometimes for a unit to fix, the gas company among them
    assert findings.filter(category=Finding.Category.GAS, responsible_unit__name="茶山镇燃气有限公司").exists()
    assert findings.filter(category=Finding.Category.TRAFFIC, responsible_unit__isnull=False).exists()


def test_every_demo_finding_has_a_timeline_that_ends_in_its_status(demo, db):
    last_events = {}
    last_moves = {}
    firsts = {}
    reopens: dict[int, int] = {}
    for finding_id, action, to_status, at in FindingEvent.objects.order_by("finding_id", "at", "pk").values_list(
        "finding_id", "action", "to_status", "at"
    ):
        firsts.setdefault(finding_id, action)
        previous = last_events.get(finding_id)
        assert previous is None or previous[2] <= at
        last_events[finding_id] = (action, to_status, at)
        if action != A.FOLLOW_UP_HELD:  # a 回头看 that found the fix held notes it, the finding stays closed
            last_moves[finding_id] = (action, at)
        if action in (A.REOPENED, A.RELAPSED):
            reopens[finding_id] = reopens.get(finding_id, 0) + 1
    now = timezone.now()
    for pk, status, closed_at, reopen_count in Finding.objects.values_list("pk", "status", "closed_at", "reopen_count"):
        assert firsts[pk] == A.CREATED
        action, to_status, at = last_events[pk]
        assert to_status == status, pk
        assert at <= now
        if status == S.CLOSED:
            assert last_moves[pk] == (A.CLOSED, closed_at)
        assert reopens.get(pk, 0) == reopen_count
    # a major finding is closed by a town administrator, as the services require
    closers = FindingEvent.objects.filter(action=A.CLOSED, finding__grade=Finding.Grade.MAJOR)
    assert not closers.exclude(by__role=Role.TOWN_ADMIN).exists()
    # the demo logins of 横江村 and the gas company submit their own fixes
    assert FindingEvent.objects.filter(action=A.FIX_SUBMITTED, by__username="village").exists()
    assert FindingEvent.objects.filter(action=A.FIX_SUBMITTED, by__username="unit").exists()


def test_the_demo_town_has_overdue_major_and_reopened_findings_today(demo, db):
    findings = Finding.objects.all()
    overdue = findings.overdue()
    assert overdue.count() >= 20
    villages = set(overdue.values_list("village__name", flat=True))
    assert len(villages) >= 6
    assert {"横江村", "塘角村"} <= villages
    assert findings.major().open().count() >= 2
    assert findings.filter(reopen_count=1).count() >= 0.01 * findings.count()
    assert findings.filter(reopen_count=1, status=S.CLOSED).exists()
    assert findings.filter(status=S.FIX_SUBMITTED).exists()
    assert findings.open().count() >= 50


@pytest.mark.parametrize("username", ["village", "village2"])
def test_a_village_login_sees_its_open_findings_in_red_and_amber(demo, db, username):
    office = user(username)
    mine = list(Finding.objects.visible_to(office).open().order_by("deadline"))
    assert mine
    assert all(office.village_id in (f.village_id, f.responsible_village_id) for f in mine)
    urgencies = [finding.urgency for finding in mine if finding.status == S.OPEN]
    assert urgencies.count("overdue") >= 3
    assert urgencies.count("due-soon") >= 2
    assert Finding.objects.visible_to(office).closed().count() > 50


def test_the_officer_login_has_fixes_waiting_for_his_check_in_the_second_zone(demo, db):
    officer = user("officer")
    zone = Zone.objects.get(name="第二片区")
    waiting = Finding.objects.visible_to(officer).filter(status=S.FIX_SUBMITTED)
    assert waiting.count() >= 3
    assert not waiting.exclude(village__zone_link__zone=zone).exists()
    assert all("verify_pass" in services.allowed_moves(officer, finding) for finding in waiting)


def test_finding_numbers_are_unique_and_a_new_finding_continues_the_sequence(demo, db, today):
    numbers = list(Finding.objects.values_list("number", "found_on"))
    assert len({number for number, _ in numbers}) == len(numbers)
    top: dict[int, int] = {}
    for number, found_on in numbers:
        match = re.fullmatch(r"YH(\d{4})-(\d{5})", number)
        assert match and int(match[1]) == found_on.year, number
        top[found_on.year] = max(top.get(found_on.year, 0), int(match[2]))
    assert dict(Counter.objects.filter(key="finding").values_list("year", "last_value")) == top

    site = Site.objects.get(name="横江村新村三巷8号五金加工小作坊")
    draft = services.FindingDraft(category=Finding.Category.FIRE, description="测试隐患", deadline=today)
    inspection, _ = services.inspection_record(
        by=user("officer"), site=site, kind=Inspection.Kind.ROUTINE, started_at=timezone.now(), findings=[draft]
    )
    assert inspection.findings.get().number == f"YH{today.year}-{top[today.year] + 1:05d}"


def test_the_most_recent_findings_have_real_jpeg_photos(demo, db):
    photos = Photo.objects.select_related("finding", "event")
    assert 25 <= photos.count() <= 80
    assert photos.filter(kind=Photo.Kind.AFTER).exists()
    assert not photos.filter(finding__isnull=True).exists()
    cutoff = timezone.localdate() - dt.timedelta(days=120)
    for photo in photos:
        assert photo.finding.found_on >= cutoff
        with photo.image.open("rb") as file, Image.open(file) as image:
            assert image.format == "JPEG" and image.size == (photo.width, photo.height)
        assert os.path.getsize(photo.thumbnail.path) < photo.size
        expected = A.CREATED if photo.kind == Photo.Kind.BEFORE else A.FIX_SUBMITTED
        assert photo.event.action == expected and photo.event.finding_id == photo.finding_id


def _fingerprint() -> dict:
    from inspections.models import Grid, PatrolTeam

    rows = {
        model._meta.label: model.objects.count()
        for model in (Village, Site, Grid, PatrolTeam, User, Inspection, Finding, FindingEvent, Photo)
    }
    rows["site.history"] = Site.history.count()
    rows["sites"] = list(Site.objects.order_by("pk").values())
    rows["findings"] = list(Finding.objects.order_by("pk").values_list("number", "status", "deadline", "updated_at"))
    rows["counters"] = list(Counter.objects.order_by("pk").values_list("key", "year", "last_value"))
    return rows


def test_a_second_load_demo_adds_nothing_and_changes_nothing(demo, db):
    before = _fingerprint()
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    assert _fingerprint() == before
    line = next(line for line in output.getvalue().splitlines() if line.startswith("findings:"))
    assert "already loaded" in line and "0 new, 0 updated" in line


def test_the_first_load_reports_its_counts_in_one_line(demo):
    lines = [line for line in demo.splitlines() if line.startswith("findings:")]
    assert len(lines) == 1
    assert re.search(
        r"\d+ sites .*\d[\d,]* inspections \(\d[\d,]* at night\).*findings .*overdue.*reopened.*photos", lines[0]
    )
