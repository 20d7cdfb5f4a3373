"""Supervision letters (督办函): what lies behind a card, sending a letter with its number, and its PDF.

A card's ``source`` names what it was given for ("finding:123", "second-yellow:2026"). This app
knows no findings: the app that records cards for its objects registers, with
``register_card_source``, how to read the facts a letter states (number, site, description,
deadline). Imports keep pointing one way.

WeasyPrint is imported where a PDF is made, so that the portal runs without it; it needs pango and
a CJK font from the system (Debian: ``libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chashan_safety.models import Counter, Notification, Role, User
from responsibility.models import Card, SupervisionLetter

log = logging.getLogger(__name__)

DEFAULT_NUMBER_FORMAT = "茶应急督〔{year}〕{n}号"
DEFAULT_RECTIFY_DAYS = 7
PDF_STYLESHEET = "css/print-pdf.css"


def number_format() -> str:
    return getattr(settings, "SUPERVISION_LETTER_NUMBER_FORMAT", DEFAULT_NUMBER_FORMAT)


def rectify_days() -> int:
    return int(getattr(settings, "SUPERVISION_LETTER_RECTIFY_DAYS", DEFAULT_RECTIFY_DAYS))


def issuing_office() -> str:
    return str(getattr(settings, "SUPERVISION_LETTER_OFFICE", "") or _("Chashan Town Work Safety Committee Office"))


# --- what lies behind a card ------------------------------------------------------------------------


@dataclass(frozen=True)
class CardFacts:
    """The object a card was given for, as a supervision letter states it."""

    number: str
    place: str
    description: str
    deadline: dt.date
    closed_on: dt.date | None = None
    url: str = ""

    def days_overdue(self, day: dt.date) -> int:
        """Days past the deadline on ``day`` (or on the day it was closed, if earlier); 0 when not late."""
        until = min(day, self.closed_on) if self.closed_on else day
        return max((until - self.deadline).days, 0)


#: "finding" → ids → facts; one query for all ids
_card_sources: dict[str, Callable[[list[int]], dict[int, CardFacts]]] = {}


def register_card_source(prefix: str, facts: Callable[[list[int]], dict[int, CardFacts]]) -> None:
    """Tell letters how to read cards whose source is ``"<prefix>:<id>"``."""
    _card_sources[prefix] = facts


def _source_id(card: Card) -> tuple[str, int | None]:
    prefix, _sep, rest = card.source.partition(":")
    return prefix, int(rest) if rest.isdigit() else None


def card_facts(cards: Iterable[Card]) -> dict[int, CardFacts]:
    """The facts behind each card whose source an app registered, one query per source."""
    wanted: dict[str, dict[int, list[Card]]] = {}
    for card in cards:
        prefix, object_id = _source_id(card)
        if prefix in _card_sources and object_id is not None:
            wanted.setdefault(prefix, {}).setdefault(object_id, []).append(card)
    found: dict[int, CardFacts] = {}
    for prefix, by_id in wanted.items():
        for object_id, facts in _card_sources[prefix](list(by_id)).items():
            for card in by_id.get(object_id, []):
                found[card.pk] = facts
    return found


# --- the letter's content ----------------------------------------------------------------------------


@dataclass
class LetterContent:
    letter: SupervisionLetter
    party: object
    issued_on: dt.date
    rectify_by: dt.date
    office: str
    #: the card's own facts (a finding card)
    facts: CardFacts | None = None
    #: for a red card given at the second yellow: the year's yellow cards with their facts
    yellow_cards: list[tuple[Card, CardFacts | None]] = field(default_factory=list)

    @property
    def days_overdue(self) -> int:
        return self.facts.days_overdue(self.issued_on) if self.facts else 0


def letter_content(letter: SupervisionLetter, today: dt.date | None = None) -> LetterContent:
    """What the letter says: a sent letter as on the day it was sent, a draft as if sent today."""
    card = letter.card
    issued_on = timezone.localdate(letter.sent_at) if letter.sent_at else (today or timezone.localdate())
    content = LetterContent(
        letter=letter,
        party=card.party,
        issued_on=issued_on,
        rectify_by=issued_on + dt.timedelta(days=rectify_days()),
        office=issuing_office(),
    )
    if card.source.startswith("second-yellow:"):
        yellows = list(
            Card.objects.filter(party_key=card.party_key, color=Card.Color.YELLOW, year=card.year).order_by(
                "issued_at", "pk"
            )
        )
        facts = card_facts(yellows)
        content.yellow_cards = [(yellow, facts.get(yellow.pk)) for yellow in yellows]
    else:
        content.facts = card_facts([card]).get(card.pk)
    return content


# --- sending -------------------------------------------------------------------------------------------


def _party_offices(card: Card):
    if card.village_id:
        return User.objects.filter(is_active=True, role=Role.VILLAGE_OFFICE, village_id=card.village_id)
    return User.objects.filter(is_active=True, role=Role.UNIT_OFFICE, unit_id=card.unit_id)


@transaction.atomic
def supervision_letter_send(*, letter: SupervisionLetter, by: User) -> SupervisionLetter:
    """Number the letter (茶应急督〔year〕N号), mark it sent, and tell the party's office in its inbox."""
    if not by.is_town_admin:
        raise PermissionDenied
    # lock: two administrators may press "send" at once; the second finds it sent
    letter = (
        SupervisionLetter.objects.select_for_update(of=("self",))
        .select_related("card__village", "card__unit")
        .get(pk=letter.pk)
    )
    if letter.status == SupervisionLetter.Status.SENT:
        raise ValidationError(
            _("This supervision letter was already sent as %(number)s; it cannot be sent again."),
            params={"number": letter.number},
        )
    now = timezone.now()
    year = timezone.localdate(now).year
    letter.number = number_format().format(year=year, n=Counter.next_value("supervision", year))
    letter.status = SupervisionLetter.Status.SENT
    letter.sent_at = now
    letter.sent_by = by
    letter._history_user = by
    letter.save()
    content = letter_content(letter)
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("Supervision letter %(number)s: rectify by %(date)s and report back") % {
            "number": letter.number,
            "date": content.rectify_by.isoformat(),
        }
    url = reverse("responsibility:letter-detail", args=[letter.pk])
    Notification.objects.bulk_create(
        [
            Notification(recipient=user, title=title[:200], url=url, created_at=now)
            for user in _party_offices(letter.card)
        ]
    )
    return letter


# --- the PDF ------------------------------------------------------------------------------------------


class PdfUnavailable(Exception):
    """The PDF could not be made here (WeasyPrint, pango or the fonts missing, or a rendering failure)."""


def render_pdf(html: str, *, base_url: str = "") -> bytes:
    try:
        import weasyprint  # here, not at the top: the rest of the portal runs without it
    except (ImportError, OSError) as error:  # OSError: pango's shared libraries are missing
        raise PdfUnavailable(f"WeasyPrint cannot be loaded: {error}") from error
    stylesheet = finders.find(PDF_STYLESHEET)
    try:
        document = weasyprint.HTML(string=html, base_url=base_url or None)
        return document.write_pdf(stylesheets=[weasyprint.CSS(filename=stylesheet)] if stylesheet else None)
    except Exception as error:  # a rendering failure is reported on the page, not as a server error
        raise PdfUnavailable(f"WeasyPrint failed: {error}") from error


def supervision_letter_pdf(letter: SupervisionLetter) -> bytes:
    """The letter as an A4 PDF in Chinese: an official document reads the same whoever prints it."""
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "responsibility/pdf/supervision_letter.html", {"content": letter_content(letter), "for_pdf": True}
        )
    return render_pdf(html)


def pdf_filename(letter: SupervisionLetter) -> str:
    return f"督办函-{letter.number}.pdf" if letter.number else f"督办函-草稿-{letter.pk}.pdf"
