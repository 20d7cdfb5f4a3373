"""Yellow and red cards as people see them: on the village's or unit's page, and in the administrator's list."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from responsibility.models import Card
from tests.builders import make_site, overdue_findings, sweep_days_ago, sweep_today
from tests.helpers import count_queries, shows

NOT_ADMINS = ["safety_officer", "village_office", "unit_office", "leadership"]


@pytest.fixture
def yellow_in_a(safety_officer, village_a):
    """A finding of village A seven days overdue: after the sweep, a yellow card against village A."""
    finding = overdue_findings(officer=safety_officer, site=make_site(village_a), days=7)[0]
    sweep_today()
    return finding


@pytest.fixture
def cards_of_unit_a(safety_officer, village_a, unit_a):
    """A finding that unit A must fix, fifteen days overdue: a yellow and a red card against unit A."""
    finding = overdue_findings(
        officer=safety_officer, site=make_site(village_a, "燃气站"), days=15, responsible_unit=unit_a
    )
    sweep_days_ago(8, 0)  # the daily sweep saw it seven days overdue, and again today
    return finding[0]


def cards_shown(response) -> list[tuple[str, str]]:
    return [(card.color, card.reason) for card in response.context["cards"]]


def test_the_village_page_shows_this_years_yellow_card_with_its_reason_and_link(
    client_for, village_office, village_a, yellow_in_a
):
    response = client_for(village_office).get(village_a.get_absolute_url())

    card = Card.objects.get(village=village_a)
    assert card.color == Card.Color.YELLOW
    assert cards_shown(response) == [("yellow", card.reason)]
    assert yellow_in_a.number in card.reason and shows(response, card.reason)
    assert f'href="{yellow_in_a.get_absolute_url()}"' in response.content.decode()
    assert 'data-card="yellow"' in response.content.decode()


def test_earlier_years_are_counted_not_listed(client_for, village_office, village_a, yellow_in_a):
    year = timezone.localdate().year
    Card.objects.create(
        color=Card.Color.RED, village=village_a, year=year - 1, source="finding:990001", reason="去年的红牌"
    )
    Card.objects.create(
        color=Card.Color.YELLOW, village=village_a, year=year - 2, source="finding:990002", reason="前年"
    )

    response = client_for(village_office).get(village_a.get_absolute_url())

    assert len(response.context["cards"]) == 1
    assert response.context["cards_earlier"] == 2
    assert not shows(response, "去年的红牌")
    assert 'data-testid="cards-earlier"' in response.content.decode()


def test_a_village_page_shows_only_that_villages_cards(client_for, town_admin, village_b, yellow_in_a):
    response = client_for(town_admin).get(village_b.get_absolute_url())

    assert response.context["cards"] == []


def test_the_other_village_office_cannot_reach_the_page_with_the_cards(
    client_for, other_village_office, village_a, yellow_in_a
):
    assert client_for(other_village_office).get(village_a.get_absolute_url()).status_code == 404


def test_the_unit_page_shows_its_cards_to_the_unit_office_and_the_administrator(
    client_for, unit_office, town_admin, unit_a, cards_of_unit_a
):
    for user in (unit_office, town_admin):
        response = client_for(user).get(unit_a.get_absolute_url())
        assert sorted(color for color, _reason in cards_shown(response)) == ["red", "yellow"]


def test_officers_read_the_cards_of_units_as_they_read_the_units(client_for, safety_officer, unit_a, cards_of_unit_a):
    # units are town-wide: an officer reads every unit's page, its cards included
    response = client_for(safety_officer).get(unit_a.get_absolute_url())

    assert response.status_code == 200
    assert set(response.context["cards"]) == set(Card.objects.filter(unit=unit_a))
    assert set(Card.objects.visible_to(safety_officer)) == set(Card.objects.filter(unit__isnull=False))


def test_officers_do_not_read_the_cards_of_villages_outside_their_zones(
    client_for, safety_officer, other_officer, village_b
):
    overdue_findings(officer=other_officer, site=make_site(village_b), days=7)
    sweep_today()
    assert Card.objects.filter(village=village_b).exists()

    response = client_for(safety_officer).get(village_b.get_absolute_url())

    assert response.status_code == 404
    assert not Card.objects.visible_to(safety_officer).filter(village=village_b).exists()


def test_only_the_administrator_sees_the_link_to_a_drafted_letter(
    client_for, unit_office, town_admin, unit_a, cards_of_unit_a
):
    letter = Card.objects.get(unit=unit_a, color=Card.Color.RED).letter
    link = reverse("responsibility:letter-detail", args=[letter.pk])

    assert link in client_for(town_admin).get(unit_a.get_absolute_url()).content.decode()
    assert link not in client_for(unit_office).get(unit_a.get_absolute_url()).content.decode()


# --- the administrator's list of cards -------------------------------------------------------------


@pytest.mark.parametrize("persona", NOT_ADMINS, indirect=True)
def test_only_the_administrator_lists_all_cards(client_for, persona):
    assert client_for(persona).get(reverse("responsibility:card-list")).status_code == 403


def test_the_card_list_filters_by_year_colour_and_party(
    client_for, town_admin, village_a, unit_a, yellow_in_a, cards_of_unit_a
):
    year = timezone.localdate().year
    Card.objects.create(
        color=Card.Color.RED, village=village_a, year=year - 1, source="finding:990001", reason="去年的红牌"
    )
    client = client_for(town_admin)

    def listed(**params):
        response = client.get(reverse("responsibility:card-list"), params)
        assert response.status_code == 200
        return sorted((card.color, card.year, str(card.party)) for card in response.context["page_obj"])

    assert len(listed()) == 4
    assert listed(year=year - 1) == [("red", year - 1, village_a.name)]
    assert listed(color="red", year=year) == [("red", year, unit_a.name)]
    assert listed(village=village_a.pk, year=year) == [("yellow", year, village_a.name)]
    assert listed(unit=unit_a.pk) == [("red", year, unit_a.name), ("yellow", year, unit_a.name)]


def test_the_card_list_links_each_card_to_its_party(client_for, town_admin, village_a, yellow_in_a):
    response = client_for(town_admin).get(reverse("responsibility:card-list"))

    assert f'href="{village_a.get_absolute_url()}"' in response.content.decode()


def test_party_pages_and_the_card_list_run_as_many_queries_for_30_cards_as_for_1(
    client_for, town_admin, village_office, village_a, safety_officer
):
    site = make_site(village_a)
    overdue_findings(officer=safety_officer, site=site, days=8)
    sweep_today()
    pages = {
        village_office: [village_a.get_absolute_url()],
        town_admin: [village_a.get_absolute_url(), reverse("responsibility:card-list")],
    }
    clients = {user: client_for(user) for user in pages}
    for user, urls in pages.items():
        for url in urls:
            clients[user].get(url)
    one = {(user.username, url): count_queries(clients[user], url) for user, urls in pages.items() for url in urls}

    overdue_findings(officer=safety_officer, site=site, days=16, count=29)
    sweep_today()
    thirty = {(user.username, url): count_queries(clients[user], url) for user, urls in pages.items() for url in urls}

    assert Card.objects.filter(village=village_a).count() >= 30
    assert thirty == one
