"""The shared cache lives in the database (settings.CACHES): rate limits and used proof-of-work
challenges must be seen by every web process and app server, without an extra service."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_upload")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
