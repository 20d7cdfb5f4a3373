from django.db import migrations

# the four lines of the town's three-year special rectification action (安全生产专项整治三年行动)
CATEGORIES = [("违章搭建", 10), ("道路交通安全", 20), ("消防技防改造", 30), ("装修工程", 40)]


def add_categories(apps, schema_editor):
    CampaignCategory = apps.get_model("supervision", "CampaignCategory")
    for name, order in CATEGORIES:
        CampaignCategory.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
