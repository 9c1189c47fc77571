"""Accent-insensitive company search (advisor/search.py).

PostgreSQL: the `unaccent` extension (trusted from PostgreSQL 13: the database owner may create
it), an IMMUTABLE wrapper `rolefit_search_text(text) = lower(unaccent(text))` — `unaccent()`
alone is only STABLE and cannot be indexed — and a GIN trigram index on the wrapper over the
company, which serves the workspace's `rolefit_search_text(company) LIKE '%…%'`. The dictionary
and the function are schema-qualified so the result does not depend on the search_path.

SQLite registers a Python function of the same name on each connection: nothing to create.
"""

from django.db import migrations

INDEX = "assessment_company_search_trgm_idx"

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION rolefit_search_text(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)) $$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
        (schema,) = cursor.fetchone()
    schema_editor.execute(CREATE_FUNCTION.format(schema=schema_editor.quote_name(schema)))
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON advisor_assessment "
        "USING gin (rolefit_search_text(company) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("DROP FUNCTION IF EXISTS rolefit_search_text(text)")


class Migration(migrations.Migration):
    dependencies = [("advisor", "0009_private_notes_branding")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
