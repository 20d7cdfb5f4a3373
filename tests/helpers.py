"""Small helpers shared by the test modules."""

from __future__ import annotations

import html

from django.db import connection
from django.test.utils import CaptureQueriesContext

from chashan_safety.models import User
from inspections.models import Grid, PatrolTeam, PatrolTeamMember, Section, Zone, ZoneVillage
from responsibility.models import Unit, Village

#: who may read a record of village A (zone A): (persona, status of its detail page)
WHO_READS_VILLAGE_A = [
    ("town_admin", 200),
    ("leadership", 200),
    ("safety_officer", 200),
    ("village_office", 200),
    ("other_officer", 404),
    ("other_village_office", 404),
    ("unit_office", 404),
]

DOMAIN_MODELS = (Village, Unit, Section, Zone, ZoneVillage, Grid, PatrolTeam, PatrolTeamMember, User)


def database_snapshot() -> dict:
    """Every row of the registries, users and their history, to show that a refused request changed nothing."""
    snapshot = {}
    for model in DOMAIN_MODELS:
        rows = list(model.objects.order_by("pk").values())
        for row in rows:
            row.pop("last_login", None)  # signing in to make the request is not a change the request made
        snapshot[model._meta.label] = rows
        if hasattr(model, "history"):
            snapshot[f"{model._meta.label}.history"] = model.history.count()
    snapshot["user.zones"] = sorted(User.zones.through.objects.values_list("user_id", "zone_id"))
    return snapshot


def page_text(response) -> str:
    return response.content.decode()


def shows(response, text: str) -> bool:
    """Whether the page shows ``text`` (as the template would escape it)."""
    content = page_text(response)
    return str(text) in content or html.escape(str(text)) in content


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def team_post(zone, leader, *, name: str, members: list[dict] | None = None) -> dict:
    """The POST of the team form with its members formset (prefix "members")."""
    members = members or []
    data = {
        "name": name,
        "zone": zone.pk,
        "leader": leader.pk,
        "is_active": "on",
        "notes": "",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for index, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{index}-{key}"] = value
    return data
