"""Decoding an uploaded picture without letting it cost the web worker what its sender chose.

Every photo and scan people upload comes through ``decode_shrunk``: the photos of inspections, findings
and outreach (``inspections.photos``) and the scan of a signed responsibility letter
(``responsibility.signing``; the signing pad's small PNG has its own check there). It reads the header,
refuses what is not a picture of the accepted formats or has too many pixels, verifies the file, and
decodes it already shrunk, upright, flattened on white, with none of the sender's metadata (EXIF and
its GPS position, comments, XMP, colour profile).

What a picture costs to decode depends on how it is stored. A baseline JPEG is decoded by libjpeg at
1/2, 1/4 or 1/8 scale, so even 40 megapixels cost a few tens of MB. A PNG is decoded whole at four
bytes a pixel, a WebP at about twice that (libwebp's buffer and Pillow's), and a progressive JPEG (or
one whose colours come in separate scans) makes libjpeg hold the coefficients of the whole picture:
these are held to fewer pixels (``Limits.whole``). ``tests/security/test_uploads.py`` measures the peak
memory of the largest picture each kind of file may have.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

#: no picture larger than this is ever decoded in the portal: Pillow warns above it and raises above twice it
HARD_MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = HARD_MAX_PIXELS

JPEG_FORMATS = frozenset({"JPEG", "MPO"})  # a phone's JPEG with a depth or HDR map inside is "MPO" to Pillow
# start-of-frame markers of JPEGs that libjpeg decodes row by row (baseline, extended, arithmetic sequential)
_SEQUENTIAL_FRAMES = {0xC0, 0xC1, 0xC9}
_OTHER_FRAMES = {0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_START_OF_SCAN = 0xDA
_MAX_SEGMENTS = 4000
#: a progressive JPEG has about 10 scans (libjpeg's and mozjpeg's scripts); a crafted one may have thousands
MAX_JPEG_SCANS = 100


@dataclass(frozen=True)
class Limits:
    formats: frozenset[str]
    #: a sequential JPEG, decoded at a reduced scale
    max_pixels: int
    #: by format, for a picture decoded whole: PNG, WebP, and under "JPEG" a progressive or multi-scan JPEG
    whole: Mapping[str, int]
    #: the longer side of the decoded picture
    max_side: int


class Refused(Exception):
    """Why a picture is not taken; the caller words it for the person who sent it."""

    NOT_ACCEPTED = "not_accepted"  # a picture, but not of a format we take
    TOO_MANY_PIXELS = "too_many_pixels"  # more than ``limit`` pixels
    UNREADABLE = "unreadable"  # not a picture, or a damaged one

    def __init__(self, reason: str, limit: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


def jpeg_is_decoded_whole(data: bytes) -> bool:
    """Whether libjpeg must hold the whole picture to decode this JPEG: progressive, or colours in separate scans.

    Follows the markers up to the first scan. A file that cannot be followed that far counts as
    decoded whole (the stricter limit); Pillow refuses it later if it is damaged.
    """
    position, components = 2, None  # past the start-of-image marker
    for _segment in range(_MAX_SEGMENTS):
        if data[position : position + 1] != b"\xff":
            return True
        while data[position + 1 : position + 2] == b"\xff":  # fill bytes
            position += 1
        if position + 2 > len(data):
            return True
        code = data[position + 1]
        if code == 0x01 or 0xD0 <= code <= 0xD7:  # markers without a length
            position += 2
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        body = data[position + 4 : position + 2 + length]
        if length < 2 or len(body) < length - 2:
            return True
        if code in _SEQUENTIAL_FRAMES:
            if len(body) < 6:
                return True
            components = body[5]
        elif code in _OTHER_FRAMES:
            return True
        elif code == _START_OF_SCAN:
            return components is None or not body or body[0] < components
        position += 2 + length
    return True


def jpeg_scan_count(data: bytes) -> int:
    """The scans of a JPEG: outside the markers, a 0xFF byte is always followed by 0x00 or a restart marker."""
    return data.count(b"\xff\xda")


def _check_header(probe: Image.Image, limits: Limits) -> None:
    if probe.format not in limits.formats:
        raise Refused(Refused.NOT_ACCEPTED)
    if probe.width * probe.height > limits.max_pixels:
        raise Refused(Refused.TOO_MANY_PIXELS, limits.max_pixels)


def _check_decoding_cost(file: BinaryIO, probe: Image.Image, limits: Limits) -> None:
    if probe.format in JPEG_FORMATS:
        file.seek(0)
        data = file.read()
        # each scan is a pass over the whole picture: thousands of tiny scans keep a worker busy for hours
        if jpeg_scan_count(data) > MAX_JPEG_SCANS:
            raise Refused(Refused.UNREADABLE)
        if not jpeg_is_decoded_whole(data):
            return
        # libjpeg holds every colour component's coefficients: a CMYK picture costs a third more
        limit = limits.whole["JPEG"] * 3 // max(3, probe.layers)
    else:
        limit = limits.whole[probe.format]
    if probe.width * probe.height > limit:
        raise Refused(Refused.TOO_MANY_PIXELS, limit)


def _upright_rgb(opened: Image.Image, max_side: int) -> Image.Image:
    scale = min(1.0, max_side / max(opened.size))
    # a JPEG decodes at 1/2, 1/4 or 1/8 scale where the result still covers the size it is shrunk to
    opened.draft("RGB", (max(1, int(opened.width * scale)), max(1, int(opened.height * scale))))
    image = opened
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        # palette, 1-bit, 16-bit and CMYK pictures become RGB(A) before they are resampled
        has_alpha = image.mode in ("PA", "RGBa", "La") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    # shrink first: turning or flattening the full picture would cost its size again
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    # nothing the sender put in the file is kept: Pillow would write the upload's JPEG comment again
    image.info = {}
    return image


@contextlib.contextmanager
def _strict_decoding():
    """A damaged picture raises, even in a process that has made a PDF.

    WeasyPrint, imported where a PDF is made, sets Pillow's process-wide ``LOAD_TRUNCATED_IMAGES``:
    from then on a truncated upload would decode with a grey band instead of being refused.
    """
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def decode_shrunk(file: BinaryIO, limits: Limits) -> Image.Image:
    """The picture in ``file``: at most ``limits.max_side`` px, upright, RGB on white, no metadata; or ``Refused``."""
    try:
        with warnings.catch_warnings(), _strict_decoding():
            # a decompression bomb warns first; treat the warning as the refusal it is
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            with Image.open(file) as probe:
                _check_header(probe, limits)
                probe.verify()
            _check_decoding_cost(file, probe, limits)
            file.seek(0)
            with Image.open(file) as opened:
                return _upright_rgb(opened, limits.max_side)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise Refused(Refused.TOO_MANY_PIXELS, min(limits.max_pixels, HARD_MAX_PIXELS)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise Refused(Refused.UNREADABLE) from None
