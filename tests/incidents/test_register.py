"""The incident register: scoped reading, town administrators' writes, bad input refused with nothing saved."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from incidents.models import Incident
from tests.factories import IncidentFactory, SiteFactory
from tests.helpers import WHO_READS_VILLAGE_A, count_queries, shows

LIST = "/incidents/"


def at(year, month, day, hour=10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def post_data(village, /, **changes) -> dict:
    data = {
        "occurred_at": "2024-05-06T14:20",
        "village": village.pk,
        "location": "工业区二路",
        "category": "production",
        "industry": "五金加工",
        "deaths": "0",
        "serious_injuries": "1",
        "minor_injuries": "2",
        "direct_loss": "35000.50",
        "cause": "冲床防护装置被拆除",
        "summary": "员工手部被冲床压伤",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(("persona", "status"), [*WHO_READS_VILLAGE_A], indirect=["persona"])
def test_an_incident_of_village_a_is_read_only_by_those_who_see_village_a(persona, status, village_a, client_for):
    incident = IncidentFactory(village=village_a, summary="上元村仓库起火经过")
    response = client_for(persona).get(incident.get_absolute_url())
    expected = 403 if persona.role == "unit_office" else status
    assert response.status_code == expected
    if expected == 200:
        assert shows(response, "上元村仓库起火经过")


def test_the_list_holds_only_the_incidents_a_village_office_may_see(village_a, village_b, village_office, client_for):
    IncidentFactory(village=village_a, summary="本村事故一")
    IncidentFactory(village=village_b, summary="外村事故二")
    response = client_for(village_office).get(LIST)
    assert shows(response, "本村事故一")
    assert not shows(response, "外村事故二")
    assert response.context["totals"]["count"] == 1


def test_filters_and_totals_of_the_list(village_a, village_b, leadership, client_for):
    IncidentFactory(village=village_a, occurred_at=at(2021, 3, 1), deaths=1, serious_injuries=2, direct_loss=100)
    IncidentFactory(village=village_a, occurred_at=at(2021, 12, 31, 23), minor_injuries=1, direct_loss=50)
    IncidentFactory(village=village_b, occurred_at=at(2022, 1, 1, 0), category="fire")
    IncidentFactory(village=village_a, occurred_at=at(2021, 7, 1))
    client = client_for(leadership)
    totals = client.get(LIST + "?year=2021").context["totals"]
    assert (totals["count"], totals["deaths"], totals["injuries"], totals["casualties"]) == (3, 1, 3, 4)
    assert totals["loss"] == 10150  # the factory's 10,000 for the third
    assert client.get(LIST + "?year=2021&casualties=yes").context["totals"]["count"] == 2
    assert client.get(LIST + "?category=fire").context["totals"]["count"] == 1
    assert client.get(LIST + f"?village={village_b.pk}").context["totals"]["count"] == 1
    assert client.get(LIST + "?occurred_from=2021-12-31&occurred_to=2022-01-01").context["totals"]["count"] == 2


def test_a_reversed_date_range_says_so(leadership, client_for):
    response = client_for(leadership).get(LIST + "?occurred_from=2022-01-01&occurred_to=2021-01-01")
    assert response.status_code == 200
    assert response.context["filter"].form.errors["occurred_to"]


def test_a_town_administrator_registers_an_incident(village_a, town_admin, client_for):
    response = client_for(town_admin).post("/incidents/new/", post_data(village_a))
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == incident.get_absolute_url()
    assert (incident.serious_injuries, incident.minor_injuries, incident.casualties) == (1, 2, 3)
    assert str(incident.direct_loss) == "35000.50"
    assert incident.recorded_by == town_admin
    assert incident.history.get().history_user == town_admin


def test_a_town_administrator_corrects_an_incident(village_a, town_admin, client_for):
    incident = IncidentFactory(village=village_a, occurred_at=at(2024, 5, 6, 14))
    client_for(town_admin).post(f"/incidents/{incident.pk}/edit/", post_data(village_a, deaths="1"))
    incident.refresh_from_db()
    assert incident.deaths == 1
    assert incident.history.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deaths": "-1"}, "deaths"),
        ({"minor_injuries": "-3"}, "minor_injuries"),
        ({"direct_loss": "-0.01"}, "direct_loss"),
        ({"occurred_at": "2099-01-01T10:00"}, "occurred_at"),
        ({"occurred_at": "1999-12-31T23:59"}, "occurred_at"),
        ({"summary": ""}, "summary"),
        ({"village": "999999"}, "village"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(changes, field, village_a, town_admin, client_for):
    response = client_for(town_admin).post("/incidents/new/", post_data(village_a, **changes))
    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("loss", ["1000000000000000", "1234567890123.5"])
def test_an_absurd_loss_is_refused_in_words_about_the_amount(loss, village_a, town_admin, client_for):
    response = client_for(town_admin).post("/incidents/new/", post_data(village_a, direct_loss=loss))

    assert response.status_code == 422
    [error] = response.context["form"].errors["direct_loss"]
    assert "999,999,999,999.99" in error and "个数字" not in error


def test_a_site_of_another_village_is_refused(village_a, village_b, town_admin, client_for):
    site = SiteFactory(village=village_b)
    response = client_for(town_admin).post("/incidents/new/", post_data(village_a, site=site.pk))
    assert response.context["form"].errors["site"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("persona", ["leadership", "safety_officer", "village_office"], indirect=True)
def test_only_town_administrators_write(persona, village_a, client_for):
    incident = IncidentFactory(village=village_a, deaths=0)
    client = client_for(persona)
    assert client.post("/incidents/new/", post_data(village_a)).status_code == 403
    assert client.post(f"/incidents/{incident.pk}/edit/", post_data(village_a, deaths="3")).status_code == 403
    assert client.get("/incidents/import/").status_code == 403
    incident.refresh_from_db()
    assert incident.deaths == 0
    assert Incident.objects.count() == 1


def test_the_export_holds_exactly_the_filtered_rows_the_user_may_see(village_a, village_b, village_office, client_for):
    IncidentFactory(village=village_a, occurred_at=at(2023, 3, 3), summary="本村二三年事故", deaths=1)
    IncidentFactory(village=village_a, occurred_at=at(2022, 3, 3), summary="本村二二年事故")
    IncidentFactory(village=village_b, occurred_at=at(2023, 3, 3), summary="外村事故")
    response = client_for(village_office).get("/incidents/export.xlsx?year=2023")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    summaries = [row[13] for row in rows[1:-1]]
    assert summaries == ["本村二三年事故"]
    assert rows[-1][8] == 1  # the totals row: deaths
    assert book.worksheets[0].auto_filter.ref == "A1:N2"  # filter buttons over the incidents, not the totals
    assert list(book.worksheets[1].iter_rows(values_only=True))[1][:3] == (2023, 1, 1)


def test_the_list_runs_the_same_queries_for_one_incident_or_many(village_a, leadership, client_for):
    site = SiteFactory(village=village_a)
    IncidentFactory(village=village_a, site=site)
    client = client_for(leadership)
    client.get(LIST)
    few = count_queries(client, LIST)
    IncidentFactory.create_batch(30, village=village_a, site=site)
    assert count_queries(client, LIST) == few


def test_the_form_names_the_village_of_each_site(village_a, town_admin, client_for):
    site = SiteFactory(village=village_a, name="上元五金厂")
    response = client_for(town_admin).get("/incidents/new/")
    assert response.status_code == 200
    assert f'<option value="{site.pk}" data-village="{village_a.pk}">' in response.content.decode()
