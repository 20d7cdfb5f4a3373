"""Writes of the outreach app: carriers, activities with their photos, visitor counts.

Each write checks what must hold across models (an activity's carrier lies in its village and is
not retired), then saves everything under one transaction: a refused write leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.photos import ProcessedPhoto
from outreach.models import Activity, Carrier, Photo, VisitorCount
from responsibility.models import Village

RECORDING_ROLES = frozenset({"town_admin", "safety_officer", "village_office"})


def may_record(user) -> bool:
    """Whether ``user`` may record carriers and activities (a village office for its own village only)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.is_town_admin or user.is_safety_officer:
        return True
    return user.is_village_office and bool(user.village_id)


def may_manage_types(user) -> bool:
    return user.is_authenticated and user.is_town_admin


def recordable_villages(user):
    """The villages ``user`` may record outreach for."""
    if not may_record(user):
        return Village.objects.none()
    if user.is_village_office:
        return Village.objects.filter(pk=user.village_id)
    return Village.objects.all()


def check_activity_carrier(
    *, village: Village, carrier: Carrier | None, previous_carrier_id: int | None = None
) -> None:
    """Refuse another village's carrier, and a retired one (unless the activity already had it)."""
    if carrier is None:
        return
    if carrier.village_id != village.pk:
        raise ValidationError(
            {
                "carrier": _("%(carrier)s is in %(carrier_village)s, not in %(village)s.")
                % {"carrier": carrier.name, "carrier_village": carrier.village.name, "village": village.name}
            }
        )
    if carrier.is_retired and carrier.pk != previous_carrier_id:
        raise ValidationError(
            {"carrier": _("%(carrier)s is retired: no activity can be held there.") % {"carrier": carrier.name}}
        )


def _save_photos(photos: list[ProcessedPhoto], *, by, carrier: Carrier | None = None, activity=None) -> None:
    written: list[Photo] = []
    try:
        for processed in photos:
            photo = Photo(
                carrier=carrier,
                activity=activity,
                width=processed.width,
                height=processed.height,
                size=processed.size,
                uploaded_by=by,
            )
            photo.image.save("photo.jpg", processed.image, save=False)
            photo.thumbnail.save("thumb.jpg", processed.thumbnail, save=False)
            written.append(photo)
            photo.save()
    except BaseException:
        # the rows roll back with the transaction; their files would stay in MEDIA_ROOT with no row
        for photo in written:
            photo.image.delete(save=False)
            photo.thumbnail.delete(save=False)
        raise


@transaction.atomic
def activity_record(
    *,
    by,
    kind: str,
    title: str,
    held_on: dt.date,
    village: Village,
    organiser: str,
    carrier: Carrier | None = None,
    audience_count: int | None = None,
    feedback_score: Decimal | None = None,
    notes: str = "",
    photos: list[ProcessedPhoto] | None = None,
) -> Activity:
    """Record an activity with its photos, or raise ValidationError and save nothing."""
    if audience_count is not None and audience_count < 0:
        raise ValidationError({"audience_count": _("The audience cannot be fewer than zero people.")})
    check_activity_carrier(village=village, carrier=carrier)
    activity = Activity(
        kind=kind,
        title=title,
        held_on=held_on,
        village=village,
        carrier=carrier,
        organiser=organiser,
        audience_count=audience_count,
        feedback_score=feedback_score,
        notes=notes,
        created_by=by,
    )
    activity.full_clean()
    activity.save()
    _save_photos(photos or [], by=by, activity=activity)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, by, photos: list[ProcessedPhoto] | None = None, **fields) -> Activity:
    """Change an activity's fields and add photos; the carrier it already had may stay even if retired since."""
    previous_carrier_id = Activity.objects.filter(pk=activity.pk).values_list("carrier_id", flat=True).first()
    for name, value in fields.items():
        setattr(activity, name, value)
    if activity.audience_count is not None and activity.audience_count < 0:
        raise ValidationError({"audience_count": _("The audience cannot be fewer than zero people.")})
    check_activity_carrier(village=activity.village, carrier=activity.carrier, previous_carrier_id=previous_carrier_id)
    activity.full_clean()
    activity.save()
    _save_photos(photos or [], by=by, activity=activity)
    return activity


@transaction.atomic
def carrier_save(*, carrier: Carrier, by, photos: list[ProcessedPhoto] | None = None) -> Carrier:
    """Create or change a carrier and add its photos; opening hours and capacity belong to venues only."""
    if not carrier.type.is_venue:
        carrier.opening_hours = ""
        carrier.capacity = None
    if carrier.pk is None:
        carrier.created_by = by
    carrier.full_clean()
    carrier.save()
    _save_photos(photos or [], by=by, carrier=carrier)
    return carrier


@transaction.atomic
def visitor_count_record(*, carrier: Carrier, month: dt.date, visitors: int, by) -> VisitorCount:
    """Set a venue's visitors for a month (a second entry for the same month replaces the first)."""
    if not carrier.type.is_venue:
        raise ValidationError(_("Visitors are counted for venues only."))
    if visitors < 0:
        raise ValidationError({"visitors": _("Visitors cannot be fewer than zero.")})
    month = month.replace(day=1)
    # lock: two people may enter the same month at once
    existing = VisitorCount.objects.select_for_update().filter(carrier=carrier, month=month).first()
    if existing is None:
        return VisitorCount.objects.create(carrier=carrier, month=month, visitors=visitors, recorded_by=by)
    existing.visitors = visitors
    existing.recorded_by = by
    existing.save(update_fields=["visitors", "recorded_by"])
    return existing
