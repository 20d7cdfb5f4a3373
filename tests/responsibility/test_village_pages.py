"""Village and unit pages over HTTP: each persona reads its own, gets 404 for another's, and only
town administrators edit, with every change kept in the history."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from responsibility.models import Unit, Village
from tests.helpers import WHO_READS_VILLAGE_A, database_snapshot, messages_of, page_text, shows

# --- reading: from inside and from outside ------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    WHO_READS_VILLAGE_A,
    indirect=["persona"],
)
def test_village_a_detail_answers_by_persona(client_for, persona, expected, village_a):
    response = client_for(persona).get(reverse("responsibility:village-detail", args=[village_a.pk]))
    assert response.status_code == expected
    assert shows(response, village_a.head) is (expected == 200)


def test_village_office_sees_its_own_village_with_its_grids(client_for, village_office, village_a, grid_a):
    response = client_for(village_office).get(village_a.get_absolute_url())
    assert response.status_code == 200
    assert shows(response, village_a.name)
    assert shows(response, village_a.head)
    assert shows(response, grid_a.name)


def test_village_office_cannot_open_another_villages_detail(client_for, village_office, village_b):
    response = client_for(village_office).get(village_b.get_absolute_url())
    assert response.status_code == 404
    assert not shows(response, village_b.name)
    assert not shows(response, village_b.head)


def test_officer_cannot_open_a_village_outside_his_zones(client_for, safety_officer, village_b):
    response = client_for(safety_officer).get(village_b.get_absolute_url())
    assert response.status_code == 404


def test_a_forged_village_id_answers_404_even_for_the_town_admin(client_for, town_admin, village_a):
    client = client_for(town_admin)
    assert client.get(reverse("responsibility:village-detail", args=[village_a.pk + 1000])).status_code == 404
    assert client.get(reverse("responsibility:village-edit", args=[village_a.pk + 1000])).status_code == 404


def test_village_office_list_shows_its_own_village_and_not_another(client_for, village_office, village_a, village_b):
    response = client_for(village_office).get(reverse("responsibility:village-list"))
    assert response.status_code == 200
    assert shows(response, village_a.name)
    assert not shows(response, village_b.name)


def test_officer_list_shows_the_villages_of_his_zones_only(client_for, safety_officer, village_a, village_b):
    response = client_for(safety_officer).get(reverse("responsibility:village-list"))
    assert [v.name for v in response.context["page_obj"]] == [village_a.name]
    assert not shows(response, village_b.name)


def test_village_list_filters_by_search_text(client_for, leadership, village_a, village_b):
    response = client_for(leadership).get(reverse("responsibility:village-list"), {"q": "超朗"})
    assert response.status_code == 200
    assert shows(response, village_b.name)
    assert not shows(response, village_a.name)


def test_village_list_with_a_bad_filter_value_still_answers(client_for, leadership, village_a):
    response = client_for(leadership).get(reverse("responsibility:village-list"), {"kind": "castle"})
    assert response.status_code == 200
    assert shows(response, village_a.name)


@pytest.mark.parametrize(
    "url_name",
    [
        "responsibility:village-list",
        "responsibility:village-detail",
        "responsibility:village-edit",
        "responsibility:village-create",
        "responsibility:unit-list",
        "responsibility:unit-detail",
    ],
)
def test_anonymous_visitor_is_sent_to_the_login_page(client, url_name, village_a, unit_a):
    args = []
    if url_name.endswith(("detail", "edit")):
        args = [unit_a.pk if "unit" in url_name else village_a.pk]
    url = reverse(url_name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("town_admin", 200),
        ("leadership", 200),
        ("safety_officer", 200),
        ("other_officer", 200),
        ("unit_office", 200),
        ("other_unit_office", 404),
        ("village_office", 404),
    ],
    indirect=["persona"],
)
def test_unit_a_detail_answers_by_persona(client_for, persona, expected, unit_a):
    response = client_for(persona).get(unit_a.get_absolute_url())
    assert response.status_code == expected
    assert shows(response, unit_a.name) is (expected == 200)


def test_unit_office_cannot_open_another_units_detail(client_for, unit_office, unit_b):
    response = client_for(unit_office).get(unit_b.get_absolute_url())
    assert response.status_code == 404
    assert not shows(response, unit_b.name)


def test_unit_office_list_shows_only_its_own_unit(client_for, unit_office, unit_a, unit_b):
    response = client_for(unit_office).get(reverse("responsibility:unit-list"))
    assert response.status_code == 200
    assert shows(response, unit_a.name)
    assert not shows(response, unit_b.name)


# --- writing: town administrators only ------------------------------------------------------


def _village_post(village: Village, **changes) -> dict:
    data = {
        "name": village.name,
        "kind": village.kind,
        "head": village.head,
        "phone": village.phone,
        "address": village.address,
        "order": village.order,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", ["leadership", "safety_officer", "village_office", "unit_office"], indirect=True)
def test_only_the_town_admin_may_open_village_and_unit_forms(client_for, persona, village_a, unit_a):
    client = client_for(persona)
    for url in (
        reverse("responsibility:village-create"),
        reverse("responsibility:village-edit", args=[village_a.pk]),
        reverse("responsibility:unit-create"),
        reverse("responsibility:unit-edit", args=[unit_a.pk]),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("persona", ["leadership", "safety_officer", "village_office", "unit_office"], indirect=True)
def test_a_refused_village_or_unit_post_changes_nothing(client_for, persona, village_a, unit_a):
    client = client_for(persona)
    before = database_snapshot()
    posts = [
        (reverse("responsibility:village-create"), _village_post(village_a, name="伪造村", order=99)),
        (reverse("responsibility:village-edit", args=[village_a.pk]), _village_post(village_a, head="篡改者")),
        (reverse("responsibility:unit-create"), {"name": "伪造单位", "kind": "enterprise"}),
        (reverse("responsibility:unit-edit", args=[unit_a.pk]), {"name": "篡改单位", "kind": "enterprise"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert database_snapshot() == before


def test_leadership_detail_page_has_no_edit_link(client_for, leadership, village_a):
    response = client_for(leadership).get(village_a.get_absolute_url())
    assert response.status_code == 200
    assert reverse("responsibility:village-edit", args=[village_a.pk]) not in page_text(response)


def test_town_admin_edits_a_villages_head_and_sees_the_new_value(client_for, town_admin, village_a):
    client = client_for(town_admin)
    url = reverse("responsibility:village-edit", args=[village_a.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, _village_post(village_a, head="刘新民"), follow=True)

    assert response.redirect_chain[-1][0] == village_a.get_absolute_url()
    village_a.refresh_from_db()
    assert village_a.head == "刘新民"
    assert shows(response, "刘新民")
    assert not shows(response, "张建国")
    assert any(village_a.name in message for message in messages_of(response))


def test_a_village_edit_is_recorded_with_who_made_it(client_for, town_admin, village_a):
    client_for(town_admin).post(
        reverse("responsibility:village-edit", args=[village_a.pk]), _village_post(village_a, head="刘新民")
    )
    latest = village_a.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == town_admin
    assert latest.head == "刘新民"
    assert latest.prev_record.head == "张建国"


def test_town_admin_sees_the_change_history_on_the_detail_page(client_for, town_admin, village_a):
    client = client_for(town_admin)
    client.post(reverse("responsibility:village-edit", args=[village_a.pk]), _village_post(village_a, head="刘新民"))

    response = client.get(village_a.get_absolute_url())

    latest = response.context["history"][0]
    assert (latest.history_type, latest.history_user) == ("~", town_admin)
    with translation.override("zh-hans"):
        heading = gettext("Change history")
    content = page_text(response)
    assert heading in content
    assert town_admin.display_name in content.split(heading, 1)[1]


def test_leadership_does_not_see_the_change_history(client_for, town_admin, leadership, village_a):
    client_for(town_admin).post(
        reverse("responsibility:village-edit", args=[village_a.pk]), _village_post(village_a, head="刘新民")
    )
    response = client_for(leadership).get(village_a.get_absolute_url())
    assert response.status_code == 200
    assert "history" not in response.context
    with translation.override("zh-hans"):
        assert gettext("Change history") not in page_text(response)


def test_town_admin_creates_a_village_recorded_as_created_by_him(client_for, town_admin):
    response = client_for(town_admin).post(
        reverse("responsibility:village-create"),
        {"name": "京山村", "kind": "village", "head": "黄国强", "phone": "0769-86640000", "address": "", "order": 12},
        follow=True,
    )
    village = Village.objects.get(name="京山村")
    assert response.redirect_chain[-1][0] == village.get_absolute_url()
    assert shows(response, "黄国强")
    created = village.history.get()
    assert (created.history_type, created.history_user) == ("+", town_admin)


def test_a_duplicate_village_name_is_refused_with_a_message(client_for, town_admin, village_a):
    before = database_snapshot()
    response = client_for(town_admin).post(
        reverse("responsibility:village-create"),
        {"name": village_a.name, "kind": "village", "order": 1},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "name" in errors
    assert shows(response, errors["name"][0])
    # a village's name is 名称; 姓名 is a person's
    assert "名称" in errors["name"][0] and "姓名" not in errors["name"][0]
    assert database_snapshot() == before


def label_of(page: str, field_id: str) -> str:
    """The text of the form label for ``field_id``, without the required-field star."""
    match = re.search(rf'<label[^>]*for="{field_id}"[^>]*>(.*?)</label>', page, re.S)
    return re.sub(r"<[^>]+>|\*|\s", "", match.group(1))


def test_a_persons_name_is_labelled_as_one_and_a_places_name_as_the_other(client_for, town_admin):
    client = client_for(town_admin)
    account = client.get(reverse("accounts:user-create")).content.decode()
    village = client.get(reverse("responsibility:village-create")).content.decode()
    assert label_of(account, "id_full_name") == "姓名"
    assert label_of(village, "id_name") == "名称"


def test_town_admin_creates_and_edits_a_unit(client_for, town_admin):
    client = client_for(town_admin)
    client.post(
        reverse("responsibility:unit-create"),
        {"name": "茶山镇住建办", "kind": "department", "industries": "建筑施工，燃气", "head": "何工"},
    )
    unit = Unit.objects.get(name="茶山镇住建办")
    assert unit.industry_list == ["建筑施工", "燃气"]

    response = client.post(
        reverse("responsibility:unit-edit", args=[unit.pk]),
        {"name": "茶山镇住建办", "kind": "department", "industries": "建筑施工", "head": "何总工"},
        follow=True,
    )
    unit.refresh_from_db()
    assert unit.head == "何总工"
    assert shows(response, "何总工")
    assert [r.history_type for r in unit.history.order_by("history_date")] == ["+", "~"]
    assert {r.history_user for r in unit.history.all()} == {town_admin}
