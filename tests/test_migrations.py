"""Migrations 0004–0005 forwards over existing data: the move from the fit model to the needs model
(docs/scoring.md, "Results keep their meaning").

Each test takes the database back to 0003 (the fit model), writes what a fit-model deployment
held — a policy with min_fit/tie_margin and one `both` text, snapshots in the old format,
assessments with fit results — and migrates forwards again. Runs on SQLite and PostgreSQL.
"""

import copy

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from advisor import models, services
from tests import examples

BEFORE = [("advisor", "0003_ratelimit_cache_table")]
OLD_POLICY = {"min_coverage": "0.5", "min_fit": "0.5", "tie_margin": "0.1"}
OLD_BOTH_ADVICE = "Hire a product manager; cover product-owner duties (the old both text)."

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes("advisor")


@pytest.fixture
def old_database():
    """The database at 0003 with the default criteria; back at the latest migration afterwards."""
    services.criteria_load()
    content = services.criteria_snapshot_build()
    apps = _migrate(BEFORE)
    yield apps, _old_snapshot(content)
    _migrate(_latest())


def _old_snapshot(content, **policy):
    """A snapshot as the fit model stored it: no model name, the old policy, one `both` text."""
    old = copy.deepcopy(content)
    old.pop("model", None)
    old["policy"] = {**OLD_POLICY, **policy}
    advice = old["advice"]
    old["advice"] = {
        "product-owner": advice["product-owner"],
        "product-manager": advice["product-manager"],
        "both": OLD_BOTH_ADVICE,
        "neither": advice["neither"],
        "undetermined": advice["undetermined"],
    }
    return old


def _fit_result(outcome, version):
    return {
        "outcome": outcome,
        "fit": {"product-owner": 0.75, "product-manager": 0.75},
        "coverage": {"product-owner": 1.0, "product-manager": 1.0},
        "drivers": [],
        "sensitivity": None,
        "criteria_version": version,
    }


def _save_old(apps, content, answers, *, version="old-version", outcome="both", company="Acme"):
    CriteriaVersion = apps.get_model("advisor", "CriteriaVersion")
    CriteriaSnapshot = apps.get_model("advisor", "CriteriaSnapshot")
    Assessment = apps.get_model("advisor", "Assessment")
    version_row, _ = CriteriaVersion.objects.get_or_create(version=version)
    snapshot, _ = CriteriaSnapshot.objects.get_or_create(
        content_hash=services.content_hash_of(content), defaults={"content": content}
    )
    return Assessment.objects.create(
        company=company,
        answers=answers,
        result=_fit_result(outcome, version),
        outcome=outcome,
        criteria_version=version_row,
        snapshot=snapshot,
    )


def test_results_are_rescored_with_the_needs_model(old_database):
    apps, old = old_database
    policy = apps.get_model("advisor", "ScoringPolicy").objects.get()
    policy.advice_both = OLD_BOTH_ADVICE
    policy.min_fit = "0.4"
    policy.save()
    # The fit model called the standard report `both` (fits within the tie margin, say).
    standard = _save_old(apps, old, examples.STANDARD_REPORT, outcome="both")
    tie = _save_old(apps, old, examples.TIE, outcome="both", company="Tie Ltd")
    # A snapshot with a strict min_coverage: the migration keeps it.
    strict = _old_snapshot(old, min_coverage="0.9")
    partial = dict(examples.STANDARD_REPORT, **{"margins-costs": "not-sure"})
    partial.pop("customer-insight")
    thin = _save_old(apps, strict, partial, version="strict-version", outcome="product-manager")
    snapshots_before = {
        s.pk: (s.content_hash, s.content)
        for s in apps.get_model("advisor", "CriteriaSnapshot").objects.all()
    }

    _migrate(_latest())

    standard_now = models.Assessment.objects.get(pk=standard.pk)
    assert standard_now.outcome == "product-manager"
    result = standard_now.result
    assert result["outcome"] == "product-manager"
    assert result["lead"] is None
    assert result["need"] == {"product-owner": 0.5375, "product-manager": 0.75}
    assert result["coverage"] == {"product-owner": 1.0, "product-manager": 1.0}
    assert [(r["slug"], r["need"], r["focus"]) for r in result["responsibilities"][:4]] == [
        ("backlog", 0.55, True),
        ("product-goal", 0.5625, True),
        ("stakeholders", 0.5, True),
        ("roadmap-alignment", 0.5, False),
    ]
    assert result["sensitivity"] == {
        "changes_needed": 2,
        "outcome_after": "both",
        "nearest": [
            {"question": "backlog-unclear", "from": "neutral", "to": "agree"},
            {"question": "stakeholders-lost", "from": "neutral", "to": "agree"},
        ],
    }
    assert result["unanswered"] == {"product-owner": [], "product-manager": []}
    assert result["model"] == "needs"
    # The snapshot's min_coverage, and the defaults — not the policy row's edited min_fit.
    assert result["policy"] == {"min_coverage": 0.5, "min_need": 0.65, "focus_share": 0.6}
    # The assessment keeps its criteria version, in the row and in the result.
    assert standard_now.criteria_version.version == "old-version"
    assert result["criteria_version"] == "old-version"

    tie_now = models.Assessment.objects.get(pk=tie.pk)
    assert (tie_now.outcome, tie_now.result["need"]) == (
        "neither",
        {"product-owner": 0.5833, "product-manager": 0.5694},
    )

    thin_now = models.Assessment.objects.get(pk=thin.pk)
    assert thin_now.outcome == "undetermined"
    assert thin_now.result["policy"]["min_coverage"] == 0.9
    assert thin_now.result["sensitivity"] is None
    assert thin_now.result["unanswered"]["product-manager"] == ["margins-costs", "customer-insight"]
    assert thin_now.result["criteria_version"] == "strict-version"

    # Snapshots are not rewritten: same content, same (still valid) content hash.
    after = {s.pk: (s.content_hash, s.content) for s in models.CriteriaSnapshot.objects.all()}
    assert after == snapshots_before
    assert all(services.content_hash_of(content) == digest for digest, content in after.values())

    # The policy: the old `both` text leads with the product manager; the new text its default.
    policy = models.ScoringPolicy.objects.get()
    assert policy.advice_both_pm_first == OLD_BOTH_ADVICE
    assert policy.advice_both_po_first.startswith("Your delivery needs come first.")
    assert (str(policy.min_need), str(policy.focus_share)) == ("0.650", "0.600")


def test_an_assessment_that_cannot_be_rescored_stops_the_migration(old_database):
    apps, old = old_database
    fine = _save_old(apps, old, examples.BOTH)
    broken = _save_old(apps, old, {"agile-team": "maybe"}, company="Broken")
    executor = MigrationExecutor(connection)
    with pytest.raises(Exception, match=rf"Assessment {broken.pk} cannot be re-scored"):
        executor.migrate(_latest())
    # Nothing of the failed step is kept: the fine assessment still has its fit result.
    apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    Assessment = apps.get_model("advisor", "Assessment")
    assert "fit" in Assessment.objects.get(pk=fine.pk).result
    Assessment.objects.filter(pk=broken.pk).delete()


def test_a_snapshot_whose_role_has_nothing_to_score_stops_the_migration(old_database):
    apps, old = old_database
    unscorable = copy.deepcopy(old)
    unscorable["questions"] = [
        q for q in unscorable["questions"] if q["section"] != "Business & growth"
    ]
    broken = _save_old(apps, unscorable, {"agile-team": "agree"})
    with pytest.raises(Exception, match=rf"Assessment {broken.pk} cannot be re-scored"):
        MigrationExecutor(connection).migrate(_latest())
    apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    apps.get_model("advisor", "Assessment").objects.filter(pk=broken.pk).delete()


def test_a_question_with_a_newly_reserved_slug_stops_the_migration(old_database):
    apps, _old = old_database
    Question = apps.get_model("advisor", "Question")
    Question.objects.filter(slug="margins-costs").update(slug="need-product-owner")
    with pytest.raises(RuntimeError, match="now reserved .*: need-product-owner"):
        MigrationExecutor(connection).migrate(_latest())
    apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    apps.get_model("advisor", "Question").objects.filter(slug="need-product-owner").update(
        slug="margins-costs"
    )


def test_a_question_with_a_form_field_slug_stops_the_migration(old_database):
    apps, _old = old_database
    Question = apps.get_model("advisor", "Question")
    Question.objects.filter(slug="margins-costs").update(slug="industry")
    Question.objects.filter(slug="go-to-market").update(slug="company-size")
    with pytest.raises(
        RuntimeError, match="reserved by the questionnaire form.*: company-size, industry$"
    ):
        MigrationExecutor(connection).migrate(_latest())
    apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    Question = apps.get_model("advisor", "Question")
    Question.objects.filter(slug="industry").update(slug="margins-costs")
    Question.objects.filter(slug="company-size").update(slug="go-to-market")


def test_the_reserved_slugs_are_the_form_fields_of_product_md():
    assert {
        "company",
        "respondent-name",
        "respondent-email",
        "respondent-title",
        "company-size",
        "industry",
        "csrfmiddlewaretoken",
    } == models.RESERVED_SLUGS
    for slug in models.RESERVED_SLUGS:
        assert services.question_problems({"slug": slug, "options": [], "links": []})[0] == (
            services.QUESTION_RESERVED_SLUG.format(slug=slug)
        )
    # CSV columns are written with `_`: their hyphenated forms are ordinary slugs.
    assert services.question_problems({"slug": "need-product-owner", "options": [], "links": []})[
        0
    ] != services.QUESTION_RESERVED_SLUG.format(slug="need-product-owner")
