"""The demo letters: five years to every party, almost all signed, a few late this year, with scores."""

from __future__ import annotations

from django.utils import timezone

from chashan_safety.registry import demo_loaders
from responsibility.models import ResponsibilityLetter, ScoreEntry
from responsibility.signing import letter_verify


def load(*keys):
    for loader in demo_loaders():
        if loader.key in keys:
            loader.load()


def test_the_demo_letters_load_twice_without_change(db):
    load("responsibility", "accounts", "letters")
    year = timezone.localdate().year
    letters = ResponsibilityLetter.objects.all()
    assert letters.count() == 5 * 55
    assert set(letters.values_list("year", flat=True)) == set(range(year - 4, year + 1))
    unsigned = letters.filter(signed_at__isnull=True)
    assert set(unsigned.values_list("year", flat=True)) == {year}
    assert sorted(unsigned.values_list("party_name", flat=True)) == sorted(
        ["横江村", "城市更新中心", "茶山物流园有限公司"]
    )
    assert ScoreEntry.objects.filter(letter__year=year - 1).exists()
    signed = letters.filter(signed_at__isnull=False).first()
    assert letter_verify(signed).matches
    before = (ResponsibilityLetter.objects.count(), ScoreEntry.objects.count())

    load("letters")
    assert (ResponsibilityLetter.objects.count(), ScoreEntry.objects.count()) == before
