"""Snapshots, criteria versions, the cached current criteria and atomic saves."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import IntegrityError

from advisor import models, scoring, services, snapshots
from tests import examples


def test_version_changes_with_a_weight_and_not_with_a_reworded_text(default_criteria):
    before = services.criteria_current()
    models.Question.objects.filter(slug="agile-team").update(
        text="Reworded statement.", help_text="New help."
    )
    services.criteria_touch()
    reworded = services.criteria_current()
    assert reworded.version == before.version
    assert reworded.content_hash != before.content_hash

    link = models.QuestionLink.objects.filter(question__slug="agile-team").first()
    link.weight = Decimal("2")
    link.save()  # the signal marks the criteria changed; no explicit touch
    reweighted = services.criteria_current()
    assert reweighted.version != before.version


@pytest.mark.parametrize(
    "edit",
    [
        lambda: models.ScoringPolicy.objects.update(min_need=Decimal("0.6")),
        lambda: models.ScoringPolicy.objects.update(focus_share=Decimal("0.5")),
        lambda: models.ScoringPolicy.objects.update(min_coverage=Decimal("0.4")),
        lambda: models.Responsibility.objects.filter(slug="backlog").update(weight=Decimal("2")),
        lambda: models.AnswerOption.objects.filter(key="agree").update(value=Decimal("0.7")),
        lambda: models.Question.objects.filter(slug="framework-scrum").update(active=True),
        lambda: models.Question.objects.filter(slug="rd-roadmap").update(order=1),
        # The focus breaks equal needs by responsibility order: an order change is a new version.
        lambda: models.Responsibility.objects.filter(slug="backlog").update(order=99),
    ],
    ids=[
        "min-need",
        "focus-share",
        "min-coverage",
        "responsibility-weight",
        "option-value",
        "activation",
        "question-order",
        "responsibility-order",
    ],
)
def test_every_scoring_input_changes_the_version(default_criteria, edit):
    before = services.criteria_current().version
    edit()
    services.criteria_touch()
    assert services.criteria_current().version != before


def test_advice_edit_keeps_the_version(default_criteria):
    before = services.criteria_current().version
    policy = models.ScoringPolicy.objects.get()
    policy.advice_both_pm_first = "Something else."
    policy.advice_both_po_first = "Something else again."
    policy.save()
    assert services.criteria_current().version == before


def test_current_criteria_cost_one_query_when_unchanged(
    default_criteria, django_assert_num_queries
):
    services.criteria_current()
    with django_assert_num_queries(1):
        services.criteria_current()


def test_snapshot_round_trips_into_the_engine(default_criteria):
    bundle = services.criteria_current()
    criteria = services.criteria_from_snapshot(bundle.content)
    assert criteria == bundle.criteria
    assert len(criteria.questions) == 16
    assert criteria.policy == scoring.Policy(
        min_coverage=Fraction(1, 2),
        min_need=Fraction(13, 20),
        focus_share=Fraction(3, 5),
    )


def test_the_version_covers_the_model_name_and_the_new_policy(default_criteria):
    content = services.criteria_current().content
    assert content["model"] == scoring.MODEL == "needs"
    assert content["policy"] == {"min_coverage": "0.5", "min_need": "0.65", "focus_share": "0.6"}
    assert services.criteria_version_of({**content, "model": "fit"}) != (
        services.criteria_version_of(content)
    )


def test_an_old_snapshot_scores_with_the_default_min_need_and_focus_share(default_criteria):
    old = dict(services.criteria_current().content)
    old.pop("model")
    old["policy"] = {"min_coverage": "0.5", "min_fit": "0.5", "tie_margin": "0.1"}
    assert services.criteria_from_snapshot(old).policy == scoring.Policy(
        min_coverage=Fraction(1, 2), min_need=Fraction(13, 20), focus_share=Fraction(3, 5)
    )


def test_assessment_create_saves_everything(default_criteria):
    assessment = services.assessment_create(
        company="Acme", respondent_name="Ada", answers=examples.BOTH
    )
    assessment.refresh_from_db()
    assert assessment.outcome == "both"
    result = assessment.result
    assert set(result) == {
        "outcome",
        "lead",
        "need",
        "coverage",
        "responsibilities",
        "drivers",
        "sensitivity",
        "unanswered",
        "model",
        "policy",
        "criteria_version",
    }  # PostgreSQL's jsonb keeps no key order
    assert result["lead"] == "product-manager"
    assert result["need"] == {"product-owner": 0.75, "product-manager": 0.75}
    assert result["coverage"] == {"product-owner": 1.0, "product-manager": 1.0}
    assert [r["slug"] for r in result["responsibilities"]] == [
        "backlog",
        "product-goal",
        "stakeholders",
        "roadmap-alignment",
        "strategy",
        "tech-roadmap",
        "go-to-market",
        "margins",
        "customers-csuite",
    ]
    assert sum(r["focus"] for r in result["responsibilities"]) == 6  # three per role
    assert result["sensitivity"]["changes_needed"] == 2
    assert result["unanswered"] == {"product-owner": [], "product-manager": []}
    assert result["model"] == "needs"
    assert result["policy"] == {"min_coverage": 0.5, "min_need": 0.65, "focus_share": 0.6}
    assert result["criteria_version"] == assessment.criteria_version.version
    assert assessment.answers == examples.BOTH
    assert assessment.criteria_version.version == services.criteria_current().version
    assert assessment.snapshot.content == services.criteria_current().content
    assert len(assessment.token) >= 43


def test_identical_criteria_share_one_snapshot(default_criteria):
    first = services.assessment_create(company="A", answers=examples.BOTH)
    second = services.assessment_create(company="B", answers=examples.NEITHER)
    assert first.snapshot_id == second.snapshot_id
    assert first.token != second.token
    assert models.CriteriaSnapshot.objects.count() == 1
    models.ScoringPolicy.objects.update(advice_both_po_first="New advice.")
    services.criteria_touch()
    third = services.assessment_create(company="C", answers=examples.BOTH)
    assert third.snapshot_id != first.snapshot_id
    assert third.criteria_version_id == first.criteria_version_id


def test_a_failed_save_leaves_nothing(default_criteria, monkeypatch):
    def broken_create(**kwargs):
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(models.Assessment.objects, "create", broken_create)
    with pytest.raises(IntegrityError):
        services.assessment_create(company="Acme", answers=examples.BOTH)
    assert not models.CriteriaVersion.objects.exists()
    assert not models.CriteriaSnapshot.objects.exists()


def test_bad_answers_save_nothing(default_criteria):
    with pytest.raises(scoring.AnswerError):
        services.assessment_create(company="Acme", answers={"agile-team": "maybe"})
    assert not models.Assessment.objects.exists()
    assert not models.CriteriaVersion.objects.exists()


def test_not_ready_criteria_cannot_create(default_criteria):
    models.Question.objects.filter(section="Team & delivery").update(active=False)
    services.criteria_touch()
    bundle = services.criteria_current()
    assert not bundle.ready
    assert bundle.problems == [services.NOT_READY_ROLE.format(role="Product owner")]
    with pytest.raises(scoring.CriteriaError):
        services.assessment_create(company="Acme", answers={})


def test_delete_removes_the_assessment_and_keeps_the_shared_snapshot(default_criteria):
    assessment = services.assessment_create(company="Acme", answers=examples.BOTH)
    services.assessment_delete(assessment=assessment)
    assert not models.Assessment.objects.exists()
    assert models.CriteriaSnapshot.objects.count() == 1
    snapshot_text = str(models.CriteriaSnapshot.objects.get().content)
    assert "Acme" not in snapshot_text


def test_export_then_load_gives_identical_scoring(default_criteria, tmp_path):
    models.QuestionLink.objects.filter(question__slug="margins-costs").update(weight=Decimal("3"))
    services.criteria_touch()
    before = services.criteria_current()
    path = tmp_path / "export.json"
    path.write_text(services.criteria_export(), encoding="utf-8")
    services.criteria_delete_all()
    assert not services.criteria_exist()
    services.criteria_load(path=path)
    after = services.criteria_current()
    assert after.version == before.version
    assert after.content == before.content
    for answers in (examples.BOTH, examples.STANDARD_REPORT, examples.NEITHER):
        assert services.answers_score(answers=answers, bundle=after) == services.answers_score(
            answers=answers, bundle=before
        )


def test_an_undetermined_result_names_the_unanswered_questions(default_criteria):
    result = services.answers_score(answers=examples.UNDETERMINED)
    assert result["outcome"] == "undetermined"
    assert result["sensitivity"] is None
    assert result["unanswered"]["product-owner"] == [
        slug for slug in examples.ALL_QUESTIONS[:7] if slug != "agile-team"
    ]
    assert "new-business" not in result["unanswered"]["product-manager"]
    assert len(result["unanswered"]["product-manager"]) == 8


def test_advice_text_picks_the_both_text_by_lead_hire(default_criteria):
    content = services.criteria_current().content
    policy = models.ScoringPolicy.objects.get()
    assert snapshots.advice_text(content, "both", "product-manager") == policy.advice_both_pm_first
    assert snapshots.advice_text(content, "both", "product-owner") == policy.advice_both_po_first
    assert snapshots.advice_text(content, "neither", None) == policy.advice_neither
    assert policy.advice_both_po_first.startswith("Your delivery needs come first.")


def test_advice_text_of_an_old_snapshot():
    """Before the needs model a snapshot had one `both` text: it leads with the product manager;
    the product-owner-first text comes from the shipped defaults."""
    old = {"advice": {"both": "Old both text.", "product-owner": "Old PO text."}}
    assert snapshots.advice_text(old, "both", "product-manager") == "Old both text."
    shipped = snapshots.shipped_advice()
    assert snapshots.advice_text(old, "both", "product-owner") == shipped["both-po-first"]
    assert snapshots.advice_text(old, "product-owner", None) == "Old PO text."
    assert snapshots.advice_text({}, "undetermined", None) == shipped["undetermined"]
    assert set(shipped) == set(snapshots.ADVICE_KEYS)
