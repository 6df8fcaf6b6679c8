from django.db import migrations


def load(apps, schema_editor):
    from isek.finance import reference

    reference.load(apps.get_model("finance", "FundingProgramme"), apps.get_model("finance", "CostGroup"))


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
