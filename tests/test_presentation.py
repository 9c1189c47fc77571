"""What result pages show, shaped from an assessment's snapshot, stored result and answers."""

import pytest
from django.core.cache import cache

from advisor import models, presentation, rendercache, scoring, selectors, services
from tests import examples

FORMULA_WORDS = ("fit", "coverage", "points", "percentage")
STANDARD_SUMMARY = (
    "What your company needs most is a product manager's work — developing a multiyear product "
    "strategy, discussing technology roadmaps with R&D and creating go-to-market plans with "
    "marketing and sales — mainly because you answered “Agree” to “Someone has to shape "
    "technology roadmaps together with R&D or engineering leadership”. A product owner is not "
    "needed yet: your answers call less for communicating the product goal, managing the product "
    "backlog and representing stakeholders."
)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def context_for(default_criteria, assessment_factory):
    def build(answers):
        created = assessment_factory(answers=answers)
        return presentation.result_context(selectors.result_queryset().get(pk=created.pk))

    return build


@pytest.mark.parametrize(
    ("outcome", "lead", "first"),
    [
        (scoring.PRODUCT_OWNER, None, scoring.PRODUCT_OWNER),
        (scoring.PRODUCT_MANAGER, None, scoring.PRODUCT_MANAGER),
        (scoring.BOTH, scoring.PRODUCT_MANAGER, scoring.PRODUCT_MANAGER),
        (scoring.BOTH, scoring.PRODUCT_OWNER, scoring.PRODUCT_OWNER),
        (scoring.NEITHER, None, scoring.PRODUCT_MANAGER),
        (scoring.UNDETERMINED, None, scoring.PRODUCT_MANAGER),
    ],
)
def test_role_order_puts_the_recommended_role_or_lead_hire_first(outcome, lead, first):
    order = presentation.role_order(outcome, lead)
    assert order[0] == first
    assert sorted(order) == sorted(scoring.ROLES)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.2143, "21.4%"), (0.5625, "56.3%"), (0.75, "75%"), (1.0, "100%"), (0.0, "0%"), (None, "–")],
)
def test_percent_text(value, text):
    assert presentation.percent_text(value) == text


def test_standard_report_says_what_the_company_needs_in_plain_words(context_for):
    context = context_for(examples.STANDARD_REPORT)
    assert context["headline"] == "Hire a product manager"
    assert context["summary"] == STANDARD_SUMMARY
    assert context["advice"].startswith("Hire a product manager")
    assert context["sensitivity"] == (
        "It would take two answers changing — “Developers often lack a clear, prioritised backlog "
        "of features and user stories” from Neutral to Agree and “Stakeholder needs get lost "
        "between the business and the development team” from Neutral to Agree — to give "
        "<em>Both</em>."
    )
    pm, po = context["drivers"]
    assert (pm["slug"], po["slug"]) == (scoring.PRODUCT_MANAGER, scoring.PRODUCT_OWNER)
    assert pm["drivers"][0] == {
        "question": "Someone has to shape technology roadmaps together with R&D or engineering "
        "leadership.",
        "answer": "Agree",
        "points_text": "25%",
    }
    assert [r["slug"] for r in context["recommended_roles"]] == [scoring.PRODUCT_MANAGER]
    assert context["show_pm_evidence"] and context["case_study"] is not None


@pytest.mark.parametrize(
    ("answers", "headline", "says"),
    [
        (
            examples.PRODUCT_OWNER,
            "Hire a product owner",
            "A product manager is not needed yet",
        ),
        (
            examples.BOTH,
            "Hire both roles, a product manager first",
            "Hire the product manager first; the product owner can follow.",
        ),
        (
            examples.NEITHER,
            "Neither role yet",
            "stays below what calls for a hire. Revisit when the product or the team grows.",
        ),
        (
            examples.TIE,
            "Neither role yet",
            "managing the product backlog for a product owner",
        ),
        (
            examples.UNDETERMINED,
            "Not enough answers to advise",
            "Too few questions about the work of the product owner and product manager were "
            "answered to advise.",
        ),
    ],
)
def test_every_outcome_has_a_plain_language_summary(context_for, answers, headline, says):
    context = context_for(answers)
    assert context["headline"] == headline
    summary = context["summary"]
    assert says in summary
    assert summary.count(". ") + 1 <= 3 or context["outcome"] == scoring.UNDETERMINED
    words = summary.lower().replace("—", " ").split()
    assert not any(word.strip("“”,.;:") in FORMULA_WORDS for word in words)
    assert not any(character.isdigit() for character in summary)


def test_recommend_names_the_unanswered_statements_in_the_summary(
    default_criteria, assessment_factory
):
    assessment = assessment_factory(answers=examples.UNDETERMINED)
    summary = presentation.summary_text(
        assessment.result, assessment.snapshot.content, assessment.answers
    )
    assert summary.startswith(
        "Too few questions about the product owner's work were answered to advise — still "
        "unanswered: “Developers often lack a clear, prioritised backlog of features and user "
        "stories”; "
    )
    assert "“We want to build a business around a new product" not in summary
    assert summary.count("Too few questions") == 2


def test_both_led_by_the_product_owner_says_so(default_criteria, assessment_factory):
    answers = examples.answers("strongly-agree", "several", "agree")
    assessment = assessment_factory(answers=answers)
    assert assessment.result["lead"] == scoring.PRODUCT_OWNER
    context = presentation.result_context(selectors.result_queryset().get(pk=assessment.pk))
    assert context["headline"] == "Hire both roles, a product owner first"
    assert "Hire the product owner first; the product manager can follow." in context["summary"]
    assert [role["slug"] for role in context["recommended_roles"]] == list(scoring.ROLES)


def test_needs_chart_draws_each_bar_against_the_line(context_for):
    chart = context_for(examples.STANDARD_REPORT)["chart"]
    rows = chart["rows"]
    assert [row["kind"] for row in rows].count("role") == 2
    assert len([row for row in rows if row["kind"] == "responsibility"]) == 9
    line_x = float(chart["line_x"])
    assert line_x == presentation.CHART_LABEL_WIDTH + presentation.CHART_TRACK_WIDTH * 0.65
    track_x = float(chart["track_x"])
    for row in rows:
        if row["kind"] == "role":
            # A bar that reaches the line is a needed role, always.
            assert (track_x + float(row["width"]) >= line_x) == row["needed"]
    assert [row["label"] for row in rows if row["focus"]][:3] == [
        "Developing a multiyear product strategy",
        "Discussing technology roadmaps with R&D",
        "Creating go-to-market plans with marketing and sales",
    ]
    assert chart["line_label"] == "needed from 65%"
    assert "A role is needed from 65%." in chart["description"]


def test_a_responsibility_without_answers_is_shown_as_not_answered(context_for):
    answers = dict(examples.STANDARD_REPORT)
    answers["rd-roadmap"] = "not-sure"
    chart = context_for(answers)["chart"]
    row = next(r for r in chart["rows"] if r["label"] == "Discussing technology roadmaps with R&D")
    assert row["value_text"] == "–" and row["need"] is None
    assert " ".join(line["text"] for line in row["lines"]).endswith("(not answered)")


def test_more_than_three_changes_in_words(context_for):
    assert context_for(examples.PRODUCT_OWNER)["sensitivity"] == (
        "No change of up to three answers would change the verdict."
    )
    assert context_for(examples.UNDETERMINED)["sensitivity"] is None


def test_answers_are_grouped_by_section_with_option_labels(context_for):
    context = context_for(examples.UNDETERMINED)
    sections = context["answer_sections"]
    assert [s["section"] for s in sections] == ["Team & delivery", "Business & growth"]
    first = sections[0]["items"][0]
    assert first["answer"] == "Agree" and first["key"] == "agree"
    assert sections[0]["items"][1]["answer"] == "Not answered"


def test_criteria_version_and_its_date(context_for):
    context = context_for(examples.BOTH)
    version = models.CriteriaVersion.objects.get()
    assert context["criteria_version"] == version.version
    assert context["criteria_version_short"] == version.version[:12]
    assert context["criteria_first_used_at"] == version.first_used_at


def test_texts_from_the_snapshot_are_escaped(default_criteria, assessment_factory):
    models.Question.objects.filter(slug="team-count").update(text="<b>Teams</b> & co?")
    services.criteria_touch()
    assessment = selectors.result_queryset().get(pk=assessment_factory(answers=examples.BOTH).pk)
    sentence = presentation.result_context(assessment)["sensitivity"]
    assert "“&lt;b&gt;Teams&lt;/b&gt; &amp; co?”" in sentence


def test_result_context_costs_no_query(context_for, django_assert_num_queries):
    context_for(examples.BOTH)  # creates one assessment
    assessment = selectors.result_queryset().get()
    with django_assert_num_queries(0):
        presentation.result_context(assessment)


def result_page(token):
    """The assessment of `token` and its result sections, as the result view gets them."""
    assessment = selectors.result_lookup(token)
    return None if assessment is None else (assessment, rendercache.result_article(assessment))


def test_result_page_costs_one_query_once_rendered(
    default_criteria, assessment_factory, django_assert_num_queries
):
    token = assessment_factory(answers=examples.BOTH).token
    with django_assert_num_queries(2):
        found, html = result_page(token)
    with django_assert_num_queries(1):
        assert result_page(token) == (found, html)
    assert found.token == token and found.company == models.Assessment.objects.get().company
    assert found.created_at == models.Assessment.objects.get().created_at
    assert result_page("no-such-token") is None


def test_result_page_sections_are_cached_per_assessment_and_name_no_one(
    default_criteria, assessment_factory, django_assert_num_queries
):
    first = assessment_factory(company="First Company", answers=examples.BOTH)
    second = assessment_factory(company="Second Company", answers=examples.BOTH)
    _assessment, html = result_page(first.token)
    assert "First Company" not in html
    assert "Hire both roles, a product manager first" in html
    # Kept: the page costs the lookup alone (the test cache is in memory).
    with django_assert_num_queries(1):
        assert result_page(first.token)[1] == html
    # Each assessment has its own entry (removed when it is deleted), even with the same answers.
    with django_assert_num_queries(2):
        assert result_page(second.token)[1] == html
    other = assessment_factory(company="Third", answers=examples.NEITHER)
    with django_assert_num_queries(2):
        assert result_page(other.token)[1] != html
