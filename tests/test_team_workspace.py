"""Team assessments in the consultants' workspace (docs/product.md §8): the team list with search
and the team-outcome filter, deleting a team, and `team_ref` in the CSV export."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advisor import models, services
from tests import examples
from tests.test_csv import export
from tests.test_team import WORKED_TEAM
from tests.test_team_delete import make_team
from tests.test_team_pages import join, start

pytestmark = pytest.mark.django_db

TEAMS = reverse("advisor:workspace_teams")


@pytest.fixture
def consultant(consultant_user):
    client = Client()
    client.force_login(consultant_user)
    return client


def test_the_team_outcome_is_stored_at_every_change_of_the_respondents(client, default_criteria):
    team = start(client)
    assert models.Team.objects.get(pk=team.pk).outcome == ""
    join(client, team, WORKED_TEAM[0], "Ann")
    first = models.Team.objects.get(pk=team.pk).outcome
    assert first in dict(models.Outcome.choices)
    for answers, name in zip(WORKED_TEAM[1:], ["Carl", "Sue", "Dana"], strict=True):
        join(client, team, answers, name)
    json_outcome = client.get(f"/t/{team.organiser_token}/result.json").json()["verdict"]
    assert models.Team.objects.get(pk=team.pk).outcome == json_outcome["outcome"]
    # A respondent's delete moves it too: back to what the first one alone gave.
    for assessment in team.respondents.exclude(position=1):
        assert client.post(f"/a/{assessment.token}/delete/").status_code == 302
    assert models.Team.objects.get(pk=team.pk).outcome == first


def test_the_team_search_ignores_accents_and_case(client, consultant, default_criteria):
    """As the assessments' company search (docs/product.md §1, issue 15): "muller" finds
    "Müller", and "MÜLLER" too."""
    start(client, company="Müller Maschinenbau")
    start(client, company="Zeta Foods")
    for query in ("muller", "MÜLLER", "maschinenbau"):
        text = consultant.get(TEAMS, {"company": query}).content.decode()
        assert "Müller Maschinenbau" in text and "Zeta Foods" not in text, query


def test_the_workspace_lists_teams_with_search_filter_and_links(
    client, consultant, default_criteria
):
    acme = make_team(client, company="Acme Robotics")
    other = start(client, company="Zeta Foods")
    join(client, other, examples.STANDARD_REPORT, "Zed")
    other.refresh_from_db()
    page = consultant.get(TEAMS)
    assert page.status_code == 200
    text = page.content.decode()
    for team in (acme, other):
        assert team.company in text
        assert f'href="/t/{team.organiser_token}/result/"' in text
        assert f'href="/assessments/teams/{team.pk}/delete/"' in text
        assert team.reference in text
    assert team.invitation_token not in text  # the invitation link is the organiser's to share
    text = consultant.get(TEAMS, {"company": "robot"}).content.decode()
    assert "Acme Robotics" in text and "Zeta Foods" not in text
    acme.refresh_from_db()
    text = consultant.get(TEAMS, {"outcome": acme.outcome}).content.decode()
    assert "Acme Robotics" in text
    assert ("Zeta Foods" in text) == (other.outcome == acme.outcome)
    unused = next(k for k, _ in models.Outcome.choices if k not in {acme.outcome, other.outcome})
    assert (
        "No team assessment matches" in consultant.get(TEAMS, {"outcome": unused}).content.decode()
    )
    # A bad filter value filters nothing instead of failing.
    assert consultant.get(TEAMS, {"outcome": "nonsense", "page": "x"}).status_code == 200
    assert (
        'href="/assessments/teams/"'
        in consultant.get(reverse("advisor:workspace")).content.decode()
    )


def test_the_team_list_needs_the_workspace_permission(client, hr_admin_user, default_criteria):
    team = make_team(client, respondents=1)
    paths = [TEAMS, f"/assessments/teams/{team.pk}/delete/"]
    for path in paths:
        response = Client().get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    staff = Client()
    staff.force_login(hr_admin_user)
    for path in paths:
        assert staff.get(path).status_code == 403
    assert staff.post(paths[1]).status_code == 403
    assert models.Team.objects.filter(pk=team.pk).exists()


@pytest.mark.parametrize("size", [3, 50])
def test_the_team_list_costs_a_constant_number_of_queries(
    client, consultant, default_criteria, size
):
    team = make_team(client, respondents=1)
    template = team.respondents.get()
    models.Assessment.objects.bulk_create(
        models.Assessment(
            company=team.company,
            answers=template.answers,
            result=template.result,
            outcome=template.outcome,
            criteria_version=template.criteria_version,
            snapshot=template.snapshot,
            team=team,
            position=i + 2,
        )
        for i in range(size - 1)
    )
    for i in range(3):
        start(client, company=f"More {i}")
    consultant.get(TEAMS)
    with CaptureQueriesContext(connection) as queries:
        response = consultant.get(TEAMS)
    assert f">{size}<" in response.content.decode()
    # session, user, the user's permissions (2), the page's count and rows.
    assert len(queries) <= 6


def test_a_consultant_deletes_a_team_after_a_confirmation(client, consultant, default_criteria):
    team = make_team(client)
    url = f"/assessments/teams/{team.pk}/delete/"
    text = consultant.get(url).content.decode()
    assert "Teamcorp" in text and "4 people who answered" in text
    assert f'action="{url}"' in text
    response = consultant.post(url)
    assert response.status_code == 302
    assert response["Location"] == TEAMS
    assert not models.Team.objects.filter(pk=team.pk).exists()
    assert not models.Assessment.objects.filter(company="Teamcorp").exists()
    assert consultant.get(url).status_code == 404
    assert consultant.post(url).status_code == 404


def test_a_consultant_s_delete_needs_the_csrf_token(client, consultant_user, default_criteria):
    team = make_team(client, respondents=1)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(consultant_user)
    assert strict.post(f"/assessments/teams/{team.pk}/delete/").status_code == 403
    assert models.Team.objects.filter(pk=team.pk).exists()


def test_the_csv_says_which_team_and_carries_no_token_or_anonymous_name(
    client, consultant, default_criteria
):
    named = make_team(client, company="Named", respondents=2)
    anonymous = start(client, company="Anon", anonymous="on")
    assert join(client, anonymous, WORKED_TEAM[0]).status_code == 302
    services.assessment_create(company="Solo", respondent_name="Sol", answers=examples.BOTH)
    _response, rows = export(consultant, sort="company")
    header, *body = rows
    assert "team_ref" in header
    by_company = {}
    for row in body:
        cells = dict(zip(header, row, strict=True))
        by_company.setdefault(cells["company"], []).append(cells)
    assert [c["team_ref"] for c in by_company["Named"]] == [named.reference] * 2
    assert [c["team_ref"] for c in by_company["Anon"]] == [anonymous.reference]
    assert by_company["Anon"][0]["respondent_name"] == ""
    assert by_company["Solo"][0]["team_ref"] == ""
    text = "\n".join(",".join(r) for r in rows)
    for team in (named, anonymous):
        assert team.organiser_token not in text and team.invitation_token not in text


@pytest.mark.django_db(transaction=True)
def test_migration_0009_stores_the_outcome_of_existing_teams(client, default_criteria):
    from django.db.migrations.executor import MigrationExecutor

    team = make_team(client, company="Oldteam", respondents=3)
    empty = start(client, company="Emptyteam")
    expected = models.Team.objects.get(pk=team.pk).outcome
    assert expected
    executor = MigrationExecutor(connection)
    executor.migrate([("advisor", "0008_team_assessments")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("advisor"))
    assert models.Team.objects.get(pk=team.pk).outcome == expected
    assert models.Team.objects.get(pk=empty.pk).outcome == ""
