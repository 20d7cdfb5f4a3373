"""Answering with a file kept under ``MEDIA_ROOT``, once the view has checked who may see it.

Nothing under ``MEDIA_ROOT`` is public: a view finds the object through ``visible_to(user)`` (404
outside the user's scope) and then answers through ``protected_file_response``. On a laptop Django
streams the file. Behind nginx, ``PROTECTED_MEDIA_ACCEL_PREFIX`` (e.g. ``/protected-media/``) names
an ``internal`` location aliased to ``MEDIA_ROOT`` (``deploy/nginx/chashan.conf``): the answer is then
empty, with ``X-Accel-Redirect: <prefix><file name>``, and nginx sends the bytes, so a gunicorn
worker is not held for the length of a download on a slow phone connection.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

#: a checked file may be kept by the user's own browser, never by a shared cache
PRIVATE_CACHE = "private, max-age=3600"


def accel_redirect_path(name: str) -> str:
    """The internal URI nginx serves ``name`` (a storage name, relative to ``MEDIA_ROOT``) from."""
    prefix = settings.PROTECTED_MEDIA_ACCEL_PREFIX
    return prefix + quote(name.lstrip("/"))


def protected_file_response(
    file: FieldFile,
    *,
    content_type: str,
    filename: str,
    as_attachment: bool = False,
    cache_control: str = PRIVATE_CACHE,
) -> HttpResponse:
    """The file as the answer: through nginx when ``PROTECTED_MEDIA_ACCEL_PREFIX`` is set, else streamed.

    ``filename`` is the name offered to the browser; it should be made by the server, never the
    uploaded one. A file that is not there answers 404.
    """
    if not file or not file.name:
        raise Http404
    if settings.PROTECTED_MEDIA_ACCEL_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_redirect_path(file.name)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    else:
        try:
            handle = file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
