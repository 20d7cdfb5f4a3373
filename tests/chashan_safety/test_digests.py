"""The daily digests: one e-mail and one SMS per person per day, listing all their new items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chashan_safety import digests
from chashan_safety.digests import MAX_LISTED, recipients_without_contact, send_digests, withdraw_stale
from chashan_safety.models import DigestDelivery, Notification
from chashan_safety.reminders import sweep
from chashan_safety.sms import LocmemBackend
from tests.chashan_safety import test_reminder_ladder as ladder
from tests.chashan_safety.test_reminder_ladder import closed, day, record

# the ladder module's fixtures: the fixed clock, the town and its people, photos under a temporary directory
clock, town, _media = ladder.clock, ladder.town, ladder._media


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "chashan_safety.sms.LocmemBackend"
    LocmemBackend.outbox = []
    yield LocmemBackend.outbox
    LocmemBackend.outbox = []


@pytest.fixture
def reachable(town, settings):
    """The village office and the zone officer can be written to; the others have no contact."""
    settings.PORTAL_BASE_URL = "https://aj.chashan.example"
    town.office.email, town.office.phone = "shangyuan@example.org", "13800000001"
    town.office.save()
    town.officer.email, town.officer.phone = "chen@example.org", "13800000002"
    town.officer.save()
    return town


def deliveries() -> set[tuple]:
    return set(DigestDelivery.objects.values_list("recipient__username", "channel", "day", "item_count"))


def test_several_findings_make_one_email_and_one_sms_per_person_listing_them_all(reachable, mailoutbox, sms_outbox):
    town = reachable
    findings = record(town, count=3)
    sweep(day(3))  # d1 → the village office (3 items); d3 → the officer (3 items)

    result = send_digests(day(3))

    assert result.sent == {"email": 2, "sms": 2}
    assert sorted(message.to[0] for message in mailoutbox) == ["chen@example.org", "shangyuan@example.org"]
    office_mail = next(message for message in mailoutbox if message.to == ["shangyuan@example.org"])
    for finding in findings:
        assert finding.number in office_mail.body
        assert f"https://aj.chashan.example/findings/{finding.pk}/" in office_mail.body
    assert "https://aj.chashan.example/inbox/" in office_mail.body
    assert "3" in office_mail.subject
    assert sorted(message.phone for message in sms_outbox) == ["13800000001", "13800000002"]
    assert all("3" in message.text for message in sms_outbox)
    assert deliveries() == {
        ("village", "email", day(3), 3),
        ("village", "sms", day(3), 3),
        ("officer", "email", day(3), 3),
        ("officer", "sms", day(3), 3),
    }
    sent = Notification.objects.filter(recipient__in=[town.office, town.officer])
    assert sent.count() == 6
    assert not sent.filter(emailed_at__isnull=True).exists()
    assert not sent.filter(texted_at__isnull=True).exists()


def test_a_second_run_the_same_day_sends_nothing_even_with_new_items(reachable, mailoutbox, sms_outbox):
    town = reachable
    record(town, count=2)
    sweep(day(1))
    send_digests(day(1))
    assert (len(mailoutbox), len(sms_outbox)) == (1, 1)

    again = send_digests(day(1))
    record(town, deadline=day(-1))  # a new item arrives the same day
    sweep(day(1))
    third = send_digests(day(1))

    assert (len(mailoutbox), len(sms_outbox)) == (1, 1)
    assert again.sent == third.sent == {"email": 0, "sms": 0}
    # it waits for tomorrow's digest, which lists only what is new
    tomorrow = send_digests(day(2))
    assert tomorrow.sent == {"email": 1, "sms": 1}
    assert (len(mailoutbox), len(sms_outbox)) == (2, 2)
    assert DigestDelivery.objects.get(channel="email", day=day(2)).item_count == 1


def test_people_without_email_or_phone_get_no_digest_and_are_listed(town, mailoutbox, sms_outbox):
    town.office.email = "shangyuan@example.org"  # e-mail, but no phone
    town.office.save()
    record(town)
    sweep(day(3))

    result = send_digests(day(3))

    assert result.sent == {"email": 1, "sms": 0}
    assert [message.to for message in mailoutbox] == [["shangyuan@example.org"]]
    assert sms_outbox == []
    assert result.no_contact == {"email": [town.officer.pk], "sms": sorted([town.officer.pk, town.office.pk])}
    # the gaps stay listed for the town administrator until someone fills them
    assert recipients_without_contact() == {"email": [town.officer], "sms": [town.officer, town.office]}
    # the inbox has the items all the same
    assert Notification.objects.for_user(town.officer).unread().count() == 1


def test_a_failed_send_is_retried_by_the_next_run(reachable, mailoutbox, sms_outbox, monkeypatch):
    town = reachable
    record(town)
    sweep(day(1))
    real_send_mail = digests.send_mail

    def refuse(*args, **kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr(digests, "send_mail", refuse)
    failed = send_digests(day(1))
    assert (failed.sent, failed.failed) == ({"email": 0, "sms": 1}, {"email": 1, "sms": 0})
    assert deliveries() == {("village", "sms", day(1), 1)}

    monkeypatch.setattr(digests, "send_mail", real_send_mail)
    retried = send_digests(day(1))

    assert retried.sent == {"email": 1, "sms": 0}
    assert len(mailoutbox) == 1 and len(sms_outbox) == 1
    assert Notification.objects.get(recipient=town.office).emailed_at is not None


def test_a_long_digest_lists_the_newest_items_and_counts_the_rest(reachable, mailoutbox, sms_outbox, settings):
    settings.REMINDER_GROUP_OVER = 100  # items of their own, not one group
    town = reachable
    record(town, count=MAX_LISTED + 4)
    sweep(day(1))

    send_digests(day(1))

    (mail,) = mailoutbox
    assert mail.body.count("/findings/") == MAX_LISTED
    assert "4" in mail.body.splitlines()[-3]
    assert DigestDelivery.objects.get(channel="email").item_count == MAX_LISTED + 4


def test_inactive_people_and_withdrawn_items_are_not_sent(reachable, mailoutbox, sms_outbox):
    town = reachable
    first, second = record(town, count=2)
    sweep(day(3))
    closed(second, town.office, town.officer)
    town.officer.is_active = False
    town.officer.save()

    result = send_digests(day(3))

    assert result.withdrawn == 2  # the closed finding's d1 (office) and d3 (officer)
    assert [message.to for message in mailoutbox] == [["shangyuan@example.org"]]
    (mail,) = mailoutbox
    assert first.number in mail.body and second.number not in mail.body
    assert deliveries() == {("village", "email", day(3), 1), ("village", "sms", day(3), 1)}


def test_digests_do_not_send_a_finding_whose_deadline_moved_since_the_sweep(reachable, mailoutbox, sms_outbox):
    from inspections.services import finding_update

    town = reachable
    (finding,) = record(town)
    sweep(day(1))
    finding_update(finding=finding, by=town.officer, deadline=day(10))

    result = send_digests(day(1))

    assert result.withdrawn == 1
    assert mailoutbox == [] and sms_outbox == []


def test_digest_day_is_the_day_given(reachable, mailoutbox, sms_outbox):
    record(reachable)
    sweep(day(1))

    send_digests(dt.date(2026, 3, 11))

    assert {row[2] for row in deliveries()} == {dt.date(2026, 3, 11)}


def test_the_digest_task_is_retried_while_a_send_fails_and_sends_each_digest_once(
    reachable, mailoutbox, sms_outbox, monkeypatch
):
    from chashan_safety.tasks import send_digests as send_digests_task

    record(reachable)
    sweep(day(1))
    real_send_mail = digests.send_mail
    failures = []

    def fail_once(*args, **kwargs):
        if not failures:
            failures.append(args)
            raise OSError("mail server unreachable")
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr(digests, "send_mail", fail_once)

    send_digests_task.apply(args=[day(1).isoformat()])  # eager here: the retry runs at once

    assert len(failures) == 1
    assert [message.to for message in mailoutbox] == [["shangyuan@example.org"]]
    assert len(sms_outbox) == 1  # sent by the first try, not again by the retry
    assert deliveries() == {("village", "email", day(1), 1), ("village", "sms", day(1), 1)}


def test_an_office_landline_gets_no_sms_and_is_listed_as_no_mobile(
    town, mailoutbox, sms_outbox, client_for, town_admin
):
    town.office.email, town.office.phone = "shangyuan@example.org", "0769-86641101"
    town.office.save()
    town.officer.phone = "138 0000 0002"  # written with spaces: still a mobile number
    town.officer.save()
    record(town)
    sweep(day(3))

    result = send_digests(day(3))

    assert [message.phone for message in sms_outbox] == ["138 0000 0002"]
    assert result.sent["sms"] == 1
    assert result.no_contact["sms"] == [town.office.pk]
    assert recipients_without_contact()["sms"] == [town.office]
    page = client_for(town_admin).get(reverse("reminders-no-contact"))
    row = page.content.decode().split(f'data-user="{town.office.username}"')[1].split("</tr>")[0]
    assert "0769-86641101" in row and "不是手机号，收不到短信" in row


def test_items_older_than_the_window_stay_in_the_inbox_and_are_not_sent_late(town, clock, mailoutbox, sms_outbox):
    """An office without contact details for weeks: once they are filled in, its first digest is not a backlog."""
    old_findings = record(town, count=2)
    sweep(day(1))  # items for the village office, which has neither e-mail nor mobile number
    assert send_digests(day(1)).no_contact["email"] == [town.office.pk]

    clock.shift(dt.timedelta(days=8))  # past DIGEST_WINDOW_DAYS (7)
    assert recipients_without_contact()["email"] == []  # nothing of theirs could still be sent
    town.office.email = "shangyuan@example.org"
    town.office.save()
    closed(old_findings[0], town.office, town.officer)

    assert send_digests(day(9)).sent["email"] == 0
    assert mailoutbox == []
    # too old to go out, so not checked again either: the inbox keeps both items as they were
    assert withdraw_stale() == 0
    assert Notification.objects.for_user(town.office).filter(cancelled_at__isnull=True).count() == 2

    new_finding = record(town, deadline=day(8))[0]
    sweep(day(9))  # the new finding's first rung, and the open old one's next rung: both new items
    result = send_digests(day(10))

    assert result.sent["email"] == 1
    [message] = mailoutbox
    assert new_finding.number in message.body and old_findings[1].number in message.body
    assert old_findings[0].number not in message.body


def test_the_window_is_a_setting(town, clock, settings, mailoutbox):
    settings.DIGEST_WINDOW_DAYS = 30
    record(town, count=1)
    sweep(day(1))
    clock.shift(dt.timedelta(days=8))
    town.office.email = "shangyuan@example.org"
    town.office.save()

    assert send_digests(day(9)).sent["email"] == 1
    assert len(mailoutbox) == 1
