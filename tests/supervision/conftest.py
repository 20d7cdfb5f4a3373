"""Shared fixtures of the supervision tests: a site in each village, findings recorded through the services."""

from __future__ import annotations

import pytest
from django.utils import translation

from inspections.models import Finding
from tests.builders import make_site, record_findings


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english():
    # messages are asserted in their English source form, which holds before and after translation
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for):
    """Clients that read English, so that pages' messages are asserted in their source form too."""
    return lambda user=None, **defaults: client_for(user, HTTP_ACCEPT_LANGUAGE="en", **defaults)


@pytest.fixture
def site_a(village_a):
    return make_site(village_a)


@pytest.fixture
def site_b(village_b):
    return make_site(village_b)


@pytest.fixture
def finding(safety_officer, site_a):
    return record_findings(officer=safety_officer, site=site_a)[0]


@pytest.fixture
def major_finding(safety_officer, site_a):
    return record_findings(officer=safety_officer, site=site_a, grade=Finding.Grade.MAJOR)[0]
