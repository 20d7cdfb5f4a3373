"""Sites over HTTP: who reads which site, who may create and edit one, and what the form refuses.

The small helpers at the top make sites, inspections and findings; the other site test modules use them too.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from inspections.forms.sites import SiteForm
from inspections.models import Finding, FindingStatus, Inspection, Site
from tests.helpers import WHO_READS_VILLAGE_A, shows

_numbers = itertools.count(1)


def make_site(village, **fields) -> Site:
    n = next(_numbers)
    values = {
        "name": f"测试场所{n:04d}号",
        "kind": Site.Kind.ENTERPRISE,
        "address": f"茶山镇测试路{n}号",
        "industry": "五金制品",
        "risk_level": Site.RiskLevel.GENERAL,
        "contact_name": f"联系人{n:04d}号",
        "contact_phone": "13800138000",
    }
    values.update(fields)
    return Site.objects.create(village=village, **values)


def make_inspection(site, *, by, started_at=None, kind=Inspection.Kind.ROUTINE, team=None) -> Inspection:
    return Inspection.objects.create(
        site=site, led_by=by, kind=kind, team=team, started_at=started_at or timezone.now() - dt.timedelta(hours=1)
    )


def make_finding(inspection, *, by, deadline=None, status=FindingStatus.OPEN, **fields) -> Finding:
    n = next(_numbers)
    today = timezone.localdate()
    values = {
        "number": f"YH-T{n:06d}",
        "inspection": inspection,
        "site": inspection.site,
        "village": inspection.site.village,
        "responsible_village": inspection.site.village,
        "found_on": today - dt.timedelta(days=10),
        "deadline": deadline or today + dt.timedelta(days=5),
        "category": Finding.Category.FIRE,
        "description": f"安全出口堵塞{n:04d}号",
        "status": status,
        "closed_at": timezone.now() if status == FindingStatus.CLOSED else None,
        "created_by": by,
    }
    values.update(fields)
    return Finding.objects.create(**values)


def site_post(village, *, name="茶山五金加工厂", grid=None, phone="13800138000", **fields) -> dict:
    data = {
        "name": name,
        "kind": Site.Kind.ENTERPRISE,
        "village": village.pk,
        "grid": grid.pk if grid else "",
        "address": "茶山镇上元村工业路8号",
        "industry": "金属制品",
        "risk_level": Site.RiskLevel.HIGH,
        "contact_name": "王厂长",
        "contact_phone": phone,
        "is_active": "on",
        "notes": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def site_a(village_a, grid_a):
    return make_site(village_a, name="上元五金厂", grid=grid_a, risk_level=Site.RiskLevel.HIGH)


@pytest.fixture
def site_b(village_b):
    return make_site(village_b, name="超朗塑料厂")


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    WHO_READS_VILLAGE_A,
    indirect=["persona"],
)
def test_site_a_detail_answers_by_persona(client_for, persona, expected, site_a):
    response = client_for(persona).get(site_a.get_absolute_url())
    assert response.status_code == expected
    assert shows(response, site_a.contact_name) is (expected == 200)


def test_anonymous_visitor_is_sent_to_sign_in(client, site_a):
    for url in (reverse("inspections:site-list"), site_a.get_absolute_url(), reverse("inspections:site-create")):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_village_office_lists_its_own_villages_sites_only(client_for, village_office, site_a, site_b):
    response = client_for(village_office).get(reverse("inspections:site-list"))
    assert response.status_code == 200
    assert shows(response, site_a.name)
    assert not shows(response, site_b.name)


def test_village_office_cannot_open_another_villages_site(client_for, village_office, site_b):
    response = client_for(village_office).get(site_b.get_absolute_url())
    assert response.status_code == 404
    assert not shows(response, site_b.name)


def test_officer_lists_the_sites_of_his_zones_and_not_the_others(client_for, safety_officer, site_a, site_b):
    response = client_for(safety_officer).get(reverse("inspections:site-list"))
    assert shows(response, site_a.name)
    assert not shows(response, site_b.name)


def test_officer_cannot_open_a_site_outside_his_zones(client_for, safety_officer, site_b):
    assert client_for(safety_officer).get(site_b.get_absolute_url()).status_code == 404


def test_unit_office_sees_an_empty_site_list(client_for, unit_office, site_a, site_b):
    response = client_for(unit_office).get(reverse("inspections:site-list"))
    assert response.status_code == 200
    assert not shows(response, site_a.name)
    assert not shows(response, site_b.name)
    assert list(response.context["page_obj"]) == []


def test_leadership_reads_every_site_without_the_buttons_to_change_them(client_for, leadership, site_a, site_b):
    response = client_for(leadership).get(reverse("inspections:site-list"))
    assert shows(response, site_a.name)
    assert shows(response, site_b.name)
    assert not shows(response, reverse("inspections:site-create"))
    assert not shows(response, reverse("inspections:site-import"))
    detail = client_for(leadership).get(site_a.get_absolute_url())
    assert not shows(detail, reverse("inspections:site-edit", args=[site_a.pk]))
    assert not shows(detail, reverse("inspections:inspection-create"))


def test_list_shows_the_risk_level_as_a_coloured_badge(client_for, town_admin, village_a):
    for level in Site.RiskLevel:
        make_site(village_a, risk_level=level)
    content = client_for(town_admin).get(reverse("inspections:site-list")).content.decode()
    for level, colour in [(1, "text-bg-info"), (2, "text-bg-warning"), (3, "text-bg-orange"), (4, "text-bg-danger")]:
        assert f'{colour}" data-risk-level="{level}"' in content


def test_list_shows_when_each_site_was_last_inspected(client_for, town_admin, safety_officer, site_a, site_b):
    make_inspection(site_a, by=safety_officer, started_at=timezone.make_aware(dt.datetime(2024, 3, 5, 21, 40)))
    make_inspection(site_a, by=safety_officer, started_at=timezone.make_aware(dt.datetime(2025, 6, 7, 10, 0)))
    response = client_for(town_admin).get(reverse("inspections:site-list"))
    rows = {site.pk: site for site in response.context["page_obj"]}
    assert timezone.localtime(rows[site_a.pk].last_inspected_at).date() == dt.date(2025, 6, 7)
    assert rows[site_b.pk].last_inspected_at is None
    assert shows(response, "2025-06-07")
    assert not shows(response, "2024-03-05")


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"risk_level": "3"}, "上元五金厂", "上元饭店"),
        ({"kind": "place"}, "上元饭店", "上元五金厂"),
        ({"q": "工业路"}, "上元五金厂", "上元饭店"),
        ({"q": "李老板"}, "上元饭店", "上元五金厂"),
        ({"is_active": "false"}, "上元饭店", "上元五金厂"),
        ({"industry": "餐饮"}, "上元饭店", "上元五金厂"),
    ],
)
def test_site_list_filters(client_for, town_admin, village_a, grid_a, query, shown, hidden):
    make_site(village_a, name="上元五金厂", grid=grid_a, risk_level=3, address="工业路1号")
    make_site(village_a, name="上元饭店", kind=Site.Kind.PLACE, industry="餐饮", contact_name="李老板", is_active=False)
    response = client_for(town_admin).get(reverse("inspections:site-list"), query)
    assert response.status_code == 200
    names = {site.name for site in response.context["page_obj"]}
    assert shown in names
    assert hidden not in names


def test_site_list_filters_by_village_zone_and_grid(client_for, town_admin, site_a, site_b, zone_b, grid_a):
    client = client_for(town_admin)
    url = reverse("inspections:site-list")
    for query, expected in [
        ({"village": site_b.village_id}, {site_b.name}),
        ({"zone": zone_b.pk}, {site_b.name}),
        ({"grid": grid_a.pk}, {site_a.name}),
    ]:
        names = {site.name for site in client.get(url, query).context["page_obj"]}
        assert names == expected, query


def test_village_filter_offers_only_the_villages_the_user_may_see(client_for, village_office, village_a, village_b):
    response = client_for(village_office).get(reverse("inspections:site-list"))
    offered = {str(label) for value, label in response.context["filter"].form.fields["village"].choices if value}
    assert offered == {village_a.name}


def test_filtering_by_another_villages_id_shows_none_of_its_sites(client_for, village_office, site_b):
    response = client_for(village_office).get(reverse("inspections:site-list"), {"village": site_b.village_id})
    assert response.status_code == 200
    assert not shows(response, site_b.name)


def test_site_list_pages_by_25(client_for, town_admin, village_a):
    for _ in range(30):
        make_site(village_a)
    client = client_for(town_admin)
    first = client.get(reverse("inspections:site-list"))
    assert len(first.context["page_obj"]) == 25
    second = client.get(reverse("inspections:site-list"), {"page": 2})
    assert len(second.context["page_obj"]) == 5
    assert client.get(reverse("inspections:site-list"), {"page": "abc"}).status_code == 200


def test_site_detail_shows_its_inspections_and_findings(client_for, village_office, safety_officer, site_a, site_b):
    night = make_inspection(
        site_a, by=safety_officer, kind=Inspection.Kind.NIGHT, started_at=timezone.now() - dt.timedelta(days=3)
    )
    overdue = make_finding(night, by=safety_officer, deadline=timezone.localdate() - dt.timedelta(days=1))
    on_time = make_finding(night, by=safety_officer)
    closed = make_finding(
        night, by=safety_officer, status=FindingStatus.CLOSED, deadline=timezone.localdate() - dt.timedelta(days=2)
    )
    elsewhere = make_finding(make_inspection(site_b, by=safety_officer), by=safety_officer)

    response = client_for(village_office).get(site_a.get_absolute_url())

    assert response.status_code == 200
    assert shows(response, night.get_absolute_url())
    assert [i.finding_count for i in response.context["inspections"]] == [3]
    for finding in (overdue, on_time, closed):
        assert shows(response, finding.get_absolute_url())
    assert not shows(response, elsewhere.number)
    flagged = {f.number for f in response.context["findings"] if f.overdue_flag}
    assert flagged == {overdue.number}
    assert response.content.decode().count('data-testid="overdue"') == 1
    assert response.context["finding_totals"] == {"total": 3, "open": 2, "overdue": 1, "major_open": 0}
    assert 'data-testid="major-open"' not in response.content.decode()
    assert shows(response, f"{reverse('inspections:finding-list')}?site={site_a.pk}")
    assert shows(response, site_a.village.get_absolute_url())
    assert shows(response, site_a.grid.get_absolute_url())


def test_site_detail_lists_the_last_20_inspections_newest_first(client_for, town_admin, safety_officer, site_a):
    start = timezone.now() - dt.timedelta(days=100)
    for day in range(25):
        make_inspection(site_a, by=safety_officer, started_at=start + dt.timedelta(days=day))
    response = client_for(town_admin).get(site_a.get_absolute_url())
    shown = list(response.context["inspections"])
    assert len(shown) == 20
    assert shown[0].started_at == start + dt.timedelta(days=24)
    assert response.context["inspection_count"] == 25


def test_officer_and_town_admin_may_start_an_inspection_from_the_site(
    client_for, safety_officer, town_admin, village_office, site_a
):
    start = f"{reverse('inspections:inspection-create')}?site={site_a.pk}"
    assert shows(client_for(safety_officer).get(site_a.get_absolute_url()), start)
    assert shows(client_for(town_admin).get(site_a.get_absolute_url()), start)
    assert not shows(client_for(village_office).get(site_a.get_absolute_url()), start)


def test_only_town_admin_sees_a_sites_change_history(client_for, town_admin, safety_officer, site_a):
    assert client_for(town_admin).get(site_a.get_absolute_url()).context["history"] is not None
    assert "history" not in client_for(safety_officer).get(site_a.get_absolute_url()).context


# --- creating and editing ------------------------------------------------------------------------------


def test_town_admin_creates_a_site(client_for, town_admin, village_a, grid_a):
    response = client_for(town_admin).post(reverse("inspections:site-create"), site_post(village_a, grid=grid_a))
    site = Site.objects.get(name="茶山五金加工厂")
    assert response.status_code == 302
    assert response["Location"] == site.get_absolute_url()
    assert (site.village, site.grid, site.risk_level) == (village_a, grid_a, Site.RiskLevel.HIGH)
    assert site.history.get().history_user == town_admin


def test_officer_creates_a_site_in_a_village_of_his_zones(client_for, safety_officer, village_a):
    response = client_for(safety_officer).post(reverse("inspections:site-create"), site_post(village_a))
    assert response.status_code == 302
    assert Site.objects.filter(village=village_a, name="茶山五金加工厂").exists()


def test_officer_cannot_create_a_site_in_a_village_outside_his_zones(client_for, safety_officer, village_b):
    response = client_for(safety_officer).post(reverse("inspections:site-create"), site_post(village_b))
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert not Site.objects.exists()


def test_officer_is_offered_only_the_villages_of_his_zones(client_for, safety_officer, village_a, village_b):
    response = client_for(safety_officer).get(reverse("inspections:site-create"))
    assert list(response.context["form"].fields["village"].queryset) == [village_a]


def test_new_site_form_takes_the_village_from_the_link(client_for, safety_officer, village_a, village_b):
    client = client_for(safety_officer)
    own = client.get(reverse("inspections:site-create"), {"village": village_a.pk})
    assert own.context["form"].initial["village"] == str(village_a.pk)
    other = client.get(reverse("inspections:site-create"), {"village": village_b.pk})
    assert "village" not in other.context["form"].initial


@pytest.mark.parametrize("persona", ["leadership", "village_office", "unit_office"], indirect=True)
def test_readers_may_not_create_edit_or_import_sites(client_for, persona, site_a, village_a):
    client = client_for(persona)
    before = list(Site.objects.values())
    assert client.get(reverse("inspections:site-create")).status_code == 403
    assert client.post(reverse("inspections:site-create"), site_post(village_a)).status_code == 403
    assert client.get(reverse("inspections:site-edit", args=[site_a.pk])).status_code == 403
    assert client.post(reverse("inspections:site-edit", args=[site_a.pk]), site_post(village_a)).status_code == 403
    assert client.get(reverse("inspections:site-import")).status_code == 403
    assert client.get(reverse("inspections:site-import-template")).status_code == 403
    assert list(Site.objects.values()) == before


def test_officer_edits_a_site_of_his_zones(client_for, safety_officer, site_a, village_a):
    response = client_for(safety_officer).post(
        reverse("inspections:site-edit", args=[site_a.pk]),
        site_post(village_a, name=site_a.name, phone="0769-86861234"),
    )
    assert response.status_code == 302
    site_a.refresh_from_db()
    assert site_a.contact_phone == "0769-86861234"


def test_officer_cannot_edit_a_site_outside_his_zones(client_for, safety_officer, site_b, village_a):
    client = client_for(safety_officer)
    url = reverse("inspections:site-edit", args=[site_b.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, site_post(village_a, name="改名")).status_code == 404
    site_b.refresh_from_db()
    assert site_b.name == "超朗塑料厂"


def test_officer_cannot_move_a_site_to_a_village_outside_his_zones(client_for, safety_officer, site_a, village_b):
    response = client_for(safety_officer).post(
        reverse("inspections:site-edit", args=[site_a.pk]), site_post(village_b, name=site_a.name)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    site_a.refresh_from_db()
    assert site_a.village.name == "上元村"


def test_a_grid_of_another_village_is_refused_with_a_clear_error(client_for, town_admin, village_a, grid_b):
    response = client_for(town_admin).post(reverse("inspections:site-create"), site_post(village_a, grid=grid_b))
    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert response.context["form"].errors["grid"] == [gettext("The grid must lie in the site's village.")]
        assert shows(response, gettext("The grid must lie in the site's village."))
    assert not Site.objects.exists()


def test_a_second_site_of_the_same_name_in_the_same_village_is_refused(client_for, town_admin, site_a, village_a):
    response = client_for(town_admin).post(reverse("inspections:site-create"), site_post(village_a, name=site_a.name))
    assert response.status_code == 200
    [error] = response.context["form"].errors["name"]
    assert site_a.name in error
    assert village_a.name in error
    assert Site.objects.filter(name=site_a.name).count() == 1


def test_the_same_name_in_another_village_is_allowed(client_for, town_admin, site_a, village_b):
    response = client_for(town_admin).post(reverse("inspections:site-create"), site_post(village_b, name=site_a.name))
    assert response.status_code == 302
    assert Site.objects.filter(name=site_a.name).count() == 2


def test_saving_a_site_unchanged_is_not_a_duplicate_of_itself(client_for, town_admin, site_a, village_a, grid_a):
    response = client_for(town_admin).post(
        reverse("inspections:site-edit", args=[site_a.pk]), site_post(village_a, name=site_a.name, grid=grid_a)
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86 13800138000", "13800138000"),
        ("0769-86861234", "0769-86861234"),
        ("0769－86861234", "0769-86861234"),
        ("076986861234", "076986861234"),
        ("020-1234567", "020-1234567"),
        ("", ""),
    ],
)
def test_a_chinese_phone_number_is_accepted(client_for, town_admin, village_a, typed, saved):
    response = client_for(town_admin).post(reverse("inspections:site-create"), site_post(village_a, phone=typed))
    assert response.status_code == 302
    assert Site.objects.get().contact_phone == saved


@pytest.mark.parametrize("typed", ["12800138000", "1380013800", "138001380001", "0769-123", "86861234", "电话待补"])
def test_a_wrong_phone_number_is_refused(client_for, town_admin, village_a, typed):
    response = client_for(town_admin).post(reverse("inspections:site-create"), site_post(village_a, phone=typed))
    assert response.status_code == 200
    assert response.context["form"].errors["contact_phone"]
    assert not Site.objects.exists()


def test_two_people_saving_the_same_name_at_once_get_a_message_not_an_error_page(
    client_for, town_admin, site_a, village_a, monkeypatch
):
    # as if the other person's site was saved between this form's check and its save
    monkeypatch.setattr(SiteForm, "check_duplicates", False)
    response = client_for(town_admin).post(reverse("inspections:site-create"), site_post(village_a, name=site_a.name))
    assert response.status_code == 200
    assert site_a.name in response.context["form"].errors["name"][0]
    assert Site.objects.filter(name=site_a.name).count() == 1


def test_site_detail_flags_open_major_findings(client_for, safety_officer, site_a):
    inspection = make_inspection(site_a, by=safety_officer)
    make_finding(inspection, by=safety_officer, grade=Finding.Grade.MAJOR)
    make_finding(inspection, by=safety_officer, grade=Finding.Grade.MAJOR, status=FindingStatus.CLOSED)
    response = client_for(safety_officer).get(site_a.get_absolute_url())
    assert response.context["finding_totals"]["major_open"] == 1
    assert 'data-testid="major-open"' in response.content.decode()
