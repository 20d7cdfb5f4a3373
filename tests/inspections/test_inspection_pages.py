"""An inspection's page and the list of inspections: scoped from inside and outside, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, FindingEvent, Inspection, Photo
from tests.helpers import count_queries, shows
from tests.inspections.test_inspection_create import make_site

LIST_URL = reverse("inspections:inspection-list")


def make_inspection(site, led_by, *, kind="routine", started_at=None, team=None, **fields) -> Inspection:
    return Inspection.objects.create(
        site=site,
        led_by=led_by,
        kind=kind,
        team=team,
        started_at=started_at or timezone.now() - dt.timedelta(hours=1),
        **fields,
    )


_numbers = iter(range(1, 1_000_000))


def make_finding(inspection, *, unit=None, deadline=None, grade="general", photos=0, **fields) -> Finding:
    found_on = timezone.localdate(inspection.started_at)
    finding = Finding.objects.create(
        number=f"YH-T{next(_numbers):05d}",
        inspection=inspection,
        site=inspection.site,
        village=inspection.site.village,
        found_on=found_on,
        category=fields.pop("category", "fire"),
        grade=grade,
        description=fields.pop("description", "消防通道堵塞"),
        responsible_village=None if unit else inspection.site.village,
        responsible_unit=unit,
        deadline=deadline or found_on + dt.timedelta(days=3),
        created_by=inspection.led_by,
        **fields,
    )
    FindingEvent.objects.create(finding=finding, action="created", to_status="open", by=inspection.led_by)
    for _ in range(photos):
        make_photo(finding=finding, kind="before", by=inspection.led_by)
    return finding


def make_photo(*, by, kind="inspection", **owner) -> Photo:
    return Photo.objects.create(
        kind=kind, image="photos/x.jpg", thumbnail="photos/x-t.jpg", width=1, height=1, size=1, uploaded_by=by, **owner
    )


@pytest.fixture
def site_a(village_a):
    return make_site(village_a, name="横江五金加工厂")


@pytest.fixture
def site_b(village_b):
    return make_site(village_b, name="超朗印染厂")


@pytest.fixture
def inspection_a(site_a, safety_officer, team_a, unit_a):
    inspection = make_inspection(
        site_a, safety_officer, kind="night", team=team_a, latitude="23.060000", longitude="113.850000"
    )
    make_photo(inspection=inspection, by=safety_officer)
    make_finding(inspection, description="安全出口被杂物堵塞", photos=1)
    make_finding(inspection, description="燃气管道老化", unit=unit_a, category="gas")
    return inspection


@pytest.fixture
def inspection_b(site_b, other_officer):
    inspection = make_inspection(site_b, other_officer)
    make_finding(inspection, description="染缸区域无防护栏")
    return inspection


# --- the detail page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("town_admin", 200),
        ("leadership", 200),
        ("safety_officer", 200),
        ("village_office", 200),
        ("unit_office", 200),  # one of its findings was found there
        ("other_officer", 404),
        ("other_village_office", 404),
        ("other_unit_office", 404),
    ],
    indirect=["persona"],
)
def test_inspection_a_answers_by_persona(client_for, persona, expected, inspection_a):
    response = client_for(persona).get(inspection_a.get_absolute_url())
    assert response.status_code == expected
    assert shows(response, "横江五金加工厂") is (expected == 200)


def test_the_detail_shows_the_inspection_its_gps_point_photos_and_findings(client_for, safety_officer, inspection_a):
    response = client_for(safety_officer).get(inspection_a.get_absolute_url())
    findings = list(inspection_a.findings.order_by("number"))
    assert shows(response, "geo:23.060000,113.850000")
    assert shows(response, inspection_a.team.name)
    assert shows(response, safety_officer.display_name)
    for finding in findings:
        assert shows(response, finding.number)
        assert shows(response, finding.get_absolute_url())
    assert shows(response, "安全出口被杂物堵塞")
    photo = inspection_a.photos.get(finding__isnull=True)
    assert shows(response, photo.thumbnail_url)
    assert shows(response, photo.get_absolute_url())
    assert list(response.context["photos"]) == [photo]  # the findings' photos are shown on their cards


def test_a_unit_office_sees_only_its_own_finding_of_the_inspection(client_for, unit_office, inspection_a):
    response = client_for(unit_office).get(inspection_a.get_absolute_url())
    assert [f.description for f in response.context["findings"]] == ["燃气管道老化"]
    assert not shows(response, "安全出口被杂物堵塞")


def test_an_overdue_finding_is_marked_in_red(client_for, safety_officer, site_a):
    inspection = make_inspection(site_a, safety_officer, started_at=timezone.now() - dt.timedelta(days=10))
    make_finding(inspection, deadline=timezone.localdate() - dt.timedelta(days=2))
    response = client_for(safety_officer).get(inspection.get_absolute_url())
    assert 'data-urgency="overdue"' in response.content.decode()


def test_an_unknown_inspection_answers_404(client_for, town_admin):
    assert client_for(town_admin).get(reverse("inspections:inspection-detail", args=[987654])).status_code == 404


def test_the_detail_page_makes_the_same_number_of_queries_for_1_and_30_findings(
    client_for, safety_officer, site_a, unit_a
):
    client = client_for(safety_officer)
    small = make_inspection(site_a, safety_officer)
    make_photo(inspection=small, by=safety_officer)
    make_finding(small, photos=1)
    large = make_inspection(site_a, safety_officer)
    for index in range(30):
        make_photo(inspection=large, by=safety_officer)
        make_finding(large, photos=2, unit=unit_a if index % 2 else None)
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())


# --- the list -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("town_admin", True, True),
        ("leadership", True, True),
        ("safety_officer", True, False),
        ("other_officer", False, True),
        ("village_office", True, False),
        ("other_village_office", False, True),
        ("unit_office", True, False),
        ("other_unit_office", False, False),
    ],
    indirect=["persona"],
)
def test_the_list_shows_each_persona_only_the_inspections_it_may_see(
    client_for, persona, sees_a, sees_b, inspection_a, inspection_b
):
    response = client_for(persona).get(LIST_URL)
    assert response.status_code == 200
    assert shows(response, "横江五金加工厂") is sees_a
    assert shows(response, "超朗印染厂") is sees_b


def test_the_list_filters_by_kind_so_night_inspections_stand_apart(client_for, town_admin, site_a, safety_officer):
    make_inspection(site_a, safety_officer, kind="night", notes="n")
    make_inspection(site_a, safety_officer, kind="routine")
    response = client_for(town_admin).get(LIST_URL, {"kind": "night"})
    assert [i.kind for i in response.context["page_obj"]] == ["night"]
    assert response.context["night_only"] is True


def test_the_list_filters_by_date_range_in_local_days(client_for, town_admin, site_a, safety_officer):
    day = dt.date(2025, 6, 10)
    late = timezone.make_aware(dt.datetime(2025, 6, 10, 23, 30))  # 15:30 UTC: still the 10th in Chashan
    make_inspection(site_a, safety_officer, started_at=late)
    make_inspection(site_a, safety_officer, started_at=late + dt.timedelta(hours=1))
    make_inspection(site_a, safety_officer, started_at=late - dt.timedelta(days=2))
    response = client_for(town_admin).get(LIST_URL, {"date_from": day.isoformat(), "date_to": day.isoformat()})
    assert [i.started_at for i in response.context["page_obj"]] == [late]


def test_the_list_filters_by_village_team_and_led_by_me(
    client_for, safety_officer, town_admin, site_a, site_b, team_a, village_a
):
    mine = make_inspection(site_a, safety_officer, team=team_a)
    theirs = make_inspection(site_a, town_admin)
    elsewhere = make_inspection(site_b, town_admin)
    client = client_for(town_admin)
    assert set(client.get(LIST_URL, {"village": village_a.pk}).context["page_obj"]) == {mine, theirs}
    assert list(client.get(LIST_URL, {"team": team_a.pk}).context["page_obj"]) == [mine]
    assert set(client.get(LIST_URL, {"mine": "on"}).context["page_obj"]) == {theirs, elsewhere}
    officer = client_for(safety_officer)
    assert list(officer.get(LIST_URL, {"mine": "on"}).context["page_obj"]) == [mine]


def test_filtering_by_another_zones_village_shows_nothing_of_it(client_for, safety_officer, inspection_b, village_b):
    response = client_for(safety_officer).get(LIST_URL, {"village": village_b.pk})
    assert response.status_code == 200
    assert not shows(response, "超朗印染厂")


def test_a_bad_filter_value_is_reported_not_a_server_error(client_for, town_admin, inspection_a):
    response = client_for(town_admin).get(LIST_URL, {"date_from": "last spring", "kind": "picnic"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors


def test_the_list_counts_findings_and_major_ones(client_for, town_admin, site_a, safety_officer):
    inspection = make_inspection(site_a, safety_officer)
    make_finding(inspection)
    make_finding(inspection, grade="major")
    row = client_for(town_admin).get(LIST_URL).context["page_obj"][0]
    assert (row.finding_count, row.major_count) == (2, 1)


def test_the_list_shows_25_a_page(client_for, town_admin, site_a, safety_officer):
    for _ in range(27):
        make_inspection(site_a, safety_officer)
    client = client_for(town_admin)
    assert len(client.get(LIST_URL).context["page_obj"]) == 25
    assert len(client.get(LIST_URL, {"page": 2}).context["page_obj"]) == 2


def test_the_list_makes_the_same_number_of_queries_for_1_and_30_inspections(client_for, safety_officer, site_a, team_a):
    client = client_for(safety_officer)
    first = make_inspection(site_a, safety_officer, team=team_a)
    make_finding(first)
    filtered = f"{LIST_URL}?kind=routine&mine=on&team={team_a.pk}&date_from=2020-01-01"
    one, one_filtered = count_queries(client, LIST_URL), count_queries(client, filtered)
    for _ in range(29):
        inspection = make_inspection(site_a, safety_officer, team=team_a)
        make_finding(inspection)
    assert count_queries(client, LIST_URL) == one
    assert count_queries(client, filtered) == one_filtered
