from __future__ import annotations

import io
import logging

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chashan_safety.generic import RegistryCreateView, RegistryDetailView, RegistryListView, RegistryUpdateView
from chashan_safety.permissions import town_admin_required
from responsibility.filters import UnitFilter, VillageFilter
from responsibility.forms import UnitForm, VillageForm
from responsibility.letters import (
    PdfUnavailable,
    letter_content,
    pdf_filename,
    rectify_days,
    supervision_letter_pdf,
    supervision_letter_send,
)
from responsibility.models import Card, SupervisionLetter, Unit, Village

log = logging.getLogger(__name__)

PAGE_SIZE = 25


class VillageList(RegistryListView):
    model = Village
    filterset_class = VillageFilter
    select_related = ("zone_link__zone",)
    template_name = "responsibility/village_list.html"


class VillageDetail(RegistryDetailView):
    model = Village
    select_related = ("zone_link__zone__section",)
    template_name = "responsibility/village_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["grids"] = self.object.grids.all()
        context["users"] = self.object.users.filter(is_active=True)
        context.update(party_cards(self.request.user, village=self.object))
        return context


class VillageCreate(RegistryCreateView):
    model = Village
    form_class = VillageForm


class VillageUpdate(RegistryUpdateView):
    model = Village
    form_class = VillageForm


class UnitList(RegistryListView):
    model = Unit
    filterset_class = UnitFilter
    template_name = "responsibility/unit_list.html"


class UnitDetail(RegistryDetailView):
    model = Unit
    template_name = "responsibility/unit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["users"] = self.object.users.filter(is_active=True)
        context.update(party_cards(self.request.user, unit=self.object))
        return context


class UnitCreate(RegistryCreateView):
    model = Unit
    form_class = UnitForm


class UnitUpdate(RegistryUpdateView):
    model = Unit
    form_class = UnitForm


# --- cards and supervision letters (跟踪问责) ------------------------------------------------------------
# The filters sit here rather than in filters.py because they serve these views only.


def party_cards(user, **party) -> dict:
    """This year's cards against a village or unit as ``user`` may see them, and how many in earlier years."""
    year = timezone.localdate().year
    cards = Card.objects.visible_to(user).filter(**party)
    this_year = list(cards.filter(year=year).select_related("letter").order_by("-issued_at", "-pk"))
    return {
        "cards": this_year,
        "cards_year": year,
        "cards_earlier": cards.filter(year__lt=year).count(),
        "cards_red": sum(1 for card in this_year if card.color == Card.Color.RED),
        "cards_yellow": sum(1 for card in this_year if card.color == Card.Color.YELLOW),
    }


def _year_choices():
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year, this_year - 6, -1)]


class CardFilter(django_filters.FilterSet):
    year = django_filters.TypedChoiceFilter(label=_("Year"), choices=_year_choices, coerce=int)
    color = django_filters.ChoiceFilter(label=_("Card"), choices=Card.Color.choices)
    village = django_filters.ModelChoiceFilter(label=_("Village"), queryset=Village.objects.all())
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=Unit.objects.all())

    class Meta:
        model = Card
        fields = ["year", "color", "village", "unit"]


class LetterFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SupervisionLetter.Status.choices)
    year = django_filters.TypedChoiceFilter(
        label=_("Year of the card"), field_name="card__year", choices=_year_choices, coerce=int
    )
    village = django_filters.ModelChoiceFilter(
        label=_("Village"), field_name="card__village", queryset=Village.objects.all()
    )
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), field_name="card__unit", queryset=Unit.objects.all())

    class Meta:
        model = SupervisionLetter
        fields = ["status", "year", "village", "unit"]


@town_admin_required
def card_list(request):
    cards = Card.objects.visible_to(request.user).select_related("village", "unit", "letter")
    card_filter = CardFilter(request.GET, queryset=cards.order_by("-issued_at", "-pk"))
    page = Paginator(card_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "responsibility/card_list.html", {"filter": card_filter, "page_obj": page, "tab": "cards"})


@town_admin_required
def letter_list(request):
    letters = SupervisionLetter.objects.visible_to(request.user).select_related(
        "card__village", "card__unit", "sent_by"
    )
    letter_filter = LetterFilter(request.GET, queryset=letters.order_by("status", "-created_at", "-pk"))
    page = Paginator(letter_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    drafts = letters.filter(status=SupervisionLetter.Status.DRAFT).count()
    return render(
        request,
        "responsibility/letter_list.html",
        {"filter": letter_filter, "page_obj": page, "tab": "letters", "drafts": drafts},
    )


def _letters_for(user):
    """Town administrators read every letter; the others only sent letters within their scope."""
    letters = SupervisionLetter.objects.visible_to(user).select_related("card__village", "card__unit", "sent_by")
    return letters if user.is_town_admin else letters.filter(status=SupervisionLetter.Status.SENT)


@login_required
def letter_detail(request, pk: int):
    letter = get_object_or_404(_letters_for(request.user), pk=pk)
    return render(
        request,
        "responsibility/letter_detail.html",
        {"letter": letter, "content": letter_content(letter), "default_rectify_days": rectify_days()},
    )


@require_POST
@town_admin_required
def letter_send(request, pk: int):
    letter = get_object_or_404(SupervisionLetter.objects.visible_to(request.user), pk=pk)
    try:
        letter = supervision_letter_send(letter=letter, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Supervision letter %(number)s was marked as sent; %(party)s was told in its inbox.")
            % {"number": letter.number, "party": letter.card.party},
        )
    return redirect("responsibility:letter-detail", pk=letter.pk)


@login_required
def letter_pdf(request, pk: int):
    letter = get_object_or_404(_letters_for(request.user), pk=pk)
    try:
        pdf = supervision_letter_pdf(letter)
    except PdfUnavailable as error:
        log.warning("supervision letter %s: no PDF: %s", letter.pk, error)
        return render(request, "responsibility/pdf_unavailable.html", {"letter": letter}, status=503)
    return FileResponse(io.BytesIO(pdf), content_type="application/pdf", filename=pdf_filename(letter))
