"""A responsibility letter as an A4 PDF in Chinese: its frozen text, and once signed the signature,
the signing time and the SHA-256 hashes; before signing, a blank for the paper copy to be signed."""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from responsibility.letters import issuing_office, render_pdf
from responsibility.models import ResponsibilityLetter
from responsibility.signing import TOWN_PARTY


def signature_data_url(letter: ResponsibilityLetter) -> str:
    if not letter.signature:
        return ""
    encoded = base64.b64encode(bytes(letter.signature)).decode("ascii")
    return f"data:{letter.signature_type or 'image/png'};base64,{encoded}"


LETTER_STYLESHEET = "responsibility/letters.css"


def _stylesheet() -> str:
    path = finders.find(LETTER_STYLESHEET)
    if not path:
        return ""
    with open(path, encoding="utf-8") as file:
        return file.read()


def responsibility_letter_pdf(letter: ResponsibilityLetter) -> bytes:
    """An official document reads the same whoever prints it: always in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "responsibility/pdf/responsibility_letter.html",
            {
                "letter": letter,
                "signature_url": signature_data_url(letter),
                "office": issuing_office(),
                "town": TOWN_PARTY,
                "for_pdf": True,
                "stylesheet": _stylesheet(),
            },
        )
    return render_pdf(html)


def responsibility_letter_filename(letter: ResponsibilityLetter) -> str:
    state = "已签" if letter.signed_at else "待签"
    return f"安全生产责任书-{letter.year}-{letter.party_name}-{state}.pdf"
