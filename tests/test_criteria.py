"""Default criteria loading, validation rules and database constraints."""

import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from advisor import models, services, snapshots
from tests import factories

CANONICAL_SLUGS = [
    "agile-team",
    "backlog-unclear",
    "goal-unclear",
    "stakeholders-lost",
    "roadmap-drift",
    "delivery-focus",
    "team-count",
    "new-business",
    "multiyear-strategy",
    "rd-roadmap",
    "go-to-market",
    "margins-costs",
    "customer-insight",
    "exec-engagement",
    "revenue-decline",
    "portfolio-complexity",
]
CANONICAL_LINKS = {
    "agile-team": {"backlog": "0.5", "product-goal": "0.5"},
    "backlog-unclear": {"backlog": "1"},
    "goal-unclear": {"product-goal": "1"},
    "stakeholders-lost": {"stakeholders": "1"},
    "roadmap-drift": {"roadmap-alignment": "1"},
    "delivery-focus": {"backlog": "0.5", "roadmap-alignment": "0.5"},
    "team-count": {"backlog": "0.5", "product-goal": "0.5"},
    "new-business": {"strategy": "1", "go-to-market": "0.5"},
    "multiyear-strategy": {"strategy": "1"},
    "rd-roadmap": {"tech-roadmap": "1"},
    "go-to-market": {"go-to-market": "1"},
    "margins-costs": {"margins": "1"},
    "customer-insight": {"customers-csuite": "1"},
    "exec-engagement": {"customers-csuite": "1"},
    "revenue-decline": {"strategy": "0.5", "margins": "0.5"},
    "portfolio-complexity": {"strategy": "0.5", "margins": "0.5"},
}
AGREEMENT_SCALE = [
    ("strongly-disagree", "0"),
    ("disagree", "0.25"),
    ("neutral", "0.5"),
    ("agree", "0.75"),
    ("strongly-agree", "1"),
    ("not-sure", None),
]
TEAM_SCALE = [("none", "0"), ("one", "0.75"), ("several", "1"), ("not-sure", None)]


def test_defaults_hold_every_canonical_question_in_order(default_criteria):
    content = services.criteria_snapshot_build()
    assert [q["slug"] for q in content["questions"]] == CANONICAL_SLUGS
    for question in content["questions"]:
        links = {link["responsibility"]: link["weight"] for link in question["links"]}
        assert links == CANONICAL_LINKS[question["slug"]], question["slug"]
        scale = [(o["key"], o["value"]) for o in question["options"]]
        expected = TEAM_SCALE if question["slug"] == "team-count" else AGREEMENT_SCALE
        assert scale == expected, question["slug"]
    assert content["model"] == "needs"
    assert content["policy"] == {"min_coverage": "0.5", "min_need": "0.65", "focus_share": "0.6"}


def test_defaults_hold_every_fact_of_the_article(default_criteria):
    content = services.criteria_snapshot_build()
    roles = {role["slug"]: role for role in content["roles"]}
    assert list(roles) == ["product-owner", "product-manager"]
    assert [r["slug"] for r in roles["product-owner"]["responsibilities"]] == [
        "backlog",
        "product-goal",
        "stakeholders",
        "roadmap-alignment",
    ]
    assert [r["slug"] for r in roles["product-manager"]["responsibilities"]] == [
        "strategy",
        "tech-roadmap",
        "go-to-market",
        "margins",
        "customers-csuite",
    ]
    assert all(r["weight"] == "1" for role in roles.values() for r in role["responsibilities"])
    assert "Managing the product backlog" in [
        r["text"] for r in roles["product-owner"]["responsibilities"]
    ]
    assert "delivering a product" in roles["product-owner"]["when_to_hire"]
    assert "build a business" in roles["product-manager"]["when_to_hire"]
    assert [c["title"] for c in content["competencies"]] == [
        "Defining product strategy",
        "Collaborating across functions",
        "Engaging with customers",
        "Analyzing metrics",
    ]
    case_study = content["case_study"]
    assert "$250 million" in case_study["title"] + case_study["summary"]
    assert len(case_study["results"]) == 4
    assert any("17%" in r for r in case_study["results"])
    assert any("80%" in r for r in case_study["results"])
    assert list(content["advice"]) == [
        "product-owner",
        "product-manager",
        "both-pm-first",
        "both-po-first",
        "neither",
        "undetermined",
    ]
    assert all(text.strip() for text in content["advice"].values())
    # docs/product.md §4's advice for both, by which role to hire first.
    assert "Hire a product manager first" in content["advice"]["both-pm-first"]
    assert "while there is one team" in content["advice"]["both-pm-first"]
    assert "Hire a product owner now" in content["advice"]["both-po-first"]


def test_extra_shipped_questions_are_inactive(default_criteria):
    extra = models.Question.objects.exclude(slug__in=CANONICAL_SLUGS)
    assert extra.exists()
    assert not extra.filter(active=True).exists()


def test_loading_twice_changes_nothing(default_criteria, capsys):
    before = services.criteria_export()
    call_command("load_default_criteria")
    assert "nothing loaded" in capsys.readouterr().out
    assert services.criteria_export() == before


def test_loading_leaves_edited_criteria_alone(default_criteria):
    models.QuestionLink.objects.filter(question__slug="agile-team").update(weight=Decimal("3"))
    models.ScoringPolicy.objects.update(advice_both_pm_first="Edited advice.")
    call_command("load_default_criteria")
    assert set(
        models.QuestionLink.objects.filter(question__slug="agile-team").values_list(
            "weight", flat=True
        )
    ) == {Decimal("3")}
    assert models.ScoringPolicy.objects.get().advice_both_pm_first == "Edited advice."


def test_reset_with_yes_restores_the_defaults(default_criteria):
    models.ScoringPolicy.objects.update(advice_both_pm_first="Edited advice.")
    call_command("load_default_criteria", reset=True, yes=True)
    assert models.ScoringPolicy.objects.get().advice_both_pm_first != "Edited advice."


def test_reset_without_confirmation_changes_nothing(default_criteria, monkeypatch):
    models.ScoringPolicy.objects.update(advice_both_pm_first="Edited advice.")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing changed"):
        call_command("load_default_criteria", reset=True)
    assert models.ScoringPolicy.objects.get().advice_both_pm_first == "Edited advice."


def _write_fixture(tmp_path, mutate):
    data = json.loads(snapshots.DEFAULT_CRITERIA_FILE.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "criteria.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _drop_options_of_first_question(data):
    kept_one = False
    result = []
    for obj in data:
        if obj["model"] == "advisor.answeroption" and obj["fields"]["question"] == 1:
            if kept_one:
                continue
            kept_one = True
        result.append(obj)
    data[:] = result


@pytest.mark.django_db
def test_invalid_file_loads_nothing_and_says_why(tmp_path):
    path = _write_fixture(tmp_path, _drop_options_of_first_question)
    with pytest.raises(CommandError, match="needs at least two answer options"):
        call_command("load_default_criteria", "--from", str(path))
    assert not services.criteria_exist()


@pytest.mark.django_db
def test_file_with_a_bad_weight_is_rejected(tmp_path):
    def bad_weight(data):
        for obj in data:
            if obj["model"] == "advisor.questionlink":
                obj["fields"]["weight"] = "11"
                break

    path = _write_fixture(tmp_path, bad_weight)
    with pytest.raises(CommandError, match="at most 10"):
        call_command("load_default_criteria", "--from", str(path))
    assert not services.criteria_exist()


def _reserved_slug(data):
    next(o for o in data if o["model"] == "advisor.question")["fields"]["slug"] = "company"


def _second_role(data):
    role = next(o for o in data if o["model"] == "advisor.role")
    data.insert(2, {**role, "pk": 99})


def _second_policy(data):
    policy = next(o for o in data if o["model"] == "advisor.scoringpolicy")
    data.append({**policy, "pk": 99})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            _reserved_slug,
            "The file's question “Our product is built by a Scrum or other Agile team working in "
            "sprints.”: This slug is reserved",
        ),
        (_second_role, "The file's role “Product owner”: Role with this Slug already exists."),
        (_second_policy, "The file's scoring policy “Scoring policy”: Scoring policy with this"),
    ],
)
def test_a_file_the_database_would_refuse_is_a_clear_error(tmp_path, mutate, message):
    # Each was a raw IntegrityError (a traceback) before the objects were validated in full.
    path = _write_fixture(tmp_path, mutate)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("load_default_criteria", "--from", str(path))
    assert not services.criteria_exist()


@pytest.mark.django_db
def test_unreadable_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_default_criteria", "--from", str(path))


# ----------------------------------------------------------------------------- criteria_validate


def _content(**changes):
    content = {
        "roles": [
            {"slug": "product-owner", "name": "Product owner", "responsibilities": [{"slug": "a"}]},
            {
                "slug": "product-manager",
                "name": "Product manager",
                "responsibilities": [{"slug": "b"}],
            },
        ],
        "questions": [
            {
                "slug": "q-one",
                "options": [{"key": "yes", "value": "1"}, {"key": "no", "value": "0"}],
                "links": [{"responsibility": "a", "weight": "1"}],
            },
            {
                "slug": "q-two",
                "options": [{"key": "yes", "value": "1"}, {"key": "no", "value": "0"}],
                "links": [{"responsibility": "b", "weight": "1"}],
            },
        ],
        "policy": {"min_coverage": "0.5", "min_need": "0.65", "focus_share": "0.6"},
    }
    content.update(changes)
    return content


def test_valid_content_passes():
    services.criteria_validate(_content())


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (
            {
                "slug": "q-x",
                "options": [{"key": "yes", "value": "1"}],
                "links": [{"responsibility": "a"}],
            },
            services.QUESTION_FEW_OPTIONS.format(slug="q-x"),
        ),
        (
            {
                "slug": "q-x",
                "options": [{"key": "yes", "value": "1"}, {"key": "no", "value": "0"}],
                "links": [],
            },
            services.QUESTION_NO_LINK.format(slug="q-x"),
        ),
        (
            {
                "slug": "company",
                "options": [{"key": "yes", "value": "1"}, {"key": "no", "value": "0"}],
                "links": [{"responsibility": "a"}],
            },
            services.QUESTION_RESERVED_SLUG.format(slug="company"),
        ),
        (
            {
                "slug": "q-x",
                "options": [{"key": "maybe", "value": None}, {"key": "unsure", "value": None}],
                "links": [{"responsibility": "a"}],
            },
            services.QUESTION_NO_VALUED_OPTION.format(slug="q-x"),
        ),
        (
            {
                "slug": "q-x",
                "options": [{"key": "yes", "value": "1"}, {"key": "yes", "value": "0"}],
                "links": [{"responsibility": "a"}],
            },
            services.QUESTION_DUPLICATE_KEY.format(slug="q-x", key="yes"),
        ),
    ],
)
def test_each_question_rule_rejects_with_its_message(question, message):
    content = _content()
    content["questions"].append(question)
    with pytest.raises(ValidationError) as error:
        services.criteria_validate(content)
    assert error.value.messages == [message]


def test_a_role_with_nothing_to_score_is_rejected():
    content = _content()
    content["questions"] = content["questions"][:1]
    with pytest.raises(ValidationError) as error:
        services.criteria_validate(content)
    assert error.value.messages == [services.NOT_READY_ROLE.format(role="Product manager")]


def test_missing_role_is_rejected():
    content = _content()
    content["roles"] = content["roles"][:1]
    content["questions"] = content["questions"][:1]
    with pytest.raises(ValidationError) as error:
        services.criteria_validate(content)
    assert services.ROLES_MISSING.format(roles="product-owner, product-manager") in (
        error.value.messages
    )


def test_no_active_questions_and_no_policy_are_rejected():
    with pytest.raises(ValidationError) as error:
        services.criteria_validate(_content(questions=[], policy=None))
    assert set(error.value.messages) == {
        services.NOT_READY_NO_QUESTIONS,
        services.NOT_READY_NO_POLICY,
    }


# ----------------------------------------------------------------------------- constraints


def _violates(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.django_db
@pytest.mark.parametrize("weight", ["0", "-1", "10.001", "11"])
def test_database_rejects_weights_outside_range(weight):
    link = factories.QuestionLinkFactory()
    _violates(lambda: models.QuestionLink.objects.filter(pk=link.pk).update(weight=Decimal(weight)))
    _violates(
        lambda: models.Responsibility.objects.filter(pk=link.responsibility_id).update(
            weight=Decimal(weight)
        )
    )


@pytest.mark.django_db
def test_database_accepts_the_edges_of_the_weight_range():
    link = factories.QuestionLinkFactory()
    models.QuestionLink.objects.filter(pk=link.pk).update(weight=Decimal("10"))
    models.QuestionLink.objects.filter(pk=link.pk).update(weight=Decimal("0.001"))


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["-0.001", "1.001"])
def test_database_rejects_option_values_outside_zero_one(value):
    option = factories.AnswerOptionFactory()
    _violates(lambda: models.AnswerOption.objects.filter(pk=option.pk).update(value=Decimal(value)))


@pytest.mark.django_db
def test_database_rejects_duplicate_slugs_keys_and_reserved_slugs():
    question = factories.QuestionFactory(slug="agile-team")
    _violates(lambda: factories.QuestionFactory(slug="agile-team"))
    _violates(lambda: factories.QuestionFactory(slug="company"))
    _violates(lambda: factories.QuestionFactory(slug="Not-Lowercase"))
    _violates(lambda: factories.AnswerOptionFactory(question=question, key="agree"))
    responsibility = factories.ResponsibilityFactory(slug="backlog")
    _violates(lambda: factories.ResponsibilityFactory(slug="backlog"))
    factories.QuestionLinkFactory(question=question, responsibility=responsibility)
    _violates(
        lambda: factories.QuestionLinkFactory(question=question, responsibility=responsibility)
    )


@pytest.mark.django_db
def test_only_the_two_roles_exist_and_one_policy():
    _violates(lambda: factories.RoleFactory(slug="designer"))
    factories.ScoringPolicyFactory()
    _violates(lambda: models.ScoringPolicy.objects.create(singleton=False, advice_neither="x"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("min_coverage", "0"),
        ("min_coverage", "1.01"),
        ("min_need", "-0.01"),
        ("min_need", "1.01"),
        ("focus_share", "0"),
        ("focus_share", "1.01"),
    ],
)
def test_database_rejects_policy_thresholds_outside_range(field, value):
    factories.ScoringPolicyFactory()
    _violates(lambda: models.ScoringPolicy.objects.update(**{field: Decimal(value)}))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"), [("min_need", "0"), ("min_need", "1"), ("focus_share", "1")]
)
def test_database_accepts_policy_thresholds_at_the_ends(field, value):
    factories.ScoringPolicyFactory()
    models.ScoringPolicy.objects.update(**{field: Decimal(value)})
    assert getattr(models.ScoringPolicy.objects.get(), field) == Decimal(value)


@pytest.mark.django_db
def test_model_validation_explains_bad_field_values():
    option = factories.AnswerOptionFactory.build(
        question=factories.QuestionFactory(), key="Bad Key", value=Decimal("2")
    )
    with pytest.raises(ValidationError) as error:
        option.full_clean()
    assert set(error.value.message_dict) == {"key", "value"}
    assert "between 0 and 1" in " ".join(error.value.message_dict["value"])
