"""``manage.py load_demo``: load the Chashan demo data, then list the demo logins.

Each app registers a ``DemoLoader`` in ``chashan_safety.registry`` from its ``AppConfig.ready()``;
this command runs them in order, each in its own transaction. Every loader finds rows by their
natural keys, so running the command twice creates no duplicates and changes nothing.
"""

from __future__ import annotations

import time
import unicodedata

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from chashan_safety.demo import DEMO_LOGINS, DEMO_PASSWORD
from chashan_safety.registry import demo_loaders


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(_pad(cell, width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


class Command(BaseCommand):
    help = "Load the Chashan demo data (safe to run twice) and list the demo logins."

    def handle(self, *args, **options):
        started = time.monotonic()
        loaders = demo_loaders()
        if not loaders:
            self.stderr.write("No demo loaders are registered.")
            return
        for loader in loaders:
            with transaction.atomic():
                loader.load(stdout=self.stdout)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded by {len(loaders)} loaders in {elapsed:.1f} s."))
        self.stdout.write("")
        self.stdout.write(self.logins_table())

    def logins_table(self) -> str:
        users = {
            user.username: user
            for user in get_user_model()
            .objects.filter(username__in=DEMO_LOGINS)
            .select_related("village", "unit")
            .prefetch_related("zones")
        }
        rows = []
        for username in DEMO_LOGINS:
            user = users.get(username)
            if user is None:
                continue
            rows.append(
                [
                    username,
                    str(user.get_role_display()),
                    user.affiliation or "全镇",
                    user.display_name,
                    DEMO_PASSWORD,
                ]
            )
        header = ["用户名", "角色", "所属", "姓名", "密码"]
        return "演示账号（仅供演示）：\n" + format_table(header, rows)
