"""Team assessments through their pages and services (docs/product.md §8): start, join, the cap,
closed
teams, no peeking, pinned criteria, change answers, the team result page and result.json,
anonymity, query counts, bad input."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advisor import models, services
from advisor.services import team as team_services
from tests import examples
from tests.test_team import WORKED_TEAM

pytestmark = pytest.mark.django_db

NAMES = ["Ann Lee", "Carl Tan", "Sue Park", "Dana Ito"]
TITLES = ["CEO", "CTO", "Head of sales", "Team lead"]


def start(client, **overrides) -> models.Team:
    data = {
        "company": "Acme",
        "organiser-name": "Ann Lee",
        "organiser-email": "ann@example.com",
        "expected-respondents": "4",
        **overrides,
    }
    response = client.post("/t/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    team = models.Team.objects.get(organiser_token=response["Location"].split("/")[2])
    return team


def join_data(answers, name="", title=""):
    data = dict(answers)
    if name:
        data["respondent-name"] = name
    if title:
        data["respondent-title"] = title
    return data


def join(client, team, answers, name="", title=""):
    return client.post(f"/t/{team.invitation_token}/join/", join_data(answers, name, title))


@pytest.fixture
def named_team(client, default_criteria):
    team = start(client)
    for answers, name, title in zip(WORKED_TEAM, NAMES, TITLES, strict=True):
        assert join(client, team, answers, name, title).status_code == 302
    team.refresh_from_db()
    return team


# ---------------------------------------------------------------------------------------------
# Start, organiser page, join


def test_home_offers_a_team_assessment(client, default_criteria):
    assert 'href="/t/new/"' in client.get("/").content.decode()
    page = client.get("/t/new/").content.decode()
    for name in (
        "company",
        "organiser-name",
        "organiser-email",
        "expected-respondents",
        "anonymous",
    ):
        assert f'name="{name}"' in page


def test_starting_pins_the_snapshot_and_makes_two_independent_tokens(client, default_criteria):
    team = start(client)
    bundle = services.criteria_current()
    assert team.snapshot.content_hash == bundle.content_hash
    assert team.criteria_version.version == bundle.version
    assert team.organiser_token != team.invitation_token
    assert len(team.organiser_token) >= 22 and len(team.invitation_token) >= 22  # ≥ 128 bits
    page = client.get(f"/t/{team.organiser_token}/").content.decode()
    assert f"/t/{team.invitation_token}/join/" in page
    assert "Answer first" in page
    # The invitation token opens neither the organiser page nor the team result.
    for path in ("/", "/result/", "/result.json"):
        assert client.get(f"/t/{team.invitation_token}{path}").status_code == 404
    assert client.post(f"/t/{team.invitation_token}/close/").status_code == 404
    # And the organiser token is no invitation.
    assert client.get(f"/t/{team.organiser_token}/join/").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company", ""),
        ("company", "x" * 201),
        ("organiser-name", "n" * 201),
        ("organiser-email", "not an email"),
        ("expected-respondents", "1"),
        ("expected-respondents", "51"),
        ("expected-respondents", "many"),
    ],
)
def test_bad_start_forms_say_what_is_wrong_and_save_nothing(client, default_criteria, field, value):
    data = {
        "company": "Acme",
        "organiser-name": "Ann",
        "organiser-email": "ann@example.com",
        field: value,
    }
    response = client.post("/t/new/", data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not models.Team.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"company": "Ac\x00me", "organiser-name": "Ann", "organiser-email": "a@example.com"},
        {"company": "Acme", "organiser-name": "Ann", "organiser-email": "a@example.com", "x": "1"},
    ],
)
def test_tampered_start_forms_are_400(client, default_criteria, data):
    assert client.post("/t/new/", data).status_code == 400
    assert not models.Team.objects.exists()


def test_a_named_team_requires_a_name_and_keeps_it_with_the_title(client, default_criteria):
    team = start(client)
    response = join(client, team, examples.BOTH)
    assert response.status_code == 200
    assert "Enter your name" in response.content.decode()
    assert join(client, team, examples.BOTH, "x" * 201).status_code == 200
    assert not models.Assessment.objects.exists()
    response = join(client, team, examples.BOTH, "Ann Lee", "CEO")
    assessment = models.Assessment.objects.get()
    assert response["Location"] == f"/a/{assessment.token}/"
    assert (assessment.team, assessment.position) == (team, 1)
    assert (assessment.respondent_name, assessment.respondent_title) == ("Ann Lee", "CEO")
    assert (assessment.company, assessment.respondent_email) == ("Acme", "")
    assert assessment.outcome == "both"


def test_the_join_form_has_no_company_or_email_and_anonymous_teams_ask_no_name(
    client, default_criteria
):
    named = start(client)
    page = client.get(f"/t/{named.invitation_token}/join/").content.decode()
    assert 'name="respondent-name"' in page and 'name="respondent-title"' in page
    assert 'name="company"' not in page and 'name="respondent-email"' not in page
    anonymous = start(client, anonymous="on")
    page = client.get(f"/t/{anonymous.invitation_token}/join/").content.decode()
    assert 'name="respondent-name"' not in page and 'name="respondent-title"' not in page
    # A name posted anyway is a field the form does not have: refused, nothing stored.
    response = join(client, anonymous, examples.BOTH, "Sneaky Name")
    assert response.status_code == 400
    assert join(client, anonymous, examples.BOTH).status_code == 302
    assert models.Assessment.objects.get().respondent_name == ""


@pytest.mark.parametrize(
    "tamper",
    [
        {"agile-team": "maybe"},
        {"no-such-question": "agree"},
        {"company": "Other"},
        {"respondent-name": "Ann\x00"},
    ],
)
def test_tampered_join_forms_are_400_and_save_nothing(client, default_criteria, tamper):
    team = start(client)
    data = join_data(examples.BOTH, "Ann") | tamper
    assert client.post(f"/t/{team.invitation_token}/join/", data).status_code == 400
    assert not models.Assessment.objects.exists()


def test_unknown_tokens_are_404(client, default_criteria):
    for path in (
        "/t/nope/",
        "/t/nope/join/",
        "/t/nope/result/",
        "/t/nope/result.json",
        "/a/nope/team/",
        "/a/nope/change/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post("/t/nope/close/").status_code == 404


def test_close_and_reopen_are_posts_and_a_closed_team_answers_410(client, default_criteria):
    team = start(client)
    assert client.get(f"/t/{team.organiser_token}/close/").status_code == 405
    assert client.post(f"/t/{team.organiser_token}/close/").status_code == 302
    team.refresh_from_db()
    assert team.closed
    assert client.get(f"/t/{team.invitation_token}/join/").status_code == 410
    response = join(client, team, examples.BOTH, "Late Larry")
    assert response.status_code == 410
    assert "closed" in response.content.decode()
    assert not models.Assessment.objects.exists()
    assert client.post(f"/t/{team.organiser_token}/reopen/").status_code == 302
    assert join(client, team, examples.BOTH, "Late Larry").status_code == 302


def test_close_needs_the_csrf_token(default_criteria):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    team = team_services.team_create(
        company="Acme", organiser_name="Ann", organiser_email="a@example.com", anonymous=False
    )
    assert strict.post(f"/t/{team.organiser_token}/close/").status_code == 403
    assert (
        strict.post(f"/t/{team.invitation_token}/join/", join_data(examples.BOTH, "A")).status_code
        == 403
    )
    team.refresh_from_db()
    assert not team.closed


def test_the_51st_respondent_gets_409_and_nothing_is_saved(client, default_criteria):
    team = team_services.team_create(
        company="Acme", organiser_name="Ann", organiser_email="a@example.com", anonymous=True
    )
    for _ in range(models.TEAM_MAX_RESPONDENTS):
        team_services.team_join(team_id=team.pk, answers=examples.BOTH)
    assert client.get(f"/t/{team.invitation_token}/join/").status_code == 409
    response = join(client, team, examples.BOTH)
    assert response.status_code == 409
    assert "full" in response.content.decode()
    assert team.respondents.count() == models.TEAM_MAX_RESPONDENTS


# ---------------------------------------------------------------------------------------------
# Pinned criteria, no peeking, change answers


def test_respondents_are_scored_against_the_pinned_snapshot_after_criteria_edits(
    client, default_criteria
):
    team = start(client)
    question = models.Question.objects.get(slug="rd-roadmap")
    question.active = False
    question.save()
    services.criteria_touch()
    assert services.criteria_current().content_hash != team.snapshot.content_hash
    page = client.get(f"/t/{team.invitation_token}/join/").content.decode()
    assert 'name="rd-roadmap"' in page  # the pinned questionnaire still asks it
    assert join(client, team, examples.BOTH, "Ann").status_code == 302
    assessment = models.Assessment.objects.get()
    assert assessment.snapshot_id == team.snapshot_id
    assert assessment.criteria_version_id == team.criteria_version_id
    assert assessment.answers["rd-roadmap"] == "agree"
    assert assessment.result["need"] == {"product-owner": 0.75, "product-manager": 0.75}


def test_a_respondent_sees_the_team_result_only_through_their_own_result(client, named_team):
    ann = named_team.respondents.get(position=1)
    own = client.get(f"/a/{ann.token}/").content.decode()
    assert f"/a/{ann.token}/team/" in own
    team_page = client.get(f"/a/{ann.token}/team/")
    assert team_page.status_code == 200
    assert "Neither role yet" in team_page.content.decode()
    # An assessment outside any team has no team page.
    alone = services.assessment_create(company="Solo", answers=examples.BOTH)
    assert client.get(f"/a/{alone.token}/team/").status_code == 404
    assert f"/a/{alone.token}/team/" not in client.get(f"/a/{alone.token}/").content.decode()


def test_the_join_page_shows_nothing_of_the_others(client, named_team):
    page = client.get(f"/t/{named_team.invitation_token}/join/").content.decode()
    for name in NAMES[1:]:
        assert name not in page
    assert "Neither" not in page and "agreement" not in page.lower()


def test_changing_answers_replaces_the_respondent_in_place(client, named_team):
    carl = named_team.respondents.get(position=2)
    page = client.get(f"/a/{carl.token}/change/").content.decode()
    assert 'value="strongly-disagree" required checked' in page  # prefilled: rd-roadmap
    assert 'value="Carl Tan"' in page
    before = named_team.changed_at
    changed = WORKED_TEAM[1] | {"rd-roadmap": "agree"}
    response = client.post(f"/a/{carl.token}/change/", join_data(changed, "Carl Tan", "CTO"))
    assert response.status_code == 302
    assert not models.Assessment.objects.filter(pk=carl.pk).exists()
    new = named_team.respondents.get(position=2)
    assert response["Location"] == f"/a/{new.token}/"
    assert (new.respondent_name, new.respondent_title, new.answers) == ("Carl Tan", "CTO", changed)
    assert named_team.respondents.count() == 4
    named_team.refresh_from_db()
    assert named_team.changed_at > before
    data = client.get(f"/t/{named_team.organiser_token}/result.json").json()
    assert data["verdict"]["outcome"] == "product-manager"
    assert [i["respondent"] for i in data["individual"]] == NAMES
    assert client.get(f"/a/{carl.token}/").status_code == 404


def test_a_closed_team_refuses_changes_with_410(client, named_team):
    team_services.team_close(team_obj=named_team)
    carl = named_team.respondents.get(position=2)
    assert client.get(f"/a/{carl.token}/change/").status_code == 410
    response = client.post(f"/a/{carl.token}/change/", join_data(examples.BOTH, "Carl Tan"))
    assert response.status_code == 410
    assert models.Assessment.objects.filter(pk=carl.pk).exists()


# ---------------------------------------------------------------------------------------------
# The team result


def test_result_json_holds_the_team_result_of_the_contract(client, named_team):
    data = client.get(f"/t/{named_team.organiser_token}/result.json").json()
    assert set(data) == {
        "company",
        "anonymous",
        "closed",
        "respondents",
        "verdict",
        "agreement",
        "agreement_label",
        "questions",
        "individual",
        "pivotal",
    }
    assert (data["company"], data["anonymous"], data["closed"], data["respondents"]) == (
        "Acme",
        False,
        False,
        4,
    )
    verdict = data["verdict"]
    assert set(verdict) == {
        "outcome",
        "lead",
        "need",
        "coverage",
        "responsibilities",
        "drivers",
        "summary",
        "model",
        "criteria_version",
    }
    assert verdict["outcome"] == "neither"
    assert verdict["need"] == {"product-owner": 0.4031, "product-manager": 0.6354}
    assert verdict["criteria_version"] == named_team.criteria_version.version
    assert "the team" in verdict["summary"]
    assert (data["agreement"], data["agreement_label"]) == (0.8523, "high")
    rd = next(q for q in data["questions"] if q["question"] == "rd-roadmap")
    assert rd == {
        "question": "rd-roadmap",
        "answered": 4,
        "pooled": 0.5625,
        "agreement": 0.4375,
        "distribution": {
            "strongly-disagree": 1,
            "disagree": 0,
            "neutral": 0,
            "agree": 3,
            "strongly-agree": 0,
            "not-sure": 0,
        },
    }
    team_count = next(q for q in data["questions"] if q["question"] == "team-count")
    assert set(team_count["distribution"]) == {"none", "one", "several", "not-sure"}
    assert [q["question"] for q in data["questions"]] == examples.ALL_QUESTIONS
    assert data["individual"] == [
        {"respondent": name, "outcome": outcome, "need": need}
        for name, outcome, need in zip(
            NAMES,
            ["product-manager", "neither", "product-manager", "product-manager"],
            [a.result["need"] for a in named_team.respondents.order_by("position")],
            strict=True,
        )
    ]
    assert data["pivotal"] == [
        {
            "question": "rd-roadmap",
            "answer": "agree",
            "respondents": ["Ann Lee", "Sue Park", "Dana Ito"],
            "outcome": "product-manager",
        }
    ]


def test_the_team_result_page_says_it_in_words(client, named_team):
    page = client.get(f"/t/{named_team.organiser_token}/result/").content.decode()
    assert "Neither role yet" in page
    assert "the team mostly answered" in page or "the team&#x27;s answers" in page
    assert "Overall agreement:" in page and "high (85.2%)" in page
    assert "1 of 4 respondents reached the team" in page
    assert (
        "If the team took Ann Lee&#x27;s, Sue Park&#x27;s and Dana Ito&#x27;s view on "
        "“Someone has to shape technology roadmaps together with R&amp;D or engineering "
        "leadership” (Agree), the advice would be Product manager."
    ) in page
    assert 'class="team-agenda"' in page
    assert page.count('class="team-bar"') == 16
    assert "Carl Tan" in page and "CTO" in page


def test_no_respondent_says_so_and_the_json_is_empty(client, default_criteria):
    team = start(client)
    assert (
        "Nobody has answered yet"
        in client.get(f"/t/{team.organiser_token}/result/").content.decode()
    )
    data = client.get(f"/t/{team.organiser_token}/result.json").json()
    assert data["respondents"] == 0
    assert data["verdict"]["outcome"] == "undetermined"
    assert data["individual"] == data["questions"] == data["pivotal"] == []
    assert data["agreement"] is None


def test_anonymous_teams_show_outcome_and_needs_only_until_closed_with_three(
    client, default_criteria
):
    team = start(client, anonymous="on")
    for answers in WORKED_TEAM[:3]:
        assert join(client, team, answers).status_code == 302
    url = f"/t/{team.organiser_token}/result.json"
    open_json = client.get(url).json()
    assert set(open_json["verdict"]) == {"outcome", "lead", "need", "model", "criteria_version"}
    assert open_json["agreement"] is open_json["agreement_label"] is None
    assert open_json["individual"] == open_json["questions"] == open_json["pivotal"] == []
    page = client.get(f"/t/{team.organiser_token}/result/").content.decode()
    assert "team-bar" not in page and "Respondent 1" not in page
    team_services.team_close(team_obj=team)
    closed = client.get(url).json()
    assert [i["respondent"] for i in closed["individual"]] == [
        "Respondent 1",
        "Respondent 2",
        "Respondent 3",
    ]
    assert closed["questions"] and closed["agreement"] is not None
    team.refresh_from_db()
    assert sorted(team.respondent_order) == sorted(team.respondents.values_list("id", flat=True))
    assert not team.respondents.exclude(respondent_name="").exists()


def test_a_closed_anonymous_team_of_two_still_shows_no_detail(client, default_criteria):
    team = start(client, anonymous="on")
    for answers in WORKED_TEAM[:2]:
        join(client, team, answers)
    team_services.team_close(team_obj=team)
    assert client.get(f"/t/{team.organiser_token}/result.json").json()["individual"] == []


def test_the_team_result_is_computed_once_per_change(client, named_team, monkeypatch):
    calls = []
    original = team_services._compute
    monkeypatch.setattr(team_services, "_compute", lambda *a: calls.append(1) or original(*a))
    url = f"/t/{named_team.organiser_token}/result.json"
    client.get(url)
    client.get(url)
    client.get(f"/t/{named_team.organiser_token}/result/")
    assert len(calls) == 1
    team_services.team_close(team_obj=named_team)
    client.get(url)
    assert len(calls) == 2


def _queries(client, path) -> int:
    client.get(path)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("size", [3, 50])
def test_team_pages_cost_a_constant_number_of_queries(client, default_criteria, size):
    team = team_services.team_create(
        company="Acme", organiser_name="Ann", organiser_email="a@example.com", anonymous=False
    )
    for i in range(size):
        team_services.team_join(
            team_id=team.pk, answers=WORKED_TEAM[i % 4], respondent_name=f"Person {i}"
        )
    first = team.respondents.order_by("position").first()
    counts = {
        path: _queries(client, path)
        for path in (
            f"/t/{team.organiser_token}/",
            f"/t/{team.organiser_token}/result/",
            f"/t/{team.organiser_token}/result.json",
            f"/a/{first.token}/team/",
        )
    }
    assert counts == {
        f"/t/{team.organiser_token}/": 2,
        f"/t/{team.organiser_token}/result/": 2,
        f"/t/{team.organiser_token}/result.json": 2,
        f"/a/{first.token}/team/": 2,
    }


def test_starting_a_team_is_rate_limited(client, default_criteria, settings):
    settings.ROLEFIT_RATE_TEAM = "2/h"
    data = {"company": "Acme", "organiser-name": "Ann", "organiser-email": "a@example.com"}
    assert [client.post("/t/new/", data).status_code for _ in range(3)] == [302, 302, 429]
    assert models.Team.objects.count() == 2


def test_joining_counts_under_the_submission_limit(client, default_criteria, settings):
    team = start(client)
    settings.ROLEFIT_RATE_SUBMIT = "1/m"
    assert join(client, team, examples.BOTH, "Ann").status_code == 302
    assert join(client, team, examples.BOTH, "Bob").status_code == 429
    assert team.respondents.count() == 1


def test_result_json_is_plain_json_without_the_page_s_extras(client, named_team):
    response = client.get(f"/t/{named_team.organiser_token}/result.json")
    assert response["Content-Type"] == "application/json"
    assert "agenda" not in json.loads(response.content)
    assert reverse("advisor:team_result_json", kwargs={"token": "x"}) == "/t/x/result.json"


# ---------------------------------------------------------------------------------------------
# The cap under concurrent joins


@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_never_pass_the_cap(default_criteria):
    """Eight joins race for the last three places: exactly three get in, the rest are refused as
    full, and the positions stay unique. Each thread has its own database connection."""
    import threading

    from django.db import connections

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("an in-memory SQLite database shares one cache between threads, no locks")
    team = team_services.team_create(
        company="Acme", organiser_name="Ann", organiser_email="a@example.com", anonymous=True
    )
    for _ in range(models.TEAM_MAX_RESPONDENTS - 3):
        team_services.team_join(team_id=team.pk, answers=examples.BOTH)
    barrier = threading.Barrier(8)
    outcomes = []

    def racer():
        try:
            barrier.wait()
            team_services.team_join(team_id=team.pk, answers=examples.NEITHER)
            outcomes.append("joined")
        except team_services.TeamFull:
            outcomes.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["full"] * 5 + ["joined"] * 3
    positions = list(team.respondents.values_list("position", flat=True))
    assert sorted(positions) == list(range(1, models.TEAM_MAX_RESPONDENTS + 1))


def test_a_deleted_respondent_leaves_the_team_result(client, named_team):
    url = f"/t/{named_team.organiser_token}/result.json"
    assert client.get(url).json()["respondents"] == 4
    carl = named_team.respondents.get(position=2)
    assert client.post(f"/a/{carl.token}/delete/").status_code == 302
    data = client.get(url).json()
    assert data["respondents"] == 3
    assert [i["respondent"] for i in data["individual"]] == ["Ann Lee", "Sue Park", "Dana Ito"]
    assert data["verdict"]["outcome"] == "product-manager"
    # A delete that does not move the team's last change (a bulk purge) is noticed too.
    named_team.respondents.filter(position=1).delete()
    assert client.get(url).json()["respondents"] == 2
    assert client.get(f"/t/{named_team.organiser_token}/result/").status_code == 200


def test_the_team_summary_names_the_nearest_option_in_the_team_s_voice(client, default_criteria):
    team = start(client)
    join(client, team, examples.BOTH, "Ann")  # agree everywhere
    join(client, team, examples.STANDARD_REPORT, "Bob")  # neutral on delivery, agree on business
    verdict = client.get(f"/t/{team.organiser_token}/result.json").json()["verdict"]
    # Delivery pools to 0.625, exactly between Neutral and Agree: Neutral, nearer the middle.
    assert verdict["outcome"] == "product-manager"
    assert "mainly because the team mostly answered “Agree” to “" in verdict["summary"]
    assert "you answered" not in verdict["summary"]
    assert "the team's answers call less for" in verdict["summary"]
    page = client.get(f"/t/{team.organiser_token}/result/").content.decode()
    assert "the team mostly answered Neutral" in page  # a product-owner driver


@pytest.mark.parametrize("size", [3, 50])
def test_start_and_join_pages_cost_a_constant_number_of_queries(client, default_criteria, size):
    team = team_services.team_create(
        company="Acme", organiser_name="Ann", organiser_email="a@example.com", anonymous=True
    )
    for _ in range(size - 1):
        team_services.team_join(team_id=team.pk, answers=examples.BOTH)
    # The criteria stamp; the team with its snapshot, then its respondent count.
    assert _queries(client, "/t/new/") == 1
    assert _queries(client, f"/t/{team.invitation_token}/join/") == 2
