"""The questionnaire form: fields from the criteria, validation, prefill, the cached blank form."""

import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.http import QueryDict

from advisor import forms, models, services
from tests import examples


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def bundle(default_criteria):
    return services.criteria_current()


def data_for(answers, **extra):
    """Form data for `answers`; questions the answers leave out are answered `not-sure`."""
    return {
        "company": "Acme Ltd",
        **dict.fromkeys(examples.ALL_QUESTIONS, "not-sure"),
        **answers,
        **extra,
    }


def test_fields_are_the_question_slugs_and_choices_the_option_keys(bundle):
    form = forms.AssessmentForm(bundle)
    assert list(form.fields) == [
        "company",
        "company-size",
        "industry",
        "respondent-name",
        "respondent-email",
        *examples.ALL_QUESTIONS,
    ]
    assert [key for key, _label in form.fields["team-count"].choices] == [
        "none",
        "one",
        "several",
        "not-sure",
    ]
    assert form.fields["agile-team"].required
    assert not form.fields["respondent-email"].required


def test_inactive_questions_are_not_asked(bundle):
    assert "framework-scrum" not in forms.AssessmentForm(bundle).fields


def test_valid_form_gives_the_service_its_arguments(bundle):
    form = forms.AssessmentForm(
        bundle,
        data=data_for(
            examples.BOTH, **{"respondent-name": "Ann", "respondent-email": "ann@example.com"}
        ),
    )
    assert form.is_valid(), form.errors
    assert form.assessment_fields() == {
        "company": "Acme Ltd",
        "respondent_name": "Ann",
        "respondent_email": "ann@example.com",
        "company_size": "",
        "industry": "",
        "answers": examples.BOTH,
    }


def test_every_question_needs_an_answer_and_not_sure_is_one(bundle):
    data = data_for({})
    del data["agile-team"]
    form = forms.AssessmentForm(bundle, data=data)
    assert not form.is_valid()
    assert form.errors == {"agile-team": [str(forms.ANSWER_REQUIRED)]}
    assert not form.tampered


def test_company_is_required_and_blank_is_not_a_name(bundle):
    form = forms.AssessmentForm(bundle, data=data_for({}, company="   "))
    assert not form.is_valid()
    assert form.errors["company"] == [str(forms.COMPANY_REQUIRED)]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"agile-team": "very-much"}, "agile-team", forms.INVALID_ANSWER),
        ({"agile-team": "agree\x00"}, "agile-team", forms.INVALID_ANSWER),
        ({"company": "Acme\x00Ltd"}, "company", None),
        ({"no-such-question": "agree"}, "__all__", forms.UNKNOWN_FIELDS),
    ],
    ids=["not-an-option", "nul-in-option", "nul-in-text", "unknown-field"],
)
def test_tampered_input_is_a_form_error(bundle, change, field, message):
    form = forms.AssessmentForm(bundle, data=data_for({}, **change))
    assert not form.is_valid()
    assert field in form.errors
    if message is not None:
        assert str(message) in form.errors[field]
    assert form.tampered


def test_an_answer_sent_twice_is_an_error(bundle):
    query = QueryDict(mutable=True)
    query.update(data_for({}))
    query.appendlist("agile-team", "agree")
    form = forms.AssessmentForm(bundle, data=query)
    assert not form.is_valid()
    assert form.non_field_errors() == [str(forms.REPEATED_FIELDS)]
    assert form.tampered


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("company", models.COMPANY_MAX_LENGTH),
        ("respondent-name", models.RESPONDENT_NAME_MAX_LENGTH),
    ],
)
def test_oversized_text_is_an_error(bundle, field, limit):
    assert forms.AssessmentForm(bundle, data=data_for({}, **{field: "x" * limit})).is_valid()
    form = forms.AssessmentForm(bundle, data=data_for({}, **{field: "x" * (limit + 1)}))
    assert not form.is_valid()
    assert field in form.errors
    assert not form.tampered


def test_oversized_email_and_bad_email_are_errors(bundle):
    too_long = "a" * 250 + "@example.com"
    for email in (too_long, "not an email"):
        form = forms.AssessmentForm(bundle, data=data_for({}, **{"respondent-email": email}))
        assert not form.is_valid()
        assert "respondent-email" in form.errors


def test_error_summary_links_each_error_to_its_field(bundle):
    data = data_for({}, company="")
    del data["team-count"]
    form = forms.AssessmentForm(bundle, data=data)
    assert not form.is_valid()
    summary = form.error_summary()
    assert summary.items == [{"href": "#id_company", "text": str(forms.COMPANY_REQUIRED)}]
    # A question left unanswered is listed once, by its text, apart from the other errors.
    assert summary.unanswered == [
        {
            "href": "#id_team-count_0",
            "text": "How many development teams work on the product?",
            "slug": "team-count",
        }
    ]


def test_error_summary_counts_the_questions_that_need_an_answer(bundle):
    data = data_for({})
    for slug in ("agile-team", "team-count", "margins-costs"):
        del data[slug]
    form = forms.AssessmentForm(bundle, data=data)
    assert not form.is_valid()
    before, _after = forms.questionnaire_parts(bundle, form)
    assert "3 questions need an answer" in before
    assert before.count(str(forms.ANSWER_REQUIRED)) == 0  # not repeated in the summary
    assert re.findall(r'<li data-question="([a-z-]+)">', before) == [
        "agile-team",
        "team-count",
        "margins-costs",
    ]
    one = forms.AssessmentForm(bundle, data={**data_for({}), "company": "Acme"})
    del one.data["agile-team"]
    assert not one.is_valid()
    assert "1 question needs an answer" in forms.questionnaire_parts(bundle, one)[0]


def test_a_tampered_answer_is_named_with_its_error(bundle):
    form = forms.AssessmentForm(bundle, data=data_for({"agile-team": "maybe"}))
    assert not form.is_valid()
    summary = form.error_summary()
    assert summary.unanswered == []
    assert summary.items[0]["href"] == "#id_agile-team_0"
    assert str(forms.INVALID_ANSWER) in summary.items[0]["text"]


def test_neutral_and_not_sure_are_explained_once_near_the_scale(bundle):
    html = "".join(forms.questionnaire_parts(bundle))
    assert html.count('id="scale-help"') == 1
    # Right under the first section's heading, before its first question.
    assert (
        html.index("Team &amp; delivery")
        < html.index('id="scale-help"')
        < html.index('id="q-agile-team"')
    )
    assert "<strong>Neutral</strong>" in html and "<strong>Not sure</strong>" in html


def test_rendered_form_keeps_every_given_answer(bundle):
    data = data_for({"agile-team": "agree", "team-count": "several"}, company="Acme & Co")
    del data["new-business"]
    form = forms.AssessmentForm(bundle, data=data)
    assert not form.is_valid()
    html = str(form.render_body())
    assert re.search(r'value="agree" required checked', html)
    assert 'name="team-count" id="id_team-count_2" value="several" required checked' in html
    assert 'value="Acme &amp; Co"' in html
    assert not re.search(r'name="new-business"[^>]*checked', html)
    assert 'id="new-business-error"' in html


def test_blank_form_markup(bundle):
    before, after = forms.questionnaire_parts(bundle)
    assert before.rstrip().endswith("novalidate>")  # the token goes right inside the form
    html = before + after
    options = sum(len(q["options"]) for q in bundle.content["questions"])
    assert html.count('type="radio"') == options
    assert html.count("<fieldset") == len(examples.ALL_QUESTIONS) + 1  # + the company fieldset
    assert "<legend>Our product is built by a Scrum or other Agile team working in sprints." in html
    assert "Team &amp; delivery" in html and "Business &amp; growth" in html
    assert 'aria-describedby="agile-team-help"' in html
    assert "checked" not in html
    assert "csrfmiddlewaretoken" not in html  # the token is not part of the cached HTML
    assert 'id="error-summary"' not in html
    assert not re.search(r"\sstyle=|\son[a-z]+=|<script", html)


def test_blank_form_renders_once_per_content(bundle):
    first = forms.questionnaire_parts(bundle)
    with mock.patch.object(forms.AssessmentForm, "render_body") as render:
        assert forms.questionnaire_parts(bundle) == first
        bundle.extras.clear()  # a new worker: the parts come from Django's cache
        assert forms.questionnaire_parts(bundle) == first
    render.assert_not_called()


def test_reworded_question_gives_a_new_blank_form(bundle):
    before = "".join(forms.questionnaire_parts(bundle))
    models.Question.objects.filter(slug="agile-team").update(text="Reworded statement.")
    services.criteria_touch()
    after = "".join(forms.questionnaire_parts(services.criteria_current()))
    assert "Reworded statement." in after
    assert "Reworded statement." not in before


def test_bound_form_parts_carry_the_error_summary(bundle):
    form = forms.AssessmentForm(bundle, data=data_for({}, company=""))
    assert not form.is_valid()
    before, after = forms.questionnaire_parts(bundle, form)
    assert 'id="error-summary"' in before
    assert 'href="#id_company"' in before


def test_questionnaire_spec_is_memoised_on_the_bundle(bundle, django_assert_num_queries):
    with django_assert_num_queries(0):
        spec = forms.questionnaire_spec(bundle)
        assert forms.questionnaire_spec(bundle) is spec
        forms.AssessmentForm(bundle)
    assert [title for title, _slugs in spec.sections] == ["Team & delivery", "Business & growth"]
    assert spec.sections[0][1] == tuple(examples.TEAM_AND_DELIVERY + ["team-count"])


def test_initial_from_query_keeps_only_usable_values(bundle):
    query = QueryDict(
        "company=Acme&agile-team=agree&team-count=lots&respondent-name=%00x&unknown=1"
        f"&respondent-email={'e' * 300}"
    )
    assert forms.initial_from_query(bundle, query) == {"company": "Acme", "agile-team": "agree"}
