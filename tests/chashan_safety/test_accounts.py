"""Account management is the town administrator's: create, edit, set a password; an account carries the
affiliation its role needs. Everyone else is refused and nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chashan_safety.models import Role, User
from tests.helpers import database_snapshot, messages_of, shows

NEW_PASSWORD = "Night-patrol-2024-xyz"


def _account_post(**changes) -> dict:
    data = {
        "username": "newuser",
        "full_name": "新同事",
        "role": Role.SAFETY_OFFICER,
        "village": "",
        "unit": "",
        "title": "",
        "phone": "",
        "email": "",
        "is_active": "on",
        "password": NEW_PASSWORD,
    }
    data.update(changes)
    return data


def test_town_admin_sees_every_account_in_the_list(
    client_for, town_admin, village_office, other_unit_office, leadership
):
    response = client_for(town_admin).get(reverse("accounts:user-list"))
    assert response.status_code == 200
    for person in (village_office, other_unit_office, leadership):
        assert shows(response, person.username)


def test_the_account_list_reads_from_the_town_down(
    client_for, town_admin, leadership, safety_officer, village_office, unit_office
):
    response = client_for(town_admin).get(reverse("accounts:user-list"))
    order = [user.role for user in response.context["page_obj"].object_list]
    ranks = [Role.TOWN_ADMIN, Role.LEADERSHIP, Role.SAFETY_OFFICER, Role.VILLAGE_OFFICE, Role.UNIT_OFFICE]
    assert order == sorted(order, key=ranks.index)
    assert set(order) == set(ranks)


def test_the_password_box_is_an_initial_one_for_a_new_account_and_a_new_one_for_an_existing(
    client_for, town_admin, village_office
):
    client = client_for(town_admin)
    new = client.get(reverse("accounts:user-create")).context["form"]
    existing = client.get(reverse("accounts:user-edit", args=[village_office.pk])).context["form"]
    assert (str(new["password"].label), str(existing["password"].label)) == ("初始密码", "新密码")


def test_town_admin_creates_an_officer_with_zones(client_for, town_admin, zone_a, zone_b):
    response = client_for(town_admin).post(
        reverse("accounts:user-create"),
        _account_post(username="officer_new", full_name="何巡查", zones=[zone_a.pk, zone_b.pk]),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:user-list")
    officer = User.objects.get(username="officer_new")
    assert officer.role == Role.SAFETY_OFFICER
    assert sorted(officer.zones.values_list("pk", flat=True)) == sorted([zone_a.pk, zone_b.pk])
    assert officer.check_password(NEW_PASSWORD)
    assert any("何巡查" in message for message in messages_of(response))
    assert shows(response, "officer_new")


def test_creating_a_village_office_without_a_village_is_refused_with_a_message(client_for, town_admin):
    client = client_for(town_admin)
    before = database_snapshot()
    response = client.post(
        reverse("accounts:user-create"), _account_post(username="orphan", role=Role.VILLAGE_OFFICE, village="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["village"]
    assert shows(response, errors[0])
    assert database_snapshot() == before


def test_creating_a_unit_office_without_a_unit_is_refused_with_a_message(client_for, town_admin):
    before = database_snapshot()
    response = client_for(town_admin).post(
        reverse("accounts:user-create"), _account_post(username="orphan", role=Role.UNIT_OFFICE, unit="")
    )
    assert response.status_code == 200
    assert shows(response, response.context["form"].errors["unit"][0])
    assert database_snapshot() == before


@pytest.mark.parametrize("phone", ["12345", "call the office", "0769-8664", "2380013800"])
def test_a_phone_that_is_neither_mobile_nor_landline_is_refused_in_chinese(client_for, town_admin, phone):
    before = database_snapshot()
    response = client_for(town_admin).post(reverse("accounts:user-create"), _account_post(phone=phone))
    assert response.status_code == 200
    assert shows(response, "请填写手机号")
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("phone", "kept"),
    [
        ("13800138000", "13800138000"),
        ("138 0013  8000", "138 0013 8000"),
        ("+86 138-0013-8000", "+86 138-0013-8000"),
        ("0769-86641101", "0769-86641101"),
        ("0769-86641101-8", "0769-86641101-8"),
        ("", ""),
    ],
)
def test_mobile_numbers_and_office_landlines_are_accepted(client_for, town_admin, phone, kept):
    response = client_for(town_admin).post(reverse("accounts:user-create"), _account_post(phone=phone))
    assert response.status_code == 302
    assert User.objects.get(username="newuser").phone == kept


def test_a_new_account_without_a_password_is_refused(client_for, town_admin):
    before = database_snapshot()
    response = client_for(town_admin).post(reverse("accounts:user-create"), _account_post(password=""))
    assert response.status_code == 200
    assert shows(response, response.context["form"].errors["password"][0])
    assert database_snapshot() == before


def test_a_weak_initial_password_is_refused(client_for, town_admin):
    response = client_for(town_admin).post(reverse("accounts:user-create"), _account_post(password="12345678"))
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="newuser").exists()


def test_a_too_short_password_is_refused_in_chinese(client_for, town_admin, village_office):
    client = client_for(town_admin)
    created = client.post(reverse("accounts:user-create"), _account_post(password="Ab-3"))
    reset = client.post(
        reverse("accounts:user-password", args=[village_office.pk]), {"new_password1": "Ab-3", "new_password2": "Ab-3"}
    )
    for response, field in ((created, "password"), (reset, "new_password2")):
        assert response.status_code == 200
        assert "密码长度太短。密码必须包含至少 10 个字符。" in response.context["form"].errors[field]
        assert not shows(response, "too short")


def test_the_active_box_says_what_deactivating_does(client_for, town_admin, village_office):
    response = client_for(town_admin).get(reverse("accounts:user-edit", args=[village_office.pk]))

    help_text = str(response.context["form"].fields["is_active"].help_text)
    assert "sign in" in help_text or "登录" in help_text
    assert not shows(response, "以反选代替删除帐号")


def test_a_village_office_keeps_only_its_village_and_no_zones(client_for, town_admin, village_a, zone_a, unit_a):
    client_for(town_admin).post(
        reverse("accounts:user-create"),
        _account_post(
            username="sy_office", role=Role.VILLAGE_OFFICE, village=village_a.pk, unit=unit_a.pk, zones=[zone_a.pk]
        ),
    )
    account = User.objects.get(username="sy_office")
    assert (account.village, account.unit, list(account.zones.all())) == (village_a, None, [])


def test_turning_an_officer_into_leadership_drops_his_zones(client_for, town_admin, safety_officer):
    client_for(town_admin).post(
        reverse("accounts:user-edit", args=[safety_officer.pk]),
        _account_post(
            username=safety_officer.username, full_name=safety_officer.full_name, role=Role.LEADERSHIP, password=""
        ),
    )
    safety_officer.refresh_from_db()
    assert safety_officer.role == Role.LEADERSHIP
    assert list(safety_officer.zones.all()) == []


def test_editing_an_account_without_a_password_keeps_the_old_one(client_for, town_admin, village_office):
    old_hash = village_office.password
    client_for(town_admin).post(
        reverse("accounts:user-edit", args=[village_office.pk]),
        _account_post(
            username=village_office.username,
            full_name="上元安全办（新）",
            role=Role.VILLAGE_OFFICE,
            village=village_office.village_id,
            password="",
        ),
    )
    village_office.refresh_from_db()
    assert village_office.full_name == "上元安全办（新）"
    assert village_office.password == old_hash


def test_town_admin_sets_a_new_password_for_an_account(client_for, town_admin, village_office):
    response = client_for(town_admin).post(
        reverse("accounts:user-password", args=[village_office.pk]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    village_office.refresh_from_db()
    assert village_office.check_password(NEW_PASSWORD)


def test_a_forged_account_id_answers_404(client_for, town_admin):
    client = client_for(town_admin)
    assert client.get(reverse("accounts:user-edit", args=[987654])).status_code == 404
    assert client.get(reverse("accounts:user-password", args=[987654])).status_code == 404


@pytest.mark.parametrize("persona", ["safety_officer", "village_office", "unit_office", "leadership"], indirect=True)
def test_only_the_town_admin_manages_accounts(client_for, persona, village_office):
    client = client_for(persona)
    urls = [
        reverse("accounts:user-list"),
        reverse("accounts:user-create"),
        reverse("accounts:user-edit", args=[village_office.pk]),
        reverse("accounts:user-password", args=[village_office.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url

    before = database_snapshot()
    password_before = village_office.password
    posts = [
        (urls[1], _account_post(username="intruder", role=Role.TOWN_ADMIN)),
        (urls[2], _account_post(username=village_office.username, role=Role.TOWN_ADMIN, password="")),
        (urls[3], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert database_snapshot() == before
    village_office.refresh_from_db()
    assert village_office.password == password_before


def test_anonymous_visitor_is_sent_to_login_from_the_account_list(client):
    url = reverse("accounts:user-list")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_a_new_accounts_password_may_not_repeat_its_username(client_for, town_admin):
    response = client_for(town_admin).post(
        reverse("accounts:user-create"), _account_post(username="chen.anquan.2024", password="chen.anquan.2024")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="chen.anquan.2024").exists()
