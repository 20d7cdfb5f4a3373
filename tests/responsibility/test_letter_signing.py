"""Signing a letter in the browser: drawn or scanned, recorded with who, when, where and both hashes;
and every bad input refused with a message, nothing changed."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from responsibility.models import ResponsibilityLetter
from responsibility.signing import drawn_signature, letter_sign, letters_archive, scanned_signature
from tests.helpers import messages_of
from tests.responsibility.signatures import blank_url, data_url, dot_url, drawn_png, drawn_url, scan_upload


def sign_url(letter) -> str:
    return reverse("responsibility:rletter-sign", args=[letter.pk])


def drawn_post(**overrides) -> dict:
    return {"method": "drawn", "signature": drawn_url(), "signer_name": "张建国", "confirm": "on", **overrides}


def letter_row(letter) -> dict:
    return ResponsibilityLetter.objects.filter(pk=letter.pk).values().get()


# --- signing both ways ---------------------------------------------------------------------------------


def test_a_village_office_signs_its_letter_by_drawing(client_for, letter_a, village_office):
    client = client_for(village_office, REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="TestPhone/1.0")
    response = client.post(sign_url(letter_a), drawn_post(), follow=True)

    letter_a.refresh_from_db()
    assert response.status_code == 200
    assert letter_a.signed_at is not None
    assert letter_a.signed_by == village_office
    assert letter_a.signer_name == "张建国"
    assert letter_a.signed_from == "10.1.2.3"
    assert letter_a.signed_agent == "TestPhone/1.0"
    assert letter_a.method == ResponsibilityLetter.Method.DRAWN
    assert letter_a.signature_type == "image/png"
    assert letter_a.text_sha256 == hashlib.sha256(letter_a.text.encode("utf-8")).hexdigest()
    assert letter_a.signature_sha256 == hashlib.sha256(bytes(letter_a.signature)).hexdigest()
    assert bytes(letter_a.signature).startswith(b"\x89PNG")
    assert len(messages_of(response)) == 1


def test_a_unit_office_signs_by_uploading_a_scan(client_for, unit_letter, unit_office):
    data = {"method": "scan", "signer_name": "李振华", "confirm": "on", "scan": scan_upload()}
    client_for(unit_office).post(sign_url(unit_letter), data)

    unit_letter.refresh_from_db()
    assert unit_letter.method == ResponsibilityLetter.Method.SCAN
    assert unit_letter.signature_type == "image/jpeg"
    assert bytes(unit_letter.signature).startswith(b"\xff\xd8")
    assert unit_letter.signature_sha256 == hashlib.sha256(bytes(unit_letter.signature)).hexdigest()
    assert unit_letter.signed_by == unit_office


def test_the_signed_image_is_served_to_those_who_see_the_letter_only(
    client_for, signed_a, village_office, other_village_office
):
    url = reverse("responsibility:rletter-signature", args=[signed_a.pk])
    response = client_for(village_office).get(url)
    assert response.status_code == 200
    assert response.content == bytes(signed_a.signature)
    assert client_for(other_village_office).get(url).status_code == 404


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signature", "why"),
    [
        ("", "empty field"),
        (blank_url(), "empty pad"),
        (dot_url(), "a single dot"),
        ("data:image/png;base64,not-base64!!", "not base64"),
        (data_url(b"GIF89a not a png at all"), "not a PNG"),
        ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "not a PNG data URL"),
    ],
)
def test_a_bad_drawn_signature_is_refused_and_nothing_changes(client_for, letter_a, village_office, signature, why):
    before = letter_row(letter_a)
    response = client_for(village_office).post(sign_url(letter_a), drawn_post(signature=signature))
    assert response.status_code == 400, why
    assert response.context["draw_form"].non_field_errors(), why
    assert letter_row(letter_a) == before


def test_a_drawn_signature_that_is_too_large_is_refused(client_for, letter_a, village_office):
    before = letter_row(letter_a)
    huge = data_url(drawn_png() + b"\0" * 600_000)
    response = client_for(village_office).post(sign_url(letter_a), drawn_post(signature=huge))
    assert response.status_code == 400
    assert letter_row(letter_a) == before


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("letter.pdf", b"%PDF-1.4 not an image", content_type="application/pdf"),
        SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0 truncated", content_type="image/jpeg"),
        SimpleUploadedFile("empty.png", b"", content_type="image/png"),
    ],
    ids=["pdf", "broken-jpeg", "empty"],
)
def test_a_scan_that_is_not_an_image_is_refused(client_for, unit_letter, unit_office, upload):
    before = letter_row(unit_letter)
    data = {"method": "scan", "signer_name": "李振华", "confirm": "on", "scan": upload}
    response = client_for(unit_office).post(sign_url(unit_letter), data)
    assert response.status_code == 400
    assert response.context["scan_form"].errors
    assert letter_row(unit_letter) == before


def test_a_scan_that_is_too_large_is_refused(client_for, unit_letter, unit_office):
    before = letter_row(unit_letter)
    big = SimpleUploadedFile("big.jpg", scan_upload().read() + b"\0" * (8 * 1024 * 1024), content_type="image/jpeg")
    data = {"method": "scan", "signer_name": "李振华", "confirm": "on", "scan": big}
    response = client_for(unit_office).post(sign_url(unit_letter), data)
    assert response.status_code == 400
    assert "8 MB" in str(response.context["scan_form"].errors)
    assert letter_row(unit_letter) == before


def test_a_scan_is_required_when_signing_by_scan(client_for, unit_letter, unit_office):
    before = letter_row(unit_letter)
    response = client_for(unit_office).post(
        sign_url(unit_letter), {"method": "scan", "signer_name": "李", "confirm": "on"}
    )
    assert response.status_code == 400
    assert letter_row(unit_letter) == before


@pytest.mark.parametrize("missing", ["signer_name", "confirm"])
def test_the_signer_and_the_confirmation_are_required(client_for, letter_a, village_office, missing):
    before = letter_row(letter_a)
    data = drawn_post()
    del data[missing]
    response = client_for(village_office).post(sign_url(letter_a), data)
    assert response.status_code == 400
    assert response.context["draw_form"].errors[missing]
    assert letter_row(letter_a) == before


def test_signing_another_partys_letter_by_forging_its_id_answers_404(client_for, letter_b, village_office, unit_office):
    before = letter_row(letter_b)
    assert client_for(village_office).post(sign_url(letter_b), drawn_post()).status_code == 404
    assert client_for(unit_office).post(sign_url(letter_b), drawn_post()).status_code == 404
    assert letter_row(letter_b) == before


@pytest.mark.parametrize("persona", ["town_admin", "leadership", "safety_officer"], indirect=True)
def test_only_the_partys_office_signs_even_those_who_may_read_it(client_for, letter_a, persona):
    before = letter_row(letter_a)
    assert client_for(persona).post(sign_url(letter_a), drawn_post()).status_code == 403
    assert letter_row(letter_a) == before


def test_signing_twice_is_refused_with_a_message(client_for, signed_a, village_office):
    before = letter_row(signed_a)
    response = client_for(village_office).post(sign_url(signed_a), drawn_post(signer_name="另一人"), follow=True)
    assert len(messages_of(response)) == 1
    assert letter_row(signed_a) == before


def test_the_service_refuses_a_second_signature(signed_a, village_office):
    before = letter_row(signed_a)
    with pytest.raises(ValidationError):
        letter_sign(letter=signed_a, by=village_office, signature=drawn_signature(drawn_url()), signer_name="另一人")
    assert letter_row(signed_a) == before


def test_signing_an_archived_letter_is_refused(client_for, letter_a, village_office, town_admin):
    letters_archive(year=letter_a.year, by=town_admin)
    before = letter_row(letter_a)
    response = client_for(village_office).post(sign_url(letter_a), drawn_post(), follow=True)
    assert len(messages_of(response)) == 1
    assert letter_row(letter_a) == before
    with pytest.raises(ValidationError):
        letter_sign(letter=letter_a, by=village_office, signature=drawn_signature(drawn_url()), signer_name="张")
    assert letter_row(letter_a) == before


def test_the_service_refuses_a_signer_from_another_party(letter_a, other_village_office):
    with pytest.raises(PermissionDenied):
        letter_sign(letter=letter_a, by=other_village_office, signature=drawn_signature(drawn_url()), signer_name="李")


def test_a_drawn_signature_is_cropped_to_its_ink_and_stored_as_a_fresh_png():
    signature = drawn_signature(drawn_url())
    assert signature.data.startswith(b"\x89PNG")
    assert signature.data != drawn_png()


def test_a_scan_is_re_encoded_as_jpeg():
    signature = scanned_signature(scan_upload())
    assert signature.data.startswith(b"\xff\xd8")
    assert signature.content_type == "image/jpeg"
