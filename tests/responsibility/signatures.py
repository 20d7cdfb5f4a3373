"""Signature images for the letter tests: a drawn signature, an empty pad, a dot, a scan."""

from __future__ import annotations

import base64
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(raw: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")


def drawn_png(width: int = 600, height: int = 200) -> bytes:
    """What the pad sends: dark strokes on a transparent canvas."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(30, 150), (120, 40), (200, 160), (320, 50), (450, 140)], fill=(17, 17, 17, 255), width=5)
    return _png(image)


def drawn_url() -> str:
    return data_url(drawn_png())


def blank_url() -> str:
    return data_url(_png(Image.new("RGBA", (600, 200), (0, 0, 0, 0))))


def dot_url() -> str:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse([300, 100, 304, 104], fill=(17, 17, 17, 255))
    return data_url(_png(image))


def scan_upload(name: str = "signed.jpg", size: tuple[int, int] = (800, 1100)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (250, 250, 245))
    draw = ImageDraw.Draw(image)
    for row in range(10):
        draw.line([(60, 80 + row * 40), (600, 80 + row * 40)], fill=(90, 90, 90), width=3)
    draw.ellipse([420, 800, 600, 980], outline=(200, 30, 30), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
