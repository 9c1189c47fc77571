"""The reserved slugs become exactly the seven field names the questionnaire forms post besides the
questions (docs/product.md §3); the CSV columns left the list, being written with `_`, which no slug can
hold. Fails, naming the questions, if an existing question uses one of the seven.

Also records the outcome's labels from `models.Outcome` (choices only: no database change).
"""

from django.db import migrations, models

RESERVED = [
    "company",
    "company-size",
    "csrfmiddlewaretoken",
    "industry",
    "respondent-email",
    "respondent-name",
    "respondent-title",
]


def check_no_question_uses_them(apps, schema_editor):
    Question = apps.get_model("advisor", "Question")
    taken = list(
        Question.objects.using(schema_editor.connection.alias)
        .filter(slug__in=RESERVED)
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    if taken:
        raise RuntimeError(
            "These question slugs are now reserved by the questionnaire form; rename the questions "
            f"before migrating: {', '.join(taken)}"
        )


class Migration(migrations.Migration):
    dependencies = [("advisor", "0010_search_unaccent")]

    operations = [
        migrations.RunPython(check_no_question_uses_them, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="question", name="question_slug_not_reserved"),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.CheckConstraint(
                condition=models.Q(("slug__in", RESERVED), _negated=True),
                name="question_slug_not_reserved",
                violation_error_message="This slug is reserved by the questionnaire form.",
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("product-owner", "Product owner"),
                    ("product-manager", "Product manager"),
                    ("both", "Both"),
                    ("neither", "Neither"),
                    ("undetermined", "Undetermined"),
                ],
                max_length=20,
                verbose_name="outcome",
            ),
        ),
    ]
