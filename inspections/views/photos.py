"""Photos, served only to users who may see their finding or inspection.

Photos are not under ``MEDIA_URL`` for anyone to fetch: each request is checked here. In
production nginx can send the file itself: with ``PHOTO_ACCEL_REDIRECT_PREFIX`` set (for example
``/protected-media/``, an ``internal`` location aliased to ``MEDIA_ROOT``) this view only checks
access and answers with an ``X-Accel-Redirect`` header.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header

from inspections.models import Photo

SIZES = {"full", "thumb"}
CACHE_CONTROL = "private, max-age=3600"


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
    if not file.name:
        raise Http404
    name = download_name(found, size)
    prefix = getattr(settings, "PHOTO_ACCEL_REDIRECT_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type="image/jpeg")
        response["X-Accel-Redirect"] = quote(f"{prefix.rstrip('/')}/{file.name.lstrip('/')}")
        response["Content-Disposition"] = content_disposition_header(False, name)
    else:
        try:
            handle = file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type="image/jpeg", filename=name)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
