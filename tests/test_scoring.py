"""The pure scoring engine (docs/scoring.md): the needs model, without a database or Django.

The sensitivity search is compared with an exhaustive oracle in tests/test_sensitivity.py.
"""

import math
import re
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.scoring import (
    ANSWERS_NOT_MAPPING,
    BAD_POLICY,
    BOTH,
    MORE_THAN_THREE,
    NEITHER,
    PRODUCT_MANAGER,
    PRODUCT_OWNER,
    ROLE_CANNOT_SCORE,
    ROLES,
    UNDETERMINED,
    UNKNOWN_OPTION,
    UNKNOWN_QUESTION,
    UNKNOWN_RESPONSIBILITY,
    AnswerError,
    Change,
    Criteria,
    CriteriaError,
    Link,
    Option,
    Policy,
    Question,
    Responsibility,
    Result,
    ScoringError,
    Sensitivity,
    score,
    score_values,
    to_float,
    validate_answers,
)
from tests.examples import TIE  # worked example 6: a tie broken by question position

F = Fraction
REPO_ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# The default criteria of docs/product.md §3

AGREEMENT = (
    ("strongly-disagree", "Strongly disagree", F(0)),
    ("disagree", "Disagree", F(1, 4)),
    ("neutral", "Neutral", F(1, 2)),
    ("agree", "Agree", F(3, 4)),
    ("strongly-agree", "Strongly agree", F(1)),
    ("not-sure", "Not sure", None),
)
TEAM_COUNT = (
    ("none", "None", F(0)),
    ("one", "One", F(3, 4)),
    ("several", "Several", F(1)),
    ("not-sure", "Not sure", None),
)
RESPONSIBILITIES = {
    PRODUCT_OWNER: ("backlog", "product-goal", "stakeholders", "roadmap-alignment"),
    PRODUCT_MANAGER: ("strategy", "tech-roadmap", "go-to-market", "margins", "customers-csuite"),
}
TEAM_AND_DELIVERY = {
    "agile-team": {"backlog": F(1, 2), "product-goal": F(1, 2)},
    "backlog-unclear": {"backlog": F(1)},
    "goal-unclear": {"product-goal": F(1)},
    "stakeholders-lost": {"stakeholders": F(1)},
    "roadmap-drift": {"roadmap-alignment": F(1)},
    "delivery-focus": {"backlog": F(1, 2), "roadmap-alignment": F(1, 2)},
    "team-count": {"backlog": F(1, 2), "product-goal": F(1, 2)},
}
BUSINESS_AND_GROWTH = {
    "new-business": {"strategy": F(1), "go-to-market": F(1, 2)},
    "multiyear-strategy": {"strategy": F(1)},
    "rd-roadmap": {"tech-roadmap": F(1)},
    "go-to-market": {"go-to-market": F(1)},
    "margins-costs": {"margins": F(1)},
    "customer-insight": {"customers-csuite": F(1)},
    "exec-engagement": {"customers-csuite": F(1)},
    "revenue-decline": {"strategy": F(1, 2), "margins": F(1, 2)},
    "portfolio-complexity": {"strategy": F(1, 2), "margins": F(1, 2)},
}
ALL_SLUGS = [*TEAM_AND_DELIVERY, *BUSINESS_AND_GROWTH]
DEFAULT_POLICY = Policy(min_coverage=F(1, 2), min_need=F(13, 20), focus_share=F(3, 5))


def options(scale) -> tuple[Option, ...]:
    return tuple(Option(key=key, label=label, value=value) for key, label, value in scale)


def default_criteria() -> Criteria:
    """The sixteen questions of docs/product.md §3, every responsibility weighing 1."""
    questions = tuple(
        Question(
            slug=slug,
            text=slug,
            options=options(TEAM_COUNT if slug == "team-count" else AGREEMENT),
            links=tuple(Link(responsibility=c, weight=w) for c, w in links.items()),
        )
        for slug, links in (TEAM_AND_DELIVERY | BUSINESS_AND_GROWTH).items()
    )
    responsibilities = tuple(
        Responsibility(slug=slug, role=role, weight=F(1))
        for role, slugs in RESPONSIBILITIES.items()
        for slug in slugs
    )
    return Criteria(responsibilities=responsibilities, questions=questions, policy=DEFAULT_POLICY)


def sections(team_and_delivery: str, team_count: str, business_and_growth: str) -> dict:
    answers = dict.fromkeys(TEAM_AND_DELIVERY, team_and_delivery)
    answers["team-count"] = team_count
    return answers | dict.fromkeys(BUSINESS_AND_GROWTH, business_and_growth)


STANDARD_REPORT = sections("neutral", "one", "agree")


def change(question, from_key, to_key) -> Change:
    return Change(question=question, from_key=from_key, to_key=to_key)


def needs(result: Result) -> tuple:
    return tuple(to_float(r.need) for r in result.roles)


# ---------------------------------------------------------------------------------------------
# The worked examples of docs/scoring.md, with their exact figures


def test_example_1_delivery_only_recommends_a_product_owner():
    result = score(default_criteria(), sections("strongly-agree", "several", "strongly-disagree"))
    assert result.outcome == PRODUCT_OWNER
    assert result.lead is None
    assert (result.role(PRODUCT_OWNER).need, result.role(PRODUCT_MANAGER).need) == (F(1), F(0))
    assert result.sensitivity == MORE_THAN_THREE


def test_example_2_all_agree_is_both_led_by_the_product_manager():
    result = score(default_criteria(), sections("agree", "one", "agree"))
    assert result.outcome == BOTH
    assert result.lead == PRODUCT_MANAGER
    assert needs(result) == (0.75, 0.75)
    assert result.sensitivity == Sensitivity(
        changes_needed=2,
        outcome_after=PRODUCT_MANAGER,
        nearest=(change("roadmap-drift", "agree", "neutral"), change("team-count", "one", "none")),
    )


def test_example_3_all_disagree_recommends_neither():
    result = score(default_criteria(), sections("disagree", "none", "disagree"))
    assert result.outcome == NEITHER
    assert needs(result) == (0.2333, 0.25)
    assert result.role(PRODUCT_OWNER).need == F(7, 30)
    assert result.sensitivity == MORE_THAN_THREE


def test_example_4_two_answers_are_undetermined_and_name_what_is_missing():
    result = score(default_criteria(), {"agile-team": "agree", "new-business": "agree"})
    assert result.outcome == UNDETERMINED
    assert tuple(to_float(r.coverage) for r in result.roles) == (0.1429, 0.1579)
    assert result.role(PRODUCT_OWNER).coverage == F(1, 7)
    assert result.role(PRODUCT_OWNER).unanswered == tuple(
        q for q in TEAM_AND_DELIVERY if q != "agile-team"
    )
    assert "new-business" not in result.role(PRODUCT_MANAGER).unanswered
    assert len(result.role(PRODUCT_MANAGER).unanswered) == 8
    assert result.sensitivity is None
    assert result.lead is None


def test_example_5_the_standard_report_recommends_a_product_manager():
    result = score(default_criteria(), STANDARD_REPORT)
    assert result.outcome == PRODUCT_MANAGER
    assert needs(result) == (0.5375, 0.75)
    profile = {r.slug: (to_float(r.need), r.focus) for r in result.responsibilities}
    assert profile == {
        "backlog": (0.55, True),
        "product-goal": (0.5625, True),
        "stakeholders": (0.5, True),
        "roadmap-alignment": (0.5, False),  # equal needs: criteria order decides the focus
        "strategy": (0.75, True),
        "tech-roadmap": (0.75, True),
        "go-to-market": (0.75, True),
        "margins": (0.75, False),
        "customers-csuite": (0.75, False),
    }
    assert result.role(PRODUCT_OWNER).focus == ("product-goal", "backlog", "stakeholders")
    assert result.sensitivity == Sensitivity(
        changes_needed=2,
        outcome_after=BOTH,
        nearest=(
            change("backlog-unclear", "neutral", "agree"),
            change("stakeholders-lost", "neutral", "agree"),
        ),
    )


def test_example_6_a_tie_goes_to_the_lower_question_position():
    result = score(default_criteria(), TIE)
    assert result.outcome == NEITHER
    assert needs(result) == (0.5833, 0.5694)
    assert result.sensitivity == Sensitivity(
        changes_needed=1,
        outcome_after=PRODUCT_OWNER,
        nearest=(change("stakeholders-lost", "neutral", "agree"),),
    )


# ---------------------------------------------------------------------------------------------
# The rules one by one


EQUAL = (F(1), F(1))


def one_question_criteria(policy: Policy = DEFAULT_POLICY, weights=EQUAL) -> Criteria:
    """One question per responsibility; two responsibilities per role."""
    responsibilities = (
        Responsibility("po-a", PRODUCT_OWNER, weights[0]),
        Responsibility("po-b", PRODUCT_OWNER, weights[1]),
        Responsibility("pm-a", PRODUCT_MANAGER, F(1)),
        Responsibility("pm-b", PRODUCT_MANAGER, F(1)),
    )
    scale = tuple(Option(f"v{i}", f"v{i}", F(i, 20)) for i in range(21)) + (
        Option("not-sure", "Not sure", None),
    )
    questions = tuple(
        Question(r.slug, r.slug, scale, (Link(r.slug, F(1)),)) for r in responsibilities
    )
    return Criteria(responsibilities, questions, policy)


def test_a_need_of_exactly_min_need_is_needed():
    criteria = one_question_criteria(Policy(F(1, 2), F(13, 20), F(1)))
    result = score(criteria, {"po-a": "v13", "po-b": "v13", "pm-a": "v13", "pm-b": "v12"})
    assert result.role(PRODUCT_OWNER).need == F(13, 20)
    assert result.role(PRODUCT_OWNER).needed
    assert result.outcome == PRODUCT_OWNER


def test_the_focus_is_the_shortest_head_reaching_the_share():
    # focus_share 1/2 of two equal responsibilities: the most needed one alone.
    criteria = one_question_criteria(Policy(F(1, 2), F(13, 20), F(1, 2)))
    result = score(criteria, {"po-a": "v4", "po-b": "v18", "pm-a": "v10", "pm-b": "v10"})
    assert result.role(PRODUCT_OWNER).focus == ("po-b",)
    assert result.role(PRODUCT_OWNER).need == F(18, 20)
    assert result.role(PRODUCT_MANAGER).focus == ("pm-a",)  # equal needs: criteria order
    assert [r.focus for r in result.responsibilities] == [False, True, True, False]


def test_unequal_weights_can_pull_a_heavier_responsibility_into_the_focus():
    criteria = one_question_criteria(Policy(F(1, 2), F(13, 20), F(3, 5)), weights=(F(1), F(3)))
    result = score(criteria, {"po-a": "v20", "po-b": "v10", "pm-a": "v0", "pm-b": "v0"})
    assert result.role(PRODUCT_OWNER).focus == ("po-a", "po-b")
    assert result.role(PRODUCT_OWNER).need == (1 + 3 * F(1, 2)) / 4


def test_a_responsibility_without_answers_has_no_need_and_is_left_out():
    criteria = one_question_criteria(Policy(F(1, 2), F(13, 20), F(1)))
    result = score(criteria, {"po-a": "v20", "pm-a": "v20", "pm-b": "not-sure"})
    assert [r.need for r in result.responsibilities] == [F(1), None, F(1), None]
    assert result.outcome == BOTH
    assert result.role(PRODUCT_OWNER).unanswered == ("po-b",)


def test_coverage_exactly_min_coverage_is_enough():
    criteria = one_question_criteria(Policy(F(1, 2), F(13, 20), F(1)))
    assert score(criteria, {"po-a": "v20", "pm-a": "v20"}).outcome == BOTH
    assert score(criteria, {"po-a": "v20"}).outcome == UNDETERMINED


@pytest.mark.parametrize(
    ("po", "pm", "outcome", "lead"),
    [
        ("v16", "v14", BOTH, PRODUCT_OWNER),
        ("v14", "v16", BOTH, PRODUCT_MANAGER),
        ("v15", "v15", BOTH, PRODUCT_MANAGER),  # equal needs: product manager first
        ("v16", "v12", PRODUCT_OWNER, None),
        ("v12", "v16", PRODUCT_MANAGER, None),
        ("v12", "v12", NEITHER, None),
    ],
)
def test_outcomes_and_the_lead_hire(po, pm, outcome, lead):
    criteria = one_question_criteria(Policy(F(1, 2), F(13, 20), F(1)))
    result = score(criteria, {"po-a": po, "po-b": po, "pm-a": pm, "pm-b": pm})
    assert (result.outcome, result.lead) == (outcome, lead)
    first = lead or (PRODUCT_OWNER if outcome == PRODUCT_OWNER else PRODUCT_MANAGER)
    assert result.role_order()[0] == first


def test_drivers_of_a_role_sum_to_its_need_and_only_the_focus_counts():
    result = score(default_criteria(), STANDARD_REPORT)
    for role in result.roles:
        assert sum(d.contribution for d in result.drivers if d.role == role.role) == role.need
    # margins-costs feeds only `margins`, outside the product manager's focus.
    assert "margins-costs" not in {d.question for d in result.drivers}
    contributions = [d.contribution for d in result.drivers]
    assert contributions == sorted(contributions, reverse=True)


def test_drivers_tie_in_question_order_then_product_owner_first():
    result = score(default_criteria(), sections("agree", "one", "agree"))
    ties = [
        (d.question, d.role)
        for d in result.drivers
        if d.contribution == result.drivers[0].contribution
    ]
    positions = [ALL_SLUGS.index(q) for q, _ in ties]
    assert positions == sorted(positions)


def test_top_drivers_and_role_reject_unknown_roles():
    result = score(default_criteria(), STANDARD_REPORT)
    assert len(result.top_drivers(PRODUCT_MANAGER)) == 3
    with pytest.raises(ValueError, match="scrum-master"):
        result.top_drivers("scrum-master")
    with pytest.raises(ValueError, match="scrum-master"):
        result.role("scrum-master")


def test_a_change_never_moves_to_or_from_not_sure():
    answers = sections("agree", "one", "agree") | {"agile-team": "not-sure"}
    result = score(default_criteria(), answers)
    for c in result.sensitivity.nearest:
        assert "not-sure" not in (c.from_key, c.to_key)
        assert c.question != "agile-team"


def test_scoring_values_gives_the_result_of_the_same_answers_without_sensitivity():
    criteria = default_criteria()
    values = {
        q.slug: next(o.value for o in q.options if o.key == STANDARD_REPORT[q.slug])
        for q in criteria.questions
    }
    by_keys = score(criteria, STANDARD_REPORT)
    by_values = score_values(criteria, values)
    assert by_values.sensitivity is None
    assert (by_values.outcome, by_values.roles, by_values.drivers) == (
        by_keys.outcome,
        by_keys.roles,
        by_keys.drivers,
    )
    # A pooled value between options scores too.
    between = score_values(criteria, values | {"backlog-unclear": F(5, 8)})
    assert between.role(PRODUCT_OWNER).need > by_keys.role(PRODUCT_OWNER).need


def test_scoring_values_rejects_unknown_slugs_and_values_off_the_scale():
    with pytest.raises(AnswerError, match="framework"):
        score_values(default_criteria(), {"framework": F(1)})
    with pytest.raises(AnswerError, match="agile-team"):
        score_values(default_criteria(), {"agile-team": F(3, 2)})


# ---------------------------------------------------------------------------------------------
# Properties


@st.composite
def criteria_and_answers(draw):
    criteria = default_criteria()
    keys = {q.slug: [o.key for o in q.options] for q in criteria.questions}
    answers = {
        slug: draw(st.sampled_from(options))
        for slug, options in keys.items()
        if draw(st.booleans()) or draw(st.booleans())
    }
    return criteria, answers


@given(criteria_and_answers())
@settings(max_examples=150, deadline=None)
def test_needs_and_coverage_stay_between_zero_and_one(case):
    result = score(*case)
    for value in [r.need for r in result.responsibilities] + [r.need for r in result.roles]:
        assert value is None or 0 <= value <= 1
    for role in result.roles:
        assert 0 <= role.coverage <= 1
        assert (role.need is None) == (role.coverage == 0)


@given(criteria_and_answers())
@settings(max_examples=150, deadline=None)
def test_each_driver_is_its_contribution_by_docs_scoring_formula(case):
    """contribution(q, R) = Σ_{c in R's focus} (w_c / W_F) · l_qc · v_q / a_c, in exact fractions
    straight from the criteria; drivers sum to their role's need."""
    criteria, answers = case
    result = score(criteria, answers)
    weight = {r.slug: F(r.weight) for r in criteria.responsibilities}
    valued = {
        q.slug: F(o.value)
        for q in criteria.questions
        for o in q.options
        if o.key == answers.get(q.slug) and o.value is not None
    }
    answered_weight = {c: F(0) for c in weight}
    for q in criteria.questions:
        if q.slug in valued:
            for link in q.links:
                answered_weight[link.responsibility] += F(link.weight)
    expected = {}
    for role in result.roles:
        focus_weight = sum(weight[c] for c in role.focus)
        for q in criteria.questions:
            contribution = sum(
                (
                    weight[link.responsibility]
                    / focus_weight
                    * F(link.weight)
                    * valued[q.slug]
                    / answered_weight[link.responsibility]
                    for link in q.links
                    if q.slug in valued and link.responsibility in role.focus
                ),
                F(0),
            )
            if contribution > 0:
                expected[q.slug, role.role] = contribution
    assert {(d.question, d.role): d.contribution for d in result.drivers} == expected
    for role in result.roles:
        drivers = [d.contribution for d in result.drivers if d.role == role.role]
        assert sum(drivers) == (role.need if drivers else 0)


@given(criteria_and_answers(), st.data())
@settings(max_examples=150, deadline=None)
def test_with_equal_weights_a_higher_answer_never_lowers_a_role_need(case, data):
    criteria, answers = case
    question = data.draw(st.sampled_from(criteria.questions))
    scale = [o for o in question.options if o.value is not None]
    low, high = sorted(
        data.draw(st.lists(st.sampled_from(scale), min_size=2, max_size=2)), key=lambda o: o.value
    )
    before = score(criteria, answers | {question.slug: low.key})
    after = score(criteria, answers | {question.slug: high.key})
    for role in ROLES:
        if before.role(role).need is not None:
            assert after.role(role).need >= before.role(role).need


@given(criteria_and_answers(), st.data())
@settings(max_examples=100, deadline=None)
def test_omitting_a_question_is_the_same_as_not_sure(case, data):
    criteria, answers = case
    slug = data.draw(st.sampled_from([q.slug for q in criteria.questions]))
    omitted = {k: v for k, v in answers.items() if k != slug}
    assert score(criteria, omitted) == score(criteria, omitted | {slug: "not-sure"})


@given(criteria_and_answers(), st.randoms())
@settings(max_examples=50, deadline=None)
def test_the_result_is_deterministic(case, rng):
    criteria, answers = case
    shuffled = list(answers.items())
    rng.shuffle(shuffled)
    assert score(criteria, dict(shuffled)) == score(criteria, answers)


# ---------------------------------------------------------------------------------------------
# Bad input


def test_validate_answers_accepts_known_slugs_and_keys():
    validate_answers(default_criteria(), STANDARD_REPORT | {"team-count": "not-sure"})


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"framework": "scrum"}, UNKNOWN_QUESTION.format(slug="framework")),
        ({"team-count": "agree"}, UNKNOWN_OPTION.format(key="agree", slug="team-count")),
        ({"agile-team": "Agree"}, UNKNOWN_OPTION.format(key="Agree", slug="agile-team")),
        ({3: "agree"}, UNKNOWN_QUESTION.format(slug=3)),
        ({"agile-team": 3}, UNKNOWN_OPTION.format(key=3, slug="agile-team")),
        ({"agile-team": None}, UNKNOWN_OPTION.format(key=None, slug="agile-team")),
        ({"agile-team": ["agree"]}, UNKNOWN_OPTION.format(key=["agree"], slug="agile-team")),
        (["agile-team"], ANSWERS_NOT_MAPPING),
    ],
)
def test_bad_answers_raise_one_line_answer_errors(answers, message):
    for check in (validate_answers, score):
        with pytest.raises(AnswerError) as raised:
            check(default_criteria(), answers)
        assert str(raised.value) == message
        assert "\n" not in str(raised.value)


def test_messages_name_the_bad_slug_and_key():
    assert UNKNOWN_QUESTION.format(slug="framework") == "unknown question slug 'framework'"
    assert (
        UNKNOWN_OPTION.format(key="maybe", slug="team-count")
        == "unknown option key 'maybe' for question 'team-count'"
    )


def test_inactive_questions_are_unknown():
    criteria = default_criteria()
    active = Criteria(criteria.responsibilities, criteria.questions[1:], criteria.policy)
    with pytest.raises(AnswerError, match="'agile-team'"):
        score(active, {"agile-team": "agree"})


@pytest.mark.parametrize("role", ROLES)
def test_a_role_with_nothing_to_score_is_a_criteria_error(role):
    criteria = default_criteria()
    kept = tuple(
        q for q in criteria.questions if (q.slug in TEAM_AND_DELIVERY) == (role == PRODUCT_MANAGER)
    )
    with pytest.raises(CriteriaError) as raised:
        score(Criteria(criteria.responsibilities, kept, criteria.policy), {})
    assert str(raised.value) == ROLE_CANNOT_SCORE.format(role=role)
    assert role in str(raised.value)
    assert isinstance(raised.value, ScoringError)


def test_unknown_responsibilities_and_bad_policies_are_criteria_errors():
    criteria = default_criteria()
    broken = criteria.questions[0]
    broken = Question(broken.slug, broken.text, broken.options, (Link("backlog-grooming", F(1)),))
    with pytest.raises(CriteriaError) as raised:
        score(Criteria(criteria.responsibilities, (broken,), criteria.policy), {})
    assert str(raised.value) == UNKNOWN_RESPONSIBILITY.format(
        slug="agile-team", responsibility="backlog-grooming"
    )
    no_coverage = Policy(min_coverage=F(0), min_need=F(13, 20), focus_share=F(3, 5))
    with pytest.raises(CriteriaError) as raised:
        score(Criteria(criteria.responsibilities, criteria.questions, no_coverage), {})
    assert str(raised.value) == BAD_POLICY.format(name="min_coverage", value=0, interval="(0, 1]")


def replace_first_question(criteria: Criteria, **changes) -> Criteria:
    first = criteria.questions[0]
    fields = {"slug": first.slug, "text": first.text, "options": first.options}
    first = Question(**(fields | {"links": first.links} | changes))
    return Criteria(criteria.responsibilities, (first, *criteria.questions[1:]), criteria.policy)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"options": (Option("too-much", "", F(5, 4)),)}, "has value 5/4; values lie in [0, 1]"),
        ({"options": options(AGREEMENT) * 2}, "option key 'strongly-disagree' appears twice"),
        ({"links": (Link("backlog", F(0)),)}, "must be > 0, not 0"),
        ({"slug": "team-count"}, "question 'team-count' is defined twice"),
    ],
)
def test_inconsistent_criteria_are_criteria_errors(changes, message):
    with pytest.raises(CriteriaError, match=re.escape(message)):
        score(replace_first_question(default_criteria(), **changes), {})


def test_responsibilities_of_unknown_roles_are_criteria_errors():
    criteria = default_criteria()
    extra = Responsibility(slug="ceremonies", role="scrum-master", weight=F(1))
    with pytest.raises(CriteriaError, match="'scrum-master'"):
        score(
            Criteria((*criteria.responsibilities, extra), criteria.questions, criteria.policy), {}
        )


def test_decimal_and_integer_weights_score_exactly_like_fractions():
    def decimal(value):
        return None if value is None else Decimal(value.numerator) / value.denominator

    criteria = default_criteria()
    as_decimals = Criteria(
        responsibilities=tuple(
            Responsibility(r.slug, r.role, int(r.weight)) for r in criteria.responsibilities
        ),
        questions=tuple(
            Question(
                q.slug,
                q.text,
                tuple(Option(o.key, o.label, decimal(o.value)) for o in q.options),
                tuple(Link(link.responsibility, decimal(link.weight)) for link in q.links),
            )
            for q in criteria.questions
        ),
        policy=Policy(Decimal("0.5"), Decimal("0.65"), Decimal("0.6")),
    )
    assert score(as_decimals, STANDARD_REPORT) == score(criteria, STANDARD_REPORT)


# ---------------------------------------------------------------------------------------------
# Output helpers and purity


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (None, None),
        (F(3, 14), 0.2143),
        (F(3, 19), 0.1579),
        (F(1), 1.0),
        (F(1, 20000), 0.0001),  # halves go away from zero
        (F(-1, 20000), -0.0001),
    ],
)
def test_to_float_rounds_to_four_places(value, rounded):
    assert to_float(value) == rounded


@given(st.fractions(), st.integers(0, 6))
def test_to_float_is_the_exact_rounding_of_docs_scoring(value, places):
    """The integer arithmetic of `to_float` gives what rounding the exact value half away from
    zero gives (its definition), for any fraction."""
    unit = 10**places
    exact = math.floor(abs(value) * unit + F(1, 2))
    assert to_float(value, places) == float(F(exact if value >= 0 else -exact, unit))


def test_to_float_takes_other_places():
    assert to_float(F(2, 3), places=2) == 0.67


def test_importing_the_engine_loads_no_django():
    code = "import sys, advisor.scoring; print(any(m.startswith('django') for m in sys.modules))"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"
