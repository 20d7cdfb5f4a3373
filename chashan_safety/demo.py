"""Demo data: the portal's demo logins, and the helpers every app's demo loader shares.

``chashan_safety`` imports no other app: where the logins need a village or a unit,
the models are looked up through ``django.apps.apps``. The loaders of the other apps
(``responsibility.demo``, ``inspections.demo``, …) may import the helpers below.

Everything here is safe to run twice: rows are found by their natural key and saved
only when a value differs, so a second run writes nothing (and adds no history rows).
"""

from __future__ import annotations

from base64 import b32decode
from functools import cache

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models
from django_otp.plugins.otp_totp.models import TOTPDevice

#: the password shared by every demo account (printed by ``manage.py load_demo``)
DEMO_PASSWORD = "demo-chashan-2026"  # noqa: S105 - a published demo password, not a secret  # nosec B105

#: the demo logins, in the order ``load_demo`` lists them
DEMO_LOGINS = ("admin", "officer", "village", "village2", "unit", "leader")

#: the demo's authenticator keys (base32, as an authenticator app takes them): the ``admin`` and ``leader``
#: logins must give a code after the password; ``manage.py totp_code admin`` prints the current one
DEMO_TOTP_SECRETS = {"admin": "CHASHANADMINDEMOTOTPSECRETKEY234", "leader": "CHASHANLEADERDEMOTOTPSECRETKEY56"}

#: the enterprise created by ``responsibility.demo`` whose office the ``unit`` login staffs
DEMO_UNIT_NAME = "茶山镇燃气有限公司"


def _differs(obj: models.Model, name: str, value) -> tuple[str, bool]:
    """The attribute to set for field ``name``, and whether ``obj`` holds a different value."""
    field = obj._meta.get_field(name)
    if field.many_to_one or field.one_to_one:
        wanted = value.pk if isinstance(value, models.Model) else value
        return field.attname, getattr(obj, field.attname) != wanted
    return name, getattr(obj, name) != value


def upsert(model: type[models.Model], lookup: dict, defaults: dict | None = None) -> tuple[models.Model, str]:
    """Find ``model`` by ``lookup`` and bring it to ``defaults``; create it when missing.

    Unlike ``update_or_create``, an unchanged row is not saved again. Returns the object and
    what happened: ``"created"``, ``"updated"`` or ``"unchanged"``.
    """
    defaults = defaults or {}
    manager = model._default_manager
    obj = manager.filter(**lookup).first()
    if obj is None:
        return manager.create(**lookup, **defaults), "created"
    changed = []
    for name, value in defaults.items():
        attname, differs = _differs(obj, name, value)
        if differs:
            setattr(obj, name, value)
            changed.append(attname)
    if changed:
        obj.save(update_fields=changed)
        return obj, "updated"
    return obj, "unchanged"


class Tally:
    """Counts what the upserts of one loader did, for its one-line report."""

    def __init__(self) -> None:
        self.created = 0
        self.updated = 0

    def add(self, outcome: str) -> None:
        if outcome == "created":
            self.created += 1
        elif outcome == "updated":
            self.updated += 1

    def __str__(self) -> str:
        return f"{self.created} new, {self.updated} updated"


@cache
def _password_hash() -> str:
    # hashing is slow on purpose: hash the demo password once per run, not once per account
    return make_password(DEMO_PASSWORD)


def demo_user(username: str, tally: Tally | None = None, **fields) -> models.Model:
    """Create or update the demo account ``username``; a new account gets ``DEMO_PASSWORD``.

    The password of an existing account is left alone (a second run changes nothing),
    unless the account has no usable password.
    """
    user, outcome = upsert(get_user_model(), {"username": username}, fields)
    if outcome == "created" or not user.has_usable_password():
        user.password = _password_hash()
        user.save(update_fields=["password"])
    if tally is not None:
        tally.add(outcome)
    return user


# ---------------------------------------------------------------------------------------------
# the logins of the chashan_safety loader (the officer logins come from inspections.demo)

_ACCOUNTS = [
    {
        "username": "admin",
        "role": "town_admin",
        "is_staff": True,
        "full_name": "林建华",
        "title": "应急管理分局副局长（安委办）",
        "phone": "0769-86641101",
        "email": "admin@chashan.example",
    },
    {
        "username": "village",
        "role": "village_office",
        "village": "横江村",
        "full_name": "袁伟明",
        "title": "横江村安全办主任",
        "phone": "13826941207",
        "email": "hengjiang@chashan.example",
    },
    {
        "username": "village2",
        "role": "village_office",
        "village": "塘角村",
        "full_name": "卢少芬",
        "title": "塘角村安全办主任",
        "phone": "13925873416",
        "email": "tangjiao@chashan.example",
    },
    {
        "username": "unit",
        "role": "unit_office",
        "unit": DEMO_UNIT_NAME,
        "full_name": "谢国栋",
        "title": "安全生产部经理",
        "phone": "0769-86653320",
        "email": "gas@chashan.example",
    },
    {
        "username": "leader",
        "role": "leadership",
        "full_name": "黄振邦",
        "title": "分管安全生产副镇长",
        "phone": "0769-86640018",
        "email": "leader@chashan.example",
    },
]


def load(stdout=None) -> None:
    Village = apps.get_model("responsibility", "Village")
    Unit = apps.get_model("responsibility", "Unit")
    tally = Tally()
    for account in _ACCOUNTS:
        fields = dict(account)
        username = fields.pop("username")
        fields.setdefault("is_staff", False)
        fields["is_active"] = True
        fields["village"] = Village.objects.get(name=fields["village"]) if "village" in fields else None
        fields["unit"] = Unit.objects.get(name=fields["unit"]) if "unit" in fields else None
        demo_user(username, tally, **fields)
    authenticators = _demo_authenticators()
    if stdout is not None:
        stdout.write(f"accounts: {len(_ACCOUNTS)} demo logins ({tally}), {authenticators} new authenticators")


def _demo_authenticators() -> int:
    """Give ``admin`` and ``leader`` an authenticator with the published key, unless they have one already
    (one set up anew after a reset is left alone)."""
    created = 0
    for username, secret in DEMO_TOTP_SECRETS.items():
        user = get_user_model().objects.get(username=username)
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="demo", key=b32decode(secret).hex(), confirmed=True)
            created += 1
    return created
