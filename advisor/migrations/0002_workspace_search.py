"""Indexes for the consultants' workspace at 100,000 assessments.

- (LOWER(company), id): the list sorted by company, case-insensitively (selectors.SORTS).
- PostgreSQL only: a GIN trigram index for the company search. Django turns `company__icontains`
  into `UPPER("advisor_assessment"."company"::text) LIKE UPPER(%s)`, so the index is on that
  expression. `pg_trgm` is a trusted extension (PostgreSQL 13+): the database owner may create it.

Plain SQL (not model indexes) because the trigram index exists on PostgreSQL only and SQLite
must keep working.
"""

from django.db import migrations

LOWER_INDEX = "assessment_company_lower_idx"
TRIGRAM_INDEX = "assessment_company_trgm_idx"


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {LOWER_INDEX} ON advisor_assessment (LOWER(company), id)"
    )
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON advisor_assessment "
            "USING gin ((UPPER(company::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor not in ("postgresql", "sqlite"):
        return
    # The extension stays: other objects may use it.
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {LOWER_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("advisor", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
