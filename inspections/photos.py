"""Checking and re-encoding uploaded photos.

Only JPEG, PNG and WebP are taken, at most 10 MB and 40 megapixels; fewer for what is decoded whole:
12 for a PNG, 10 for a WebP, 16 for a progressive JPEG (12 in CMYK). ``chashan_safety.images`` checks
the file and decodes it already shrunk to at most 2048 px, upright and with no metadata (so no GPS
position leaves the phone); here it is encoded as a fresh JPEG, plus a thumbnail. Nothing of the
uploaded bytes or file name is kept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image

from chashan_safety.images import JPEG_FORMATS, Limits, Refused, decode_shrunk

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
#: a PNG, a WebP or a progressive JPEG is decoded whole (``chashan_safety.images``)
MAX_WHOLE_PIXELS = {"PNG": 12_000_000, "WEBP": 10_000_000, "JPEG": 16_000_000}
MAX_SIDE = 2048
THUMB_SIDE = 320
ALLOWED_FORMATS = frozenset({*JPEG_FORMATS, "PNG", "WEBP"})
LIMITS = Limits(formats=ALLOWED_FORMATS, max_pixels=MAX_PIXELS, whole=MAX_WHOLE_PIXELS, max_side=MAX_SIDE)
MAX_PHOTOS_PER_UPLOAD = 12


@dataclass(frozen=True)
class ProcessedPhoto:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int

    @property
    def size(self) -> int:
        return self.image.size


def _encode(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=name)


def _refusal(refused: Refused) -> ValidationError:
    if refused.reason == Refused.NOT_ACCEPTED:
        return ValidationError(_("Only JPEG, PNG or WebP photos are accepted."))
    if refused.reason == Refused.TOO_MANY_PIXELS and refused.limit < MAX_PIXELS:
        message = _(
            "The photo has too many pixels for a PNG, a WebP or a progressive JPEG (at most %(megapixels)d "
            "megapixels): send the camera's own JPEG, or a smaller picture."
        )
        return ValidationError(message % {"megapixels": refused.limit // 1_000_000})
    if refused.reason == Refused.TOO_MANY_PIXELS:
        return ValidationError(_("The photo has too many pixels (at most 40 megapixels)."))
    return ValidationError(_("This file is not a photo that can be read (JPEG, PNG or WebP)."))


def process_photo(upload) -> ProcessedPhoto:
    """Check one uploaded file and return it re-encoded, or raise ValidationError in plain words."""
    if upload.size > MAX_BYTES:
        message = _("A photo may be at most 10 MB; this one is %(size).1f MB.")
        raise ValidationError(message % {"size": upload.size / 2**20})
    try:
        image = decode_shrunk(upload, LIMITS)
    except Refused as refused:
        raise _refusal(refused) from None
    full = _encode(image, "photo.jpg")
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(image=full, thumbnail=_encode(thumb, "thumb.jpg"), width=image.width, height=image.height)


def process_photos(uploads) -> list[ProcessedPhoto]:
    """Process several uploads; the first bad one stops all, so that nothing is half-saved."""
    uploads = list(uploads)
    if len(uploads) > MAX_PHOTOS_PER_UPLOAD:
        raise ValidationError(_("At most %(count)d photos at a time.") % {"count": MAX_PHOTOS_PER_UPLOAD})
    processed = []
    for upload in uploads:
        try:
            processed.append(process_photo(upload))
        except ValidationError as error:
            name = getattr(upload, "name", "")
            message = _("%(name)s: %(error)s") % {"name": name, "error": " ".join(error.messages)}
            raise ValidationError(message) from None
    return processed
