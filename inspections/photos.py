"""Checking and re-encoding uploaded photos.

Only JPEG, PNG and WebP are taken, at most 10 MB and 40 megapixels. Pillow reads the header,
verifies the file, opens it again, applies the camera's orientation, shrinks it to at most
2048 px, and encodes a fresh JPEG with no metadata (so no GPS position leaves the phone), plus a
thumbnail. Nothing of the uploaded bytes or file name is kept.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
THUMB_SIDE = 320
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PHOTOS_PER_UPLOAD = 12

# Pillow's own guard, at our limit: a larger image warns, twice as large raises
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


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


def process_photo(upload) -> ProcessedPhoto:
    """Check one uploaded file and return it re-encoded, or raise ValidationError in plain words."""
    if upload.size > MAX_BYTES:
        message = _("A photo may be at most 10 MB; this one is %(size).1f MB.")
        raise ValidationError(message % {"size": upload.size / 2**20})
    try:
        with warnings.catch_warnings():
            # a decompression bomb warns first; treat the warning as the refusal it is
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise ValidationError(_("Only JPEG, PNG or WebP photos are accepted."))
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationError(_("The photo has too many pixels (at most 40 megapixels)."))
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as opened:
                opened.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced scale where it can
                image = ImageOps.exif_transpose(opened)
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(_("The photo has too many pixels (at most 40 megapixels).")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("This file is not a photo that can be read (JPEG, PNG or WebP).")) from None

    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode == "L":
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
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
