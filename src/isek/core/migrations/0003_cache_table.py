"""Made the table of Django's database cache while rate limits and used proof-of-work challenges
lived there; they moved to core.throttle's tables (0004) and the cache setting went. Kept for the
installations that applied it: without a database cache configured, createcachetable does nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_upload")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
