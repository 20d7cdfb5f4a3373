"""What the scope walk requests: for every URL pattern with an object id, an object of side B and who is
inside and outside its scope; for every Excel export, rows on both sides.

``test_scope_walk`` fails when the resolver has a pattern with an id that no case here covers, so a
page added later must be given its case (its object, its insider and its outsiders) to pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from tests.builders import jpeg_upload, make_finding, make_site
from tests.conftest import PERSONAS
from tests.factories import ActivityFactory, CarrierFactory, IncidentFactory
from tests.security.scope_town import SIDE_A, Town

Build = Callable[[Town], dict]
Data = Callable[[Town, dict], dict]


@dataclass(frozen=True)
class Case:
    """One URL pattern (or one value of its ``move`` or ``size``) walked with an object of side B.

    - ``outsiders`` must get 404 for the object, or, where their role may not use the page at all,
      the very answer (403, 405) they get for an id that does not exist; and change nothing.
    - ``insider`` gets ``status`` on GET (when the page ``reads``), and, when the case has ``data``,
      a POST of it is taken (302) and changes the database: the same URL works, so the outsiders'
      404 is scoping and the outsiders' POST was one that would have worked.
    - leadership reads only: when the page ``writes`` (a form or a state change), its POST gets 403
      or 404 and changes nothing.
    """

    pattern: str
    build: Build
    insider: str
    outsiders: tuple[str, ...] = SIDE_A
    reads: bool = True
    writes: bool = False
    data: Data | None = None
    status: int = 200
    content_type: str = "text/html"
    #: the pattern's text arguments (a finding's ``move``, a photo's ``size``)
    args: dict[str, str] = field(default_factory=dict)
    #: what tells apart cases of one pattern besides ``args``
    variant: str = ""

    def kwargs(self, town: Town) -> dict:
        return {**self.build(town), **self.args}

    @property
    def id(self) -> str:
        label = "-".join(part for part in (self.variant, *self.args.values()) if part)
        return f"{self.pattern}[{label}]" if label else self.pattern


def pk(obj, *, also: tuple[str, ...] = ()) -> Build:
    """The URL kwargs ``{"pk": ...}`` of the town's attribute ``obj`` (a name, or a callable of the town).

    ``also`` names what the case's POST refers to, built before the walk looks at the database.
    """

    def build(town: Town) -> dict:
        for name in also:
            getattr(town, name)
        return {"pk": (obj(town) if callable(obj) else getattr(town, obj)).pk}

    return build


def admin_only(pattern: str, obj, **options) -> Case:
    """A town administrator's form: every other role is refused the page, whatever the id."""
    return Case(pattern, pk(obj), "town_admin", writes=True, **options)


def everyone_but(*insiders: str) -> tuple[str, ...]:
    return tuple(persona for persona in PERSONAS if persona not in insiders)


def _local_now() -> str:
    return f"{timezone.localtime():%Y-%m-%d %H:%M}"


# the offices of side A (officers read every unit, every village's outreach and the whole duty log)
OFFICES_A = ("village_office", "unit_office")
PDF = "application/pdf"
JPEG = "image/jpeg"


CASES: list[Case] = [
    # --- accounts and the inbox ---------------------------------------------------------------------
    admin_only("accounts:user-edit", "other_village_office"),
    admin_only("accounts:user-password", "other_village_office"),
    # another person's inbox item: even the town's administrators and leaders get 404
    Case("inbox-open", pk("notification_b"), "other_village_office", everyone_but("other_village_office"), status=302),
    Case("inbox-group", pk("group_notification_b"), "other_village_office", everyone_but("other_village_office")),
    # a lost phone: only a town administrator resets another person's two-factor sign-in
    Case(
        "accounts:user-two-factor-reset",
        pk("enrolled_village_office_b"),
        "town_admin",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {},
    ),
    # --- responsibility: villages, units, cards, letters --------------------------------------------
    Case("responsibility:village-detail", pk("village_b"), "other_village_office"),
    admin_only("responsibility:village-edit", "village_b"),
    Case("responsibility:unit-detail", pk("unit_b"), "other_unit_office", OFFICES_A),
    admin_only("responsibility:unit-edit", "unit_b"),
    Case("responsibility:letter-detail", pk(lambda town: town.supervision_letter_b(sent=True)), "other_village_office"),
    Case(
        "responsibility:letter-send",
        pk(lambda town: town.supervision_letter_b(sent=False)),
        "town_admin",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {},
    ),
    Case(
        "responsibility:letter-pdf",
        pk(lambda town: town.supervision_letter_b(sent=True)),
        "other_village_office",
        content_type=PDF,
    ),
    Case("responsibility:template-detail", pk(lambda town: town.letter_templates["village"]), "leadership"),
    admin_only("responsibility:template-edit", lambda town: town.letter_templates["village"]),
    Case(
        "responsibility:template-copy",
        pk(lambda town: town.letter_templates["village"]),
        "town_admin",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {},
    ),
    Case("responsibility:rletter-detail", pk("rletter_b"), "other_village_office"),
    Case(
        "responsibility:rletter-sign",
        pk("rletter_b"),
        "other_village_office",
        reads=False,
        writes=True,
        data=lambda town, kwargs: _signature(),
    ),
    Case("responsibility:rletter-signature", pk("signed_rletter_b"), "other_village_office", content_type="image/png"),
    Case("responsibility:rletter-verify", pk("signed_rletter_b"), "other_village_office"),
    Case("responsibility:rletter-pdf", pk("signed_rletter_b"), "other_village_office", content_type=PDF),
    Case("responsibility:scorecard-party", pk("rletter_b"), "other_village_office"),
    Case(
        "responsibility:scorecard-score",
        lambda town: {"pk": town.rletter_b.pk, "item_pk": town.rletter_b.template.items.order_by("order").first().pk},
        "town_admin",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {f"item{kwargs['item_pk']}-points": "50", f"item{kwargs['item_pk']}-note": "走查"},
    ),
    # --- inspections: the 1+4+4 structure (sections and zones are the town's public structure) ------
    Case("inspections:section-detail", pk(lambda town: town.zone_b.section), "other_officer", outsiders=()),
    admin_only("inspections:section-edit", lambda town: town.zone_b.section),
    Case("inspections:zone-detail", pk("zone_b"), "other_village_office", outsiders=()),
    admin_only("inspections:zone-edit", "zone_b"),
    Case("inspections:grid-detail", pk("grid_b"), "other_village_office"),
    admin_only("inspections:grid-edit", "grid_b"),
    Case("inspections:team-detail", pk("team_b"), "other_village_office"),
    admin_only("inspections:team-edit", "team_b"),
    # --- sites, inspections, findings and their photos ----------------------------------------------
    Case("inspections:site-detail", pk("site_b"), "other_village_office"),
    Case("inspections:site-edit", pk("site_b"), "other_officer", writes=True),
    Case("inspections:inspection-detail", pk("inspection_b"), "other_unit_office"),
    Case("inspections:finding-detail", pk("finding_b"), "other_unit_office"),
    Case("inspections:finding-edit", pk("finding_b"), "other_officer", writes=True),
    Case(
        "inspections:finding-action",
        pk("finding_b"),
        "other_unit_office",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {"note": "已清理消防通道", "photos": jpeg_upload("fixed.jpg")},
        args={"move": "submit_fix"},
    ),
    Case(
        "inspections:finding-action",
        pk("submitted_finding_b"),
        "other_officer",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {"result": "pass", "note": "复查通过"},
        args={"move": "verify"},
    ),
    Case(
        "inspections:finding-action",
        pk("verified_major_finding_b"),
        "town_admin",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {"note": "挂牌督办销号"},
        args={"move": "close"},
    ),
    Case(
        "inspections:finding-action",
        pk("closed_finding_b"),
        "other_officer",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {"note": "隐患反弹", "deadline": (town.today + dt.timedelta(days=7)).isoformat()},
        args={"move": "reopen"},
    ),
    *[
        Case(
            "inspections:photo",
            pk(attr),
            "other_village_office",
            content_type=JPEG,
            args={"size": size},
            variant=owner,
        )
        for owner, attr in (
            ("finding", "finding_photo_b"),
            ("fix", "fix_photo_b"),
            ("inspection", "inspection_photo_b"),
        )
        for size in ("full", "thumb")
    ],
    # --- incidents ----------------------------------------------------------------------------------
    Case("incidents:incident-detail", pk("incident_b"), "other_village_office"),
    admin_only("incidents:incident-edit", "incident_b"),
    # --- supervision ----------------------------------------------------------------------------------
    Case(
        "supervision:plan-edit",
        pk("major_finding_b"),
        "other_unit_office",
        writes=True,
        data=lambda town, kwargs: {
            "responsible_person": "周老板",
            "responsible_phone": "13800138000",
            "funds": "50000",
            "deadline": town.major_finding_b.deadline.isoformat(),
            "measures": "更换阀门",
            "contingency_plan": "停用储罐区",
        },
    ),
    Case(
        "supervision:follow-up-schedule",
        pk("closed_finding_b"),
        "other_officer",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {},
    ),
    Case(
        "supervision:follow-up-detail",
        pk("follow_up_b"),
        "other_officer",
        writes=True,
        data=lambda town, kwargs: {"result": "held", "note": "整改效果保持"},
    ),
    Case("supervision:round-detail", pk("round_b"), "other_village_office"),
    # campaigns are the town's: everyone reads them (their figures are scoped)
    Case("supervision:campaign-detail", pk("campaign"), "other_village_office", outsiders=()),
    Case("supervision:campaign-report", pk("campaign"), "other_village_office", outsiders=()),
    admin_only("supervision:campaign-edit", "campaign"),
    Case(
        "supervision:campaign-link-matching",
        pk("campaign", also=("finding_b",)),
        "town_admin",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {},
    ),
    Case(
        "supervision:campaign-link-inspection",
        pk("inspection_b", also=("campaign",)),
        "other_officer",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {"campaign": town.campaign.pk},
    ),
    Case("supervision:plan-detail", pk("plan_b"), "other_officer"),
    Case("supervision:plan-redraw", pk("plan_b"), "other_officer", reads=False, writes=True, data=lambda t, k: {}),
    Case(
        "supervision:plan-swap",
        lambda town: {"pk": town.plan_b.pk, "visit_pk": town.plan_b.visits.get().pk},
        "other_officer",
        reads=False,
        writes=True,
        data=lambda town, kwargs: {},
    ),
    Case("supervision:plan-accept", pk("plan_b"), "other_officer", reads=False, writes=True, data=lambda t, k: {}),
    Case("supervision:notice-finding", pk("finding_b"), "other_officer", content_type=PDF),
    Case("supervision:notice-inspection", pk("inspection_b"), "other_officer", content_type=PDF),
    # --- outreach (officers read every village's) ----------------------------------------------------
    Case("outreach:carrier-detail", pk("carrier_b"), "other_village_office", OFFICES_A),
    Case("outreach:carrier-edit", pk("carrier_b"), "other_village_office", OFFICES_A, writes=True),
    Case(
        "outreach:carrier-visitors",
        pk("venue_b"),
        "other_village_office",
        OFFICES_A,
        reads=False,
        writes=True,
        data=lambda town, kwargs: {"month": f"{town.today:%Y-%m}", "visitors": "120"},
    ),
    admin_only("outreach:carrier-type-edit", lambda town: town.carrier_b.type),
    Case("outreach:activity-detail", pk("activity_b"), "other_village_office", OFFICES_A),
    Case("outreach:activity-edit", pk("activity_b"), "other_village_office", OFFICES_A, writes=True),
    *[
        Case(
            "outreach:photo",
            pk(attr),
            "other_village_office",
            OFFICES_A,
            content_type=JPEG,
            args={"size": size},
            variant=owner,
        )
        for owner, attr in (("carrier", "carrier_photo_b"), ("activity", "activity_photo_b"))
        for size in ("full", "thumb")
    ],
    # --- duty: the duty table is public; the log and responses are read by officers and the village --
    Case("duty:shift-detail", pk("shift_b"), "other_officer", outsiders=()),
    admin_only("duty:shift-edit", "shift_b"),
    admin_only("duty:shift-delete", "shift_b", reads=False, data=lambda town, kwargs: {}),
    # a person not on the shift is refused (403): that the shift exists is on the public duty table
    Case("duty:swap-create", pk("shift_b"), "other_officer", outsiders=(), writes=True),
    Case(
        "duty:handover",
        pk("shift_b"),
        "other_officer",
        outsiders=(),
        reads=False,
        writes=True,
        data=lambda town, kwargs: {"note": "夜间无异常，超朗村工业区需继续关注"},
    ),
    admin_only("duty:swap-decide", "swap_b", reads=False, data=lambda town, kwargs: {"decision": "refuse", "note": ""}),
    Case("duty:log-detail", pk("entry_b"), "other_village_office", OFFICES_A),
    Case(
        "duty:log-step",
        pk("entry_b"),
        "other_officer",
        OFFICES_A,
        reads=False,
        writes=True,
        data=lambda town, kwargs: {
            "step": "report",
            "report_kind": "initial",
            "at": _local_now(),
            "counterpart": "带班领导",
            "content": "已电话初报",
        },
    ),
    Case(
        "duty:log-activate",
        pk("entry_b"),
        "other_officer",
        OFFICES_A,
        reads=False,
        writes=True,
        data=lambda town, kwargs: {"template": town.response_template.pk},
    ),
    Case("duty:activation-detail", pk("activation_b"), "other_village_office", OFFICES_A),
    Case(
        "duty:activation-note",
        pk("activation_b"),
        "other_officer",
        OFFICES_A,
        reads=False,
        writes=True,
        data=lambda town, kwargs: {"text": "消防已出动"},
    ),
    Case(
        "duty:activation-close",
        pk("activation_b"),
        "other_officer",
        OFFICES_A,
        reads=False,
        writes=True,
        data=lambda town, kwargs: {"outcome": "明火已扑灭，无人员伤亡"},
    ),
    Case(
        "duty:callout-record",
        pk(lambda town: town.activation_b.callouts.get()),
        "other_officer",
        OFFICES_A,
        reads=False,
        writes=True,
        data=lambda town, kwargs: {"note": "已电话通知", "now": "called"},
    ),
    admin_only("duty:unit-edit", lambda town: town.response_template.template_units.get().unit),
    admin_only("duty:template-edit", "response_template"),
]


def _signature() -> dict:
    from tests.responsibility.signatures import drawn_url

    return {"method": "drawn", "signer_name": "李志强", "signature": drawn_url(), "confirm": "on"}


def _finding_moves() -> set[str]:
    from inspections.views.findings import ACTIONS

    return set(ACTIONS)


def _photo_sizes() -> set[str]:
    from inspections.views.photos import SIZES

    return set(SIZES)


#: the values each pattern's text argument takes: each value is walked as a case of its own
TEXT_ARGUMENTS: dict[str, Callable[[], set[str]]] = {
    "inspections:finding-action": _finding_moves,
    "inspections:photo": _photo_sizes,
    "outreach:photo": lambda: {"full", "thumb"},
}


# --- exports ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """An Excel export: rows on both sides, and what marks each side's row in the workbook.

    ``build`` returns (marker of side A's row, marker of side B's row, query asking for side B).
    ``outsiders`` (of side A) are refused the export, or get a workbook without side B's row, even
    when they ask for side B; ``exporters`` among them find side A's row in it. ``insider`` asking
    for side B finds side B's row: the query asks for what it means to.
    """

    pattern: str
    build: Callable[[Town], tuple[str, str, dict]]
    insider: str
    exporters: tuple[str, ...]
    outsiders: tuple[str, ...] = SIDE_A


def _findings(town: Town):
    found_a = make_finding(make_site(town.village_a), responsible_unit=town.unit_a, description="上元村走查隐患甲")
    found_b = make_finding(town.site_b, responsible_unit=town.unit_b, description="超朗村走查隐患乙")
    return found_a.description, found_b.description, {"village": town.village_b.pk}


def _incidents(town: Town):
    IncidentFactory(village=town.village_a, summary="上元村走查事故甲")
    IncidentFactory(village=town.village_b, summary="超朗村走查事故乙")
    return "上元村走查事故甲", "超朗村走查事故乙", {"village": town.village_b.pk}


def _outreach(town: Town):
    carrier_a = CarrierFactory(village=town.village_a, name="上元村走查阵地甲")
    ActivityFactory(village=town.village_a, carrier=carrier_a, title="上元村走查活动甲")
    ActivityFactory(village=town.village_b, carrier=town.carrier_b, title="超朗村走查活动乙")
    return "上元村走查活动甲", "超朗村走查活动乙", {"year": town.today.year, "village": town.village_b.pk}


def _letters(town: Town):
    town.letter_templates  # noqa: B018
    from responsibility.signing import letters_issue

    letters_issue(
        year=town.today.year,
        deadline=town.today + dt.timedelta(days=20),
        by=town.town_admin,
        villages=[town.village_a, town.village_b],
        units=[town.unit_a, town.unit_b],
    )
    return town.village_a.name, town.village_b.name, {"year": town.today.year, "zone": town.zone_b.pk}


def _scorecard(town: Town):
    return (*_letters(town)[:2], {"year": town.today.year})


def _site_template(town: Town):
    # the sheet of villages and grids the import may name
    return town.grid_a.code, town.grid_b.code, {}


EXPORTS: dict[str, Export | None] = {
    "inspections:finding-export": Export("inspections:finding-export", _findings, "other_village_office", SIDE_A),
    # unit offices do not read the incident register
    "incidents:incident-export": Export(
        "incidents:incident-export", _incidents, "other_village_office", ("safety_officer", "village_office")
    ),
    # officers read every village's outreach
    "outreach:export": Export("outreach:export", _outreach, "other_village_office", ("village_office",), OFFICES_A),
    # the progress board is the town's, its leaders' and the officers'
    "responsibility:rletter-ledger": Export(
        "responsibility:rletter-ledger", _letters, "other_officer", ("safety_officer",)
    ),
    "responsibility:scorecard-export": Export("responsibility:scorecard-export", _scorecard, "town_admin", ()),
    "inspections:site-import-template": Export(
        "inspections:site-import-template", _site_template, "other_officer", ("safety_officer",)
    ),
    # a blank form for the town administrator's import: it holds no row of anyone's
    "incidents:incident-import-template": None,
}


# --- pages without an object id -----------------------------------------------------------------------

#: forms and actions that create or change records: leadership, which reads only, is refused them
WRITES_WITHOUT_ID = {
    "accounts:user-create",
    "duty:activation-create",
    "duty:log-create",
    "duty:shift-create",
    "duty:shifts-plan",
    "duty:template-create",
    "duty:unit-create",
    "incidents:incident-create",
    "incidents:incident-import",
    "inspections:grid-create",
    "inspections:inspection-create",
    "inspections:section-create",
    "inspections:site-create",
    "inspections:site-import",
    "inspections:team-create",
    "inspections:zone-create",
    "outreach:activity-create",
    "outreach:carrier-create",
    "outreach:carrier-type-create",
    "responsibility:rletter-archive",
    "responsibility:rletter-issue",
    "responsibility:template-create",
    "responsibility:unit-create",
    "responsibility:village-create",
    "supervision:campaign-create",
    "supervision:category-create",
    "supervision:planner",
    "supervision:round-create",
}

#: what every signed-in person reads and changes of their own: their inbox, password, two-factor sign-in
OWN_WITHOUT_ID = {
    "inbox-read-all",
    "password_change",
    "two-factor",
    "two-factor-codes",
    "two-factor-codes-new",
    "two-factor-setup",
    "two-factor-turn-off",
    "two-factor-verify",
}

#: pages that only read (lists, boards, calendars, exports, the search of the inspection form)
READS_WITHOUT_ID = {
    "accounts:user-list",
    "dashboard:dashboard",
    "dashboard:dashboard-print",
    "duty:activation-list",
    "duty:calendar",
    "duty:calendar-print",
    "duty:desk",
    "duty:log-list",
    "duty:roster",
    "duty:swap-list",
    "home",
    "inbox",
    "incidents:incident-export",
    "incidents:incident-import-template",
    "incidents:incident-list",
    "inspections:finding-export",
    "inspections:finding-list",
    "inspections:grid-list",
    "inspections:inspection-list",
    "inspections:section-list",
    "inspections:site-import-template",
    "inspections:site-list",
    "inspections:site-search",
    "inspections:structure",
    "inspections:team-list",
    "inspections:zone-list",
    "outreach:activity-list",
    "outreach:calendar",
    "outreach:carrier-list",
    "outreach:carrier-type-list",
    "outreach:coverage",
    "outreach:export",
    "password_change_done",
    "reminders-no-contact",
    "reminders-overview",
    "responsibility:card-list",
    "responsibility:letter-list",
    "responsibility:rletter-ledger",
    "responsibility:rletter-mine",
    "responsibility:rletter-progress",
    "responsibility:scorecard",
    "responsibility:scorecard-export",
    "responsibility:template-list",
    "responsibility:unit-list",
    "responsibility:village-list",
    "supervision:board",
    "supervision:campaign-list",
    "supervision:follow-up-figures",
    "supervision:follow-up-list",
    "supervision:round-list",
}
