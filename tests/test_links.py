"""Ways back to a result (issue 14, docs/product.md §9): keep and email the private link, change the
answers, delete the earlier assessment, and an undetermined result that says what is missing."""

import re
from unittest import mock

import pytest
from django.core import mail as django_mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from advisor import forms, models, services, unanswered
from advisor.views import links
from tests import examples

SITE = "https://rolefit.example.com"


@pytest.fixture(autouse=True)
def _settings(default_criteria):
    cache.clear()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ROLEFIT_SITE_URL=SITE,
        ALLOWED_HOSTS=["*"],
    ):
        yield


def create(answers=examples.BOTH, **fields):
    return services.assessment_create(
        company=fields.pop("company", "Acme Ltd"), answers=answers, **fields
    )


def url(name, assessment):
    return reverse(f"advisor:{name}", kwargs={"token": assessment.token})


def form_data(answers, company="Acme Ltd"):
    return {"company": company, **dict.fromkeys(examples.ALL_QUESTIONS, "not-sure"), **answers}


# --- Keep the link --------------------------------------------------------------------------------


def test_the_link_is_near_the_top_and_says_it_is_the_only_way_back(client):
    assessment = create()
    html = client.get(assessment.get_absolute_url()).content.decode()
    box = html.index('id="private-link"')
    assert box < html.index('id="outcome-heading"')  # before the verdict's details
    assert "Keep this link: it is the only way back to this result." in html
    assert f'value="http://testserver/a/{assessment.token}/"' in html
    # The copy button needs the script, so it is hidden until the script shows it.
    assert re.search(
        r'<button class="btn btn-primary" type="button" data-copy="private-link-url"[^>]*hidden>',
        html,
    )
    assert 'src="/static/js/result.js"' in html
    assert f'action="/a/{assessment.token}/email/"' in html
    assert f'href="/a/{assessment.token}/change/"' in html


def test_the_email_form_suggests_the_address_given_for_the_assessment(client):
    assessment = create(respondent_email="ann@example.com")
    html = client.get(assessment.get_absolute_url()).content.decode()
    assert 'name="email" id="id_email"' in html and 'value="ann@example.com"' in html


def test_email_me_this_link_sends_the_link_from_the_site_url(client):
    assessment = create()
    response = client.post(
        url("email_link", assessment), {"email": "ann@example.com"}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 302
    assert response["Location"] == f"/a/{assessment.token}/"
    assert len(django_mail.outbox) == 1
    message = django_mail.outbox[0]
    assert message.to == ["ann@example.com"]
    assert "Acme Ltd" in message.subject
    assert f"{SITE}/a/{assessment.token}/\n" in message.body
    assert f"{SITE}/a/{assessment.token}/report/" in message.body
    assert "evil.example" not in message.body
    page = client.get(response["Location"]).content.decode()
    assert "We sent the link to ann@example.com." in page
    # The address is not stored: the respondent gave none for the assessment.
    assessment.refresh_from_db()
    assert assessment.respondent_email == ""


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("", forms.EMAIL_REQUIRED),
        ("not an address", forms.EMAIL_INVALID),
        ("ann@example.com\r\nBcc: victim@example.com", forms.EMAIL_INVALID),
    ],
)
def test_a_bad_address_is_shown_with_the_form_open_and_sends_nothing(client, email, error):
    assessment = create()
    response = client.post(url("email_link", assessment), {"email": email})
    html = response.content.decode()
    assert response.status_code == 200
    assert str(error) in html
    assert '<details class="email-link" open>' in html
    assert 'aria-invalid="true"' in html
    assert "Keep this link" in html and 'id="outcome-heading"' in html  # the whole result page
    assert django_mail.outbox == []


def test_a_mail_failure_is_shown_logged_and_the_assessment_kept(client, caplog):
    assessment = create()
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("down")
    ):
        response = client.post(
            url("email_link", assessment), {"email": "ann@example.com"}, follow=True
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The email could not be sent. Your assessment is kept" in html
    assert "could not be sent" in caplog.text
    assert models.Assessment.objects.filter(pk=assessment.pk).exists()


@override_settings(ROLEFIT_RATE_MAIL="2/h")
def test_mail_past_the_limit_gets_the_429_page(client):
    assessment = create()
    statuses = [
        client.post(url("email_link", assessment), {"email": f"p{i}@example.com"}).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(django_mail.outbox) == 2


def test_emailing_needs_the_csrf_token_and_a_post(client):
    assessment = create()
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post(url("email_link", assessment), {"email": "ann@example.com"}).status_code == 403
    )
    assert client.get(url("email_link", assessment)).status_code == 405
    assert django_mail.outbox == []


def test_result_page_query_count_stays_small(client, django_assert_max_num_queries):
    location = create().get_absolute_url()
    client.get(location)
    with django_assert_max_num_queries(1):
        assert client.get(location).status_code == 200


# --- Change answers -------------------------------------------------------------------------------


def test_change_opens_the_questionnaire_prefilled_with_the_answers(client):
    assessment = create(examples.BOTH, respondent_name="Ann", respondent_email="ann@example.com")
    response = client.get(url("change", assessment))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "<h1>Change your answers</h1>" in html
    assert f'action="/a/{assessment.token}/change/"' in html
    assert (
        'value="Acme Ltd"' in html and 'value="Ann"' in html and 'value="ann@example.com"' in html
    )
    assert html.count(" checked") == len(examples.ALL_QUESTIONS)
    assert 'id="id_team-count_1" value="one" required checked' in html
    assert "data-draft-key" not in html  # the saved answers are the prefill, not a local draft


def test_change_ignores_stored_answers_the_questionnaire_no_longer_has(client):
    assessment = create(examples.BOTH)
    models.Assessment.objects.filter(pk=assessment.pk).update(
        answers={
            **examples.BOTH,
            "agile-team": "sort-of",
            "retired-question": "agree",
            "team-count": 3,
        }
    )
    html = client.get(url("change", assessment)).content.decode()
    assert not re.search(r'name="agile-team"[^>]*checked', html)
    assert not re.search(r'name="team-count"[^>]*checked', html)
    assert html.count(" checked") == len(examples.ALL_QUESTIONS) - 2


def test_change_ignores_the_query_string(client):
    assessment = create(examples.BOTH)
    html = client.get(
        url("change", assessment), {"agile-team": "strongly-agree", "company": "x" * 500}
    ).content.decode()
    assert 'value="Acme Ltd"' in html
    # A NUL anywhere in a query string is refused at the edge (advisor/middleware.py).
    assert client.get(url("change", assessment), {"agile-team": "\x00"}).status_code == 400


def test_submitting_changed_answers_makes_a_new_assessment_and_offers_to_delete_the_old(client):
    old = create(examples.BOTH)
    response = client.post(url("change", old), form_data(examples.PRODUCT_OWNER))
    assert response.status_code == 302
    new = models.Assessment.objects.exclude(pk=old.pk).get()
    assert response["Location"] == new.get_absolute_url()
    assert (new.outcome, new.answers) == ("product-owner", examples.PRODUCT_OWNER)
    assert models.Assessment.objects.filter(pk=old.pk).exists()
    cookie = response.cookies[links.EARLIER_COOKIE]
    assert cookie["path"] == new.get_absolute_url() and cookie["httponly"]
    assert old.token not in cookie.value.split(":")[0]

    page = client.get(new.get_absolute_url()).content.decode()
    assert "This is the result of your changed answers" in page
    assert f'action="/a/{new.token}/earlier/"' in page
    # The earlier result does not offer to delete anything.
    assert "changed answers" not in client.get(old.get_absolute_url()).content.decode()

    response = client.post(url("earlier", new), {"action": "delete"}, follow=True)
    assert "The earlier assessment was deleted" in response.content.decode()
    assert not models.Assessment.objects.filter(pk=old.pk).exists()
    assert models.Assessment.objects.filter(pk=new.pk).exists()
    assert "changed answers" not in client.get(new.get_absolute_url()).content.decode()


def test_keeping_both_keeps_the_earlier_assessment(client):
    old = create(examples.BOTH)
    client.post(url("change", old), form_data(examples.NEITHER))
    new = models.Assessment.objects.exclude(pk=old.pk).get()
    response = client.post(url("earlier", new), {"action": "keep"}, follow=True)
    assert "Both assessments are kept" in response.content.decode()
    assert models.Assessment.objects.count() == 2


def test_the_earlier_offer_needs_its_own_signed_cookie(client):
    old, other = create(examples.BOTH), create(examples.NEITHER, company="Other")
    client.cookies[links.EARLIER_COOKIE] = f"{other.token}:{old.token}"  # not signed
    assert "changed answers" not in client.get(other.get_absolute_url()).content.decode()
    client.post(url("earlier", other), {"action": "delete"})
    assert models.Assessment.objects.count() == 2


def test_changed_answers_with_a_missing_answer_keep_the_form(client):
    old = create(examples.BOTH)
    data = form_data(examples.BOTH)
    del data["agile-team"]
    response = client.post(url("change", old), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 question needs an answer" in html
    assert f'action="/a/{old.token}/change/"' in html
    assert models.Assessment.objects.count() == 1


def test_changing_a_deleted_or_unknown_assessment_is_not_found(client):
    old = create()
    token = old.token
    services.assessment_delete(assessment=old)
    assert client.get(f"/a/{token}/change/").status_code == 404
    assert client.post(f"/a/{token}/change/", form_data(examples.BOTH)).status_code == 404
    assert not models.Assessment.objects.exists()


# --- An undetermined result leads to the missing answers ----------------------------------


PO_QUESTIONS = [
    "agile-team",
    "backlog-unclear",
    "goal-unclear",
    "stakeholders-lost",
    "roadmap-drift",
    "delivery-focus",
    "team-count",
]


def test_roles_lacking_answers_name_each_role_and_its_unanswered_questions():
    assessment = create(examples.UNDETERMINED)
    lacking = unanswered.roles_lacking_answers(
        content=assessment.snapshot.content, result=assessment.result
    )
    assert [role.slug for role in lacking] == ["product-owner", "product-manager"]
    assert [q.slug for q in lacking[0].questions] == [s for s in PO_QUESTIONS if s != "agile-team"]
    assert "new-business" not in [q.slug for q in lacking[1].questions]
    assert lacking[1].questions[0].text.startswith("We need a product strategy")


def test_only_the_role_lacking_answers_is_named():
    answers = {**examples.BOTH, **dict.fromkeys(examples.BUSINESS_AND_GROWTH, "not-sure")}
    assessment = create(answers)
    assert assessment.outcome == "undetermined"
    lacking = unanswered.roles_lacking_answers(
        content=assessment.snapshot.content, result=assessment.result
    )
    assert [role.slug for role in lacking] == ["product-manager"]
    assert [q.slug for q in lacking[0].questions] == examples.BUSINESS_AND_GROWTH


def test_a_needs_engine_result_names_its_own_unanswered_questions():
    # The engine stores `policy` and `unanswered` in the result: they are used as they are, not
    # worked out again.
    assessment = create(examples.UNDETERMINED)
    result = {
        **assessment.result,
        "coverage": {"product-owner": 0.6, "product-manager": 0.2},
        "policy": {"min_coverage": 0.7, "min_need": 0.65, "focus_share": 0.6},
        "unanswered": {"product-owner": ["team-count"], "product-manager": ["rd-roadmap"]},
    }
    lacking = unanswered.roles_lacking_answers(content=assessment.snapshot.content, result=result)
    assert [(role.slug, [q.slug for q in role.questions]) for role in lacking] == [
        ("product-owner", ["team-count"]),
        ("product-manager", ["rd-roadmap"]),
    ]
    result["policy"]["min_coverage"] = 0.5
    lacking = unanswered.roles_lacking_answers(content=assessment.snapshot.content, result=result)
    assert [role.slug for role in lacking] == ["product-manager"]


def test_a_determined_result_lacks_nothing(client):
    assessment = create(examples.BOTH)
    assert (
        unanswered.roles_lacking_answers(
            content=assessment.snapshot.content,
            result=assessment.result,
        )
        == []
    )
    assert "lacking-answers" not in client.get(assessment.get_absolute_url()).content.decode()


def test_an_undetermined_result_leads_to_the_missing_answers_first(client):
    answers = {**examples.BOTH, **dict.fromkeys(examples.BUSINESS_AND_GROWTH, "not-sure")}
    assessment = create(answers)
    html = client.get(assessment.get_absolute_url()).content.decode()
    box = html.index("lacking-answers")
    assert box < html.index('id="private-link"') < html.index('id="outcome-heading"')
    assert "<strong>Product manager</strong> needs more answers. These 9 statements" in html
    assert "Product owner</strong> needs more" not in html
    assert "We need go-to-market plans built together with marketing and sales." in html
    assert f'href="/a/{assessment.token}/change/">Answer the missing statements' in html

    change = client.get(url("change", assessment)).content.decode()
    assert "Answer these to get a recommendation" in change
    assert '<a href="#id_go-to-market_0" class="alert-link">We need go-to-market plans' in change
    assert change.index("lacking-answers") < change.index('id="questionnaire"')


# --- Small things ---------------------------------------------------------------------------------


def test_landing_page_shows_a_sample_result_and_the_source_article(client):
    html = client.get("/").content.decode()
    assert "Example result, for a fictional company" in html
    assert html.count("<meter") == 9
    assert 'value="0.7500"' in html and "56%" in html  # product goal: 0.5625
    assert "Product manager: needed" in html and "Product owner: not needed yet" in html
    assert "“Your Product Owner Is Not Your Product Manager”" in html
    assert 'href="https://www.toptal.com/product-managers/' in html
    assert 'rel="icon" href="/static/favicon.svg"' in html


def test_no_sample_when_the_responsibilities_differ(client):
    models.Responsibility.objects.filter(slug="margins").update(slug="supply-chain")
    services.criteria_touch()
    assert "Example result" not in client.get("/").content.decode()


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.png"
    from django.contrib.staticfiles import finders

    for name in ("favicon.png", "favicon.svg", "apple-touch-icon.png"):
        assert finders.find(name), name
