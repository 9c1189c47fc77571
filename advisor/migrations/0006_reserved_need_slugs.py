"""The CSV export's fit columns became need columns (`need_product_owner`, `need_product_manager`):
reserve their slug forms instead of the fit ones. Fails, naming the questions, if an existing
question already uses one of the newly reserved slugs."""

from django.db import migrations, models

NEWLY_RESERVED = ["need-product-manager", "need-product-owner"]


def check_no_question_uses_them(apps, schema_editor):
    Question = apps.get_model("advisor", "Question")
    taken = list(
        Question.objects.using(schema_editor.connection.alias)
        .filter(slug__in=NEWLY_RESERVED)
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    if taken:
        raise RuntimeError(
            "These question slugs are now reserved by the CSV export; rename the questions "
            f"before migrating: {', '.join(taken)}"
        )


class Migration(migrations.Migration):
    dependencies = [("advisor", "0005_needs_rescore")]

    operations = [
        migrations.RunPython(check_no_question_uses_them, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="question", name="question_slug_not_reserved"),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "slug__in",
                        [
                            "company",
                            "coverage-product-manager",
                            "coverage-product-owner",
                            "created-at",
                            "criteria-version",
                            "csrfmiddlewaretoken",
                            "need-product-manager",
                            "need-product-owner",
                            "outcome",
                            "respondent-email",
                            "respondent-name",
                        ],
                    ),
                    _negated=True,
                ),
                name="question_slug_not_reserved",
                violation_error_message="This slug is reserved by the form or the CSV export.",
            ),
        ),
    ]
