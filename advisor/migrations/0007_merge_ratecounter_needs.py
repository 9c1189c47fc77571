"""Joins issue 19's rate counter (0004_ratecounter) and issue 11's needs model (0004–0006): they
touch different tables, so either order is right."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("advisor", "0004_ratecounter"),
        ("advisor", "0006_reserved_need_slugs"),
    ]

    operations = []
