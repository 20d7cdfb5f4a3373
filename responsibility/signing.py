"""Responsibility letters: issuing a year's letters, signing them, verifying and archiving them.

A letter's text is composed from its template when it is issued and frozen there: the letter keeps
its own copy, and the template cannot change once a letter was issued from it. Signing stores the
signature image (drawn in the browser, or a scan or photo of the signed paper copy), who signed,
when and from where, and the SHA-256 of the exact text signed and of the stored image. From then on
the letter never changes; the database refuses too (migration 0004). ``letter_verify`` recomputes
both hashes from what is stored.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import warnings
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from chashan_safety.images import JPEG_FORMATS, Limits, Refused, decode_shrunk
from chashan_safety.models import User
from responsibility.models import LetterTemplate, PartyKind, ResponsibilityLetter, TargetItem, Unit, Village

TOWN_PARTY = gettext_lazy("Chashan Town People's Government")

#: a drawn signature arrives as a PNG data URL; a scan or photo as an uploaded file
MAX_DRAWN_BYTES = 512 * 1024
#: the pad is 200 CSS px high and as wide as the page: a few megapixels even on a 4× screen
MAX_DRAWN_PIXELS = 8_000_000
MAX_SCAN_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 30_000_000
MAX_SCAN_SIDE = 2480  # A4 at 300 dpi
SCAN_LIMITS = Limits(
    formats=frozenset({*JPEG_FORMATS, "PNG", "WEBP"}),
    max_pixels=MAX_PIXELS,
    # decoded whole (``chashan_safety.images``): held to what a web worker can afford
    whole={"PNG": 12_000_000, "WEBP": 10_000_000, "JPEG": 16_000_000},
    max_side=MAX_SCAN_SIDE,
)
#: a drawn signature must have ink over at least this much of the pad, in both directions
MIN_STROKE_SPAN = 40
MIN_INK_PIXELS = 150


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def template_points(template: LetterTemplate) -> Decimal:
    return template.items.exclude(section=TargetItem.Section.VETO).aggregate(total=Sum("points"))["total"] or Decimal(0)


def template_is_locked(template: LetterTemplate) -> bool:
    """A template with letters issued from it never changes: their text was frozen from it."""
    return template.letters.exists()


# --- composing the text -------------------------------------------------------------------------------


def compose_text(template: LetterTemplate, party_name: str, items: list[TargetItem]) -> str:
    """The letter's full text as signed: title, parties, body, targets with their points, veto items, term."""
    lines = [
        template.title,
        "",
        _("Party A: %(party)s") % {"party": TOWN_PARTY},
        _("Party B: %(party)s") % {"party": party_name},
        "",
    ]
    lines.append(template.body.strip().replace("\r\n", "\n"))
    number = 0
    for section, label in TargetItem.Section.choices:
        chosen = [item for item in items if item.section == section]
        if not chosen:
            continue
        lines += ["", str(label)]
        for item in chosen:
            number += 1
            if section == TargetItem.Section.VETO:
                lines.append(f"{number}. {item.text}")
            else:
                lines.append(
                    _("%(n)d. %(text)s (%(points)s points)")
                    % {"n": number, "text": item.text, "points": _points(item.points)}
                )
    lines += ["", _("This letter runs from 1 January to 31 December %(year)d.") % {"year": template.year}]
    return "\n".join(lines)


def _points(value: Decimal) -> str:
    return f"{value:.1f}".removesuffix(".0")


# --- issuing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueResult:
    issued: int
    already: int


def _kind_of(party) -> str:
    if isinstance(party, Village):
        return PartyKind.VILLAGE
    return PartyKind.DEPARTMENT if party.kind == Unit.Kind.DEPARTMENT else PartyKind.ENTERPRISE


@transaction.atomic
def letters_issue(
    *,
    year: int,
    deadline: dt.date,
    by: User,
    villages=None,
    units=None,
    issued_at: dt.datetime | None = None,
) -> IssueResult:
    """Issue ``year``'s letters to the chosen villages and units (all 55 when none are chosen).

    Parties that already have the year's letter are skipped. Every party kind issued to needs a
    template for the year whose points add up to 100; otherwise nothing is issued.
    """
    if not by.is_town_admin:
        raise PermissionDenied
    issued_at = issued_at or timezone.now()
    if deadline < timezone.localdate(issued_at):
        raise ValidationError(_("The signing deadline %(date)s has already passed.") % {"date": deadline.isoformat()})
    if villages is None and units is None:
        villages, units = Village.objects.all(), Unit.objects.all()
    parties = list(villages or []) + list(units or [])
    if not parties:
        raise ValidationError(_("Choose at least one village or unit to issue letters to."))
    templates = {t.party_kind: t for t in LetterTemplate.objects.filter(year=year).prefetch_related("items")}
    needed = {_kind_of(party) for party in parties}
    missing = [str(PartyKind(kind).label) for kind in sorted(needed) if kind not in templates]
    if missing:
        raise ValidationError(
            _("There is no %(year)d letter template for: %(kinds)s.") % {"year": year, "kinds": "、".join(missing)}
        )
    for kind in needed:
        items = list(templates[kind].items.all())
        total = sum((item.points for item in items if not item.is_veto), Decimal(0))
        if total != 100:
            raise ValidationError(
                _("The points of the %(template)s template add up to %(total)s, not 100.")
                % {"template": templates[kind], "total": _points(total)}
            )
    existing = set(ResponsibilityLetter.objects.filter(year=year).values_list("party_key", flat=True))
    letters = []
    for party in parties:
        key = f"village:{party.pk}" if isinstance(party, Village) else f"unit:{party.pk}"
        if key in existing:
            continue
        existing.add(key)
        template = templates[_kind_of(party)]
        # an official document reads the same whoever issues it: in the portal's language
        with translation.override(settings.LANGUAGE_CODE):
            text = compose_text(template, party.name, list(template.items.all()))
        letters.append(
            ResponsibilityLetter(
                template=template,
                year=year,
                village=party if isinstance(party, Village) else None,
                unit=party if isinstance(party, Unit) else None,
                party_key=key,
                party_name=party.name,
                title=template.title,
                text=text,
                deadline=deadline,
                issued_at=issued_at,
                issued_by=by,
            )
        )
    ResponsibilityLetter.objects.bulk_create(letters)
    return IssueResult(issued=len(letters), already=len(parties) - len(letters))


# --- the signature image ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureImage:
    data: bytes
    content_type: str
    method: str


def _open_drawn(raw: bytes) -> Image.Image:
    not_image = _("The drawn signature is not a PNG image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                if probe.format != "PNG":
                    raise ValidationError(not_image)
                # a PNG is decoded whole: a small blank one may declare enough pixels to cost gigabytes
                if probe.width * probe.height > MAX_DRAWN_PIXELS:
                    raise ValidationError(_("The drawn signature is too large (at most 8 megapixels)."))
                probe.verify()
            with Image.open(io.BytesIO(raw)) as opened:
                image = ImageOps.exif_transpose(opened)
                image.load()
                return image
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(_("The drawn signature is too large (at most 8 megapixels).")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(not_image) from None


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def drawn_signature(data_url: str) -> SignatureImage:
    """A signature drawn on the pad, sent as ``data:image/png;base64,…``; refused when empty or a dot."""
    prefix = "data:image/png;base64,"
    if not data_url:
        raise ValidationError(_("Draw your signature in the box before signing."))
    if not data_url.startswith(prefix):
        raise ValidationError(_("The drawn signature is not a PNG image."))
    if len(data_url) > MAX_DRAWN_BYTES * 4 // 3 + len(prefix) + 4:
        raise ValidationError(_("The drawn signature is too large (at most 512 KB)."))
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The drawn signature is not a PNG image.")) from None
    image = _on_white(_open_drawn(raw))
    ink = image.convert("L").point(lambda v: 255 if v < 160 else 0)
    box = ink.getbbox()
    inked = ink.histogram()[255]
    if box is None or inked < MIN_INK_PIXELS or max(box[2] - box[0], box[3] - box[1]) < MIN_STROKE_SPAN:
        raise ValidationError(_("The signature is empty or too small: sign your name across the box."))
    # crop to the ink with a margin and encode a fresh PNG: nothing of the sent bytes is kept
    margin = 12
    box = (
        max(box[0] - margin, 0),
        max(box[1] - margin, 0),
        min(box[2] + margin, image.width),
        min(box[3] + margin, image.height),
    )
    buffer = io.BytesIO()
    image.crop(box).convert("L").save(buffer, format="PNG", optimize=True)
    return SignatureImage(buffer.getvalue(), "image/png", ResponsibilityLetter.Method.DRAWN)


def _scan_refusal(refused: Refused) -> ValidationError:
    if refused.reason == Refused.TOO_MANY_PIXELS and refused.limit < MAX_PIXELS:
        message = _(
            "The image has too many pixels for a PNG, a WebP or a progressive JPEG (at most %(megapixels)d "
            "megapixels): send a JPEG, or a smaller scan."
        )
        return ValidationError(message % {"megapixels": refused.limit // 1_000_000})
    if refused.reason == Refused.TOO_MANY_PIXELS:
        return ValidationError(_("The image has too many pixels (at most 30 megapixels)."))
    return ValidationError(_("This file is not an image that can be read (JPEG, PNG or WebP)."))


def scanned_signature(upload) -> SignatureImage:
    """A scan or photo of the signed and stamped paper copy: JPEG, PNG or WebP, re-encoded as JPEG.

    ``chashan_safety.images`` checks it and decodes it already shrunk, upright, on white and with no
    metadata, as it does the photos of findings.
    """
    if upload is None:
        raise ValidationError(_("Choose the scan or photo of the signed letter."))
    if upload.size > MAX_SCAN_BYTES:
        raise ValidationError(
            _("A scan may be at most 8 MB; this one is %(size).1f MB.") % {"size": upload.size / 2**20}
        )
    try:
        image = decode_shrunk(upload, SCAN_LIMITS)
    except Refused as refused:
        raise _scan_refusal(refused) from None
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88, optimize=True)
    return SignatureImage(buffer.getvalue(), "image/jpeg", ResponsibilityLetter.Method.SCAN)


# --- signing ---------------------------------------------------------------------------------------------


def may_sign(user: User, letter: ResponsibilityLetter) -> bool:
    """Only the party's own office signs its letter."""
    if user.is_village_office:
        return letter.village_id is not None and letter.village_id == user.village_id
    if user.is_unit_office:
        return letter.unit_id is not None and letter.unit_id == user.unit_id
    return False


@transaction.atomic
def letter_sign(
    *,
    letter: ResponsibilityLetter,
    by: User,
    signature: SignatureImage,
    signer_name: str,
    address: str = "",
    agent: str = "",
) -> ResponsibilityLetter:
    """Sign ``letter`` for its party with ``signature``; a signed or archived letter is refused."""
    if not may_sign(by, letter):
        raise PermissionDenied
    # lock: two colleagues of the office may press "sign" at once; the second finds it signed
    letter = ResponsibilityLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.signed_at is not None:
        raise ValidationError(
            _("This letter was already signed on %(date)s; a signed letter cannot be signed again.")
            % {"date": timezone.localtime(letter.signed_at).strftime("%Y-%m-%d %H:%M")}
        )
    if letter.archived_at is not None:
        raise ValidationError(_("This letter is archived and can no longer be signed."))
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise ValidationError(_("Give the name of the person signing."))
    letter.signed_at = timezone.now()
    letter.signed_by = by
    letter.signer_name = signer_name[:60]
    letter.signed_from = address or None
    letter.signed_agent = (agent or "")[:300]
    letter.method = signature.method
    letter.signature = signature.data
    letter.signature_type = signature.content_type
    letter.text_sha256 = sha256(letter.text)
    letter.signature_sha256 = sha256(signature.data)
    letter.save(
        update_fields=[
            "signed_at",
            "signed_by",
            "signer_name",
            "signed_from",
            "signed_agent",
            "method",
            "signature",
            "signature_type",
            "text_sha256",
            "signature_sha256",
        ]
    )
    return letter


# --- verifying and archiving ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    text_sha256: str
    signature_sha256: str
    text_matches: bool
    signature_matches: bool

    @property
    def matches(self) -> bool:
        return self.text_matches and self.signature_matches


def letter_verify(letter: ResponsibilityLetter) -> Verification:
    """Recompute both hashes from the stored text and image and compare them with those recorded at signing."""
    if letter.signed_at is None:
        raise ValidationError(_("This letter is not signed yet; there is nothing to verify."))
    text_hash = sha256(letter.text)
    image_hash = sha256(bytes(letter.signature or b""))
    return Verification(
        text_sha256=text_hash,
        signature_sha256=image_hash,
        text_matches=text_hash == letter.text_sha256,
        signature_matches=image_hash == letter.signature_sha256,
    )


@transaction.atomic
def letters_archive(*, year: int, by: User) -> int:
    """Archive the year's letters: signed ones stay as they are, unsigned ones can no longer be signed."""
    if not by.is_town_admin:
        raise PermissionDenied
    return ResponsibilityLetter.objects.filter(year=year, archived_at__isnull=True).update(archived_at=timezone.now())


def default_deadline(year: int) -> dt.date:
    days = int(getattr(settings, "RESPONSIBILITY_LETTER_SIGN_DAYS", 30))
    today = timezone.localdate()
    start = max(today, dt.date(year, 1, 1))
    return start + dt.timedelta(days=days)
