"""The hazard ledger (台账): who sees which findings, every filter, keyset pages and the bounded count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections import pagination
from inspections.models import Finding, FindingStatus
from tests.builders import days_ago, make_finding, make_inspection, make_site
from tests.helpers import count_queries, messages_of, page_text, shows

LEDGER = reverse("inspections:finding-list")


def numbers_on(response) -> list[str]:
    return [finding["number"] for finding in response.context["page"]]


@pytest.fixture
def site_a(village_a):
    return make_site(village_a, name="上元五金厂")


@pytest.fixture
def site_b(village_b):
    return make_site(village_b, name="超朗塑料厂")


@pytest.fixture
def finding_a(site_a):
    return make_finding(site_a, description="配电箱电线老化，存在漏电风险")


@pytest.fixture
def finding_b(site_b):
    return make_finding(site_b, description="仓库堆放易燃物品，灭火器过期")


@pytest.fixture
def finding_for_unit(site_a, unit_a):
    # in village A's territory, but the gas company must fix it
    return make_finding(site_a, description="燃气管道锈蚀", responsible_unit=unit_a)


# --- who sees what -------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_the_ledger(client, db):
    response = client.get(LEDGER)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("town_admin", True, True),
        ("leadership", True, True),
        ("safety_officer", True, False),
        ("other_officer", False, True),
        ("village_office", True, False),
        ("other_village_office", False, True),
        ("unit_office", False, False),
    ],
    indirect=["persona"],
)
def test_ledger_lists_only_the_findings_the_user_may_see(client_for, persona, sees_a, sees_b, finding_a, finding_b):
    numbers = numbers_on(client_for(persona).get(LEDGER))
    assert (finding_a.number in numbers) is sees_a
    assert (finding_b.number in numbers) is sees_b


def test_unit_office_sees_only_the_findings_its_unit_must_fix(
    client_for, unit_office, other_unit_office, finding_a, finding_for_unit
):
    assert numbers_on(client_for(unit_office).get(LEDGER)) == [finding_for_unit.number]
    assert numbers_on(client_for(other_unit_office).get(LEDGER)) == []


def test_village_office_sees_what_it_must_fix_in_another_village(client_for, village_office, village_a, site_b):
    elsewhere = make_finding(site_b, responsible_village=village_a)
    assert numbers_on(client_for(village_office).get(LEDGER)) == [elsewhere.number]


def test_village_office_cannot_filter_its_way_into_another_village(
    client_for, village_office, village_b, finding_a, finding_b
):
    response = client_for(village_office).get(LEDGER, {"village": village_b.pk})
    assert response.status_code == 200
    assert numbers_on(response) == []
    assert response.context["filter"].errors["village"]
    assert not shows(response, finding_b.number)


def test_village_filter_offers_only_the_villages_the_user_may_see(client_for, village_office, village_a, village_b):
    choices = client_for(village_office).get(LEDGER).context["filter"].form.fields["village"].choices
    assert [value for value, _label in choices if value] == [village_a.pk]


def test_site_filter_refuses_a_site_outside_the_users_scope(client_for, village_office, finding_a, site_b):
    response = client_for(village_office).get(LEDGER, {"site": site_b.pk})
    assert numbers_on(response) == []
    assert "site" in response.context["filter"].errors


# --- each filter narrows ------------------------------------------------------------------------


def test_village_filter_narrows_to_that_village(client_for, town_admin, village_a, finding_a, finding_b):
    assert numbers_on(client_for(town_admin).get(LEDGER, {"village": village_a.pk})) == [finding_a.number]


def test_zone_filter_narrows_to_the_villages_of_that_zone(client_for, town_admin, zone_b, finding_a, finding_b):
    assert numbers_on(client_for(town_admin).get(LEDGER, {"zone": zone_b.pk})) == [finding_b.number]


def test_site_filter_narrows_to_that_site_and_names_it(client_for, town_admin, site_a, village_a, finding_a, finding_b):
    other_site = make_finding(make_site(village_a))
    response = client_for(town_admin).get(LEDGER, {"site": site_a.pk})
    assert numbers_on(response) == [finding_a.number]
    assert other_site.number not in numbers_on(response)
    assert shows(response, site_a.name)


def test_category_filter_narrows_to_that_category(client_for, town_admin, site_a):
    gas = make_finding(site_a, category=Finding.Category.GAS)
    make_finding(site_a, category=Finding.Category.FIRE)
    assert numbers_on(client_for(town_admin).get(LEDGER, {"category": "gas"})) == [gas.number]


def test_grade_filter_narrows_to_major_findings(client_for, town_admin, site_a):
    major = make_finding(site_a, grade=Finding.Grade.MAJOR)
    make_finding(site_a)
    assert numbers_on(client_for(town_admin).get(LEDGER, {"grade": "major"})) == [major.number]


@pytest.fixture
def one_of_each_status(site_a):
    return {status: make_finding(site_a, status=status) for status in FindingStatus.values}


@pytest.mark.parametrize("status", FindingStatus.values)
def test_status_filter_narrows_to_that_status(client_for, town_admin, one_of_each_status, status):
    assert numbers_on(client_for(town_admin).get(LEDGER, {"status": status})) == [one_of_each_status[status].number]


def test_not_closed_status_filter_shows_every_finding_before_close_out(client_for, town_admin, one_of_each_status):
    numbers = set(numbers_on(client_for(town_admin).get(LEDGER, {"status": "not_closed"})))
    assert numbers == {f.number for s, f in one_of_each_status.items() if s != FindingStatus.CLOSED}


@pytest.fixture
def overdue_and_not(site_a):
    return {
        "overdue": make_finding(site_a, found_on=days_ago(20), deadline=days_ago(1)),
        "overdue_fix_submitted": make_finding(
            site_a, found_on=days_ago(20), deadline=days_ago(5), status=FindingStatus.FIX_SUBMITTED
        ),
        "due_today": make_finding(site_a, found_on=days_ago(20), deadline=days_ago(0)),
        "closed_late": make_finding(site_a, found_on=days_ago(30), deadline=days_ago(10), status=FindingStatus.CLOSED),
    }


def test_overdue_filter_shows_findings_past_their_deadline_and_not_closed(client_for, town_admin, overdue_and_not):
    numbers = set(numbers_on(client_for(town_admin).get(LEDGER, {"overdue": "yes"})))
    assert numbers == {overdue_and_not["overdue"].number, overdue_and_not["overdue_fix_submitted"].number}


def test_not_overdue_filter_shows_the_rest(client_for, town_admin, overdue_and_not):
    numbers = set(numbers_on(client_for(town_admin).get(LEDGER, {"overdue": "no"})))
    assert numbers == {overdue_and_not["due_today"].number, overdue_and_not["closed_late"].number}


def test_overdue_rows_are_marked_red(client_for, town_admin, overdue_and_not):
    content = page_text(client_for(town_admin).get(LEDGER))
    assert content.count("data-overdue") == 2
    assert 'class="table-danger" data-overdue' in content


def test_found_on_date_range_includes_both_ends(client_for, town_admin, site_a):
    made = {days: make_finding(site_a, found_on=days_ago(days)) for days in (1, 5, 10, 20)}
    response = client_for(town_admin).get(LEDGER, {"found_from": days_ago(10), "found_to": days_ago(5)})
    assert numbers_on(response) == [made[5].number, made[10].number]


def test_a_date_range_that_ends_before_it_starts_is_refused_with_a_message(client_for, town_admin, finding_a):
    response = client_for(town_admin).get(LEDGER, {"found_from": days_ago(1), "found_to": days_ago(10)})
    assert response.status_code == 200
    assert numbers_on(response) == []
    assert "found_to" in response.context["filter"].errors
    assert "is before the start date" in page_text(response) or "早于" in page_text(response)


def test_a_date_that_is_not_a_date_gets_a_message_not_an_error(client_for, town_admin, finding_a):
    response = client_for(town_admin).get(LEDGER, {"found_from": "2026-13-45", "closed_year": "99999999999"})
    assert response.status_code == 200
    assert set(response.context["filter"].errors) == {"found_from", "closed_year"}


def test_closed_year_filter_narrows_to_findings_closed_that_year(client_for, town_admin, site_a):
    this_year = timezone.localdate().year
    closed_now = make_finding(
        site_a, status=FindingStatus.CLOSED, found_on=days_ago(1), deadline=days_ago(0), closed_at=timezone.now()
    )
    make_finding(
        site_a,
        status=FindingStatus.CLOSED,
        found_on=dt.date(this_year - 1, 3, 1),
        deadline=dt.date(this_year - 1, 3, 20),
    )
    response = client_for(town_admin).get(LEDGER, {"status": "closed", "closed_year": this_year})
    assert numbers_on(response) == [closed_now.number]


def test_search_finds_words_in_the_description(client_for, town_admin, finding_a, finding_b):
    assert numbers_on(client_for(town_admin).get(LEDGER, {"q": "灭火器"})) == [finding_b.number]


def test_search_finds_the_findings_of_a_site_by_its_name(client_for, town_admin, finding_a, finding_b):
    assert numbers_on(client_for(town_admin).get(LEDGER, {"q": "五金"})) == [finding_a.number]


def test_search_finds_a_finding_by_its_number(client_for, town_admin, finding_a, finding_b):
    assert numbers_on(client_for(town_admin).get(LEDGER, {"q": finding_b.number.lower()})) == [finding_b.number]


def test_search_stays_inside_the_users_scope(client_for, village_office, finding_a, finding_b):
    assert numbers_on(client_for(village_office).get(LEDGER, {"q": "灭火器"})) == []


def test_ours_to_fix_filter_leaves_out_what_a_unit_must_fix_in_our_village(
    client_for, village_office, finding_a, finding_for_unit
):
    everything = set(numbers_on(client_for(village_office).get(LEDGER)))
    ours = numbers_on(client_for(village_office).get(LEDGER, {"mine": "yes"}))
    assert everything == {finding_a.number, finding_for_unit.number}
    assert ours == [finding_a.number]


def test_ours_to_fix_filter_is_offered_only_to_offices(client_for, town_admin, village_office):
    assert "mine" not in client_for(town_admin).get(LEDGER).context["filter"].form.fields
    assert "mine" in client_for(village_office).get(LEDGER).context["filter"].form.fields


def test_filters_combine(client_for, town_admin, site_a, site_b):
    wanted = make_finding(site_a, grade=Finding.Grade.MAJOR, category=Finding.Category.GAS, found_on=days_ago(3))
    make_finding(site_a, grade=Finding.Grade.MAJOR, category=Finding.Category.FIRE, found_on=days_ago(3))
    make_finding(site_b, grade=Finding.Grade.MAJOR, category=Finding.Category.GAS, found_on=days_ago(3))
    make_finding(site_a, grade=Finding.Grade.GENERAL, category=Finding.Category.GAS, found_on=days_ago(3))
    response = client_for(town_admin).get(
        LEDGER, {"village": site_a.village_id, "grade": "major", "category": "gas", "status": "not_closed"}
    )
    assert numbers_on(response) == [wanted.number]


# --- what a row shows -----------------------------------------------------------------------------


def test_each_row_links_to_its_finding_and_shows_the_columns_officials_expect(client_for, town_admin, finding_a):
    response = client_for(town_admin).get(LEDGER)
    content = page_text(response)
    assert reverse("inspections:finding-detail", args=[finding_a.pk]) in content
    for text in (
        finding_a.number,
        finding_a.site.name,
        finding_a.village.name,
        finding_a.found_on.isoformat(),
        finding_a.deadline.isoformat(),
        "配电箱电线老化",
    ):
        assert shows(response, text), text


def test_export_button_keeps_the_current_filters(client_for, town_admin, finding_a):
    response = client_for(town_admin).get(LEDGER, {"grade": "major", "q": "电线", "after": "2026-01-01_5"})
    content = page_text(response)
    export = reverse("inspections:finding-export")
    assert f"{export}?grade=major&amp;q=%E7%94%B5%E7%BA%BF" in content
    assert "after=" not in content.split(export, 1)[1].split('"', 1)[0]


# --- keyset pages -----------------------------------------------------------------------------------


@pytest.fixture
def sixty_findings(site_a, safety_officer):
    """60 findings over 12 days, five a day: rows share a day, so the order falls back on the id."""
    inspections = {days: make_inspection(site_a, led_by=safety_officer, on=days_ago(days)) for days in range(12)}
    findings = [make_finding(inspection=inspections[n % 12]) for n in range(60)]
    return sorted(findings, key=lambda f: (f.found_on, f.pk), reverse=True)


def test_keyset_pages_walk_every_row_once_forward_and_back(client_for, town_admin, sixty_findings):
    client = client_for(town_admin)
    expected = [f.number for f in sixty_findings]
    pages = [client.get(LEDGER)]
    while pages[-1].context["page"].has_next:
        pages.append(client.get(LEDGER, {"after": pages[-1].context["page"].next_cursor}))
        assert len(pages) < 10
    assert [len(p.context["page"]) for p in pages] == [25, 25, 10]
    walked = [number for response in pages for number in numbers_on(response)]
    assert walked == expected
    assert not pages[0].context["page"].has_previous

    back = [pages[-1]]
    while back[-1].context["page"].has_previous:
        back.append(client.get(LEDGER, {"before": back[-1].context["page"].previous_cursor}))
        assert len(back) < 10
    assert [numbers_on(r) for r in back[::-1]] == [numbers_on(r) for r in pages]
    assert not back[-1].context["page"].has_previous


def test_pagination_links_keep_the_filters(client_for, town_admin, sixty_findings):
    response = client_for(town_admin).get(LEDGER, {"grade": "general", "status": "open"})
    next_cursor = response.context["page"].next_cursor
    assert f'href="?grade=general&amp;status=open&amp;after={next_cursor}"' in page_text(response)


def test_a_broken_page_link_shows_the_first_page_with_a_message(client_for, town_admin, sixty_findings):
    for cursor in ("garbage", "2026-02-30_5", "2026-01-01_-3", "2026-01-01_99999999999999999999999"):
        response = client_for(town_admin).get(LEDGER, {"after": cursor})
        assert response.status_code == 200
        assert numbers_on(response) == [f.number for f in sixty_findings[:25]]
        assert messages_of(response)


def test_a_page_query_reads_from_the_cursor_and_never_uses_offset(client_for, town_admin, sixty_findings):
    cursor = str(pagination.Cursor(sixty_findings[24].found_on, sixty_findings[24].pk))
    with CaptureQueriesContext(connection) as queries:
        client_for(town_admin).get(LEDGER, {"after": cursor})
    sql = " ".join(q["sql"] for q in queries.captured_queries if "inspections_finding" in q["sql"]).upper()
    assert "OFFSET" not in sql
    assert "LIMIT 26" in sql


# --- the count, bounded --------------------------------------------------------------------------


def test_count_is_exact_below_the_bound(client_for, town_admin, sixty_findings):
    response = client_for(town_admin).get(LEDGER)
    assert response.context["count"].value == 60
    assert not response.context["count"].capped
    assert shows(response, "60")


def test_count_stops_at_the_bound_and_says_so(client_for, town_admin, sixty_findings, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 50)
    response = client_for(town_admin).get(LEDGER)
    assert response.context["count"].capped
    assert response.context["count"].value == 50
    assert shows(response, "50+")


def test_the_count_query_reads_at_most_one_row_past_the_bound(client_for, town_admin, sixty_findings):
    with CaptureQueriesContext(connection) as queries:
        client_for(town_admin).get(LEDGER)
    counts = [
        q["sql"].upper()
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and "inspections_finding" in q["sql"]
    ]
    assert len(counts) == 1
    assert f"LIMIT {pagination.COUNT_LIMIT + 1}" in counts[0]


# --- query counts ---------------------------------------------------------------------------------


def _grow(rows: int, sites, unit) -> None:
    for n in range(rows):
        site = sites[n % len(sites)]
        make_finding(
            site,
            found_on=days_ago(n % 40 + 20),
            deadline=days_ago(n % 3),
            status=FindingStatus.values[n % 4],
            grade=Finding.Grade.values[n % 2],
            responsible_unit=unit if n % 2 else None,
        )


@pytest.mark.parametrize(
    "persona",
    ["town_admin", "leadership", "safety_officer", "village_office", "unit_office"],
    indirect=True,
)
def test_ledger_runs_as_many_queries_for_50_rows_as_for_1(client_for, persona, site_a, site_b, unit_a):
    client = client_for(persona)
    urls = [
        LEDGER,
        f"{LEDGER}?status=not_closed&grade=major&q=%E6%B6%88%E9%98%B2",
        f"{LEDGER}?overdue=yes&site={site_a.pk}&zone={site_a.village.zone.pk}",
        f"{LEDGER}?after={days_ago(25).isoformat()}_999999",
        f"{LEDGER}?before={days_ago(25).isoformat()}_1",
    ]
    _grow(1, [site_a, site_b], unit_a)
    for url in urls:
        client.get(url)  # warm up per-process caches
    with_one = {url: count_queries(client, url) for url in urls}
    _grow(49, [site_a, site_b], unit_a)
    with_fifty = {url: count_queries(client, url) for url in urls}
    assert with_fifty == with_one


def test_filter_form_shows_the_filters_in_force(client_for, town_admin, village_a, finding_a):
    response = client_for(town_admin).get(
        LEDGER, {"village": village_a.pk, "status": "not_closed", "found_from": "2026-01-01", "q": "电线"}
    )
    content = page_text(response)
    assert f'<option value="{village_a.pk}" selected>' in content
    assert '<option value="not_closed" selected>' in content
    assert 'name="found_from" id="id_found_from" value="2026-01-01"' in content
    assert 'value="电线"' in content
    assert '<details class="filter-bar card mb-3" open>' in content


def test_text_typed_into_a_finding_is_shown_escaped(client_for, town_admin, site_a):
    make_finding(site_a, description="<script>alert(1)</script>")
    content = page_text(client_for(town_admin).get(LEDGER))
    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)" in content


def test_names_and_typed_filters_are_shown_escaped(client_for, town_admin, village_a):
    site = make_site(village_a, name='<b onmouseover="x()">厂</b>')
    make_finding(site)
    content = page_text(client_for(town_admin).get(LEDGER, {"q": '"><script>alert(2)</script>', "site": site.pk}))
    assert "<script>alert(2)" not in content
    assert 'value="&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in content
    assert "<b onmouseover" not in content
    rows = client_for(town_admin).get(LEDGER).content.decode()
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;厂&lt;/b&gt;" in rows


def test_each_select_of_the_filter_offers_all_once(client_for, safety_officer, village_a, zone_a, zone_b):
    content = page_text(client_for(safety_officer).get(LEDGER))
    for name in ("village", "zone", "category", "grade", "status", "overdue"):
        select = content.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        assert select.count('<option value=""') == 1, name
    village = content.split('name="village"', 1)[1].split("</select>", 1)[0]
    assert village_a.name in village
    zone = content.split('name="zone"', 1)[1].split("</select>", 1)[0]
    assert zone_a.name in zone and zone_b.name in zone
