"""Rate limits count in a table of their own, with one atomic statement per request.

The database cache table of 0003 counted with get-then-set (`DatabaseCache.incr`), which loses
hits under concurrency; it is dropped here (0003 stays, for databases migrated through it).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("advisor", "0003_ratelimit_cache_table")]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("key", models.CharField(max_length=150, primary_key=True, serialize=False)),
                ("count", models.PositiveIntegerField()),
                (
                    "expires_at",
                    models.BigIntegerField(help_text="End of the window, in Unix seconds."),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["expires_at"], name="ratecounter_expires_idx")],
            },
        ),
        migrations.RunSQL(
            "DROP TABLE IF EXISTS rolefit_ratelimit_cache", reverse_sql=migrations.RunSQL.noop
        ),
    ]
