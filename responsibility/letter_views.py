"""Pages of the responsibility letters: templates, issuing, the letter and its signing, verification,
the PDF, the progress board with its ledger, and the year-end scorecard with its ranking.

Every read starts from ``visible_to(user)``: a letter outside the user's scope answers 404.
"""

from __future__ import annotations

import io
import logging
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chashan_safety.models import Reminder
from chashan_safety.permissions import roles_required, town_admin_required
from chashan_safety.views import client_ip
from responsibility.exports import XLSX_CONTENT_TYPE, write_letter_ledger, write_scorecard
from responsibility.filters import ResponsibilityLetterFilter, ScorecardFilter, letter_years
from responsibility.forms import IssueForm, LetterTemplateForm, ScoreForm, SignatureForm, TargetItemFormSet
from responsibility.letters import PdfUnavailable
from responsibility.models import LetterTemplate, ResponsibilityLetter, TargetItem
from responsibility.pdf import responsibility_letter_filename, responsibility_letter_pdf
from responsibility.progress import signing_progress
from responsibility.reminders import UNSIGNED
from responsibility.scorecard import Grade, party_score, party_scores, score_record, scorecard_year_default
from responsibility.signing import (
    TOWN_PARTY,
    default_deadline,
    letter_sign,
    letter_verify,
    letters_archive,
    letters_issue,
    may_sign,
    template_is_locked,
    template_points,
)

log = logging.getLogger(__name__)

BOARD_ROLES = ("town_admin", "leadership", "safety_officer")
SCORECARD_ROLES = ("town_admin", "leadership")


def _year(request, default: int | None = None) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return default or timezone.localdate().year
    return year if 2000 <= year <= 2100 else (default or timezone.localdate().year)


def _xlsx(data: bytes, filename: str, fallback: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return response


# --- templates ---------------------------------------------------------------------------------------


@roles_required(*SCORECARD_ROLES)
def template_list(request):
    templates = (
        LetterTemplate.objects.visible_to(request.user)
        .annotate(
            locked=Exists(ResponsibilityLetter.objects.filter(template=OuterRef("pk"))),
            points=Sum("items__points", filter=~Q(items__section=TargetItem.Section.VETO)),
        )
        .order_by("-year", "party_kind")
    )
    return render(request, "responsibility/template_list.html", {"templates": templates})


@roles_required(*SCORECARD_ROLES)
def template_detail(request, pk: int):
    template = get_object_or_404(LetterTemplate.objects.visible_to(request.user), pk=pk)
    items = list(template.items.order_by("order", "pk"))
    return render(
        request,
        "responsibility/template_detail.html",
        {
            "template": template,
            "items": items,
            "points": template_points(template),
            "locked": template_is_locked(template),
            "letter_count": template.letters.count(),
            "sections": TargetItem.Section.choices,
        },
    )


@town_admin_required
def template_edit(request, pk: int | None = None):
    template = get_object_or_404(LetterTemplate.objects.visible_to(request.user), pk=pk) if pk else None
    if template is not None and template_is_locked(template):
        messages.error(request, _("Letters were issued from this template, so it can no longer be changed."))
        return redirect(template)
    form = LetterTemplateForm(request.POST or None, instance=template)
    formset = TargetItemFormSet(request.POST or None, instance=template or LetterTemplate(), prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            # lock: letters may be issued from the template while it is being edited
            if template is not None and template_is_locked(
                LetterTemplate.objects.select_for_update().get(pk=template.pk)
            ):
                messages.error(request, _("Letters were issued from this template, so it can no longer be changed."))
                return redirect(template)
            saved = form.save()
            formset.instance = saved
            formset.save()
        messages.success(request, _("The letter template was saved."))
        return redirect(saved)
    return render(
        request, "responsibility/template_form.html", {"form": form, "formset": formset, "template": template}
    )


@require_POST
@town_admin_required
def template_copy(request, pk: int):
    """Start next year's template from this one: same text and items, to be edited."""
    source = get_object_or_404(LetterTemplate.objects.visible_to(request.user), pk=pk)
    year = source.year + 1
    if LetterTemplate.objects.filter(year=year, party_kind=source.party_kind).exists():
        messages.error(request, _("There is already a %(year)d template for these parties.") % {"year": year})
        return redirect(source)
    with transaction.atomic():
        copy = LetterTemplate.objects.create(
            year=year,
            party_kind=source.party_kind,
            title=source.title.replace(str(source.year), str(year)),
            body=source.body.replace(str(source.year), str(year)),
        )
        TargetItem.objects.bulk_create(
            [
                TargetItem(
                    template=copy,
                    section=item.section,
                    text=item.text,
                    points=item.points,
                    measure=item.measure,
                    rule=item.rule,
                    target=item.target,
                    order=item.order,
                )
                for item in source.items.all()
            ]
        )
    messages.success(request, _("The %(year)d template was started from this one.") % {"year": year})
    return redirect(copy)


# --- issuing and archiving -----------------------------------------------------------------------------


@town_admin_required
def letters_issue_view(request):
    year = _year(request)
    initial = {"year": year, "deadline": default_deadline(year)}
    form = IssueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = bool(data["villages"] or data["units"])
        try:
            result = letters_issue(
                year=data["year"],
                deadline=data["deadline"],
                by=request.user,
                villages=list(data["villages"]) if chosen else None,
                units=list(data["units"]) if chosen else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result.issued:
                messages.success(
                    request,
                    _("%(issued)d letters for %(year)d were issued; %(already)d parties already had theirs.")
                    % {"issued": result.issued, "year": data["year"], "already": result.already},
                )
            else:
                messages.info(
                    request, _("Every party chosen already has its %(year)d letter.") % {"year": data["year"]}
                )
            return redirect(f"{reverse('responsibility:rletter-progress')}?year={data['year']}")
        year = data["year"]
    templates = LetterTemplate.objects.filter(year=year).order_by("party_kind")
    return render(
        request,
        "responsibility/letter_issue.html",
        {
            "form": form,
            "year": year,
            "templates": [(t, template_points(t)) for t in templates],
            "issued": ResponsibilityLetter.objects.filter(year=year).count(),
        },
    )


@require_POST
@town_admin_required
def letters_archive_view(request):
    year = _year(request)
    try:
        year = int(request.POST.get("year", year))
        count = letters_archive(year=year, by=request.user)
    except (ValueError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("%(count)d letters of %(year)d were archived.") % {"count": count, "year": year})
    return redirect(f"{reverse('responsibility:rletter-progress')}?year={year}")


# --- the progress board and the ledger ------------------------------------------------------------------


def _board_letters(request, year: int):
    letters = ResponsibilityLetter.objects.visible_to(request.user).filter(year=year)
    letter_filter = ResponsibilityLetterFilter(request.GET, queryset=letters, request=request)
    return letter_filter


@roles_required(*BOARD_ROLES)
def rletter_progress(request):
    year = _year(request)
    letter_filter = _board_letters(request, year)
    today = timezone.localdate()
    base = letter_filter.qs_without_status if letter_filter.is_valid() else letter_filter.queryset.none()
    progress = signing_progress(year, today=today, letters=base)
    # when the office was last told of its unsigned letter, counted from the letter's present deadline
    last_reminded = Reminder.objects.filter(
        kind=UNSIGNED, object_id=OuterRef("pk"), anchor=OuterRef("deadline"), notified_at__isnull=False
    ).order_by("-notified_at")
    letters = (
        letter_filter.qs.select_related("template", "village__zone_link__zone", "unit", "signed_by")
        .annotate(last_reminded_at=Subquery(last_reminded.values("notified_at")[:1]))
        .order_by("template__party_kind", "party_name")
        if letter_filter.is_valid()
        else []
    )
    return render(
        request,
        "responsibility/rletter_progress.html",
        {
            "year": year,
            "years": letter_years(),
            "filter": letter_filter,
            "progress": progress,
            "letters": letters,
            "today": today,
            "any_issued": ResponsibilityLetter.objects.filter(year=year).exists(),
        },
    )


@roles_required(*BOARD_ROLES)
def rletter_ledger(request):
    year = _year(request)
    letter_filter = _board_letters(request, year)
    if not letter_filter.is_valid():
        messages.error(request, _("The filter is not valid, so nothing was exported. Correct it and export again."))
        return redirect(f"{reverse('responsibility:rletter-progress')}?year={year}")
    data = write_letter_ledger(letter_filter.qs, year=year, exported_by=request.user.display_name)
    return _xlsx(data, f"{_('Letter ledger')}-{year}.xlsx", f"letters-{year}.xlsx")


# --- one letter ------------------------------------------------------------------------------------------


def _letter(request, pk: int) -> ResponsibilityLetter:
    letters = ResponsibilityLetter.objects.visible_to(request.user).select_related(
        "template", "village", "unit", "signed_by", "issued_by"
    )
    return get_object_or_404(letters, pk=pk)


@login_required
def rletter_mine(request):
    """An office's own letters, newest first; other roles go to the board."""
    if not (request.user.is_village_office or request.user.is_unit_office):
        return redirect("responsibility:rletter-progress")
    letters = ResponsibilityLetter.objects.visible_to(request.user).order_by("-year")
    return render(request, "responsibility/rletter_mine.html", {"letters": letters, "today": timezone.localdate()})


def _detail_context(request, letter: ResponsibilityLetter, form: SignatureForm | None = None) -> dict:
    signable = may_sign(request.user, letter) and not letter.is_signed and not letter.is_archived
    active = form.data.get("method") if form is not None else ResponsibilityLetter.Method.DRAWN
    if active not in ResponsibilityLetter.Method.values:
        active = ResponsibilityLetter.Method.DRAWN
    forms = {
        method: form if form is not None and method == active else SignatureForm(auto_id=f"{method}_%s")
        for method in ResponsibilityLetter.Method.values
    }
    return {
        "letter": letter,
        "signable": signable,
        "draw_form": forms[ResponsibilityLetter.Method.DRAWN],
        "scan_form": forms[ResponsibilityLetter.Method.SCAN],
        "active": active,
        "today": timezone.localdate(),
        "town": TOWN_PARTY,
        "signature_url": reverse("responsibility:rletter-signature", args=[letter.pk]) if letter.is_signed else "",
    }


@login_required
def rletter_detail(request, pk: int):
    letter = _letter(request, pk)
    return render(request, "responsibility/rletter_detail.html", _detail_context(request, letter))


@require_POST
@login_required
def rletter_sign(request, pk: int):
    letter = _letter(request, pk)
    if not may_sign(request.user, letter):
        raise PermissionDenied
    if letter.is_signed or letter.is_archived:
        messages.error(
            request,
            _("This letter is already signed; a signed letter cannot be signed again.")
            if letter.is_signed
            else _("This letter is archived and can no longer be signed."),
        )
        return redirect(letter)
    method = request.POST.get("method", "")
    if method not in ResponsibilityLetter.Method.values:
        method = ResponsibilityLetter.Method.DRAWN
    form = SignatureForm(request.POST, request.FILES, auto_id=f"{method}_%s")
    if not form.is_valid():
        return render(request, "responsibility/rletter_detail.html", _detail_context(request, letter, form), status=400)
    try:
        letter = letter_sign(
            letter=letter,
            by=request.user,
            signature=form.cleaned_data["image"],
            signer_name=form.cleaned_data["signer_name"],
            address=client_ip(request),
            agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(letter)
    messages.success(request, _("The letter is signed. Download the PDF for your records."))
    return redirect(letter)


@never_cache
@login_required
def rletter_signature(request, pk: int):
    letter = _letter(request, pk)
    if not letter.is_signed:
        raise Http404
    response = HttpResponse(bytes(letter.signature), content_type=letter.signature_type or "image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def rletter_verify(request, pk: int):
    letter = _letter(request, pk)
    verification = letter_verify(letter) if letter.is_signed else None
    return render(request, "responsibility/rletter_verify.html", {"letter": letter, "verification": verification})


@login_required
def rletter_pdf(request, pk: int):
    letter = _letter(request, pk)
    try:
        pdf = responsibility_letter_pdf(letter)
    except PdfUnavailable as error:
        log.warning("responsibility letter %s: no PDF: %s", letter.pk, error)
        return render(request, "responsibility/rletter_pdf_unavailable.html", {"letter": letter}, status=503)
    return FileResponse(
        io.BytesIO(pdf), content_type="application/pdf", filename=responsibility_letter_filename(letter)
    )


# --- the scorecard ---------------------------------------------------------------------------------------


@roles_required(*SCORECARD_ROLES)
def scorecard(request):
    year = _year(request, scorecard_year_default())
    letters = ResponsibilityLetter.objects.visible_to(request.user).filter(year=year)
    score_filter = ScorecardFilter(request.GET, queryset=letters)
    scores = party_scores(score_filter.qs) if score_filter.is_valid() else []
    counts = {grade: sum(1 for s in scores if s.grade == grade) for grade in Grade.values}
    return render(
        request,
        "responsibility/scorecard.html",
        {
            "year": year,
            "years": letter_years(),
            "filter": score_filter,
            "scores": scores,
            "counts": counts,
            "unscored": sum(s.unscored for s in scores),
        },
    )


@roles_required(*SCORECARD_ROLES)
def scorecard_export(request):
    year = _year(request, scorecard_year_default())
    letters = ResponsibilityLetter.objects.visible_to(request.user).filter(year=year)
    score_filter = ScorecardFilter(request.GET, queryset=letters)
    if not score_filter.is_valid():
        messages.error(request, _("The filter is not valid, so nothing was exported. Correct it and export again."))
        return redirect(f"{reverse('responsibility:scorecard')}?year={year}")
    data = write_scorecard(party_scores(score_filter.qs), year=year, exported_by=request.user.display_name)
    return _xlsx(data, f"{_('Year-end scorecard')}-{year}.xlsx", f"scorecard-{year}.xlsx")


@login_required
def scorecard_party(request, pk: int):
    return _scorecard_page(request, _letter(request, pk))


def _scorecard_page(request, letter, *, refused: ScoreForm | None = None, refused_item: int | None = None):
    """The party's scorecard; ``refused`` is a score form refused for item ``refused_item``, shown again open
    with its errors beside the fields and what was typed."""
    score = party_score(letter)
    forms = {}
    if request.user.is_town_admin:
        for item_score in score.items:
            entry = item_score.entry
            initial = {"points": entry.points, "vetoed": entry.vetoed, "note": entry.note} if entry else {}
            forms[item_score.item.pk] = ScoreForm(initial=initial, prefix=f"item{item_score.item.pk}")
        if refused is not None:
            forms[refused_item] = refused
    rows = [(item_score, forms.get(item_score.item.pk)) for item_score in score.items]
    return render(
        request,
        "responsibility/scorecard_party.html",
        {
            "letter": letter,
            "score": score,
            "rows": rows,
            "sections": dict(TargetItem.Section.choices),
            "refused_item": refused_item,
        },
    )


@require_POST
@town_admin_required
def scorecard_score(request, pk: int, item_pk: int):
    letter = _letter(request, pk)
    item = get_object_or_404(TargetItem.objects.filter(template_id=letter.template_id), pk=item_pk)
    form = ScoreForm(request.POST, prefix=f"item{item.pk}")
    if form.is_valid():
        try:
            score_record(
                letter=letter,
                item=item,
                by=request.user,
                points=form.cleaned_data["points"],
                vetoed=form.cleaned_data["vetoed"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)  # the service names the field each refusal is about
        else:
            messages.success(request, _("The score of “%(item)s” was saved.") % {"item": item.text})
            return redirect(reverse("responsibility:scorecard-party", args=[letter.pk]) + f"#item-{item.pk}")
    # shown again with the errors beside their fields: the note the administrator wrote is kept
    return _scorecard_page(request, letter, refused=form, refused_item=item.pk)
