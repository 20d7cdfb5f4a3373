"""The 1+4+N roster: every signed-in user reads it with the 24-hour phones; the town admin edits units,
their contacts in order of call and the templates; bad rows are refused and nothing is written."""

from __future__ import annotations

from django.utils.translation import gettext as _

from duty.models import ResponseContact, ResponseTemplate, ResponseUnit, TemplateUnit
from tests.helpers import shows


def rows(prefix_rows: list[dict], initial: int = 0) -> dict:
    data = {
        "rows-TOTAL_FORMS": str(len(prefix_rows)),
        "rows-INITIAL_FORMS": str(initial),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(prefix_rows):
        for key, value in row.items():
            data[f"rows-{index}-{key}"] = value
    return data


def roster_state() -> list:
    return [
        list(ResponseUnit.objects.order_by("pk").values()),
        list(ResponseContact.objects.order_by("pk").values()),
        list(ResponseTemplate.objects.order_by("pk").values()),
        list(TemplateUnit.objects.order_by("pk").values()),
    ]


def test_everyone_reads_the_roster_with_its_phones(client_for, unit_office, roster, gas_template):
    response = client_for(unit_office).get("/duty/roster/")
    assert shows(response, "0769-86000001") and shows(response, 'data-template="燃气泄漏"')
    assert shows(response, "应急管理分局 → 公安分局 → 消防救援站 → 属地村（社区） → 燃气公司")
    assert not shows(response, "/duty/roster/units/new/")


def test_the_admin_adds_a_unit_with_contacts_in_order(client_for, town_admin, roster):
    data = {"name": "茶山供电所", "core_role": "", "duties": "紧急断电", "order": "6", "is_active": "on"}
    data |= rows(
        [
            {"order": "1", "name": "供电抢修", "post": "24小时", "phone": "0769-86654400"},
            {"order": "2", "name": "黎工", "post": "值班长", "phone": "13600000104"},
        ]
    )
    response = client_for(town_admin).post("/duty/roster/units/new/", data, follow=True)
    unit = ResponseUnit.objects.get(name="茶山供电所")
    assert list(unit.contacts.values_list("name", flat=True)) == ["供电抢修", "黎工"]
    assert shows(response, "0769-86654400")


def test_two_contacts_with_the_same_order_are_refused(client_for, town_admin, roster):
    before = roster_state()
    data = {"name": "茶山供电所", "core_role": "", "order": "6", "is_active": "on"}
    data |= rows([{"order": "1", "name": "甲", "phone": "1"}, {"order": "1", "name": "乙", "phone": "2"}])
    response = client_for(town_admin).post("/duty/roster/units/new/", data)
    assert shows(response, _("Two rows have the same order of call."))
    assert roster_state() == before


def test_a_second_police_unit_is_refused(client_for, town_admin, roster):
    before = roster_state()
    data = {"name": "另一个公安", "core_role": "police", "order": "9", "is_active": "on"} | rows([])
    response = client_for(town_admin).post("/duty/roster/units/new/", data)
    assert shows(response, _("Each of the 4 core units is on the roster once."))
    assert roster_state() == before


def test_the_admin_edits_which_units_a_template_calls(client_for, town_admin, roster, gas_template):
    data = {"name": "燃气泄漏", "category": "other", "description": "", "order": "1"}
    existing = list(gas_template.template_units.order_by("order"))
    form_rows = [{"id": tu.pk, "template": gas_template.pk, "order": tu.order, "unit": tu.unit_id} for tu in existing]
    form_rows[-1]["DELETE"] = "on"
    client_for(town_admin).post(
        f"/duty/roster/templates/{gas_template.pk}/edit/", data | rows(form_rows, initial=len(existing))
    )
    assert list(gas_template.template_units.order_by("order").values_list("unit__name", flat=True)) == [
        "应急管理分局",
        "公安分局",
        "消防救援站",
        "属地村（社区）",
    ]


def test_a_unit_twice_in_a_template_is_refused(client_for, town_admin, roster):
    before = roster_state()
    police = roster["police"].pk
    data = {"name": "群体性事件", "category": "other", "order": "2"} | rows(
        [{"order": "1", "unit": police}, {"order": "2", "unit": police}]
    )
    response = client_for(town_admin).post("/duty/roster/templates/new/", data)
    assert shows(response, _("A unit is called once in a template."))
    assert roster_state() == before


def test_only_the_town_admin_edits_the_roster(client_for, safety_officer, leadership, roster):
    for user in (safety_officer, leadership):
        assert client_for(user).get("/duty/roster/units/new/").status_code == 403
        assert client_for(user).get(f"/duty/roster/units/{roster['police'].pk}/edit/").status_code == 403


def test_a_unit_off_the_roster_is_hidden_but_the_office_still_sees_it(client_for, town_admin, safety_officer, roster):
    ResponseUnit.objects.filter(name="燃气公司").update(is_active=False)
    assert not shows(client_for(safety_officer).get("/duty/roster/"), 'data-unit="燃气公司"')
    assert shows(client_for(town_admin).get("/duty/roster/"), 'data-unit="燃气公司"')
