"""The needs model's policy (docs/scoring.md): `min_need` and `focus_share` replace `min_fit` and
`tie_margin`; the one `both` advice becomes the "product manager first" text, and the "product
owner first" text starts with its shipped default."""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models

ADVICE_BOTH_PO_FIRST = (
    "Your delivery needs come first. Hire a product owner now, and a product manager for "
    "strategy and growth next."
)


class Migration(migrations.Migration):
    dependencies = [("advisor", "0003_ratelimit_cache_table")]

    operations = [
        migrations.RenameField("scoringpolicy", "advice_both", "advice_both_pm_first"),
        migrations.RenameField("historicalscoringpolicy", "advice_both", "advice_both_pm_first"),
        migrations.AddField(
            model_name="scoringpolicy",
            name="advice_both_po_first",
            field=models.TextField(
                default=ADVICE_BOTH_PO_FIRST, verbose_name="advice: both, product owner first"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalscoringpolicy",
            name="advice_both_po_first",
            field=models.TextField(
                default=ADVICE_BOTH_PO_FIRST, verbose_name="advice: both, product owner first"
            ),
            preserve_default=False,
        ),
        migrations.RemoveConstraint(
            model_name="scoringpolicy",
            name="policy_min_fit_range",
        ),
        migrations.RemoveConstraint(
            model_name="scoringpolicy",
            name="policy_tie_margin_range",
        ),
        migrations.RemoveField(
            model_name="historicalscoringpolicy",
            name="min_fit",
        ),
        migrations.RemoveField(
            model_name="historicalscoringpolicy",
            name="tie_margin",
        ),
        migrations.RemoveField(
            model_name="scoringpolicy",
            name="min_fit",
        ),
        migrations.RemoveField(
            model_name="scoringpolicy",
            name="tie_margin",
        ),
        migrations.AddField(
            model_name="historicalscoringpolicy",
            name="focus_share",
            field=models.DecimalField(
                decimal_places=3,
                default=Decimal("0.6"),
                help_text="A role's need is the average of its most-needed responsibilities that together make up at least this share of its weight (0.6: three of five).",
                max_digits=4,
                validators=[
                    django.core.validators.MinValueValidator(
                        Decimal("0.001"), "The focus share must be greater than 0."
                    ),
                    django.core.validators.MaxValueValidator(
                        Decimal("1"), "The focus share must be at most 1."
                    ),
                ],
                verbose_name="focus share",
            ),
        ),
        migrations.AddField(
            model_name="historicalscoringpolicy",
            name="min_need",
            field=models.DecimalField(
                decimal_places=3,
                default=Decimal("0.65"),
                help_text="A role is needed when the company's need for it is at least this value (0 to 1).",
                max_digits=4,
                validators=[
                    django.core.validators.MinValueValidator(
                        Decimal("0"), "Must be between 0 and 1."
                    ),
                    django.core.validators.MaxValueValidator(
                        Decimal("1"), "Must be between 0 and 1."
                    ),
                ],
                verbose_name="minimum need",
            ),
        ),
        migrations.AddField(
            model_name="scoringpolicy",
            name="focus_share",
            field=models.DecimalField(
                decimal_places=3,
                default=Decimal("0.6"),
                help_text="A role's need is the average of its most-needed responsibilities that together make up at least this share of its weight (0.6: three of five).",
                max_digits=4,
                validators=[
                    django.core.validators.MinValueValidator(
                        Decimal("0.001"), "The focus share must be greater than 0."
                    ),
                    django.core.validators.MaxValueValidator(
                        Decimal("1"), "The focus share must be at most 1."
                    ),
                ],
                verbose_name="focus share",
            ),
        ),
        migrations.AddField(
            model_name="scoringpolicy",
            name="min_need",
            field=models.DecimalField(
                decimal_places=3,
                default=Decimal("0.65"),
                help_text="A role is needed when the company's need for it is at least this value (0 to 1).",
                max_digits=4,
                validators=[
                    django.core.validators.MinValueValidator(
                        Decimal("0"), "Must be between 0 and 1."
                    ),
                    django.core.validators.MaxValueValidator(
                        Decimal("1"), "Must be between 0 and 1."
                    ),
                ],
                verbose_name="minimum need",
            ),
        ),
        migrations.AlterField(
            model_name="historicalscoringpolicy",
            name="advice_both_pm_first",
            field=models.TextField(verbose_name="advice: both, product manager first"),
        ),
        migrations.AlterField(
            model_name="scoringpolicy",
            name="advice_both_pm_first",
            field=models.TextField(verbose_name="advice: both, product manager first"),
        ),
        migrations.AddConstraint(
            model_name="scoringpolicy",
            constraint=models.CheckConstraint(
                condition=models.Q(("min_need__gte", 0), ("min_need__lte", 1)),
                name="policy_min_need_range",
                violation_error_message="Minimum need must be between 0 and 1.",
            ),
        ),
        migrations.AddConstraint(
            model_name="scoringpolicy",
            constraint=models.CheckConstraint(
                condition=models.Q(("focus_share__gt", 0), ("focus_share__lte", 1)),
                name="policy_focus_share_range",
                violation_error_message="The focus share must be greater than 0 and at most 1.",
            ),
        ),
    ]
