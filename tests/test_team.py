"""Team arithmetic (advisor/team.py, docs/teams.md), without a database or Django.

The pivotal questions are checked against a brute-force oracle that pools the answers itself and
scores every distinct answer through the engine's `score_values`, sharing no code with
`advisor.team`.
"""

import json
import os
import random
import subprocess
import sys
from fractions import Fraction

import pytest

from advisor import scoring, team
from tests.test_scoring import REPO_ROOT, default_criteria, sections

F = Fraction
CRITERIA = default_criteria()
VALUE = {q.slug: {o.key: o.value for o in q.options} for q in CRITERIA.questions}


def test_pooled_value_is_the_mean_of_the_valued_answers_not_sure_left_out():
    result = team.team_score(
        CRITERIA,
        [{"agile-team": "neutral"}, {"agile-team": "agree"}, {"agile-team": "not-sure"}],
    )
    agile = result.questions[0]
    assert agile.question == "agile-team"
    assert agile.pooled == F(5, 8)
    assert agile.answered == 2
    assert dict(agile.distribution) == {
        "strongly-disagree": 0,
        "disagree": 0,
        "neutral": 1,
        "agree": 1,
        "strongly-agree": 0,
        "not-sure": 1,
    }
    nobody = result.questions[1]
    assert (nobody.pooled, nobody.agreement, nobody.answered) == (None, None, 0)


def test_agreement_is_one_minus_twice_the_mean_absolute_deviation():
    # docs/product.md §8's example: neutral, agree, strongly agree -> 0.6667
    assert team.agreement_of([F(1, 2), F(3, 4), F(1)]) == F(2, 3)
    assert team.agreement_of([F(3, 4)] * 4) == 1
    assert team.agreement_of([F(0), F(1)]) == 0
    assert team.agreement_of([F(0), F(0), F(1), F(1)]) == 0
    assert team.agreement_of([F(1)]) is None
    assert team.agreement_of([]) is None


def test_agreement_needs_two_valued_answers():
    result = team.team_score(CRITERIA, [{"agile-team": "agree"}, {"agile-team": "not-sure"}, {}])
    assert result.questions[0].agreement is None
    assert result.agreement is None


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (F(1), "very high"),
        (F(7, 8), "very high"),
        (F(7, 8) - F(1, 10**9), "high"),
        (F(3, 4), "high"),
        (F(3, 4) - F(1, 10**9), "moderate"),
        (F(1, 2), "moderate"),
        (F(1, 2) - F(1, 10**9), "low"),
        (F(0), "low"),
        (None, None),
    ],
)
def test_agreement_in_words_from_the_exact_value(value, label):
    assert team.agreement_label(value) == label


def test_overall_agreement_weights_each_question_by_its_links_and_responsibilities():
    # agile-team links backlog .5 and product-goal .5 (W = 1); new-business links strategy 1
    # and go-to-market .5 (W = 1.5). Agreements 1 and 0.
    answers = [
        {"agile-team": "agree", "new-business": "strongly-disagree"},
        {"agile-team": "agree", "new-business": "strongly-agree"},
    ]
    result = team.team_score(CRITERIA, answers)
    assert result.agreement == (1 * F(1) + F(3, 2) * 0) / (F(1) + F(3, 2))
    # A heavier responsibility weighs its questions more.
    heavier = scoring.Criteria(
        responsibilities=tuple(
            scoring.Responsibility(r.slug, r.role, F(3) if r.slug == "backlog" else r.weight)
            for r in CRITERIA.responsibilities
        ),
        questions=CRITERIA.questions,
        policy=CRITERIA.policy,
    )
    assert team.question_weight(heavier, heavier.questions[0]) == F(1, 2) * 3 + F(1, 2)
    assert team.team_score(heavier, answers).agreement == F(2) / (F(2) + F(3, 2))


def test_the_verdict_scores_the_pooled_values_with_the_engine():
    answers = [sections("agree", "one", "agree"), sections("neutral", "one", "agree")]
    result = team.team_score(CRITERIA, answers)
    pooled = {slug: sum(VALUE[slug][a[slug]] for a in answers) / len(answers) for slug in VALUE}
    assert result.verdict == scoring.score_values(CRITERIA, pooled)
    assert result.verdict.sensitivity is None


def test_no_respondent_is_undetermined_with_nothing_else():
    result = team.team_score(CRITERIA, [])
    assert result.verdict.outcome == scoring.UNDETERMINED
    assert (result.agreement, result.pivotal, result.agenda) == (None, (), ())
    assert all(q.pooled is None for q in result.questions)


@pytest.mark.parametrize(
    ("slug", "pooled", "nearest"),
    [
        ("agile-team", F(5, 8), "neutral"),  # between neutral and agree: nearer the middle
        ("agile-team", F(3, 8), "neutral"),  # between disagree and neutral
        ("agile-team", F(1, 8), "disagree"),  # between strongly disagree and disagree
        ("agile-team", F(7, 8), "agree"),
        ("agile-team", F(2, 3), "agree"),
        ("agile-team", F(1), "strongly-agree"),
        ("team-count", F(7, 8), "one"),  # between one (0.75) and several (1)
        ("team-count", F(3, 8), "one"),  # between none (0) and one: one is nearer 0.5
        ("team-count", F(1, 4), "none"),
        ("agile-team", None, None),
    ],
)
def test_nearest_scale_option_ties_go_toward_the_middle(slug, pooled, nearest):
    question = next(q for q in CRITERIA.questions if q.slug == slug)
    assert team.nearest_option(question, pooled) == nearest


def test_unknown_slugs_or_keys_are_refused_like_the_engine_does():
    with pytest.raises(scoring.AnswerError):
        team.team_score(CRITERIA, [{"no-such-question": "agree"}])
    with pytest.raises(scoring.AnswerError):
        team.team_score(CRITERIA, [{"agile-team": "maybe"}])
    with pytest.raises(scoring.AnswerError):
        team.team_score(CRITERIA, {"agile-team": "agree"})


# ---------------------------------------------------------------------------------------------
# A worked team (also docs/teams.md and the browser test): four colleagues, three of whom would
# each hire a product manager; the CTO strongly disagrees that someone has to shape technology
# roadmaps with R&D, and that one view keeps the team below the line.

BUSINESS_UNSURE = {
    "go-to-market": "disagree",
    "margins-costs": "disagree",
    "revenue-decline": "disagree",
    "portfolio-complexity": "disagree",
}
WORKED_BASE = sections("disagree", "one", "agree") | BUSINESS_UNSURE
WORKED_TEAM = [
    WORKED_BASE | {"margins-costs": "neutral", "revenue-decline": "neutral"},  # CEO
    WORKED_BASE | {"rd-roadmap": "strongly-disagree", "agile-team": "agree"},  # CTO
    WORKED_BASE | {"go-to-market": "neutral", "stakeholders-lost": "agree"},  # head of sales
    WORKED_BASE
    | {"backlog-unclear": "neutral", "team-count": "several", "roadmap-drift": "neutral"},
]


def test_a_worked_team_names_the_pivotal_view_and_puts_it_on_the_agenda():
    assert [scoring.score(CRITERIA, a).outcome for a in WORKED_TEAM] == [
        scoring.PRODUCT_MANAGER,
        scoring.NEITHER,
        scoring.PRODUCT_MANAGER,
        scoring.PRODUCT_MANAGER,
    ]
    result = team.team_score(CRITERIA, WORKED_TEAM)
    assert result.verdict.outcome == scoring.NEITHER
    assert scoring.to_float(result.verdict.role(scoring.PRODUCT_MANAGER).need) == 0.6354
    assert scoring.to_float(result.verdict.role(scoring.PRODUCT_OWNER).need) == 0.4031
    # rd-roadmap: agree ×3, strongly disagree ×1 -> pooled 0.5625, agreement 0.4375 (low)
    rd = next(q for q in result.questions if q.question == "rd-roadmap")
    assert (rd.pooled, rd.agreement, rd.nearest) == (F(9, 16), F(7, 16), "neutral")
    assert result.pivotal == (
        team.Pivotal(
            question="rd-roadmap",
            answer="agree",
            respondents=(0, 2, 3),
            outcome=scoring.PRODUCT_MANAGER,
        ),
    )
    assert result.agenda == ("rd-roadmap",)
    assert scoring.to_float(result.agreement) == 0.8523
    assert team.agreement_label(result.agreement) == "high"


# ---------------------------------------------------------------------------------------------
# The oracle


def oracle_pivotal(criteria, answers):
    """Every (question, answer key, respondents, outcome) whose value as the pooled value
    changes the team's outcome, by brute force."""
    values = {q.slug: {o.key: o.value for o in q.options} for q in criteria.questions}

    def pool(slug):
        given = [
            values[slug][a[slug]] for a in answers if values[slug].get(a.get(slug)) is not None
        ]
        return sum(given) / len(given) if given else None

    pooled = {q.slug: pool(q.slug) for q in criteria.questions}
    outcome = scoring.score_values(criteria, pooled).outcome
    found = []
    for q in criteria.questions:
        for option in q.options:  # scale order
            who = tuple(i for i, a in enumerate(answers) if a.get(q.slug) == option.key)
            if option.value is None or not who or pooled[q.slug] is None:
                continue
            after = scoring.score_values(criteria, {**pooled, q.slug: option.value}).outcome
            if after != outcome:
                found.append((q.slug, option.key, who, after))
    return outcome, found


def random_team(rng: random.Random, criteria) -> list[dict[str, str]]:
    # Respondents share a leaning so that teams land near the line often.
    leaning = {q.slug: rng.random() for q in criteria.questions}
    team_answers = []
    for _ in range(rng.randint(1, 9)):
        answers = {}
        for q in criteria.questions:
            keys = [o.key for o in q.options]
            if rng.random() < 0.1:
                continue  # omitted
            scale = [o.key for o in q.options if o.value is not None]
            if rng.random() < 0.15:
                answers[q.slug] = rng.choice(keys)
            else:
                position = min(len(scale) - 1, int(leaning[q.slug] * len(scale)))
                position = max(0, min(len(scale) - 1, position + rng.choice((-1, 0, 0, 1))))
                answers[q.slug] = scale[position]
        team_answers.append(answers)
    return team_answers


def unequal_criteria(rng: random.Random):
    return scoring.Criteria(
        responsibilities=tuple(
            scoring.Responsibility(r.slug, r.role, F(rng.randint(1, 8), 2))
            for r in CRITERIA.responsibilities
        ),
        questions=tuple(
            scoring.Question(
                q.slug,
                q.text,
                q.options,
                tuple(
                    scoring.Link(link.responsibility, F(rng.randint(1, 6), 2)) for link in q.links
                ),
            )
            for q in CRITERIA.questions
        ),
        policy=scoring.Policy(F(1, 2), F(rng.randint(45, 75), 100), F(rng.randint(4, 8), 10)),
    )


@pytest.mark.slow
@pytest.mark.parametrize("weights", ["equal", "unequal"])
def test_pivotal_questions_match_a_brute_force_oracle_on_random_teams(weights):
    rng = random.Random(f"team-{weights}")
    seen_pivotal = 0
    for _ in range(120):
        criteria = CRITERIA if weights == "equal" else unequal_criteria(rng)
        answers = random_team(rng, criteria)
        result = team.team_score(criteria, answers)
        outcome, expected = oracle_pivotal(criteria, answers)
        assert result.verdict.outcome == outcome
        assert [
            (p.question, p.answer, p.respondents, p.outcome) for p in result.pivotal
        ] == expected
        seen_pivotal += bool(expected)
    # The random teams exercise the interesting case often enough to mean something.
    assert seen_pivotal >= 12


def test_importing_the_team_module_loads_no_django():
    code = "import sys, advisor.team; print(any(m.startswith('django') for m in sys.modules))"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"


@pytest.mark.slow
def test_the_team_benchmark_runs_and_meets_its_goal():
    """benchmarks/team.py in its own process (it configures Django itself): 50 respondents."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.team", "--teams", "2"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )
    report = json.loads(completed.stdout)
    assert report["respondents"] == 50 and report["teams"] == 2
    assert 0 < report["worst_ms"] <= report["goal_ms"]
