"""Create the database cache table the rate limits count in, so a plain `migrate` is enough.

`createcachetable` is idempotent and only acts on caches configured with the database backend.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("advisor", "0002_workspace_search")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
