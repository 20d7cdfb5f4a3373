"""``manage.py remind``: run the reminder sweep now, or preview it without writing anything."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from chashan_safety import digests, reminders


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--day {value!r} is not a date like 2026-11-29") from None


class Command(BaseCommand):
    help = "Run the reminder sweep now (--dry-run: only show what it would create); --digests also sends digests."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="sweep as of this date (YYYY-MM-DD); today by default")
        parser.add_argument("--dry-run", action="store_true", help="count what is due without writing or sending")
        parser.add_argument("--digests", action="store_true", help="then send today's e-mail and SMS digests")

    def handle(self, *args, **options):
        day = _day(options["day"]) if options["day"] else None
        if options["dry_run"]:
            result = reminders.preview(day)
            self.stdout.write(f"Preview for {result.day} (nothing written):")
            for level in result.levels:
                self.stdout.write(f"  {level.kind:<22} {level.level:<10} {level.reminders:>7} new reminders")
            self.stdout.write(f"  total {result.reminders} new reminders")
            return
        result = reminders.sweep(day)
        self.stdout.write(f"Sweep for {result.day}:")
        for level in result.levels:
            counts = f"{level.reminders:>7} reminders {level.notifications:>8} inbox items {level.told:>8} told"
            self.stdout.write(f"  {level.kind:<22} {level.level:<10} {counts}")
        self.stdout.write(
            f"  total {result.reminders} reminders, {result.notifications} inbox items telling {result.told}"
        )
        if options["digests"]:
            sent = digests.send_digests(day)
            self.stdout.write(
                f"Digests for {sent.day}: withdrawn {sent.withdrawn}, sent {sent.sent}, failed {sent.failed}, "
                f"without contact { ({k: len(v) for k, v in sent.no_contact.items()}) }"
            )
