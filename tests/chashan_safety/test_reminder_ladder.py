"""The escalation ladder for overdue rectifications, swept day by day with a controllable clock.

The sweep takes the day it sweeps for; the wall clock is fixed with time-machine so that dates,
card years and the text of reminders do not depend on when the suite runs. The helpers at the top
(the town, the sweeps, the rows) are shared by the digest, command and Celery test modules.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chashan_safety.digests import recipients_without_contact, send_digests, withdraw_stale
from chashan_safety.models import DigestDelivery, Notification, Reminder, Role
from chashan_safety.reminders import sweep
from inspections.models import Finding
from inspections.reminders import DUE_SOON, OVERDUE
from inspections.services import finding_update
from responsibility.models import Card, SupervisionLetter
from tests.builders import closed, make_site, record_findings
from tests.factories import SectionFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: the wall clock of these tests: findings are recorded on this day
RECORDED = dt.datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
#: the deadline D of the findings
D = dt.date(2026, 3, 10)


def day(offset: int, anchor: dt.date = D) -> dt.date:
    return anchor + dt.timedelta(days=offset)


# --- shared helpers ----------------------------------------------------------------------------------


def make_town(
    *, zone_a, village_a, village_office, other_village_office, safety_officer, other_officer, unit_office, **people
):
    """Zone A's section gets a head; every persona is in the town so that a wrong recipient would show."""
    section_head = UserFactory(username="section_head", full_name="周股长", role=Role.SAFETY_OFFICER)
    zone_a.section = SectionFactory(name="东片区指导股", head=section_head)
    zone_a.save()
    return SimpleNamespace(
        zone=zone_a,
        village=village_a,
        site=make_site(village_a),
        officer=safety_officer,
        other_officer=other_officer,
        office=village_office,
        other_office=other_village_office,
        unit_office=unit_office,
        section_head=section_head,
        **people,
    )


def record(town, *, deadline: dt.date = D, count: int = 1, responsible_unit=None) -> list[Finding]:
    """``count`` findings found at the town's site on RECORDED with rectification deadline ``deadline``."""
    return record_findings(
        officer=town.officer,
        site=town.site,
        count=count,
        deadline=deadline,
        responsible_unit=responsible_unit,
        started_at=RECORDED - dt.timedelta(hours=1),
    )


def sweep_days(first: dt.date, last: dt.date) -> dict[dt.date, dict[str, int]]:
    """Sweep every day from ``first`` to ``last``; the new reminders of each day, by level."""
    created = {}
    current = first
    while current <= last:
        result = sweep(current)
        created[current] = {level.level: level.reminders for level in result.levels if level.reminders}
        current += dt.timedelta(days=1)
    return created


def reminder_rows() -> set[tuple]:
    return set(Reminder.objects.values_list("kind", "level", "object_id", "anchor"))


def notification_rows() -> list[tuple]:
    """(username, level, finding id) of every notification, sorted; duplicates would show twice."""
    return sorted(Notification.objects.values_list("recipient__username", "reminder__level", "reminder__object_id"))


def card_rows() -> set[tuple]:
    return set(Card.objects.values_list("color", "party_key", "source", "year"))


LEVELS = ("due_soon", "d1", "d3", "d7", "d15")


def expected_notifications(town, finding, *, office=None) -> list[tuple]:
    office = office or town.office
    recipients = {
        "due_soon": [office],
        "d1": [office],
        "d3": [office, town.officer],
        "d7": [office, town.officer, town.section_head],
        "d15": [office, town.officer, town.section_head, town.leadership, town.town_admin],
    }
    return sorted((user.username, level, finding.pk) for level, users in recipients.items() for user in users)


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def clock():
    with time_machine.travel(RECORDED, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def town(
    clock,
    zone_a,
    village_a,
    village_office,
    other_village_office,
    safety_officer,
    other_officer,
    unit_office,
    leadership,
    town_admin,
):
    return make_town(
        zone_a=zone_a,
        village_a=village_a,
        village_office=village_office,
        other_village_office=other_village_office,
        safety_officer=safety_officer,
        other_officer=other_officer,
        unit_office=unit_office,
        leadership=leadership,
        town_admin=town_admin,
    )


# --- the ladder --------------------------------------------------------------------------------------


def test_sweeping_every_day_climbs_the_ladder_once_per_level_on_the_right_days(town):
    (finding,) = record(town)

    created = sweep_days(day(-3), day(20))

    assert {when: levels for when, levels in created.items() if levels} == {
        day(-2): {"due_soon": 1},
        day(1): {"d1": 1},
        day(3): {"d3": 1},
        day(7): {"d7": 1},
        day(15): {"d15": 1},
    }
    assert reminder_rows() == {
        (DUE_SOON, "due_soon", finding.pk, D),
        (OVERDUE, "d1", finding.pk, D),
        (OVERDUE, "d3", finding.pk, D),
        (OVERDUE, "d7", finding.pk, D),
        (OVERDUE, "d15", finding.pk, D),
    }
    assert notification_rows() == expected_notifications(town, finding)


def test_each_rung_tells_its_own_people_and_again_those_of_the_rungs_below(town):
    (finding,) = record(town)

    for offset, level, told in [
        (-2, "due_soon", {town.office}),
        (1, "d1", {town.office}),
        (3, "d3", {town.office, town.officer}),
        (7, "d7", {town.office, town.officer, town.section_head}),
        (15, "d15", {town.office, town.officer, town.section_head, town.leadership, town.town_admin}),
    ]:
        before = set(Notification.objects.values_list("pk", flat=True))
        sweep(day(offset))
        new = Notification.objects.exclude(pk__in=before)
        assert {n.recipient for n in new} == told, level
        assert {n.reminder.level for n in new} == {level}
    nobody_else = {town.other_office, town.other_officer, town.unit_office}
    assert not Notification.objects.filter(recipient__in=nobody_else).exists()
    assert finding.pk in set(Reminder.objects.values_list("object_id", flat=True))


def test_a_unit_responsible_for_the_fix_is_told_instead_of_the_village(town, unit_a):
    (finding,) = record(town, responsible_unit=unit_a)

    sweep_days(day(-3), day(20))

    assert notification_rows() == expected_notifications(town, finding, office=town.unit_office)
    assert card_rows() == {
        ("yellow", f"unit:{unit_a.pk}", f"finding:{finding.pk}", 2026),
        ("red", f"unit:{unit_a.pk}", f"finding:{finding.pk}", 2026),
    }


def test_a_first_sweep_late_reminds_once_at_the_rung_reached_and_tells_everybody_once(town):
    (finding,) = record(town)

    first = sweep(day(20))
    second = sweep(day(20))
    later = sweep_days(day(21), day(40))

    # the rung the finding has reached, not every rung below it at once; due soon is not sent late
    assert {level.level: level.reminders for level in first.levels if level.reminders} == {"d15": 1}
    assert reminder_rows() == {(OVERDUE, "d15", finding.pk, D)}
    # everybody the rungs below would have told hears of it once
    assert notification_rows() == [row for row in expected_notifications(town, finding) if row[1] == "d15"]
    assert (second.reminders, second.notifications) == (0, 0)
    assert not any(later.values())


def test_a_first_sweep_late_issues_the_highest_card_only(town):
    (finding,) = record(town)
    (younger,) = record(town, deadline=day(10))

    sweep(day(20))  # the first finding is 20 days overdue, the younger one 10

    assert card_rows() == {
        ("red", f"village:{town.village.pk}", f"finding:{finding.pk}", 2026),
        ("yellow", f"village:{town.village.pk}", f"finding:{younger.pk}", 2026),
    }
    assert SupervisionLetter.objects.get().card.source == f"finding:{finding.pk}"


def test_findings_of_another_village_and_closed_findings_are_not_reminded(town, village_b, other_officer):
    (kept,) = record(town)
    (done,) = record(town)
    closed(done, town.office, town.officer)
    other_site = make_site(village_b)
    (elsewhere,) = record_findings(
        officer=other_officer, site=other_site, deadline=day(5), started_at=RECORDED - dt.timedelta(hours=1)
    )

    sweep(day(1))

    assert reminder_rows() == {(OVERDUE, "d1", kept.pk, D)}
    assert notification_rows() == [(town.office.username, "d1", kept.pk)]
    assert elsewhere.pk not in {row[2] for row in reminder_rows()}


def test_a_reminder_recorded_by_other_means_and_never_notified_is_notified_by_the_next_sweep(town):
    (finding,) = record(town)
    imported = Reminder.objects.create(kind=OVERDUE, level="d1", object_id=finding.pk, anchor=D)

    result = sweep(day(1))

    assert (result.reminders, result.notifications) == (0, 1)
    imported.refresh_from_db()
    assert imported.notified_at is not None
    assert notification_rows() == [(town.office.username, "d1", finding.pk)]


# --- cards and supervision letters -----------------------------------------------------------------


def test_day_seven_records_a_yellow_card_and_day_fifteen_a_red_card_with_a_draft_letter(town):
    (finding,) = record(town)
    party = f"village:{town.village.pk}"

    sweep_days(day(-3), day(6))
    assert not Card.objects.exists()

    sweep(day(7))
    assert card_rows() == {("yellow", party, f"finding:{finding.pk}", 2026)}
    yellow = Card.objects.get()
    assert yellow.village == town.village and yellow.unit is None
    assert finding.number in yellow.reason
    assert yellow.url == finding.get_absolute_url()
    assert not SupervisionLetter.objects.exists()

    sweep_days(day(8), day(20))
    assert card_rows() == {
        ("yellow", party, f"finding:{finding.pk}", 2026),
        ("red", party, f"finding:{finding.pk}", 2026),
    }
    red = Card.objects.get(color=Card.Color.RED)
    letter = SupervisionLetter.objects.get()
    assert letter.card == red
    assert (letter.status, letter.number, letter.sent_at) == (SupervisionLetter.Status.DRAFT, "", None)
    assert list(Card.objects.filter(village=town.village).values_list("color", flat=True).order_by("color")) == [
        "red",
        "yellow",
    ]


def test_a_second_yellow_card_in_a_year_turns_into_a_red_card_for_that_party(town, village_b, other_officer):
    (first,) = record(town, deadline=D)
    (second,) = record(town, deadline=day(20))
    # another village with a single yellow card gets no red one
    (other,) = record_findings(
        officer=other_officer, site=make_site(village_b), deadline=D, started_at=RECORDED - dt.timedelta(hours=1)
    )
    party = f"village:{town.village.pk}"

    sweep(day(7))
    assert card_rows() == {
        ("yellow", party, f"finding:{first.pk}", 2026),
        ("yellow", f"village:{village_b.pk}", f"finding:{other.pk}", 2026),
    }
    # close the first two before day 15, so that their own red cards do not muddle the picture
    closed(first, town.office, town.officer)
    closed(other, town.other_office, other_officer)

    sweep(day(27))  # the second finding is 7 days overdue

    assert card_rows() == {
        ("yellow", party, f"finding:{first.pk}", 2026),
        ("yellow", party, f"finding:{second.pk}", 2026),
        ("red", party, "second-yellow:2026", 2026),
        ("yellow", f"village:{village_b.pk}", f"finding:{other.pk}", 2026),
    }
    red = Card.objects.get(color=Card.Color.RED)
    assert red.village == town.village
    assert SupervisionLetter.objects.get().card == red

    sweep(day(28))
    assert Card.objects.filter(color=Card.Color.RED).count() == 1
    assert SupervisionLetter.objects.count() == 1


def test_yellow_cards_of_different_years_do_not_add_up(town, clock):
    (first,) = record(town, deadline=dt.date(2026, 12, 20))
    sweep(dt.date(2026, 12, 27))
    clock.move_to(dt.datetime(2027, 1, 5, 9, 0, tzinfo=SHANGHAI))
    record(town, deadline=dt.date(2027, 1, 10))
    closed(first, town.office, town.officer)

    sweep(dt.date(2027, 1, 17))

    assert set(Card.objects.values_list("color", "year")) == {("yellow", 2026), ("yellow", 2027)}


# --- a moved deadline --------------------------------------------------------------------------------


def test_a_moved_deadline_restarts_the_ladder_from_the_new_deadline(town):
    (finding,) = record(town)
    sweep_days(day(-3), day(4))
    assert {row[1] for row in reminder_rows()} == {"due_soon", "d1", "d3"}
    new_deadline = day(10)

    finding_update(finding=finding, by=town.officer, note="村里申请延期", deadline=new_deadline)
    created, cards = {}, {}
    for offset in range(5, 31):
        result = sweep(day(offset))
        created[day(offset)] = {level.level: level.reminders for level in result.levels if level.reminders}
        cards[day(offset)] = set(Card.objects.values_list("color", flat=True))

    assert {when: levels for when, levels in created.items() if levels} == {
        day(-2, new_deadline): {"due_soon": 1},
        day(1, new_deadline): {"d1": 1},
        day(3, new_deadline): {"d3": 1},
        day(7, new_deadline): {"d7": 1},
        day(15, new_deadline): {"d15": 1},
    }
    assert reminder_rows() == {
        (DUE_SOON, "due_soon", finding.pk, D),
        (OVERDUE, "d1", finding.pk, D),
        (OVERDUE, "d3", finding.pk, D),
        (DUE_SOON, "due_soon", finding.pk, new_deadline),
        *((OVERDUE, level, finding.pk, new_deadline) for level in ("d1", "d3", "d7", "d15")),
    }
    # the cards count from the new deadline too: no yellow on the old day 7
    assert cards[day(7)] == set()
    assert cards[day(6, new_deadline)] == set()
    assert cards[day(7, new_deadline)] == {"yellow"}
    assert cards[day(15, new_deadline)] == {"yellow", "red"}


def test_notifications_of_the_old_deadline_not_yet_sent_are_withdrawn(town):
    (finding,) = record(town)
    sweep(day(1))
    old = Notification.objects.get()

    finding_update(finding=finding, by=town.officer, deadline=day(10))
    sweep(day(1))  # nothing is due under the new deadline yet

    assert withdraw_stale() == 1
    old.refresh_from_db()
    assert old.cancelled_at is not None
    assert Notification.objects.for_user(town.office).count() == 0


# --- closed between sweep and send; nobody to write to -------------------------------------------------


def test_a_finding_closed_after_the_sweep_sends_nothing_in_the_digest(town, settings, mailoutbox, sms_outbox):
    town.office.email, town.office.phone = "shangyuan@example.org", "13800000001"
    town.office.save()
    (finding,) = record(town)
    sweep(day(1))
    notification = Notification.objects.get(recipient=town.office)

    closed(finding, town.office, town.officer)
    result = send_digests(day(1))

    assert result.withdrawn == 1
    assert mailoutbox == [] and sms_outbox == []
    assert result.sent == {"email": 0, "sms": 0}
    notification.refresh_from_db()
    assert notification.cancelled_at is not None
    assert (notification.emailed_at, notification.texted_at) == (None, None)
    assert not DigestDelivery.objects.exists()


def test_a_recipient_without_email_or_phone_still_gets_the_inbox_item_and_is_listed(town):
    town.officer.email = "officer@example.org"
    town.officer.save()
    record(town)

    sweep(day(3))

    # first seen three days overdue: the day-3 rung tells both, once
    assert Notification.objects.for_user(town.office).unread().count() == 1
    assert Notification.objects.for_user(town.officer).unread().count() == 1
    gaps = recipients_without_contact()
    assert gaps["email"] == [town.office]
    assert gaps["sms"] == [town.officer, town.office]


@pytest.fixture
def sms_outbox(settings):
    from chashan_safety.sms import LocmemBackend

    settings.SMS_BACKEND = "chashan_safety.sms.LocmemBackend"
    LocmemBackend.outbox = []
    yield LocmemBackend.outbox
    LocmemBackend.outbox = []


# --- cost ------------------------------------------------------------------------------------------------


def _counted_sweep(when: dt.date):
    with CaptureQueriesContext(connection) as queries:
        result = sweep(when)
    return result, len(queries.captured_queries)


def test_the_sweep_makes_as_many_queries_for_50_overdue_findings_as_for_5(town):
    record(town, count=5)
    few, few_queries = _counted_sweep(day(20))
    later = day(30)
    record(town, count=50, deadline=later)
    many, many_queries = _counted_sweep(day(20, later))
    again, again_queries = _counted_sweep(day(20, later))

    # one reminder each, at the rung reached; five people told of each: an item apiece for five
    # findings, one group item per person for fifty
    assert (few.reminders, few.notifications, few.told) == (5, 5 * 5, 5 * 5)
    assert (many.reminders, many.notifications, many.told) == (50, 5, 50 * 5)
    assert (again.reminders, again.notifications) == (0, 0)
    assert many_queries == few_queries
    assert again_queries <= few_queries
