"""Deleting a team assessment and retention of teams (docs/product.md §8 "Deleting")."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from advisor import models, services
from tests.test_retention import make_assessment, rows_mentioning
from tests.test_team import WORKED_TEAM
from tests.test_team_pages import NAMES, TITLES, join, start

pytestmark = pytest.mark.django_db


def make_team(client, company="Teamcorp", respondents=4) -> models.Team:
    team = start(client, company=company)
    for answers, name, title in list(zip(WORKED_TEAM, NAMES, TITLES, strict=True))[:respondents]:
        assert join(client, team, answers, name, title).status_code == 302
    team.refresh_from_db()
    return team


def age(team: models.Team, *, days: float, respondents_days: list[float] | None = None) -> None:
    now = timezone.now()
    models.Team.objects.filter(pk=team.pk).update(created_at=now - timedelta(days=days))
    ids = list(team.respondents.order_by("position").values_list("pk", flat=True))
    for pk, d in zip(ids, respondents_days or [days] * len(ids), strict=True):
        models.Assessment.objects.filter(pk=pk).update(created_at=now - timedelta(days=d))


def test_the_organiser_page_offers_delete_and_the_confirmation_says_what_goes(
    client, default_criteria
):
    team = make_team(client)
    page = client.get(team.get_absolute_url()).content.decode()
    assert page.count(f'href="/t/{team.organiser_token}/delete/"') == 1
    response = client.get(f"/t/{team.organiser_token}/delete/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    text = response.content.decode()
    assert "Teamcorp" in text
    assert "assessments of the 4 people who answered" in text
    assert "cannot be undone" in text
    # Looking is not deleting.
    assert models.Team.objects.filter(pk=team.pk).exists()
    assert models.Assessment.objects.filter(team=team).count() == 4


def test_deleting_a_team_deletes_its_respondents_and_every_link(client, default_criteria):
    team = make_team(client)
    other = make_team(client, company="Othercorp", respondents=2)
    lone = make_assessment("Lonecorp")
    tokens = list(team.respondents.values_list("token", flat=True))
    response = client.post(f"/t/{team.organiser_token}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "Teamcorp" in client.get("/").content.decode()  # the message says which
    assert not models.Team.objects.filter(pk=team.pk).exists()
    assert rows_mentioning(team.organiser_token, team.invitation_token, *tokens) == []
    for path in (
        f"/t/{team.organiser_token}/",
        f"/t/{team.organiser_token}/result/",
        f"/t/{team.organiser_token}/result.json",
        f"/t/{team.organiser_token}/delete/",
        f"/t/{team.invitation_token}/join/",
        *(f"/a/{token}/" for token in tokens),
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/t/{team.organiser_token}/delete/").status_code == 404
    # Nothing else went.
    assert models.Assessment.objects.filter(team=other).count() == 2
    assert models.Assessment.objects.filter(pk=lone.pk).exists()
    assert models.CriteriaSnapshot.objects.count() == 1


def test_deleting_needs_the_csrf_token_and_a_post(client, default_criteria):
    team = make_team(client, respondents=1)
    assert client.put(f"/t/{team.organiser_token}/delete/").status_code == 405
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/t/{team.organiser_token}/delete/").status_code == 403
    assert client.get(f"/t/{team.invitation_token}/delete/").status_code == 404
    assert models.Team.objects.filter(pk=team.pk).exists()


def test_a_team_is_old_when_its_last_answer_is(client, default_criteria):
    kept = make_team(client, company="Keptcorp")
    age(kept, days=400, respondents_days=[400, 400, 400, 10])  # one recent answer keeps all
    gone = make_team(client, company="Gonecorp", respondents=3)
    age(gone, days=500, respondents_days=[500, 450, 401])
    empty_old = start(client, company="Emptyold")
    age(empty_old, days=400)
    empty_new = start(client, company="Emptynew")
    lone_old = make_assessment("Loneold", age_days=400)
    lone_new = make_assessment("Lonenew", age_days=1)
    assert services.assessments_purge(older_than_days=365, dry_run=True) == 4
    assert models.Assessment.objects.count() == 9
    call_command("purge_assessments", "--older-than", "365")
    assert set(models.Team.objects.values_list("company", flat=True)) == {"Keptcorp", "Emptynew"}
    assert models.Assessment.objects.filter(team=kept).count() == 4
    assert not models.Assessment.objects.filter(pk=lone_old.pk).exists()
    assert models.Assessment.objects.filter(pk=lone_new.pk).exists()
    assert rows_mentioning(gone.organiser_token, "Gonecorp", "Emptyold") == []
    assert empty_new.pk in models.Team.objects.values_list("pk", flat=True)
