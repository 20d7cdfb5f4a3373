"""The people of the load test, for locust: village offices, safety officers, town administrators, and
a superuser reading Django's admin changelist of the same findings (the baseline).

``python -m bench.load`` runs it against gunicorn on the million-finding database and prints the
figures. Everyone signs in through the portal's sign-in form (and its one-time-code step, where the
portal asks for one); what they do then is what their role does on a working day: read the ledger
with the filters they use, open findings, and now and then upload a photo — a village office submits
a fix with its after-photo, an officer logs an inspection with a photo.

What the people need to know comes from a JSON plan named by ``CHASHAN_LOAD_PLAN`` (``bench.load``
writes it): the accounts of each role and their password, the TOTP keys of the accounts that have a
second step, the villages to filter by, and the word the text search looks for. ``python -m
bench.locustfile --once --host URL`` runs every person's every task once, in order, and exits non-zero
on any failure: the test suite runs it against its live server so that a broken script shows up there.

Only the standard library, locust and Pillow are imported here: locust loads this file in its own
process, with gevent's patches, away from Django.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import os
import random
import re
import sys
import traceback
import uuid
from collections.abc import Callable
from functools import cache
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit
from zoneinfo import ZoneInfo

from locust import HttpUser, between, task
from locust.exception import StopUser

PLAN_VARIABLE = "CHASHAN_LOAD_PLAN"
ACCOUNT_OFFSET_VARIABLE = "CHASHAN_LOAD_ACCOUNT_OFFSET"
LOGIN = "/accounts/login/"
HOME = "/"
LEDGER = "/findings/"
ADMIN_CHANGELIST = "/admin/inspections/finding/"
DASHBOARD = "/dashboard/"
SITES = "/sites/"
NEW_INSPECTION = "/inspections/new/"
PORTAL_ZONE = ZoneInfo("Asia/Shanghai")
#: a 12-megapixel phone camera's photo
PHOTO_SIZE = (4000, 3000)

FINDING_LINK = re.compile(r'href="/findings/(\d+)/"')
SITE_LINK = re.compile(r'href="/sites/(\d+)/"')
FINDING_PAGE = re.compile(r"^/findings/\d+/$")
INSPECTION_PAGE = re.compile(r"^/inspections/\d+/$")
#: names of a one-time-code input, as django-otp and django-two-factor-auth call it
OTP_FIELD = re.compile(r"(^|[-_])(otp_token|otp|token|code)$")


# --- the plan -------------------------------------------------------------------------------------


@cache
def plan() -> dict:
    path = os.environ.get(PLAN_VARIABLE)
    if not path:
        raise StopUser(f"{PLAN_VARIABLE} names no plan file: run the load test with `python -m bench.load`")
    with open(path, encoding="utf-8") as file:
        return json.load(file)


_claimed: dict[str, itertools.count] = {}


def claim_account(role: str) -> str:
    """The next account of ``role``: one account per simulated person, so that no two share a one-time code.

    ``CHASHAN_LOAD_ACCOUNT_OFFSET`` skips the first accounts (the smoke pass before a run takes the last one).
    """
    accounts = plan()["accounts"][role]
    counter = _claimed.setdefault(role, itertools.count(int(os.environ.get(ACCOUNT_OFFSET_VARIABLE, "0"))))
    return accounts[next(counter) % len(accounts)]


def one_time_code(username: str) -> str | None:
    """The current TOTP code of ``username``'s device, computed as the portal checks it; None without a key."""
    key = plan().get("totp", {}).get(username)
    if not key:
        return None
    from django_otp.oath import totp  # present whenever the portal has a second step

    return f"{totp(bytes.fromhex(key), step=30, t0=0, digits=6):06d}"


# --- pages ----------------------------------------------------------------------------------------


class _Form:
    def __init__(self, action: str, method: str):
        self.action = action
        self.method = method
        self.fields: dict[str, str] = {}


class _FormParser(HTMLParser):
    """The forms of a page: their action, method and the values their inputs would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._select: str | None = None
        self._first_option = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = _Form(attributes.get("action", ""), attributes.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attributes.get("name"):
            kind = attributes.get("type", "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            if kind not in {"submit", "button", "file", "image", "reset"}:
                self._form.fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "textarea" and attributes.get("name"):
            self._form.fields[attributes["name"]] = ""
        elif tag == "select" and attributes.get("name"):
            self._select = attributes["name"]
            self._first_option = True
        elif tag == "option" and self._select:
            # a browser sends the selected option, or the first one when none is selected
            if "selected" in attributes or self._first_option:
                self._form.fields[self._select] = attributes.get("value", "")
            self._first_option = False

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def post_forms(html: str) -> list[_Form]:
    parser = _FormParser()
    parser.feed(html)
    return [form for form in parser.forms if form.method == "post"]


def otp_field(form: _Form) -> str | None:
    for name in form.fields:
        if name != "csrfmiddlewaretoken" and OTP_FIELD.search(name):
            return name
    return None


@cache
def photo_bytes() -> bytes:
    """A phone camera's photo: by default 4000 × 3000 pixels, ~2.5 MB of JPEG, with grain that makes decoding work.

    The plan's ``photo_size`` makes it smaller (the test suite's single pass).
    """
    from PIL import Image

    size = tuple(plan().get("photo_size", PHOTO_SIZE))
    grain = Image.effect_noise(size, 10)
    light = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (Image.blend(light, grain, 0.5), grain, light))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _path(url: str) -> str:
    return urlsplit(url).path


# --- a person -------------------------------------------------------------------------------------


class PortalUser(HttpUser):
    """Someone who signs in through the form, as a person does, and then works."""

    abstract = True
    role = ""
    ledger_name = ""
    wait_time = between(1, 4)

    def on_start(self):
        self.username = claim_account(self.role)
        self.finding_ids: list[int] = []
        self.sign_in()

    # sign-in, tolerant of a second step: the code goes on whichever form asks for it

    def _fill(self, form: _Form, **values) -> dict:
        data = dict(form.fields)
        data.update(values)
        data["csrfmiddlewaretoken"] = self.client.cookies.get("csrftoken", data.get("csrfmiddlewaretoken", ""))
        field = otp_field(form)
        if field:
            code = one_time_code(self.username)
            if code is None:
                self._give_up("sign in", f"{self.username}: the portal asks for a one-time code; the plan has no key")
            data[field] = code
        return data

    def sign_in(self):
        """Sign in through the form, follow the portal's redirects, and give a one-time code where it asks.

        Done when the home page answers with neither a password nor a code form on it.
        """
        page = self.client.get(LOGIN, name="sign in: form")
        forms = [form for form in post_forms(page.text) if "password" in form.fields]
        if not forms:
            self._give_up("sign in", "the sign-in page has no form with a password field")
        url = LOGIN
        data = self._fill(forms[0], username=self.username, password=plan()["password"], next=HOME)
        response = self._step("POST", url, "sign in", data)
        for _step in range(6):
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                response = self._step("GET", url, "home" if _path(url) == HOME else "sign in: second step form")
                continue
            if response.status_code != 200:
                self._give_up("sign in", f"{self.username}: {url} answered {response.status_code}")
            forms = post_forms(response.text)
            second = [form for form in forms if otp_field(form)]
            if second:
                url = urljoin(url, second[0].action or url)
                response = self._step("POST", url, "sign in: one-time code", self._fill(second[0]))
                continue
            if any("password" in form.fields for form in forms):
                self._give_up("sign in", f"{self.username}: the password was refused")
            if _path(url) == HOME:
                return
            self._give_up("sign in", f"{self.username}: signed in, but landed on {_path(url)}")
        self._give_up("sign in", f"{self.username}: still not signed in after six steps")

    def _step(self, method: str, url: str, name: str, data: dict | None = None):
        return self.client.request(
            method, url, data=data, name=name, allow_redirects=False, headers=self._referer(url) if data else None
        )

    def _give_up(self, name: str, message: str):
        self.environment.events.request.fire(
            request_type="GET",
            name=name,
            response_time=0,
            response_length=0,
            exception=RuntimeError(message),
            context={},
        )
        raise StopUser()

    def _referer(self, url: str) -> dict:
        return {"Referer": urljoin(self.host, url)}

    # what everyone does

    def page(self, url: str, name: str, check: Callable[[str], str | None] | None = None):
        """GET a page that must answer 200 itself: a redirect (to sign in again, say) is a failure too.

        ``check`` reads the page and returns what is wrong with it, or None.
        """
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"answered {response.status_code}{f' → {where}' if where else ''}")
            elif check is not None and (problem := check(response.text)):
                response.failure(problem)
            return response

    def ledger(self, name: str, **filters) -> None:
        """A page of the ledger; the findings it lists are the ones the person opens next."""

        def lists_findings(text: str) -> str | None:
            ids = [int(pk) for pk in FINDING_LINK.findall(text)]
            if ids:
                self.finding_ids = ids
            return None if ids or filters else "the unfiltered ledger lists no finding"

        self.page(f"{LEDGER}?{urlencode(filters)}" if filters else LEDGER, name, lists_findings)

    def open_finding(self) -> None:
        """Open one of the findings the last ledger page listed."""
        if not self.finding_ids:
            self.ledger(self.ledger_name)
        if self.finding_ids:
            self.page(f"{LEDGER}{random.choice(self.finding_ids)}/", "finding detail")

    def post_with_photo(self, url: str, *, name: str, data: dict, files: dict, lands_on: re.Pattern) -> str | None:
        """POST a form with a photo; the portal answers with a redirect to the page of what it saved."""
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        with self.client.post(
            url,
            data=data,
            files=files,
            name=name,
            allow_redirects=False,
            headers=self._referer(url),
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code == 302 and lands_on.match(_path(location)):
                response.success()
                return location
            response.failure(f"expected a redirect to the saved page, got {response.status_code} {location}".strip())
        return None


# --- the roles ------------------------------------------------------------------------------------


class VillageOffice(PortalUser):
    """A village safety office: its own village's findings, and fixes with their after-photos."""

    role = "village_office"
    ledger_name = "ledger (village office)"
    weight = 3

    def on_start(self):
        super().on_start()
        self.to_fix: list[int] = []

    @task(2)
    def ledger_all(self):
        self.ledger("ledger (village office)")

    @task(2)
    def ledger_ours_open(self):
        self.ledger("ledger (village office)", status="open", mine="yes")

    @task(1)
    def ledger_overdue(self):
        self.ledger("ledger (village office)", overdue="yes")

    @task(1)
    def ledger_search(self):
        self.ledger("ledger (village office)", q=plan()["common_word"])

    @task(3)
    def finding(self):
        self.open_finding()

    @task(1)
    def submit_fix(self):
        if not self.to_fix:
            # general findings only: a major one needs its rectification plan (五落实) before a fix
            query = urlencode({"status": "open", "mine": "yes", "grade": "general"})
            self.to_fix = [
                int(pk) for pk in FINDING_LINK.findall(self.page(f"{LEDGER}?{query}", self.ledger_name).text)
            ]
            random.shuffle(self.to_fix)
        if not self.to_fix:
            return
        pk = self.to_fix.pop()
        action = f"{LEDGER}{pk}/submit_fix/"
        if action not in self.page(f"{LEDGER}{pk}/", "finding detail").text:
            return  # moved by someone else since the list was read
        location = self.post_with_photo(
            action,
            name="upload: fix with after-photo",
            data={"note": "已清理通道杂物，拆除门锁，恢复畅通（负载测试）"},
            files={"photos": ("after.jpg", photo_bytes(), "image/jpeg")},
            lands_on=FINDING_PAGE,
        )
        if location:
            self.page(_path(location), "finding detail")


class SafetyOfficer(PortalUser):
    """A full-time officer: the findings of their zones, and inspections logged with a photo."""

    role = "safety_officer"
    ledger_name = "ledger (safety officer)"
    weight = 3

    def on_start(self):
        super().on_start()
        self.site_ids = [int(pk) for pk in SITE_LINK.findall(self.page(SITES, "sites").text)]

    @task(2)
    def ledger_all(self):
        self.ledger("ledger (safety officer)")

    @task(1)
    def ledger_not_closed(self):
        self.ledger("ledger (safety officer)", status="not_closed")

    @task(2)
    def ledger_overdue(self):
        self.ledger("ledger (safety officer)", overdue="yes")

    @task(1)
    def ledger_category(self):
        self.ledger("ledger (safety officer)", category="fire", grade="general")

    @task(3)
    def finding(self):
        self.open_finding()

    @task(1)
    def log_inspection(self):
        if not self.site_ids:
            return
        self.page(NEW_INSPECTION, "inspection form")
        started = dt.datetime.now(PORTAL_ZONE) - dt.timedelta(minutes=40)
        location = self.post_with_photo(
            NEW_INSPECTION,
            name="upload: inspection with photo",
            data={
                "kind": "routine",
                "site": str(random.choice(self.site_ids)),
                "team": "",
                "started_at": started.strftime("%Y-%m-%dT%H:%M"),
                "ended_at": (started + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
                "latitude": "",
                "longitude": "",
                "location_accuracy": "",
                "participants": "",
                "notes": "例行检查（负载测试）",
                "client_token": str(uuid.uuid4()),
                "findings-TOTAL_FORMS": "0",
                "findings-INITIAL_FORMS": "0",
                "findings-MIN_NUM_FORMS": "0",
                "findings-MAX_NUM_FORMS": "30",
            },
            files={"photos": ("inspection.jpg", photo_bytes(), "image/jpeg")},
            lands_on=INSPECTION_PAGE,
        )
        if location:
            self.page(_path(location), "inspection detail")


#: the ledger cases that the town administrator and the admin baseline both run: (ours, the admin's)
COMPARED_CASES = {
    "all": ({}, {}),
    "village + open": (
        {"village": "{village}", "status": "open"},
        {"village__id__exact": "{village}", "status__exact": "open"},
    ),
    "category + grade": ({"category": "gas", "grade": "major"}, {"category__exact": "gas", "grade__exact": "major"}),
    "text search": ({"q": "{search}"}, {"q": "{search}"}),
}


def _case(filters: dict) -> dict:
    values = {"village": random.choice(plan()["villages"]), "search": plan()["search_word"]}
    return {key: value.format(**values) for key, value in filters.items()}


class TownAdmin(PortalUser):
    """A town administrator: the whole town's ledger, findings, and the leadership dashboard."""

    role = "town_admin"
    ledger_name = "ledger (town admin): all"
    weight = 1

    @task(2)
    def ledger_all(self):
        self.ledger("ledger (town admin): all", **_case(COMPARED_CASES["all"][0]))

    @task(2)
    def ledger_village_open(self):
        self.ledger("ledger (town admin): village + open", **_case(COMPARED_CASES["village + open"][0]))

    @task(1)
    def ledger_category_grade(self):
        self.ledger("ledger (town admin): category + grade", **_case(COMPARED_CASES["category + grade"][0]))

    @task(1)
    def ledger_search(self):
        self.ledger("ledger (town admin): text search", **_case(COMPARED_CASES["text search"][0]))

    @task(3)
    def finding(self):
        self.open_finding()

    @task(1)
    def dashboard(self):
        self.page(DASHBOARD, "dashboard")


class AdminBaseline(PortalUser):
    """A superuser reading the same findings through Django's admin changelist: the baseline."""

    role = "superuser"
    weight = 1

    def changelist(self, label: str):
        filters = _case(COMPARED_CASES[label][1])
        query = f"?{urlencode(filters)}" if filters else ""
        self.page(f"{ADMIN_CHANGELIST}{query}", f"admin changelist: {label}")

    @task(2)
    def changelist_all(self):
        self.changelist("all")

    @task(2)
    def changelist_village_open(self):
        self.changelist("village + open")

    @task(1)
    def changelist_category_grade(self):
        self.changelist("category + grade")

    @task(1)
    def changelist_search(self):
        self.changelist("text search")


USER_CLASSES = [VillageOffice, SafetyOfficer, TownAdmin, AdminBaseline]


# --- once through, for the test suite ---------------------------------------------------------------


def run_once(host: str) -> int:
    """Sign in as each person and run each of their tasks once, in order; the number of failures."""
    from locust.env import Environment

    environment = Environment(user_classes=USER_CLASSES, host=host)
    failures: list[str] = []
    requests: list[str] = []

    def record(request_type, name, response_time, response_length, exception=None, **_kwargs):
        requests.append(f"{request_type} {name} ({response_time:.0f} ms)")
        if exception is not None:
            failures.append(f"{request_type} {name}: {exception}")

    environment.events.request.add_listener(record)
    for user_class in USER_CLASSES:
        user_class.host = host
        user = user_class(environment)
        try:
            user.on_start()
            for task_function in dict.fromkeys(user_class.tasks):  # each task once, in the order written
                task_function(user)
            user.on_stop()
        except StopUser:
            failures.append(f"{user_class.__name__}: stopped")
        except Exception:
            failures.append(f"{user_class.__name__}: {traceback.format_exc()}")
    print("\n".join(requests))
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    print(f"{len(requests)} requests, {len(failures)} failures")
    return len(failures)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Run every person's every task once (for the test suite).")
    parser.add_argument("--once", action="store_true", required=True)
    parser.add_argument("--host", required=True, help="e.g. http://127.0.0.1:8000")
    arguments = parser.parse_args()
    sys.exit(1 if run_once(arguments.host.rstrip("/")) else 0)
