"""Team assessments (docs/product.md §8): the Team model; an assessment's team, position and job title;
`respondent-title` becomes a reserved slug (the join form posts it).

A question already using the slug `respondent-title` stops the migration, naming it, before the
constraint changes (docs/product.md §3).
"""

import advisor.models
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
from django.db import migrations, models


RESERVED_NOW = "respondent-title"


def refuse_reserved_slug(apps, schema_editor):
    Question = apps.get_model("advisor", "Question")
    taken = list(Question.objects.filter(slug=RESERVED_NOW).values_list("slug", flat=True))
    if taken:
        raise RuntimeError(
            f"The question slug {RESERVED_NOW!r} is now reserved for the team join form; rename "
            f"the question(s) {', '.join(taken)} in the admin, then migrate again."
        )


class Migration(migrations.Migration):

    dependencies = [
        ('advisor', '0007_merge_ratecounter_needs'),
    ]

    operations = [
        migrations.RunPython(refuse_reserved_slug, migrations.RunPython.noop, elidable=False),
        migrations.CreateModel(
            name='Team',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('company', models.CharField(max_length=200, verbose_name='company')),
                ('organiser_name', models.CharField(max_length=200, verbose_name='organiser name')),
                ('organiser_email', models.EmailField(max_length=254, verbose_name='organiser email')),
                ('expected_respondents', models.PositiveSmallIntegerField(blank=True, help_text='Optional: how many people you expect to answer (2 to 50).', null=True, validators=[django.core.validators.MinValueValidator(2), django.core.validators.MaxValueValidator(50)], verbose_name='expected respondents')),
                ('anonymous', models.BooleanField(default=False, help_text='Respondents give no name; the team result numbers them instead.', verbose_name='anonymous')),
                ('closed', models.BooleanField(default=False, verbose_name='closed')),
                ('organiser_token', models.CharField(default=advisor.models.new_token, editable=False, max_length=64, unique=True, verbose_name='organiser token')),
                ('invitation_token', models.CharField(default=advisor.models.new_token, editable=False, max_length=64, unique=True, verbose_name='invitation token')),
                ('respondent_order', models.JSONField(blank=True, default=list, verbose_name='respondent order')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last change')),
            ],
            options={
                'verbose_name': 'team assessment',
                'verbose_name_plural': 'team assessments',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='question',
            name='question_slug_not_reserved',
        ),
        migrations.AddField(
            model_name='assessment',
            name='position',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='position in the team'),
        ),
        migrations.AddField(
            model_name='assessment',
            name='respondent_title',
            field=models.CharField(blank=True, max_length=200, verbose_name='respondent job title'),
        ),
        migrations.AddConstraint(
            model_name='question',
            constraint=models.CheckConstraint(condition=models.Q(('slug__in', ['company', 'coverage-product-manager', 'coverage-product-owner', 'created-at', 'criteria-version', 'csrfmiddlewaretoken', 'need-product-manager', 'need-product-owner', 'outcome', 'respondent-email', 'respondent-name', 'respondent-title']), _negated=True), name='question_slug_not_reserved', violation_error_message='This slug is reserved by the form or the CSV export.'),
        ),
        migrations.AddField(
            model_name='team',
            name='criteria_version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='teams', to='advisor.criteriaversion', verbose_name='criteria version'),
        ),
        migrations.AddField(
            model_name='team',
            name='snapshot',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='teams', to='advisor.criteriasnapshot', verbose_name='pinned snapshot'),
        ),
        migrations.AddField(
            model_name='assessment',
            name='team',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='respondents', to='advisor.team', verbose_name='team'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('position__isnull', True), ('team__isnull', True)), models.Q(('position__isnull', False), ('team__isnull', False)), _connector='OR'), name='assessment_team_position_together'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.UniqueConstraint(condition=models.Q(('team__isnull', False)), fields=('team', 'position'), name='assessment_team_position_unique'),
        ),
        migrations.AddConstraint(
            model_name='team',
            constraint=models.CheckConstraint(condition=models.Q(('expected_respondents__isnull', True), models.Q(('expected_respondents__gte', 2), ('expected_respondents__lte', 50)), _connector='OR'), name='team_expected_respondents_range'),
        ),
        migrations.AddConstraint(
            model_name='team',
            constraint=models.CheckConstraint(condition=models.Q(('organiser_token', models.F('invitation_token')), _negated=True), name='team_tokens_differ'),
        ),
        migrations.AddConstraint(
            model_name='team',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('company'), 200), name='team_company_length'),
        ),
        migrations.AddConstraint(
            model_name='team',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('organiser_name'), 200), name='team_organiser_name_length'),
        ),
    ]
