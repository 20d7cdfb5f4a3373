"""Issuing a year's responsibility letters: to every party in one action or to chosen ones, text frozen."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from responsibility.models import LetterTemplate, PartyKind, ResponsibilityLetter, TargetItem
from responsibility.signing import TOWN_PARTY, letters_issue
from tests.helpers import messages_of, shows
from tests.responsibility.conftest import ITEMS, make_template, this_year


def test_issuing_sends_one_letter_to_every_village_and_unit(
    templates, town_admin, village_a, village_b, unit_a, unit_b
):
    deadline = timezone.localdate() + dt.timedelta(days=30)
    result = letters_issue(year=this_year(), deadline=deadline, by=town_admin)

    assert (result.issued, result.already) == (4, 0)
    letters = ResponsibilityLetter.objects.filter(year=this_year())
    assert sorted(letters.values_list("party_name", flat=True)) == sorted(
        [village_a.name, village_b.name, unit_a.name, unit_b.name]
    )
    assert set(letters.values_list("deadline", flat=True)) == {deadline}
    assert not letters.filter(signed_at__isnull=False).exists()
    village_letter = letters.get(village=village_a)
    assert village_letter.template == templates[PartyKind.VILLAGE]
    assert letters.get(unit=unit_a).template == templates[PartyKind.ENTERPRISE]


def test_the_issued_text_holds_the_parties_the_body_the_targets_and_their_points(letter_a, village_a):
    text = letter_a.text
    assert village_a.name in text
    assert str(TOWN_PARTY) in text
    assert "乙方主要负责人是安全生产第一责任人。" in text
    assert "隐患按期整改率达到 100%" in text
    assert "发生一次死亡 3 人以上的生产安全事故" in text
    assert str(TargetItem.Section.VETO.label) in text
    # the items in the order of the template, numbered
    assert text.index("全年不发生造成人员死亡") < text.index("隐患按期整改率") < text.index("发生一次死亡 3 人")


def test_issuing_again_skips_the_parties_that_have_their_letter(letters, town_admin, templates):
    from tests.factories import VillageFactory

    newcomer = VillageFactory()
    result = letters_issue(year=this_year(), deadline=timezone.localdate(), by=town_admin)
    assert (result.issued, result.already) == (1, 4)
    assert ResponsibilityLetter.objects.filter(year=this_year(), village=newcomer).count() == 1
    assert ResponsibilityLetter.objects.filter(year=this_year()).count() == 5


def test_issuing_to_chosen_parties_only(templates, town_admin, village_a, village_b, unit_a):
    result = letters_issue(
        year=this_year(), deadline=timezone.localdate(), by=town_admin, villages=[village_b], units=[unit_a]
    )
    assert result.issued == 2
    assert set(ResponsibilityLetter.objects.values_list("party_name", flat=True)) == {village_b.name, unit_a.name}


def test_a_kind_without_a_template_stops_the_whole_issue(town_admin, village_a, unit_a):
    make_template(this_year(), PartyKind.VILLAGE)
    with pytest.raises(ValidationError) as error:
        letters_issue(year=this_year(), deadline=timezone.localdate(), by=town_admin)
    assert str(PartyKind.ENTERPRISE.label) in " ".join(error.value.messages)
    assert not ResponsibilityLetter.objects.exists()


def test_a_template_whose_points_do_not_add_up_to_100_cannot_be_issued(town_admin, village_a):
    make_template(this_year(), PartyKind.VILLAGE, items=ITEMS[:3])
    with pytest.raises(ValidationError) as error:
        letters_issue(year=this_year(), deadline=timezone.localdate(), by=town_admin, villages=[village_a])
    assert "70" in " ".join(error.value.messages)
    assert not ResponsibilityLetter.objects.exists()


def test_a_deadline_in_the_past_is_refused(templates, town_admin, village_a):
    with pytest.raises(ValidationError):
        letters_issue(year=this_year(), deadline=timezone.localdate() - dt.timedelta(days=1), by=town_admin)
    assert not ResponsibilityLetter.objects.exists()


def test_only_the_town_administrator_issues(templates, village_a, safety_officer, leadership):
    for user in (safety_officer, leadership):
        with pytest.raises(PermissionDenied):
            letters_issue(year=this_year(), deadline=timezone.localdate(), by=user)
    assert not ResponsibilityLetter.objects.exists()


def test_the_issue_page_issues_to_all_and_says_how_many(client_for, templates, town_admin, village_a, unit_a):
    url = reverse("responsibility:rletter-issue")
    deadline = timezone.localdate() + dt.timedelta(days=10)
    response = client_for(town_admin).post(url, {"year": this_year(), "deadline": deadline.isoformat()}, follow=True)
    assert ResponsibilityLetter.objects.count() == 2
    assert any("2" in message for message in messages_of(response))
    assert shows(response, village_a.name)


def test_the_issue_page_shows_the_reason_when_nothing_can_be_issued(client_for, town_admin, village_a):
    url = reverse("responsibility:rletter-issue")
    response = client_for(town_admin).post(url, {"year": this_year(), "deadline": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not ResponsibilityLetter.objects.exists()


def test_a_kind_without_a_template_is_refused_with_a_way_to_the_templates(client_for, town_admin, village_a, unit_a):
    make_template(this_year(), PartyKind.VILLAGE)
    url = reverse("responsibility:rletter-issue")

    response = client_for(town_admin).post(url, {"year": this_year(), "deadline": timezone.localdate().isoformat()})

    alert = re.search(r'data-testid="issue-error">(.*?)</div>', response.content.decode(), re.S).group(1)
    assert str(PartyKind.ENTERPRISE.label) in alert
    assert f'href="{reverse("responsibility:template-list")}"' in alert


@pytest.mark.parametrize("persona", ["safety_officer", "village_office", "unit_office", "leadership"], indirect=True)
def test_no_one_else_may_open_the_issue_page(client_for, persona, templates, village_a):
    url = reverse("responsibility:rletter-issue")
    client = client_for(persona)
    assert client.get(url).status_code == 403
    assert client.post(url, {"year": this_year(), "deadline": timezone.localdate().isoformat()}).status_code == 403
    assert not ResponsibilityLetter.objects.exists()


# --- templates ----------------------------------------------------------------------------------------


def _template_post(year: int, items: list[tuple]) -> dict:
    data = {
        "year": year,
        "party_kind": PartyKind.VILLAGE,
        "title": f"{year}年度村（社区）安全生产责任书",
        "body": "正文",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, (section, text, points, measure, rule, target) in enumerate(items):
        data.update(
            {
                f"items-{index}-section": section,
                f"items-{index}-text": text,
                f"items-{index}-points": str(points),
                f"items-{index}-measure": measure,
                f"items-{index}-rule": rule,
                f"items-{index}-target": "" if target is None else str(target),
                f"items-{index}-order": str(index),
            }
        )
    return data


def test_the_town_administrator_writes_a_template_with_items_adding_up_to_100(client_for, town_admin):
    response = client_for(town_admin).post(reverse("responsibility:template-create"), _template_post(2031, ITEMS))
    template = LetterTemplate.objects.get(year=2031)
    assert response.status_code == 302
    assert template.items.count() == len(ITEMS)
    assert template.items.get(section=TargetItem.Section.VETO).points == Decimal(0)


def test_a_template_whose_items_do_not_add_up_to_100_is_refused(client_for, town_admin):
    response = client_for(town_admin).post(reverse("responsibility:template-create"), _template_post(2031, ITEMS[:2]))
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()
    assert not LetterTemplate.objects.exists()


def test_a_second_template_for_the_same_year_and_parties_is_refused_in_plain_words(client_for, town_admin):
    client = client_for(town_admin)
    client.post(reverse("responsibility:template-create"), _template_post(2031, ITEMS))

    response = client.post(reverse("responsibility:template-create"), _template_post(2031, ITEMS))

    assert response.status_code == 200
    with translation.override("zh-hans"):
        expected = gettext("There is already a %(year)d template for these parties.") % {"year": 2031}
    assert response.context["form"].errors["year"] == [expected]
    assert not response.context["form"].non_field_errors()
    assert LetterTemplate.objects.filter(year=2031).count() == 1


def test_a_veto_item_with_points_is_refused(client_for, town_admin):
    items = [*ITEMS[:-1], (TargetItem.Section.VETO, "重大事故", 5, "", TargetItem.Rule.MANUAL, None)]
    response = client_for(town_admin).post(reverse("responsibility:template-create"), _template_post(2031, items))
    assert response.status_code == 200
    assert not LetterTemplate.objects.exists()


def test_a_template_with_issued_letters_is_frozen(client_for, town_admin, letter_a, templates):
    template = templates[PartyKind.VILLAGE]
    url = reverse("responsibility:template-edit", args=[template.pk])
    response = client_for(town_admin).post(url, _template_post(this_year(), ITEMS), follow=True)
    template.refresh_from_db()
    assert template.body.startswith("为落实")
    assert len(messages_of(response)) == 1


def test_next_years_template_starts_as_a_copy(client_for, town_admin, templates):
    source = templates[PartyKind.VILLAGE]
    client_for(town_admin).post(reverse("responsibility:template-copy", args=[source.pk]))
    copy = LetterTemplate.objects.get(year=source.year + 1, party_kind=PartyKind.VILLAGE)
    assert str(source.year + 1) in copy.title
    assert copy.items.count() == source.items.count()
