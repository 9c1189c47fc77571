"""What result pages show, shaped from an assessment's snapshot, stored result and answers."""

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string

from advisor import models, presentation, scoring, services
from tests import examples

BOTH_SENTENCE = (
    "This outcome holds unless at least 1 answer changes. Nearest: changing "
    "<em>How many development teams work on the product?</em> from One team to None yet would "
    "give <em>Product manager</em>."
)
MORE_THAN_THREE = "This outcome holds unless more than three answers change."


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def context_for(default_criteria, assessment_factory):
    def build(answers):
        created = assessment_factory(answers=answers)
        return presentation.result_context(presentation.result_queryset().get(pk=created.pk))

    return build


@pytest.mark.parametrize(
    ("outcome", "first"),
    [
        (scoring.PRODUCT_OWNER, scoring.PRODUCT_OWNER),
        (scoring.PRODUCT_MANAGER, scoring.PRODUCT_MANAGER),
        (scoring.BOTH, scoring.PRODUCT_MANAGER),
        (scoring.NEITHER, scoring.PRODUCT_MANAGER),
        (scoring.UNDETERMINED, scoring.PRODUCT_MANAGER),
    ],
)
def test_role_order_puts_the_recommended_role_first_else_product_manager(outcome, first):
    order = presentation.role_order(outcome)
    assert order[0] == first
    assert sorted(order) == sorted(scoring.ROLES)


@pytest.mark.parametrize(
    ("value", "text"), [(0.2143, "21.4%"), (0.75, "75%"), (1.0, "100%"), (0.0, "0%"), (None, "–")]
)
def test_percent_text(value, text):
    assert presentation.percent_text(value) == text


def test_product_owner_context(context_for):
    context = context_for(examples.PRODUCT_OWNER)
    assert context["outcome"] == scoring.PRODUCT_OWNER
    assert context["headline"] == presentation.OUTCOME_HEADLINES[scoring.PRODUCT_OWNER]
    assert context["advice"].startswith("Hire a product owner.")
    po, pm = context["roles"]
    assert (po["slug"], po["fit_text"], pm["fit_text"]) == (scoring.PRODUCT_OWNER, "100%", "0%")
    assert po["figures"] == "fit 100%, answers cover 100% of what matters for it"
    # Equal contributions: question order decides.
    assert [d["question"] for d in po["drivers"]] == [
        "Our product is built by a Scrum or other Agile team working in sprints.",
        "Developers often lack a clear, prioritised backlog of features and user stories.",
        "The team needs someone to communicate the product goal and sprint priorities day to day.",
    ]
    assert po["drivers"][0]["answer"] == "Strongly agree"
    assert pm["drivers"] == []  # strongly-disagree adds nothing
    assert context["sensitivity"] == MORE_THAN_THREE
    assert [r["slug"] for r in context["recommended_roles"]] == [scoring.PRODUCT_OWNER]
    assert "Managing the product backlog" in context["recommended_roles"][0]["responsibilities"]
    assert not context["show_pm_evidence"]
    assert context["case_study"] is None and context["competencies"] == []
    assert not context["coverage_warning"]


def test_drivers_are_the_three_largest_contributions_in_order(context_for):
    context = context_for(examples.STANDARD_REPORT)
    pm = context["roles"][0]
    assert pm["slug"] == scoring.PRODUCT_MANAGER
    points = [d["points"] for d in pm["drivers"]]
    assert len(points) == 3 and points == sorted(points, reverse=True)
    assert pm["drivers"][0]["question"] == (
        "We want to build a business around a new product and explore growth opportunities."
    )
    assert pm["drivers"][0]["points_text"] == "+11.8 points"


def test_both_context_has_the_sensitivity_sentence_and_both_roles(context_for):
    context = context_for(examples.BOTH)
    assert context["outcome"] == scoring.BOTH
    assert [r["slug"] for r in context["roles"]] == [scoring.PRODUCT_MANAGER, scoring.PRODUCT_OWNER]
    assert [r["fit_text"] for r in context["roles"]] == ["75%", "75%"]
    assert context["sensitivity"] == BOTH_SENTENCE
    assert [r["slug"] for r in context["recommended_roles"]] == [
        scoring.PRODUCT_MANAGER,
        scoring.PRODUCT_OWNER,
    ]
    assert context["show_pm_evidence"]
    assert [c["title"] for c in context["competencies"]][0] == "Defining product strategy"
    assert context["case_study"]["title"].startswith("Turnaround")


def test_neither_context_suggests_when_to_revisit(context_for):
    context = context_for(examples.NEITHER)
    assert context["outcome"] == scoring.NEITHER
    assert [r["fit_text"] for r in context["roles"]] == ["25%", "21.4%"]
    assert context["recommended_roles"] == []
    assert [r["slug"] for r in context["revisit_roles"]] == [
        scoring.PRODUCT_MANAGER,
        scoring.PRODUCT_OWNER,
    ]
    assert context["sensitivity"] == MORE_THAN_THREE
    assert not context["show_pm_evidence"]


def test_undetermined_context_warns_and_has_no_sensitivity(context_for):
    context = context_for(examples.UNDETERMINED)
    assert context["outcome"] == scoring.UNDETERMINED
    assert context["coverage_warning"]
    assert [r["coverage_percent"] for r in context["roles"]] == [15.8, 14.3]
    assert context["sensitivity"] is None
    assert context["recommended_roles"] == [] and context["revisit_roles"] == []
    answers = {
        item["question"]: item["answer"]
        for section in context["answer_sections"]
        for item in section["items"]
    }
    assert answers["Our product is built by a Scrum or other Agile team working in sprints."] == (
        "Agree"
    )
    assert answers["Revenue or margins of our product line are declining."] == "Not answered"


def test_thin_coverage_warns_even_with_an_outcome(context_for):
    answers = dict(examples.STANDARD_REPORT)
    for slug in ("customer-insight", "exec-engagement", "revenue-decline"):
        answers[slug] = "not-sure"
    context = context_for(answers)
    assert context["outcome"] != scoring.UNDETERMINED
    assert context["coverage_warning"]
    assert context["roles"][0]["thin"]


def test_answers_are_grouped_by_section_with_option_labels(context_for):
    context = context_for(examples.BOTH)
    sections = context["answer_sections"]
    assert [s["section"] for s in sections] == ["Team & delivery", "Business & growth"]
    team_count = sections[0]["items"][-1]
    assert team_count == {
        "question": "How many development teams work on the product?",
        "answer": "One team",
        "key": "one",
    }


def test_criteria_version_and_its_date(context_for):
    context = context_for(examples.BOTH)
    version = models.CriteriaVersion.objects.get()
    assert context["criteria_version"] == version.version
    assert context["criteria_version_short"] == version.version[:12]
    assert context["criteria_first_used_at"] == version.first_used_at


def test_sensitivity_sentence_lists_several_changes(default_criteria):
    content = services.criteria_current().content
    index = presentation.snapshot_index("test-several", content)
    result = {
        "sensitivity": {
            "changes_needed": 3,
            "outcome_after": scoring.NEITHER,
            "nearest": [
                {"question": "agile-team", "from": "agree", "to": "neutral"},
                {"question": "team-count", "from": "one", "to": "none"},
                {"question": "go-to-market", "from": "neutral", "to": "disagree"},
            ],
        }
    }
    assert presentation.sensitivity_text(result, {}, index) == (
        "This outcome holds unless at least 3 answers change. Nearest: changing <em>Our product "
        "is built by a Scrum or other Agile team working in sprints.</em> from Agree to Neutral, "
        "changing <em>How many development teams work on the product?</em> from One team to "
        "None yet and changing <em>We need go-to-market plans built together with marketing and "
        "sales.</em> from Neutral to Disagree would give <em>Neither</em>."
    )


def test_texts_from_the_snapshot_are_escaped(default_criteria, assessment_factory):
    models.Question.objects.filter(slug="team-count").update(text="<b>Teams</b> & co?")
    services.criteria_touch()
    assessment = presentation.result_queryset().get(pk=assessment_factory(answers=examples.BOTH).pk)
    sentence = presentation.result_context(assessment)["sensitivity"]
    assert "<em>&lt;b&gt;Teams&lt;/b&gt; &amp; co?</em>" in sentence


def test_fit_chart_geometry():
    rows = [
        {
            "name": "Product manager",
            "slug": scoring.PRODUCT_MANAGER,
            "fit": 0.75,
            "fit_text": "75%",
        },
        {"name": "Product owner", "slug": scoring.PRODUCT_OWNER, "fit": None, "fit_text": "–"},
    ]
    chart = presentation.fit_chart(rows, 0.5)
    assert [bar["width"] for bar in chart["bars"]] == [
        f"{presentation.CHART_TRACK_WIDTH * 0.75:.1f}",
        "0.0",
    ]
    assert float(chart["threshold_x"]) == (
        presentation.CHART_LABEL_WIDTH + presentation.CHART_TRACK_WIDTH * 0.5
    )
    assert chart["description"] == (
        "Product manager: 75%. Product owner: not enough answers. "
        "A role is needed from a fit of 50%."
    )


def test_result_context_costs_no_query(context_for, django_assert_num_queries):
    context_for(examples.BOTH)  # creates one assessment
    assessment = presentation.result_queryset().get()
    with django_assert_num_queries(0):
        presentation.result_context(assessment)


def test_result_page_costs_one_query_once_rendered(
    default_criteria, assessment_factory, django_assert_num_queries
):
    token = assessment_factory(answers=examples.BOTH).token
    with django_assert_num_queries(2):
        found, html = presentation.result_page(token)
    with django_assert_num_queries(1):
        assert presentation.result_page(token) == (found, html)
    assert found.token == token and found.company == models.Assessment.objects.get().company
    assert found.created_at == models.Assessment.objects.get().created_at
    assert presentation.result_page("no-such-token") is None


def test_result_page_sections_are_cached_by_content_and_name_no_one(
    default_criteria, assessment_factory
):
    first = assessment_factory(company="First Company", answers=examples.BOTH)
    second = assessment_factory(company="Second Company", answers=examples.BOTH)
    _assessment, html = presentation.result_page(first.token)
    assert "First Company" not in html
    assert html == render_to_string(
        "includes/result_article.html",
        presentation.result_context(presentation.result_queryset().get(pk=first.pk)),
    )
    entries = len(cache._cache)
    assert presentation.result_page(second.token)[1] == html
    assert len(cache._cache) == entries  # identical results share one entry
    other = assessment_factory(company="Third", answers=examples.NEITHER)
    assert presentation.result_page(other.token)[1] != html
    assert len(cache._cache) == entries + 1
