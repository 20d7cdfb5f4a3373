"""Photos, served only to users who may see their finding or inspection.

Photos are not under ``MEDIA_URL`` for anyone to fetch: each request is checked here, then
``chashan_safety.files.protected_file_response`` answers (behind nginx with ``X-Accel-Redirect``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from chashan_safety.files import protected_file_response
from inspections.models import Photo

SIZES = {"full", "thumb"}


def download_name(photo: Photo, size: str) -> str:
    """A name made by the server, such as ``YH2026-00012-3.jpg``: nothing of the uploaded name is used."""
    owner = photo.finding.number if photo.finding_id else f"inspection-{photo.inspection_id}"
    stem = f"{owner}-{photo.pk}"
    return f"{stem}-thumb.jpg" if size == "thumb" else f"{stem}.jpg"


@login_required
def photo(request, pk: int, size: str):
    if size not in SIZES:
        raise Http404
    found = get_object_or_404(Photo.objects.visible_to(request.user).select_related("finding"), pk=pk)
    file = found.thumbnail if size == "thumb" else found.image
    return protected_file_response(file, content_type="image/jpeg", filename=download_name(found, size))
