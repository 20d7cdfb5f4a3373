"""The year-end scorecard: each computed item against data built for it, manual scores, vetoes, grades,
the ranking for leadership and its Excel export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from inspections.measures import findings_closed_on_time, inspections_per_month
from inspections.models import FindingStatus
from responsibility.measures import Measure, register_measure, unregister_measure
from responsibility.models import Card, PartyKind, ResponsibilityLetter, ScoreEntry, TargetItem
from responsibility.scorecard import Grade, grade_for, party_score, party_scores, score_record
from responsibility.signing import letters_issue
from tests.factories import FindingFactory, InspectionFactory, SiteFactory, UnitFactory, VillageFactory
from tests.helpers import count_queries, shows
from tests.responsibility.conftest import ITEMS, make_template, sign_drawn, this_year

LAST_YEAR = timezone.localdate().year - 1


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def last_year(town_admin, village_a, village_b, unit_a, unit_b) -> dict[str, ResponsibilityLetter]:
    for kind in PartyKind.values:
        make_template(LAST_YEAR, kind)
    letters_issue(
        year=LAST_YEAR, deadline=dt.date(LAST_YEAR, 2, 28), by=town_admin, issued_at=aware(dt.date(LAST_YEAR, 1, 5))
    )
    return {letter.party_key: letter for letter in ResponsibilityLetter.objects.filter(year=LAST_YEAR)}


def item_score(letter, measure: str):
    return next(score for score in party_score(letter).items if score.item.measure == measure)


# --- computed items ----------------------------------------------------------------------------------------


def test_findings_closed_on_time_score_in_proportion(last_year, village_a, village_b, unit_a, safety_officer):
    site = SiteFactory(village=village_a)
    found = dt.date(LAST_YEAR, 3, 1)
    for closed_late in (False, False, False, True):
        finding = FindingFactory(
            inspection__site=site, inspection__on=found, inspection__led_by=safety_officer, status=FindingStatus.CLOSED
        )
        if closed_late:
            finding.closed_at = aware(finding.deadline + dt.timedelta(days=3))
            finding.save()
    # a finding a unit must fix, never closed
    FindingFactory(
        inspection__site=site, inspection__on=found, inspection__led_by=safety_officer, responsible_unit=unit_a
    )
    # due next year: not counted in this year's rate
    FindingFactory(inspection__site=site, inspection__on=dt.date(LAST_YEAR, 12, 28), inspection__led_by=safety_officer)

    rates = findings_closed_on_time(LAST_YEAR)
    assert rates[f"village:{village_a.pk}"] == 0.75
    assert rates[f"unit:{unit_a.pk}"] == 0.0
    assert f"village:{village_b.pk}" not in rates

    measure = "inspections.findings_closed_on_time"
    assert item_score(last_year[f"village:{village_a.pk}"], measure).points == Decimal("15.0")
    assert item_score(last_year[f"unit:{unit_a.pk}"], measure).points == Decimal("0.0")
    # nothing was due: nothing to hold against the village
    assert item_score(last_year[f"village:{village_b.pk}"], measure).points == Decimal(20)


def test_inspections_logged_per_month_score_up_to_the_target(last_year, village_a, village_b, safety_officer):
    site = SiteFactory(village=village_a)
    for month in range(1, 13):
        for day in (3, 10, 17, 24):
            InspectionFactory(site=site, on=dt.date(LAST_YEAR, month, day), led_by=safety_officer)
    InspectionFactory(site=site, on=dt.date(LAST_YEAR - 1, 6, 1), led_by=safety_officer)

    assert inspections_per_month(LAST_YEAR)[f"village:{village_a.pk}"] == 4
    measure = "inspections.inspections_per_month"
    score = item_score(last_year[f"village:{village_a.pk}"], measure)
    assert score.value == 4
    assert score.points == Decimal("7.5")  # 4 of the 8 a month: half of 15
    assert item_score(last_year[f"village:{village_b.pk}"], measure).points == Decimal("0.0")


def test_inspections_per_month_counts_the_months_gone_by_this_year(village_a, safety_officer):
    today = timezone.localdate()
    site = SiteFactory(village=village_a)
    for _n in range(today.month * 2):
        InspectionFactory(site=site, on=today.replace(day=1), led_by=safety_officer)
    assert inspections_per_month(today.year, today=today)[f"village:{village_a.pk}"] == 2


def test_yellow_cards_take_points_off_each(last_year, village_a, village_b):
    for n in range(2):
        Card.objects.create(
            color=Card.Color.YELLOW, village=village_a, year=LAST_YEAR, source=f"test:{n}", reason="逾期"
        )
    for n in range(4):
        Card.objects.create(
            color=Card.Color.YELLOW, village=village_b, year=LAST_YEAR, source=f"test:{n}", reason="逾期"
        )
    Card.objects.create(color=Card.Color.YELLOW, village=village_b, year=LAST_YEAR - 1, source="old", reason="去年")
    measure = "responsibility.yellow_cards"
    assert item_score(last_year[f"village:{village_a.pk}"], measure).points == Decimal("1.0")
    assert item_score(last_year[f"village:{village_b.pk}"], measure).points == Decimal("0.0")


def test_signing_on_time_earns_its_points_and_late_or_never_earns_none(
    letters, letter_a, letter_b, village_office, unit_a
):
    sign_drawn(letter_a, village_office)
    measure = "responsibility.letter_signed_on_time"
    assert item_score(letter_a, measure).points == Decimal(5)
    assert item_score(letter_b, measure).points == Decimal("0.0")


def test_signing_after_the_deadline_earns_nothing(last_year, village_a, village_office):
    letter = last_year[f"village:{village_a.pk}"]
    sign_drawn(letter, village_office)  # today: long after last February
    assert item_score(letter, "responsibility.letter_signed_on_time").points == Decimal("0.0")


def test_a_measure_not_registered_here_leaves_its_item_at_the_default(last_year, village_a):
    letter = last_year[f"village:{village_a.pk}"]
    TargetItem.objects.filter(template=letter.template, measure="responsibility.yellow_cards").update(
        measure="nowhere.unknown"
    )
    score = item_score(letter, "nowhere.unknown")
    assert score.measure is None
    assert score.points == Decimal(5)  # deduct-rule, 0 occurrences known


# --- veto ------------------------------------------------------------------------------------------------------


@pytest.fixture
def deaths_measure(village_a):
    register_measure(
        Measure("test.deaths", "死亡人数", lambda year: {f"village:{village_a.pk}": 1}, kind=Measure.Kind.COUNT)
    )
    yield "test.deaths"
    unregister_measure("test.deaths")


def test_a_veto_computed_from_data_fails_the_party_whatever_its_points(
    last_year, village_a, village_b, deaths_measure, town_admin
):
    letter = last_year[f"village:{village_a.pk}"]
    TargetItem.objects.filter(template=letter.template, section=TargetItem.Section.VETO).update(measure=deaths_measure)
    for item in letter.template.items.filter(measure="").exclude(section=TargetItem.Section.VETO):
        score_record(letter=letter, item=item, by=town_admin, points=item.points, note="满分")
    score = party_score(letter)
    assert grade_for(score.total, vetoed=False) != Grade.FAILED
    assert score.vetoed
    assert score.grade == Grade.FAILED
    assert not party_score(last_year[f"village:{village_b.pk}"]).vetoed


def test_a_veto_found_by_hand_needs_a_note_and_fails_the_party(client_for, last_year, village_a, town_admin):
    letter = last_year[f"village:{village_a.pk}"]
    veto = letter.template.items.get(section=TargetItem.Section.VETO)
    url = reverse("responsibility:scorecard-score", args=[letter.pk, veto.pk])
    client = client_for(town_admin)

    response = client.post(url, {f"item{veto.pk}-vetoed": "on", f"item{veto.pk}-note": ""})
    form = {row[0].item.pk: row[1] for row in response.context["rows"]}[veto.pk]
    assert list(form.errors) == ["note"]
    assert shows(response, form.errors["note"][0])
    assert not ScoreEntry.objects.exists()

    client.post(url, {f"item{veto.pk}-vetoed": "on", f"item{veto.pk}-note": "6月发生一次死亡3人事故"})
    score = party_score(letter)
    assert score.vetoed
    assert score.grade == Grade.FAILED


# --- manual items -------------------------------------------------------------------------------------------------


def test_the_town_administrator_scores_a_manual_item_with_a_note(client_for, last_year, village_a, town_admin):
    letter = last_year[f"village:{village_a.pk}"]
    item = letter.template.items.get(text=ITEMS[0][1])
    url = reverse("responsibility:scorecard-score", args=[letter.pk, item.pk])
    client_for(town_admin).post(url, {f"item{item.pk}-points": "36.5", f"item{item.pk}-note": "抽查发现一起轻伤事故"})
    entry = ScoreEntry.objects.get(letter=letter, item=item)
    assert (entry.points, entry.note, entry.scored_by) == (Decimal("36.5"), "抽查发现一起轻伤事故", town_admin)
    score = party_score(letter)
    assert next(s for s in score.items if s.item == item).points == Decimal("36.5")


@pytest.mark.parametrize(
    ("points", "note"),
    [("41", "超出"), ("-1", "负分"), ("30", ""), ("abc", "不是数字")],
    ids=["above", "negative", "no-note", "nan"],
)
def test_a_bad_manual_score_is_refused_and_nothing_is_saved(client_for, last_year, village_a, town_admin, points, note):
    letter = last_year[f"village:{village_a.pk}"]
    item = letter.template.items.get(text=ITEMS[0][1])
    url = reverse("responsibility:scorecard-score", args=[letter.pk, item.pk])
    response = client_for(town_admin).post(url, {f"item{item.pk}-points": points, f"item{item.pk}-note": note})
    assert response.status_code == 200
    form = {row[0].item.pk: row[1] for row in response.context["rows"]}[item.pk]
    [(field, [error])] = form.errors.items()
    assert field == ("note" if not note else "points")
    assert shows(response, error)  # beside its field, in the item's form shown open
    assert f'id="id_item{item.pk}-note"' in response.content.decode()
    if note:
        assert shows(response, note)  # what the administrator wrote is kept
    assert not ScoreEntry.objects.exists()


def test_an_item_of_another_template_cannot_be_scored_on_this_letter(
    client_for, last_year, village_a, unit_a, town_admin
):
    letter = last_year[f"village:{village_a.pk}"]
    foreign = last_year[f"unit:{unit_a.pk}"].template.items.first()
    url = reverse("responsibility:scorecard-score", args=[letter.pk, foreign.pk])
    assert (
        client_for(town_admin).post(url, {f"item{foreign.pk}-points": "1", f"item{foreign.pk}-note": "x"}).status_code
        == 404
    )
    assert not ScoreEntry.objects.exists()


@pytest.mark.parametrize("persona", ["leadership", "safety_officer", "village_office"], indirect=True)
def test_only_the_town_administrator_scores(client_for, last_year, village_a, persona):
    letter = last_year[f"village:{village_a.pk}"]
    item = letter.template.items.first()
    url = reverse("responsibility:scorecard-score", args=[letter.pk, item.pk])
    assert client_for(persona).post(url, {f"item{item.pk}-points": "1", f"item{item.pk}-note": "x"}).status_code == 403
    assert not ScoreEntry.objects.exists()


def test_a_computed_item_adjusted_by_hand_keeps_the_computed_value_beside_it(last_year, village_a, town_admin):
    letter = last_year[f"village:{village_a.pk}"]
    item = letter.template.items.get(measure="responsibility.yellow_cards")
    score_record(letter=letter, item=item, by=town_admin, points=Decimal(3), note="黄牌已申诉撤销一张")
    score = item_score(letter, "responsibility.yellow_cards")
    assert (score.points, score.computed, score.adjusted) == (Decimal(3), Decimal(5), True)


# --- grades, ranking, export --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "vetoed", "grade"),
    [
        (Decimal(100), False, Grade.EXCELLENT),
        (Decimal(90), False, Grade.EXCELLENT),
        (Decimal("89.9"), False, Grade.PASSED),
        (Decimal(70), False, Grade.PASSED),
        (Decimal("69.9"), False, Grade.FAILED),
        (Decimal(100), True, Grade.FAILED),
    ],
)
def test_grades(total, vetoed, grade):
    assert grade_for(total, vetoed) == grade


def _score_everything(letters, by, points_of):
    for letter in letters:
        for item in letter.template.items.filter(measure="").exclude(section=TargetItem.Section.VETO):
            score_record(letter=letter, item=item, by=by, points=points_of(letter, item), note="考核")


def test_the_ranking_orders_by_total_with_vetoed_parties_last(
    client_for, last_year, village_a, village_b, leadership, town_admin
):
    a, b = last_year[f"village:{village_a.pk}"], last_year[f"village:{village_b.pk}"]
    _score_everything([a, b], town_admin, lambda letter, item: item.points if letter == a else item.points / 2)
    response = client_for(leadership).get(reverse("responsibility:scorecard"), {"year": LAST_YEAR})
    ranked = [score.letter for score in response.context["scores"]]
    assert ranked.index(a) < ranked.index(b)
    assert response.context["scores"][0].rank == 1

    veto = a.template.items.get(section=TargetItem.Section.VETO)
    score_record(letter=a, item=veto, by=town_admin, vetoed=True, note="重大事故")
    ranked = [score.letter for score in party_scores(ResponsibilityLetter.objects.filter(year=LAST_YEAR))]
    assert ranked[-1] == a


@pytest.mark.parametrize(
    ("persona", "status"),
    [("town_admin", 200), ("leadership", 200), ("safety_officer", 403), ("village_office", 403), ("unit_office", 403)],
    indirect=["persona"],
)
def test_the_ranking_and_its_export_are_for_leadership_and_the_town_administrator(
    client_for, last_year, persona, status
):
    client = client_for(persona)
    assert client.get(reverse("responsibility:scorecard"), {"year": LAST_YEAR}).status_code == status
    assert client.get(reverse("responsibility:scorecard-export"), {"year": LAST_YEAR}).status_code == status


def test_an_office_reads_its_own_scorecard_only(client_for, last_year, village_a, village_b, village_office):
    client = client_for(village_office)
    assert (
        client.get(
            reverse("responsibility:scorecard-party", args=[last_year[f"village:{village_a.pk}"].pk])
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("responsibility:scorecard-party", args=[last_year[f"village:{village_b.pk}"].pk])
        ).status_code
        == 404
    )


def test_the_export_holds_the_ranking_and_every_item(client_for, last_year, village_a, town_admin):
    response = client_for(town_admin).get(reverse("responsibility:scorecard-export"), {"year": LAST_YEAR})
    workbook = load_workbook(io.BytesIO(response.content))
    ranking = list(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(ranking) == 4
    assert [row[0] for row in ranking] == [1, 2, 3, 4]
    items = list(workbook.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert len(items) == 4 * len(ITEMS)


def test_the_rankings_query_count_does_not_grow_with_the_parties(client_for, town_admin, zone_a):
    for kind in PartyKind.values:
        make_template(LAST_YEAR, kind)
    VillageFactory(zone=zone_a)
    UnitFactory()
    issue = {
        "year": LAST_YEAR,
        "deadline": dt.date(LAST_YEAR, 2, 28),
        "by": town_admin,
        "issued_at": aware(dt.date(LAST_YEAR, 1, 5)),
    }
    letters_issue(**issue)
    client = client_for(town_admin)
    url = reverse("responsibility:scorecard") + f"?year={LAST_YEAR}"
    few = count_queries(client, url)
    for _n in range(10):
        VillageFactory(zone=zone_a)
        UnitFactory()
    letters_issue(**issue)
    _score_everything(ResponsibilityLetter.objects.filter(year=LAST_YEAR), town_admin, lambda letter, item: item.points)
    assert count_queries(client, url) == few
    party = ResponsibilityLetter.objects.filter(year=LAST_YEAR).first()
    assert count_queries(client, reverse("responsibility:scorecard-party", args=[party.pk])) < 30


def test_this_year_is_offered_even_before_letters(client_for, leadership):
    response = client_for(leadership).get(reverse("responsibility:scorecard"), {"year": this_year()})
    assert response.status_code == 200
    assert this_year() in response.context["years"]


def test_accidents_registered_by_the_incidents_app_take_points_and_veto(last_year, village_a, village_b):
    from tests.factories import IncidentFactory

    letter = last_year[f"village:{village_a.pk}"]
    template = letter.template
    TargetItem.objects.filter(template=template, text=ITEMS[0][1]).update(
        measure="incidents.deaths", rule=TargetItem.Rule.DEDUCT, target=Decimal(30)
    )
    TargetItem.objects.filter(template=template, section=TargetItem.Section.VETO).update(
        measure="incidents.fatal_accidents"
    )
    IncidentFactory(village=village_a, on=dt.date(LAST_YEAR, 5, 3), deaths=1)
    IncidentFactory(village=village_a, on=dt.date(LAST_YEAR - 1, 5, 3), deaths=3)  # another year

    score = item_score(letter, "incidents.deaths")
    assert (score.value, score.points) == (1, Decimal("10.0"))  # 40 points, 30 off for the death
    assert not party_score(letter).vetoed
    assert item_score(last_year[f"village:{village_b.pk}"], "incidents.deaths").points == Decimal(40)

    IncidentFactory(village=village_a, on=dt.date(LAST_YEAR, 8, 9), deaths=2)
    score = party_score(letter)
    assert score.vetoed
    assert score.grade == Grade.FAILED
