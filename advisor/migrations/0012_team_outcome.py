"""The team verdict's outcome stored on the team (for the consultants' list and its filter),
computed here for the teams that already exist, against each team's pinned snapshot."""

from django.db import migrations, models


def store_outcomes(apps, schema_editor):
    from advisor import services, team

    Team = apps.get_model("advisor", "Team")
    Assessment = apps.get_model("advisor", "Assessment")
    for team_obj in Team.objects.select_related("snapshot").iterator():
        answers = list(
            Assessment.objects.filter(team_id=team_obj.pk)
            .order_by("position")
            .values_list("answers", flat=True)
        )
        if not answers:
            continue
        criteria = services.criteria_from_snapshot(team_obj.snapshot.content)
        outcome = team.team_score(criteria, answers).verdict.outcome
        Team.objects.filter(pk=team_obj.pk).update(outcome=outcome)


class Migration(migrations.Migration):
    dependencies = [("advisor", "0011_reserved_form_slugs")]

    operations = [
        migrations.AddField(
            model_name="team",
            name="outcome",
            field=models.CharField(
                blank=True, db_index=True, max_length=20, verbose_name="team outcome"
            ),
        ),
        migrations.RunPython(store_outcomes, migrations.RunPython.noop),
    ]
