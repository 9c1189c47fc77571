"""Indexes for the consultants' workspace at 100,000 assessments (see selectors.AssessmentPages).

A list page first picks its 25 ids in the requested order, then reads those rows. The ids come
from index-only scans, so a page costs the same at page 1 and page 4,000 whatever the rows' size:

- (created_at, id): newest/oldest first, and date ranges.
- (outcome, created_at, id): the outcome filter, and the counts per outcome.
- (LOWER(company), id) INCLUDE (company): by company, case-insensitively. PostgreSQL needs the
  column itself in the index to scan an expression index index-only.
- PostgreSQL only: a GIN trigram index for the company search. Django turns `company__icontains`
  into `UPPER("advisor_assessment"."company"::text) LIKE UPPER(%s)`, so the index is on that
  expression. `pg_trgm` is a trusted extension (PostgreSQL 13+): the database owner may create it.

Plain SQL (not model indexes) because PostgreSQL and SQLite differ here and SQLite must keep
working.
"""

from django.db import migrations

CREATED_INDEX = "assessment_created_id_idx"
OUTCOME_INDEX = "assessment_outcome_created_id_idx"
COMPANY_INDEX = "assessment_company_lower_idx"
TRIGRAM_INDEX = "assessment_company_trgm_idx"


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    table = "advisor_assessment"
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {CREATED_INDEX} ON {table} (created_at, id)")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OUTCOME_INDEX} ON {table} (outcome, created_at, id)"
    )
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {COMPANY_INDEX} ON {table} (LOWER(company), id) "
            "INCLUDE (company)"
        )
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON {table} "
            "USING gin ((UPPER(company::text)) gin_trgm_ops)"
        )
    else:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {COMPANY_INDEX} ON {table} (LOWER(company), id)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor not in ("postgresql", "sqlite"):
        return
    # The extension stays: other objects may use it.
    for name in (TRIGRAM_INDEX, COMPANY_INDEX, OUTCOME_INDEX, CREATED_INDEX):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("advisor", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
