"""Forms: a select left empty reads "— 请选择 —" (choose), never Django's "---------"."""

from __future__ import annotations

import pytest
from django.urls import reverse

# (page, who opens it): forms with optional and required selects, model choices and fixed choices
FORMS = [
    ("accounts:user-create", "town_admin"),  # role (fixed choices), village, unit (optional model choices)
    ("outreach:activity-create", "village_office"),  # type and carrier
    ("inspections:site-create", "town_admin"),
    ("incidents:incident-create", "town_admin"),
]


@pytest.mark.parametrize(("name", "persona"), FORMS)
def test_an_empty_choice_of_a_form_reads_choose_in_chinese(client_for, village_a, unit_a, name, persona, request):
    response = client_for(request.getfixturevalue(persona)).get(reverse(name))
    assert response.status_code == 200
    page = response.content.decode()
    assert "---------" not in page
    assert '<option value="">— 请选择 —</option>' in page or '<option value="" selected>— 请选择 —</option>' in page


def test_a_choice_is_still_submitted_and_shown_as_chosen(client_for, town_admin, village_a):
    page = client_for(town_admin).get(reverse("inspections:site-create")).content.decode()
    assert f'<option value="{village_a.pk}">{village_a.name}</option>' in page
