"""The carrier types of the "2+6" safety culture system: two main bases and six kinds of everyday carriers.

The first five are named in the town's report; the last three complete the six and may be renamed or
retired by a town administrator (the list is configurable).
"""

from django.db import migrations

# name, tier, venue, expected in every village, description
TYPES = [
    ("安全文化公园", "base", True, False, "“2”之一：镇级安全文化主阵地"),
    ("消防微型宣教馆", "base", True, False, "“2”之一：消防安全体验与宣教场馆"),
    ("文化室", "everyday", True, True, "村（社区）文化室内的安全宣教角"),
    ("宣传栏", "everyday", False, True, "村（社区）安全宣传栏"),
    ("路口标识", "everyday", False, True, "路口安全警示标识"),
    ("安全文化墙", "everyday", False, False, "村道、工业区的安全文化墙"),
    ("电子显示屏", "everyday", False, False, "滚动播放安全提示的电子屏"),
    ("应急广播", "everyday", False, False, "村（社区）应急广播点"),
]


def seed(apps, schema_editor):
    CarrierType = apps.get_model("outreach", "CarrierType")
    for order, (name, tier, venue, expected, description) in enumerate(TYPES, start=1):
        CarrierType.objects.get_or_create(
            name=name,
            defaults={
                "tier": tier,
                "is_venue": venue,
                "expected_in_every_village": expected,
                "description": description,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
