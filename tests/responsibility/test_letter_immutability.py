"""A signed letter never changes: the service refuses, the admin refuses, and the database refuses.
The verification page recomputes both hashes and notices a change made behind the portal's back."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from responsibility.models import ResponsibilityLetter
from tests.helpers import shows
from tests.responsibility.tampering import tamper


def refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except IntegrityError:
        return True
    return False


# --- the database ---------------------------------------------------------------------------------------


def test_the_database_refuses_to_change_a_signed_letters_text(signed_a):
    assert refused(lambda: ResponsibilityLetter.objects.filter(pk=signed_a.pk).update(text="改过的正文"))
    signed_a.refresh_from_db()
    assert "改过的正文" not in signed_a.text


def test_the_database_refuses_to_change_the_signature_or_its_record(signed_a):
    for change in (
        {"signature": b"\x89PNG forged"},
        {"signature_sha256": "0" * 64},
        {"text_sha256": "0" * 64},
        {"signer_name": "另一人"},
        {"signed_at": timezone.now()},
        {"signed_at": None},
        {"deadline": signed_a.deadline.replace(year=signed_a.year + 1)},
    ):
        assert refused(lambda change=change: ResponsibilityLetter.objects.filter(pk=signed_a.pk).update(**change)), (
            change
        )
    assert ResponsibilityLetter.objects.get(pk=signed_a.pk).signer_name == signed_a.signer_name


def test_a_signed_letter_cannot_be_deleted(signed_a):
    assert refused(lambda: ResponsibilityLetter.objects.filter(pk=signed_a.pk).delete())
    assert refused(signed_a.delete)
    assert ResponsibilityLetter.objects.filter(pk=signed_a.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite empties tables with DELETE: the model guards")
def test_postgresql_refuses_to_delete_a_signed_letter_in_sql(signed_a):
    table = ResponsibilityLetter._meta.db_table

    def delete():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [signed_a.pk])  # noqa: S608 - name from the model

    assert refused(delete)
    assert ResponsibilityLetter.objects.filter(pk=signed_a.pk).exists()


def test_the_database_refuses_to_change_an_issued_letters_text_even_before_signing(letter_a, village_b):
    assert refused(lambda: ResponsibilityLetter.objects.filter(pk=letter_a.pk).update(text="改过"))
    assert refused(lambda: ResponsibilityLetter.objects.filter(pk=letter_a.pk).update(party_name="别的村"))
    assert refused(lambda: ResponsibilityLetter.objects.filter(pk=letter_a.pk).update(village=village_b))


def test_a_signed_letter_may_still_be_archived(signed_a):
    ResponsibilityLetter.objects.filter(pk=signed_a.pk).update(archived_at=timezone.now())
    signed_a.refresh_from_db()
    assert signed_a.archived_at is not None


def test_saving_a_changed_signed_letter_through_the_orm_is_refused(signed_a):
    signed_a.text = "改过的正文"
    assert refused(signed_a.save)
    assert "改过的正文" not in ResponsibilityLetter.objects.get(pk=signed_a.pk).text


def test_an_unsigned_letter_can_be_deleted_while_a_signed_one_cannot(letter_b, signed_a):
    assert not refused(lambda: ResponsibilityLetter.objects.filter(pk=letter_b.pk).delete())
    assert refused(lambda: ResponsibilityLetter.objects.filter(pk=signed_a.pk).delete())


# --- the admin ------------------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_the_admin_shows_a_letter_but_offers_no_change(client_for, signed_a, superuser):
    client = client_for(superuser)
    url = reverse("admin:responsibility_responsibilityletter_change", args=[signed_a.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    before = ResponsibilityLetter.objects.filter(pk=signed_a.pk).values().get()
    response = client.post(url, {"text": "改过的正文", "party_name": "别的村"})
    assert response.status_code == 403
    assert ResponsibilityLetter.objects.filter(pk=signed_a.pk).values().get() == before
    delete = reverse("admin:responsibility_responsibilityletter_delete", args=[signed_a.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ResponsibilityLetter.objects.filter(pk=signed_a.pk).exists()


# --- verification -------------------------------------------------------------------------------------------


def verify(client, letter):
    return client.get(reverse("responsibility:rletter-verify", args=[letter.pk]))


def test_the_verification_page_says_the_hashes_match(client_for, signed_a, village_office):
    response = verify(client_for(village_office), signed_a)
    assert response.status_code == 200
    assert response.context["verification"].matches
    assert shows(response, signed_a.text_sha256)


def test_an_edit_of_the_text_past_the_guard_is_found_out(client_for, signed_a, town_admin):
    tamper(signed_a, text=signed_a.text.replace("第一责任人", "责任人"))
    response = verify(client_for(town_admin), signed_a)
    verification = response.context["verification"]
    assert not verification.matches
    assert not verification.text_matches
    assert verification.signature_matches


def test_a_swapped_signature_past_the_guard_is_found_out(client_for, signed_a, town_admin):
    from tests.responsibility.signatures import drawn_png

    tamper(signed_a, signature=drawn_png(500, 150))
    verification = verify(client_for(town_admin), signed_a).context["verification"]
    assert verification.text_matches
    assert not verification.signature_matches


def test_an_unsigned_letter_has_nothing_to_verify(client_for, letter_a, village_office):
    response = verify(client_for(village_office), letter_a)
    assert response.status_code == 200
    assert response.context["verification"] is None


@pytest.mark.parametrize("persona", ["other_village_office", "other_officer", "unit_office"], indirect=True)
def test_the_verification_page_of_another_partys_letter_answers_404(client_for, signed_a, persona):
    assert verify(client_for(persona), signed_a).status_code == 404
