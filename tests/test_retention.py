"""Data retention: purging old assessments, and a respondent's delete leaving nothing behind."""

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from simple_history.models import registered_models

from advisor import models, services
from advisor.management.commands.purge_assessments import (
    DAYS_INVALID,
    DAYS_MISSING,
    DAYS_TOO_MANY,
    MAX_DAYS,
)
from tests import examples

ROOT = Path(__file__).resolve().parent.parent


def make_assessment(marker: str, *, age_days: float = 0) -> models.Assessment:
    """An assessment whose every personal field carries `marker`, created `age_days` ago."""
    assessment = services.assessment_create(
        company=f"{marker} Ltd",
        respondent_name=f"{marker} Person",
        respondent_email=f"{marker.lower()}@example.com",
        answers=examples.STANDARD_REPORT,
    )
    services.assessment_notes_update(
        assessment=assessment,
        consultant_notes=f"Notes about {marker}.",
        prepared_for=f"{marker} board",
        prepared_by="A consultant",
    )
    if age_days:
        created = timezone.now() - timedelta(days=age_days)
        models.Assessment.objects.filter(pk=assessment.pk).update(created_at=created)
    return assessment


def rows_mentioning(*needles: str) -> list[str]:
    """Every row of every table (history, sessions and caches included) mentioning a needle."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                if table == "django_session":
                    text += str(SessionStore().decode(row[1]))
                if any(needle in text for needle in needles):
                    found.append(f"{table}: {text[:200]}")
    return found


def traces(assessment: models.Assessment) -> list[str]:
    return rows_mentioning(assessment.token, assessment.company, assessment.respondent_email)


@pytest.mark.django_db
def test_assessments_keep_no_history_table():
    # A history of assessments would keep answers and notes after a delete.
    assert models.Assessment not in registered_models
    assert not any(
        "historical" in table and "assessment" in table
        for table in connection.introspection.table_names()
    )


def test_the_scan_sees_a_live_assessment(default_criteria):
    assessment = make_assessment("Zyxwvut")
    assert any(row.startswith("advisor_assessment:") for row in traces(assessment))


def test_purge_deletes_only_assessments_older_than_the_period(default_criteria):
    old = make_assessment("Oldcorp", age_days=31)
    recent = make_assessment("Newcorp", age_days=29)
    assert services.assessments_purge(older_than_days=30) == 1
    assert list(models.Assessment.objects.all()) == [recent]
    assert traces(old) == []
    # The shared snapshot and version hold no personal data and stay for the recent one.
    assert models.CriteriaSnapshot.objects.count() == 1
    assert models.CriteriaVersion.objects.count() == 1


def test_dry_run_counts_and_deletes_nothing(default_criteria, capsys):
    make_assessment("Alpha", age_days=400)
    make_assessment("Beta", age_days=400)
    make_assessment("Gamma", age_days=1)
    call_command("purge_assessments", "--older-than", "365", "--dry-run")
    assert capsys.readouterr().out == "Would delete 2 assessments older than 365 days.\n"
    assert models.Assessment.objects.count() == 3


def test_the_command_deletes(default_criteria, capsys):
    old = make_assessment("Alpha", age_days=400)
    make_assessment("Gamma", age_days=1)
    call_command("purge_assessments", "--older-than", "365")
    assert capsys.readouterr().out == "Deleted 1 assessment older than 365 days.\n"
    assert traces(old) == []
    assert models.Assessment.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "-5", "1.5", "abc", "", "٣"])
def test_the_command_rejects_a_bad_period(value):
    with pytest.raises(CommandError) as error:
        call_command("purge_assessments", "--older-than", value)
    assert str(error.value) == DAYS_INVALID.format(value=value)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["365001", "999999999999", "9" * 400])
def test_a_period_beyond_any_date_is_a_one_line_error(default_criteria, value):
    # 999999999999 was an OverflowError (a traceback) computing the cutoff date.
    with pytest.raises(CommandError) as error:
        call_command("purge_assessments", "--older-than", value)
    assert str(error.value) == DAYS_TOO_MANY.format(max_days=MAX_DAYS, value=value)


@pytest.mark.django_db
def test_the_longest_period_works(default_criteria, assessment_factory, capsys):
    assessment_factory()
    call_command("purge_assessments", "--older-than", str(MAX_DAYS))
    assert capsys.readouterr().out == f"Deleted 0 assessments older than {MAX_DAYS} days.\n"
    assert models.Assessment.objects.count() == 1


@pytest.mark.django_db
def test_the_command_needs_a_period():
    with pytest.raises(CommandError) as error:
        call_command("purge_assessments")
    assert str(error.value) == DAYS_MISSING


def test_a_command_line_mistake_is_one_line_and_exit_status_1():
    result = subprocess.run(
        [sys.executable, "manage.py", "purge_assessments", "--older-than", "soon"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "CommandError: " + DAYS_INVALID.format(value="soon")
    assert result.stdout == ""


def test_a_respondents_delete_leaves_no_row_of_the_assessment(client, default_criteria):
    marker = "Quuxbarnacle"
    form = {
        "company": f"{marker} Ltd",
        "respondent-name": f"{marker} Person",
        "respondent-email": f"{marker.lower()}@example.com",
        **examples.STANDARD_REPORT,
    }
    response = client.post(reverse("advisor:assess"), form)
    assert response.status_code == 302
    assessment = models.Assessment.objects.get()
    services.assessment_notes_update(
        assessment=assessment,
        consultant_notes=f"Notes about {marker}.",
        prepared_for=f"{marker} board",
        prepared_by="A consultant",
    )
    for name in ("advisor:result", "advisor:report"):
        assert client.get(reverse(name, kwargs={"token": assessment.token})).status_code == 200
    assert rows_mentioning(marker)

    response = client.post(reverse("advisor:delete", kwargs={"token": assessment.token}))
    assert response.status_code == 302
    assert rows_mentioning(marker, assessment.token) == []
    # What stays is the shared snapshot and version, which hold no personal data.
    assert models.CriteriaSnapshot.objects.count() == 1
    assert models.CriteriaVersion.objects.count() == 1
