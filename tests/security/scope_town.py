"""The small town of the scope walk, and what the walk builds in it on side B.

Side A is village A (zone A), unit A and their personas (``safety_officer``, ``village_office``,
``unit_office``); side B is village B (zone B), unit B and theirs (``other_officer``,
``other_village_office``, ``other_unit_office``). Every object the walk builds lies wholly on side B:
in village B, with unit B responsible where a unit can be, worked by the officer of zone B. So the
personas of side A are outside its scope, and a persona of side B (or the town) is inside it.

The personas and places come from ``tests/conftest.py``; each object is built once per test, through
the services where people make it that way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from functools import cached_property

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from chashan_safety.models import Notification, Role
from duty import services as duty_services
from duty.models import ResponseTemplate, ResponseUnit, SwapRequest, TemplateUnit
from inspections.models import Finding, FindingStatus, Inspection, Photo
from inspections.photos import process_photo
from inspections.services import finding_submit_fix, finding_verify, inspection_record
from outreach import services as outreach_services
from responsibility.models import Card, LetterTemplate, PartyKind, ResponsibilityLetter, SupervisionLetter, TargetItem
from responsibility.signing import drawn_signature, letter_sign, letters_issue
from supervision import services as supervision_services
from supervision.models import Campaign, CampaignCategory, FollowUp, FollowUpRound
from tests.builders import after_photo, complete_plan, jpeg_upload, make_finding, make_site, record_findings
from tests.conftest import PERSONAS
from tests.factories import ActivityFactory, CarrierFactory, CarrierTypeFactory, IncidentFactory, UserFactory

#: the personas of side A: outside the scope of what lies on side B
SIDE_A = ("safety_officer", "village_office", "unit_office")

#: a letter template's items: points that add up to 100, so that letters can be issued from it
LETTER_ITEMS = [
    (TargetItem.Section.ACCIDENT, "全年不发生造成人员死亡的生产安全事故", 60),
    (TargetItem.Section.WORK, "每季度召开安全生产工作会议", 40),
]


def photo_upload(name: str):
    return process_photo(jpeg_upload(name))


class Town:
    """Personas and places by name (``town.village_b``), and side B's objects, each built on first use."""

    def __init__(self, request):
        self._request = request
        self.today = timezone.localdate()
        self.now = timezone.now().replace(second=0, microsecond=0)
        for persona in PERSONAS:
            getattr(self, persona)  # every persona exists before any request is made

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        value = self._request.getfixturevalue(name)
        self.__dict__[name] = value
        return value

    # --- sites, inspections, findings -------------------------------------------------------------------

    @cached_property
    def site_b(self):
        return make_site(self.village_b, name="超朗村走查五金厂")

    @cached_property
    def second_site_b(self):
        return make_site(self.village_b, name="超朗村走查塑料厂")

    def _record(self, **options) -> Finding:
        return record_findings(officer=self.other_officer, site=self.site_b, responsible_unit=self.unit_b, **options)[0]

    @cached_property
    def finding_b(self) -> Finding:
        """Open, general, found by the officer of zone B in village B, to be fixed by unit B; one photo."""
        return self._record(before_photos=1)

    @cached_property
    def inspection_b(self) -> Inspection:
        return self.finding_b.inspection

    @cached_property
    def submitted_finding_b(self) -> Finding:
        finding = self._record()
        finding_submit_fix(finding=finding, by=self.other_unit_office, note="已整改", photos=[after_photo()])
        return finding

    @cached_property
    def major_finding_b(self) -> Finding:
        return self._record(grade=Finding.Grade.MAJOR)

    @cached_property
    def verified_major_finding_b(self) -> Finding:
        """A major finding whose fix passed: only the town closes it."""
        finding = self.major_finding_b
        complete_plan(finding, self.other_officer)
        finding_submit_fix(finding=finding, by=self.other_unit_office, note="已整改", photos=[after_photo()])
        finding_verify(finding=finding, by=self.other_officer, passed=True)
        finding.refresh_from_db()
        assert finding.status == FindingStatus.VERIFIED
        return finding

    @cached_property
    def closed_finding_b(self) -> Finding:
        """Closed three weeks ago (straight in the database: no follow-up waits on it)."""
        return make_finding(
            self.site_b,
            found_on=self.today - dt.timedelta(days=20),
            status=FindingStatus.CLOSED,
            responsible_unit=self.unit_b,
        )

    @cached_property
    def finding_photo_b(self):
        return self.finding_b.photos.get()

    @cached_property
    def fix_photo_b(self):
        """The photo the responsible office took after the fix, on the finding's timeline."""
        return self.submitted_finding_b.photos.get(kind=Photo.Kind.AFTER)

    @cached_property
    def inspection_photo_b(self):
        inspection, _created = inspection_record(
            by=self.other_officer,
            site=self.site_b,
            kind=Inspection.Kind.ROUTINE,
            started_at=self.now - dt.timedelta(hours=2),
            photos=[photo_upload("inspection.jpg")],
        )
        return inspection.photos.get()

    # --- supervision --------------------------------------------------------------------------------

    @cached_property
    def follow_up_b(self) -> FollowUp:
        return FollowUp.objects.create(finding=self.closed_finding_b, due_on=self.today + dt.timedelta(days=3))

    @cached_property
    def round_b(self) -> FollowUpRound:
        drawn = FollowUpRound.objects.create(
            name="超朗村走查回头看",
            share=Decimal(50),
            seed=7,
            due_on=self.today + dt.timedelta(days=10),
            created_by=self.other_officer,
        )
        FollowUp.objects.create(
            finding=self.closed_finding_b, source=FollowUp.Source.SAMPLED, round=drawn, due_on=drawn.due_on
        )
        return drawn

    @cached_property
    def campaign(self) -> Campaign:
        """A fire-safety campaign running now (campaigns are the town's: everyone reads them)."""
        category, _created = CampaignCategory.objects.get_or_create(name="消防走查")
        return Campaign.objects.create(
            name="走查消防专项整治",
            category=category,
            finding_category=Finding.Category.FIRE,
            starts_on=self.today - dt.timedelta(days=30),
            ends_on=self.today + dt.timedelta(days=30),
            created_by=self.town_admin,
        )

    @cached_property
    def plan_b(self):
        """Tonight's draft plan of team B: one target drawn from two sites."""
        self.site_b, self.second_site_b  # noqa: B018 (the sites to draw from)
        return supervision_services.plan_draw(
            by=self.other_officer, team=self.team_b, kind="night", planned_for=self.today, size=1
        )

    # --- incidents and duty ---------------------------------------------------------------------------

    @cached_property
    def incident_b(self):
        return IncidentFactory(village=self.village_b, summary="超朗村走查事故经过")

    @cached_property
    def response_template(self) -> ResponseTemplate:
        unit = ResponseUnit.objects.create(name="走查消防救援站", core_role="fire", order=1)
        template = ResponseTemplate.objects.create(name="走查火灾", category="fire")
        TemplateUnit.objects.create(template=template, unit=unit, order=1)
        return template

    @cached_property
    def shift_b(self):
        """On duty now: a second town leader and the officer of zone B (not the leadership persona)."""
        leader = UserFactory(role=Role.LEADERSHIP, full_name="走查带班领导")
        return duty_services.shift_save(
            by=self.town_admin,
            starts_at=self.now - dt.timedelta(hours=2),
            ends_at=self.now + dt.timedelta(hours=22),
            leader=leader,
            officers=[self.other_officer],
        )

    @cached_property
    def swap_b(self) -> SwapRequest:
        return SwapRequest.objects.create(
            shift=self.shift_b,
            requester=self.other_officer,
            colleague=UserFactory(role=Role.SAFETY_OFFICER, full_name="走查替班员"),
            reason="家中有事",
        )

    @cached_property
    def entry_b(self):
        self.shift_b  # noqa: B018 (the call comes in on B's shift)
        return duty_services.log_receive(
            by=self.other_officer,
            received_at=self.now - dt.timedelta(minutes=30),
            caller_name="超朗村走查来电人",
            caller_phone="13800000777",
            village=self.village_b,
            place="超朗村工业区",
            what_happened="厂房冒烟",
            event_type=self.response_template,
        )

    @cached_property
    def activation_b(self):
        return duty_services.activation_from_entry(
            entry=self.entry_b, by=self.other_officer, template=self.response_template
        )

    # --- outreach -----------------------------------------------------------------------------------

    @cached_property
    def carrier_b(self):
        return CarrierFactory(village=self.village_b, name="超朗村走查宣传栏")

    @cached_property
    def venue_b(self):
        venue = CarrierTypeFactory(name="走查宣教馆", is_venue=True)
        return CarrierFactory(village=self.village_b, type=venue, name="超朗村走查宣教馆", capacity=40)

    @cached_property
    def activity_b(self):
        return ActivityFactory(village=self.village_b, carrier=self.carrier_b, title="超朗村走查消防演练")

    @cached_property
    def carrier_photo_b(self):
        outreach_services.carrier_save(
            carrier=self.carrier_b, by=self.other_village_office, photos=[photo_upload("c.jpg")]
        )
        return self.carrier_b.photos.get()

    @cached_property
    def activity_photo_b(self):
        activity = outreach_services.activity_record(
            by=self.other_village_office,
            kind="training",
            title="超朗村走查安全培训",
            held_on=self.today - dt.timedelta(days=1),
            village=self.village_b,
            organiser="超朗村安全办",
            photos=[photo_upload("a.jpg")],
        )
        return activity.photos.get()

    # --- letters ------------------------------------------------------------------------------------

    @cached_property
    def letter_templates(self) -> dict[str, LetterTemplate]:
        templates = {}
        for kind in PartyKind.values:
            template = LetterTemplate.objects.create(
                year=self.today.year,
                party_kind=kind,
                title=f"{self.today.year}年度安全生产责任书",
                body="甲乙双方签订本责任书。",
            )
            for order, (section, text, points) in enumerate(LETTER_ITEMS, start=1):
                TargetItem.objects.create(template=template, section=section, text=text, points=points, order=order)
            templates[kind] = template
        return templates

    @cached_property
    def rletter_b(self) -> ResponsibilityLetter:
        """This year's responsibility letter of village B, issued and not yet signed."""
        self.letter_templates  # noqa: B018
        letters_issue(
            year=self.today.year,
            deadline=self.today + dt.timedelta(days=20),
            by=self.town_admin,
            villages=[self.village_b],
            units=[],
        )
        return ResponsibilityLetter.objects.get(village=self.village_b)

    @cached_property
    def signed_rletter_b(self) -> ResponsibilityLetter:
        from tests.responsibility.signatures import drawn_url

        return letter_sign(
            letter=self.rletter_b,
            by=self.other_village_office,
            signature=drawn_signature(drawn_url()),
            signer_name="李志强",
        )

    def supervision_letter_b(self, *, sent: bool) -> SupervisionLetter:
        """A supervision letter for a red card of village B (offices read it once it is sent)."""
        card = Card.objects.create(
            color=Card.Color.RED,
            village=self.village_b,
            year=self.today.year,
            source=f"walk:{'sent' if sent else 'draft'}",
            reason="超朗村重大隐患逾期未整改",
        )
        if not sent:
            return SupervisionLetter.objects.create(card=card)
        return SupervisionLetter.objects.create(
            card=card,
            number=f"茶应急督〔{self.today.year}〕99号",
            status=SupervisionLetter.Status.SENT,
            sent_at=timezone.now(),
            sent_by=self.town_admin,
        )

    # --- the inbox ----------------------------------------------------------------------------------

    @cached_property
    def notification_b(self) -> Notification:
        return Notification.objects.create(
            recipient=self.other_village_office, title="超朗村走查提醒", url="/findings/"
        )

    @cached_property
    def group_notification_b(self) -> Notification:
        """A group item: one sweep of one rung told village B's office of many findings."""
        return Notification.objects.create(
            recipient=self.other_village_office, kind="finding.overdue", level="d1", batch=uuid.uuid4(), size=6
        )

    # --- two-factor sign-in -------------------------------------------------------------------------

    @cached_property
    def enrolled_village_office_b(self):
        """Village B's office with an authenticator, which a reset removes."""
        TOTPDevice.objects.create(user=self.other_village_office, name="phone", confirmed=True)
        return self.other_village_office
