"""The criteria in the admin: access, validation, history and revert, versions, export/import."""

import html
import io
import json
import re
import urllib.parse
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from advisor import admin as rolefit_admin
from advisor import groups, models, presentation, services
from advisor.views import admin as admin_views
from tests import examples, factories

PASSWORD = "a-long-enough-passphrase-42"


# ---------------------------------------------------------------------------------------------
# Accounts


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)


@pytest.fixture
def hr_admin(django_user_model, monkeypatch):
    """An HR admin as the README makes one: with the adduser command."""
    monkeypatch.setenv("ROLEFIT_TEST_PASSWORD", PASSWORD)
    call_command(
        "adduser",
        "hannah",
        "--hr-admin",
        "--password-from-env",
        "ROLEFIT_TEST_PASSWORD",
        stdout=io.StringIO(),
    )
    return django_user_model.objects.get(username="hannah")


@pytest.fixture
def consultant(django_user_model):
    # Staff too, to show the group (not the admin login) is what keeps a consultant out.
    user = django_user_model.objects.create_user("colin", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=groups.CONSULTANTS))
    return user


@pytest.fixture
def hr_client(client, hr_admin):
    client.force_login(hr_admin)
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:advisor_{model._meta.model_name}_{view}", args=args)


# ---------------------------------------------------------------------------------------------
# Posting admin forms as a browser would


def form_data(form) -> dict:
    """What a browser would post for this (bound or unbound) form as the page shows it."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[form.add_prefix(name)] = "on"
        elif value is not None:
            data[form.add_prefix(name)] = value
    return data


def change_form_data(client, url) -> dict:
    """The change (or add) page's form and inline formsets, ready to post back unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    data = form_data(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.forms:
            data.update(form_data(form))
    data["_save"] = "Save"
    return data


def row(data, prefix, field, value) -> int:
    """The index of the inline row whose `field` is `value`."""
    for key, found in data.items():
        if key.startswith(f"{prefix}-") and key.endswith(f"-{field}") and str(found) == value:
            return int(key.split("-")[1])
    raise AssertionError(f"no {prefix} row with {field}={value}")


def option_count(data) -> int:
    return int(data["options-TOTAL_FORMS"])


def errors_of(response) -> list[str]:
    """Every error message the admin shows on a rejected change form."""
    assert response.status_code == 200, "the form was accepted"
    messages = list(response.context["adminform"].form.non_field_errors())
    for field_errors in response.context["adminform"].form.errors.values():
        messages.extend(field_errors)
    for inline in response.context["inline_admin_formsets"]:
        messages.extend(inline.formset.non_form_errors())
        for form_errors in inline.formset.errors:
            for field_errors in form_errors.values():
                messages.extend(field_errors)
    return messages


# ---------------------------------------------------------------------------------------------
# Every page loads


@pytest.mark.django_db
def test_every_admin_page_loads_for_a_superuser(
    default_criteria, assessment_factory, client, superuser, django_assert_max_num_queries
):
    assessment_factory(answers=examples.BOTH)
    models.Branding.objects.create(organisation_name="Example Consulting")
    client.force_login(superuser)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:index")).status_code == 200
    for model in apps.get_app_config("advisor").get_models():
        if not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        with django_assert_max_num_queries(15):
            response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 200, model
        obj = model.objects.first()
        assert obj is not None, f"no {model.__name__} to open"
        with django_assert_max_num_queries(20):
            response = client.get(admin_url(model, "change", obj.pk))
        assert response.status_code == 200, model
        if model_admin.has_add_permission(response.wsgi_request):
            assert client.get(admin_url(model, "add")).status_code == 200, model
        if isinstance(model_admin, rolefit_admin.SimpleHistoryAdmin):
            assert client.get(admin_url(model, "history", obj.pk)).status_code == 200, model


@pytest.mark.django_db
def test_questions_filter_by_role_once_each(default_criteria, hr_client):
    manager = models.Role.objects.get(slug="product-manager")
    response = hr_client.get(
        admin_url(models.Question, "changelist"),
        {"links__responsibility__role__id__exact": manager.pk},
    )
    slugs = [question.slug for question in response.context["cl"].result_list]
    assert len(slugs) == len(set(slugs))
    assert "new-business" in slugs and "margins-costs" in slugs
    assert "agile-team" not in slugs
    assert "strategy × 1, go-to-market × 0.5" in response.content.decode()


@pytest.mark.django_db
def test_roles_and_policy_cannot_be_added_or_deleted(default_criteria, client, superuser):
    client.force_login(superuser)
    role = models.Role.objects.first()
    policy = models.ScoringPolicy.objects.get()
    assert client.get(admin_url(models.Role, "add")).status_code == 403
    assert client.get(admin_url(models.ScoringPolicy, "add")).status_code == 403
    for model, pk in ((models.Role, role.pk), (models.ScoringPolicy, policy.pk)):
        assert client.post(admin_url(model, "delete", pk), {"post": "yes"}).status_code == 403
    assert models.Role.objects.count() == 2
    assert models.ScoringPolicy.objects.count() == 1


@pytest.mark.django_db
def test_a_role_slug_stays_fixed(default_criteria, hr_client):
    role = models.Role.objects.get(slug="product-owner")
    url = admin_url(models.Role, "change", role.pk)
    data = change_form_data(hr_client, url)
    data["slug"] = "scrum-master"
    data["name"] = "Product owner (PO)"
    assert hr_client.post(url, data).status_code == 302
    role.refresh_from_db()
    assert role.slug == "product-owner"
    assert role.name == "Product owner (PO)"


# ---------------------------------------------------------------------------------------------
# Who may edit


@pytest.mark.django_db
def test_hr_admin_edits_a_weight_and_an_advice_text(default_criteria, hr_client):
    question = models.Question.objects.get(slug="agile-team")
    url = admin_url(models.Question, "change", question.pk)
    data = change_form_data(hr_client, url)
    data[f"links-{row(data, 'links', 'weight', '0.500')}-weight"] = "2"
    response = hr_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert models.QuestionLink.objects.filter(question=question, weight=Decimal("2")).exists()

    policy = models.ScoringPolicy.objects.get()
    url = admin_url(models.ScoringPolicy, "change", policy.pk)
    data = change_form_data(hr_client, url)
    data["advice_both_po_first"] = "Hire a product owner first."
    assert hr_client.post(url, data).status_code == 302
    policy.refresh_from_db()
    assert policy.advice_both_po_first == "Hire a product owner first."


@pytest.mark.django_db
def test_hr_admin_sees_no_assessments(default_criteria, assessment_factory, hr_client):
    assessment = assessment_factory(answers=examples.BOTH)
    assert hr_client.get(admin_url(models.Assessment, "changelist")).status_code == 403
    assert hr_client.get(admin_url(models.Assessment, "change", assessment.pk)).status_code == 403
    index = hr_client.get(reverse("admin:index")).content.decode()
    assert admin_url(models.Assessment, "changelist") not in index
    assert admin_url(models.Question, "changelist") in index


@pytest.mark.django_db
def test_a_consultant_cannot_open_or_edit_criteria(default_criteria, client, consultant):
    client.force_login(consultant)
    question = models.Question.objects.get(slug="agile-team")
    for url in (
        admin_url(models.Question, "changelist"),
        admin_url(models.Question, "change", question.pk),
        reverse("admin:advisor_criteria_history"),
        reverse("admin:advisor_criteria_export"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        admin_url(models.Question, "change", question.pk), {"text": "Hijacked.", "_save": "Save"}
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.text != "Hijacked."


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login(default_criteria, client):
    question = models.Question.objects.get(slug="agile-team")
    for url in (
        admin_url(models.Question, "change", question.pk),
        reverse("admin:advisor_criteria_history"),
        reverse("admin:advisor_criteria_export"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    client.post(
        admin_url(models.Question, "change", question.pk), {"text": "Hijacked.", "_save": "Save"}
    )
    question.refresh_from_db()
    assert question.text != "Hijacked."


@pytest.mark.django_db
def test_assessments_are_read_only_for_superusers(
    default_criteria, assessment_factory, client, superuser
):
    assessment = assessment_factory(answers=examples.BOTH, company="Acme")
    client.force_login(superuser)
    response = client.get(admin_url(models.Assessment, "changelist"))
    assert b"Acme" in response.content
    url = admin_url(models.Assessment, "change", assessment.pk)
    client.post(url, {"company": "Changed", "_save": "Save"})
    assessment.refresh_from_db()
    assert assessment.company == "Acme"
    assert client.post(admin_url(models.Assessment, "delete", assessment.pk)).status_code == 403


# ---------------------------------------------------------------------------------------------
# No admin route reveals a private link (docs/product.md §1: least privilege, also in the admin)

LINK = re.compile(r"""(?:href|action|src)\s*=\s*["']([^"']+)["']""")
CRAWL_LIMIT = 300


def crawl(client, start: str) -> dict[str, object]:
    """Every admin page reachable from `start` by links and redirects (GET only), by URL."""
    pages: dict[str, object] = {}
    queue = [start]
    while queue and len(pages) < CRAWL_LIMIT:
        url = queue.pop(0)
        if url in pages:
            continue
        response = client.get(url)
        pages[url] = response
        found = [response["Location"]] if response.has_header("Location") else []
        if response.get("Content-Type", "").startswith("text/html"):
            found += [html.unescape(href) for href in LINK.findall(response.content.decode())]
        for href in found:
            target = urllib.parse.urlsplit(urllib.parse.urljoin(url, href))
            if target.netloc not in ("", "testserver") or not target.path.startswith("/admin/"):
                continue
            if target.path.startswith("/admin/logout/"):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return pages


def view_on_site_urls() -> list[str]:
    """Django's "view on site" route for every object of every model the admin knows."""
    urls = []
    for model in admin.site._registry:
        content_type = ContentType.objects.get_for_model(model)
        for pk in model.objects.values_list("pk", flat=True)[:50]:
            urls.append(f"/admin/r/{content_type.pk}/{pk}/")
    return urls


@pytest.mark.django_db
def test_no_admin_page_an_hr_admin_reaches_reveals_a_private_link(
    default_criteria, assessment_factory, hr_client
):
    tokens = [
        assessment_factory(answers=examples.BOTH, company=f"Client {n}").token for n in range(3)
    ]
    pages = crawl(hr_client, reverse("admin:index"))
    assert len(pages) > 50, "the crawl should reach the criteria pages"
    for url in [*view_on_site_urls(), *pages]:
        response = pages.get(url) or hr_client.get(url)
        text = response.content.decode(errors="replace") + response.get("Location", "")
        for token in tokens:
            assert token not in text, url
        assert "/a/" not in response.get("Location", ""), url
    # The view-on-site route is closed for every model and every user.
    assessment = models.Assessment.objects.first()
    content_type = ContentType.objects.get_for_model(models.Assessment)
    assert hr_client.get(f"/admin/r/{content_type.pk}/{assessment.pk}/").status_code == 404


@pytest.mark.django_db
def test_not_even_a_superuser_is_offered_view_on_site_for_an_assessment(
    default_criteria, assessment_factory, client, superuser
):
    assessment = assessment_factory(answers=examples.BOTH)
    client.force_login(superuser)
    content_type = ContentType.objects.get_for_model(models.Assessment)
    assert client.get(f"/admin/r/{content_type.pk}/{assessment.pk}/").status_code == 404
    page = client.get(admin_url(models.Assessment, "change", assessment.pk)).content.decode()
    assert assessment.token not in page
    assert "/admin/r/" not in page


def test_no_admin_class_offers_view_on_site_for_a_model_with_a_public_url():
    """The rule for every model to come (team assessments, invitations): a model whose URL on
    the site is a private link is never linked from the admin."""
    for model, model_admin in admin.site._registry.items():
        if hasattr(model, "get_absolute_url"):
            assert model_admin.view_on_site is False, model


# ---------------------------------------------------------------------------------------------
# Validation: each rule rejects bad data with its message, and nothing is saved


def question_edit(hr_client, slug="agile-team"):
    question = models.Question.objects.get(slug=slug)
    url = admin_url(models.Question, "change", question.pk)
    return url, change_form_data(hr_client, url)


def reserved_slug_message():
    constraint = next(
        c for c in models.Question._meta.constraints if c.name == "question_slug_not_reserved"
    )
    return str(constraint.violation_error_message)


def delete_options_but(data, keep: int) -> None:
    for index in range(keep, option_count(data)):
        if data.get(f"options-{index}-id"):
            data[f"options-{index}-DELETE"] = "on"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update({"links-0-weight": "0"}), "A weight must be greater than 0."),
        (lambda d: d.update({"links-0-weight": "10.5"}), "A weight must be at most 10."),
        (lambda d: d.update({"options-0-value": "1.5"}), "Must be between 0 and 1."),
        (lambda d: d.update({"options-0-value": "-0.5"}), "Must be between 0 and 1."),
        (lambda d: d.update({"slug": "Agile Team"}), "Use lowercase letters, digits"),
        (lambda d: d.update({"slug": "company"}), reserved_slug_message),
        (lambda d: d.update({"slug": "go-to-market"}), "Question with this Slug already exists."),
        (lambda d: d.update({"options-1-key": d["options-0-key"]}), "duplicate data for key"),
        (lambda d: d.update({"options-0-key": "Not OK"}), "Use lowercase letters, digits"),
        (
            lambda d: delete_options_but(d, keep=1),
            services.QUESTION_FEW_OPTIONS.format(slug="agile-team"),
        ),
        (
            lambda d: d.update({f"options-{i}-value": "" for i in range(option_count(d))}),
            services.QUESTION_NO_VALUED_OPTION.format(slug="agile-team"),
        ),
        (
            lambda d: d.update({"links-0-DELETE": "on", "links-1-DELETE": "on"}),
            services.QUESTION_NO_LINK.format(slug="agile-team"),
        ),
    ],
    ids=[
        "weight-zero",
        "weight-over-ten",
        "value-over-one",
        "value-negative",
        "slug-format",
        "slug-reserved",
        "slug-taken",
        "option-key-twice",
        "option-key-format",
        "one-option",
        "no-valued-option",
        "no-link",
    ],
)
def test_question_form_rejects_bad_data(default_criteria, hr_client, edit, message):
    before = services.criteria_snapshot_build(include_inactive=True)
    url, data = question_edit(hr_client)
    edit(data)
    response = hr_client.post(url, data)
    message = message() if callable(message) else message
    errors = errors_of(response)
    assert any(message in error for error in errors), errors
    assert services.criteria_snapshot_build(include_inactive=True) == before


@pytest.mark.django_db
def test_a_new_question_needs_options_and_a_link(default_criteria, hr_client):
    url = admin_url(models.Question, "add")
    data = change_form_data(hr_client, url)
    data.update({"slug": "hiring-budget", "text": "We have budget.", "section": "Business"})
    response = hr_client.post(url, data)
    errors = errors_of(response)
    assert services.QUESTION_FEW_OPTIONS.format(slug="hiring-budget") in errors
    assert services.QUESTION_NO_LINK.format(slug="hiring-budget") in errors

    backlog = models.Responsibility.objects.get(slug="backlog")
    data.update(
        {
            "options-0-key": "yes",
            "options-0-label": "Yes",
            "options-0-value": "1",
            "options-1-key": "no",
            "options-1-label": "No",
            "options-1-value": "0",
            "links-0-responsibility": backlog.pk,
            "links-0-weight": "1",
        }
    )
    response = hr_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    question = models.Question.objects.get(slug="hiring-budget")
    assert [o.key for o in question.options.all()] == ["yes", "no"]
    assert question.links.get().responsibility == backlog


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_coverage", "0", rolefit_admin.PERCENT_ABOVE_ZERO),
        ("min_coverage", "120", rolefit_admin.PERCENT_ABOVE_ZERO),
        ("min_need", "150", rolefit_admin.PERCENT_RANGE),
        ("min_need", "-10", rolefit_admin.PERCENT_RANGE),
        ("focus_share", "0", rolefit_admin.PERCENT_ABOVE_ZERO),
        ("focus_share", "110", rolefit_admin.PERCENT_ABOVE_ZERO),
    ],
)
def test_policy_form_rejects_thresholds_out_of_range(
    default_criteria, hr_client, field, value, message
):
    policy = models.ScoringPolicy.objects.get()
    url = admin_url(models.ScoringPolicy, "change", policy.pk)
    data = change_form_data(hr_client, url)
    data[field] = value
    response = hr_client.post(url, data)
    assert message in errors_of(response)
    saved = models.ScoringPolicy.objects.get()
    assert (saved.min_coverage, saved.min_need, saved.focus_share) == (
        policy.min_coverage,
        policy.min_need,
        policy.focus_share,
    )


@pytest.mark.django_db
def test_policy_form_explains_each_threshold(default_criteria, hr_client):
    policy = models.ScoringPolicy.objects.get()
    page = hr_client.get(admin_url(models.ScoringPolicy, "change", policy.pk)).content.decode()
    for name in ("min_coverage", "min_need", "focus_share"):
        help_text = str(rolefit_admin.ScoringPolicyForm.base_fields[name].help_text)
        assert help_text.endswith(".") and ". " not in help_text  # one sentence
        assert help_text in page, name
    for label in ("advice: both, product manager first", "advice: both, product owner first"):
        assert label.capitalize() in page
    assert "min_fit" not in page and "tie_margin" not in page


@pytest.mark.django_db
def test_role_form_rejects_a_bad_responsibility_weight_and_slug(default_criteria, hr_client):
    role = models.Role.objects.get(slug="product-owner")
    url = admin_url(models.Role, "change", role.pk)
    data = change_form_data(hr_client, url)
    index = row(data, "responsibilities", "slug", "backlog")
    data[f"responsibilities-{index}-weight"] = "0"
    data[f"responsibilities-{index}-slug"] = "Backlog!"
    errors = errors_of(hr_client.post(url, data))
    assert "A weight must be greater than 0." in errors
    assert any("Use lowercase letters, digits" in error for error in errors)
    assert models.Responsibility.objects.get(slug="backlog").weight == 1


@pytest.mark.django_db
def test_deleting_a_responsibility_may_not_leave_a_question_without_links(
    default_criteria, hr_client
):
    role = models.Role.objects.get(slug="product-owner")
    url = admin_url(models.Role, "change", role.pk)
    data = change_form_data(hr_client, url)
    data[f"responsibilities-{row(data, 'responsibilities', 'slug', 'stakeholders')}-DELETE"] = "on"
    errors = errors_of(hr_client.post(url, data))
    assert services.QUESTION_NO_LINK.format(slug="stakeholders-lost") in errors
    assert models.Responsibility.objects.filter(slug="stakeholders").exists()


@pytest.mark.django_db
def test_an_option_edited_on_its_own_page_is_checked_with_its_siblings(hr_client):
    question = factories.QuestionFactory(
        slug="yes-no",
        options=[("yes", "Yes", Decimal("1")), ("not-sure", "Not sure", None)],
        links=[(factories.ResponsibilityFactory(), 1)],
    )
    option = question.options.get(key="yes")
    url = admin_url(models.AnswerOption, "change", option.pk)
    data = change_form_data(hr_client, url)
    data["value"] = ""
    errors = errors_of(hr_client.post(url, data))
    assert services.QUESTION_NO_VALUED_OPTION.format(slug="yes-no") in errors
    option.refresh_from_db()
    assert option.value == 1


@pytest.mark.django_db
def test_a_role_left_with_nothing_to_score_shows_a_warning(small_criteria, hr_client):
    manager_questions = [
        q for q in small_criteria if q.links.get().responsibility.role.slug == "product-manager"
    ]
    for number, question in enumerate(manager_questions):
        url = admin_url(models.Question, "change", question.pk)
        data = change_form_data(hr_client, url)
        data.pop("active")
        response = hr_client.post(url, data, follow=True)
        warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
        if number == 0:
            assert warnings == []
        else:
            problem = services.NOT_READY_ROLE.format(role="Product manager")
            assert warnings == [rolefit_admin.NOT_READY_WARNING.format(problem=problem)]
    assert not services.criteria_current().ready


# ---------------------------------------------------------------------------------------------
# Audit trail


@pytest.mark.django_db
def test_history_records_an_edit_with_its_user(default_criteria, hr_client, hr_admin):
    url, data = question_edit(hr_client)
    data["text"] = "Our product is built by an Agile team."
    data[f"links-{row(data, 'links', 'weight', '0.500')}-weight"] = "0.75"
    assert hr_client.post(url, data).status_code == 302

    question = models.Question.objects.get(slug="agile-team")
    latest = question.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == hr_admin
    assert latest.text == "Our product is built by an Agile team."
    assert latest.prev_record.text != latest.text
    link_record = models.QuestionLink.history.filter(question_id=question.pk).first()
    assert link_record.history_user == hr_admin
    assert link_record.weight == Decimal("0.75")


@pytest.mark.django_db
def test_reverting_restores_the_old_value(default_criteria, hr_client, hr_admin):
    policy = models.ScoringPolicy.objects.get()
    url = admin_url(models.ScoringPolicy, "change", policy.pk)
    original_advice, original_need = policy.advice_neither, policy.min_need
    data = change_form_data(hr_client, url)
    data.update({"advice_neither": "Wait a year.", "min_need": "60"})
    assert hr_client.post(url, data).status_code == 302
    assert models.ScoringPolicy.objects.get().min_need == Decimal("0.6")

    loaded = policy.history.order_by("history_id").first()  # as the fixture loaded it
    revert_url = admin_url(models.ScoringPolicy, "simple_history", policy.pk, loaded.history_id)
    data = change_form_data(hr_client, revert_url)
    assert hr_client.post(revert_url, data).status_code == 302

    policy.refresh_from_db()
    assert policy.advice_neither == original_advice
    assert policy.min_need == original_need
    assert policy.history.first().history_user == hr_admin


@pytest.mark.django_db
def test_a_deleted_option_can_be_reverted(default_criteria, hr_client):
    url, data = question_edit(hr_client, "team-count")
    index = row(data, "options", "key", "not-sure")
    data[f"options-{index}-DELETE"] = "on"
    assert hr_client.post(url, data).status_code == 302
    deleted = models.AnswerOption.history.filter(key="not-sure", history_type="-").get(
        question_id=models.Question.objects.get(slug="team-count").pk
    )
    before_deletion = deleted.prev_record
    revert_url = admin_url(
        models.AnswerOption, "simple_history", deleted.id, before_deletion.history_id
    )
    data = change_form_data(hr_client, revert_url)
    assert hr_client.post(revert_url, data).status_code == 302
    assert models.AnswerOption.objects.filter(question__slug="team-count", key="not-sure").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("deleted", [True, False], ids=["deleted", "renamed"])
def test_reverting_an_option_whose_key_was_reused_is_a_form_error(
    default_criteria, hr_client, deleted
):
    """Was an IntegrityError (500) for a deleted option: its key was not checked against the
    options that exist now."""
    question = models.Question.objects.get(slug="team-count")
    option = question.options.get(key="not-sure")
    url, data = question_edit(hr_client, "team-count")
    index = row(data, "options", "key", "not-sure")
    if deleted:
        data[f"options-{index}-DELETE"] = "on"
    else:
        data[f"options-{index}-key"] = "unsure"
    assert hr_client.post(url, data).status_code == 302
    # Another option takes the key.
    url, data = question_edit(hr_client, "team-count")
    data[f"options-{row(data, 'options', 'key', 'none')}-key"] = "not-sure"
    assert hr_client.post(url, data).status_code == 302
    old = models.AnswerOption.history.filter(id=option.pk, key="not-sure").earliest("history_id")
    revert_url = admin_url(models.AnswerOption, "simple_history", option.pk, old.history_id)
    before = sorted(question.options.values_list("pk", "key"))
    response = hr_client.post(revert_url, change_form_data(hr_client, revert_url))
    assert response.status_code == 200, "the revert was accepted"
    form = response.context["adminform"].form
    assert any("not-sure" in message for message in form.non_field_errors())
    assert sorted(question.options.values_list("pk", "key")) == before


@pytest.mark.django_db
def test_criteria_history_lists_every_change_newest_first(
    default_criteria, hr_client, hr_admin, django_assert_max_num_queries
):
    url, data = question_edit(hr_client)
    old_help_text = data["help_text"]
    data["help_text"] = "Scrum, Kanban or similar."
    data[f"options-{row(data, 'options', 'key', 'agree')}-label"] = "Mostly agree"
    data[f"links-{row(data, 'links', 'weight', '0.500')}-weight"] = "0.75"
    assert hr_client.post(url, data).status_code == 302

    history_url = reverse("admin:advisor_criteria_history")
    with django_assert_max_num_queries(25):
        response = hr_client.get(history_url)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == admin_views.HISTORY_PAGE_SIZE
    assert [r["date"] for r in rows] == sorted((r["date"] for r in rows), reverse=True)
    newest = rows[:3]
    assert {r["model"] for r in newest} == {"question", "answer option", "question link"}
    assert all(r["user"] == hr_admin and r["change_type"] == "Changed" for r in newest)
    changes = {c["field"]: (c["old"], c["new"]) for r in newest for c in r["changes"]}
    assert changes["Help text"] == (old_help_text, "Scrum, Kanban or similar.")
    assert changes["Label"] == ("Agree", "Mostly agree")
    assert changes["Weight"] == ("0.500", "0.750")
    assert "agile-team → " in response.content.decode()

    total = sum(model.history.count() for model in models.CRITERIA_MODELS)
    assert response.context["page_obj"].paginator.count == total
    last_page = hr_client.get(history_url, {"p": response.context["page_obj"].paginator.num_pages})
    assert last_page.context["rows"][-1]["change_type"] == "Created"

    only_links = hr_client.get(history_url, {"model": "questionlink"})
    assert {r["model"] for r in only_links.context["rows"]} == {"question link"}
    assert hr_client.get(history_url, {"model": "nonsense", "p": "x"}).status_code == 200


# ---------------------------------------------------------------------------------------------
# Criteria versions


@pytest.mark.django_db
def test_version_changes_after_a_weight_edit_and_not_after_a_help_text(default_criteria, hr_client):
    before = services.criteria_current().version
    url, data = question_edit(hr_client)
    data["help_text"] = "Sprints of two weeks, for instance."
    data["text"] = "Our product is built in sprints."
    assert hr_client.post(url, data).status_code == 302
    assert services.criteria_current().version == before

    url, data = question_edit(hr_client)
    data[f"links-{row(data, 'links', 'weight', '0.500')}-weight"] = "0.6"
    assert hr_client.post(url, data).status_code == 302
    assert services.criteria_current().version != before


@pytest.mark.django_db
def test_the_admin_shows_the_current_version_and_assessments_per_version(
    default_criteria, assessment_factory, hr_client, django_assert_max_num_queries
):
    assessment_factory(answers=examples.BOTH)
    assessment_factory(answers=examples.NEITHER)
    old_version = services.criteria_current().version
    models.ScoringPolicy.objects.update(min_need=Decimal("0.55"))
    services.criteria_touch()
    assessment_factory(answers=examples.BOTH)
    current = services.criteria_current().version

    with django_assert_max_num_queries(15):
        response = hr_client.get(admin_url(models.CriteriaVersion, "changelist"))
    assert response.status_code == 200
    listed = response.context["cl"].result_list
    counts = {v.version: (v.assessments__count, v.current) for v in listed}
    assert counts == {old_version: (2, False), current: (1, True)}
    assert current[:12] in response.content.decode()

    index = hr_client.get(reverse("admin:index")).content.decode()
    assert current[:12] in index
    assert "1 assessment scored with it" in index
    assert reverse("admin:advisor_criteria_history") in index


# ---------------------------------------------------------------------------------------------
# Results keep their meaning


@pytest.mark.django_db
def test_a_past_assessment_is_unchanged_after_edits(
    default_criteria, assessment_factory, hr_client
):
    assessment = assessment_factory(answers=examples.BOTH)
    result, snapshot = assessment.result, assessment.snapshot.content
    version = assessment.criteria_version.version

    url, data = question_edit(hr_client)
    data["text"] = "Reworded."
    data[f"links-{row(data, 'links', 'weight', '0.500')}-weight"] = "3"
    assert hr_client.post(url, data).status_code == 302
    policy = models.ScoringPolicy.objects.get()
    url = admin_url(models.ScoringPolicy, "change", policy.pk)
    data = change_form_data(hr_client, url)
    data.update({"advice_both_pm_first": "New advice.", "focus_share": "80"})
    assert hr_client.post(url, data).status_code == 302

    assessment.refresh_from_db()
    assert assessment.result == result
    assert assessment.snapshot.content == snapshot
    assert assessment.criteria_version.version == version
    fresh = assessment_factory(answers=examples.BOTH)
    assert fresh.criteria_version.version != version
    assert fresh.snapshot.content["advice"]["both-pm-first"] == "New advice."
    assert fresh.result != result


# ---------------------------------------------------------------------------------------------
# Export and import


@pytest.mark.django_db
def test_export_then_import_into_an_empty_database_scores_identically(
    default_criteria, hr_client, tmp_path
):
    url, data = question_edit(hr_client)
    data[f"links-{row(data, 'links', 'weight', '0.500')}-weight"] = "1.5"
    assert hr_client.post(url, data).status_code == 302
    answer_sets = [examples.PRODUCT_OWNER, examples.BOTH, examples.NEITHER, examples.UNDETERMINED]
    before = [services.answers_score(answers=answers) for answers in answer_sets]
    exported = services.criteria_export()

    response = hr_client.get(reverse("admin:advisor_criteria_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="rolefit-criteria-')
    assert response.content.decode() == exported
    path = tmp_path / "criteria.json"
    path.write_bytes(response.content)

    services.criteria_delete_all()
    assert not services.criteria_exist()
    call_command("load_default_criteria", "--from", str(path), stdout=io.StringIO())

    after = [services.answers_score(answers=answers) for answers in answer_sets]
    assert after == before
    assert services.criteria_export() == exported
    assert json.loads(exported)  # a real fixture, not an empty list
    # The file set the primary keys; new rows must still get free ones (PostgreSQL sequences).
    factories.QuestionFactory(links=[(models.Responsibility.objects.first(), 1)])
    models.Competency.objects.create(title="Writing", description="Clear writing.")


# ---------------------------------------------------------------------------------------------
# Preview


def preview_url():
    return reverse("admin:advisor_questionnaire_preview")


def no_saved_results():
    return not (
        models.Assessment.objects.exists()
        or models.CriteriaVersion.objects.exists()
        or models.CriteriaSnapshot.objects.exists()
    )


@pytest.mark.django_db
def test_preview_shows_the_questionnaire_with_a_banner(
    default_criteria, hr_client, django_assert_max_num_queries
):
    services.criteria_current()  # warm, as every request after the first finds it
    with django_assert_max_num_queries(6):
        response = hr_client.get(preview_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert str(admin_views.PREVIEW_TITLE) in page
    assert f'action="{preview_url()}"' in page
    assert reverse("advisor:assess") + '"' not in page.split('id="questionnaire"')[1]
    for slug in services.criteria_current().content["questions"]:
        assert f'name="{slug["slug"]}"' in page
    assert preview_url() in hr_client.get(admin_url(models.Question, "changelist")).content.decode()
    assert preview_url() in hr_client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_preview_shows_the_result_it_would_give_without_saving(
    default_criteria, hr_client, django_assert_max_num_queries
):
    policy = models.ScoringPolicy.objects.get()
    url = admin_url(models.ScoringPolicy, "change", policy.pk)
    data = change_form_data(hr_client, url)
    data["advice_both_pm_first"] = "Previewed advice: hire a product manager first."
    assert hr_client.post(url, data).status_code == 302

    services.criteria_current()
    with django_assert_max_num_queries(7):
        response = hr_client.post(preview_url(), {"company": "Acme", **examples.BOTH})
    page = response.content.decode()
    assert response.status_code == 200
    assert str(admin_views.PREVIEW_TITLE) in page
    assert escape(presentation.headline("both", "product-manager")) in page
    assert "Previewed advice: hire a product manager first." in page
    assert 'class="needs-chart' in page or "<svg" in page  # the needs profile
    version = services.answers_score(answers=examples.BOTH)["criteria_version"]
    assert version[:12] in page
    assert "Acme" not in page  # nothing of the respondent is kept or shown
    assert no_saved_results()


@pytest.mark.django_db
def test_preview_with_missing_answers_shows_the_errors(default_criteria, hr_client):
    answers = dict(examples.BOTH)
    del answers["team-count"]
    response = hr_client.post(preview_url(), {"company": "Acme", **answers})
    assert response.status_code == 200
    assert response.context["error_summary"]
    assert 'id="error-summary"' in response.content.decode()
    assert no_saved_results()


@pytest.mark.django_db
def test_preview_of_criteria_that_cannot_score_lists_the_problems(small_criteria, hr_client):
    models.Question.objects.filter(links__responsibility__role__slug="product-manager").update(
        active=False
    )
    services.criteria_touch()
    response = hr_client.post(preview_url(), {"company": "Acme"})
    problem = services.NOT_READY_ROLE.format(role="Product manager")
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert no_saved_results()


@pytest.mark.django_db
def test_preview_needs_permission_and_csrf(default_criteria, client, consultant, hr_admin):
    response = client.get(preview_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(consultant)
    assert client.get(preview_url()).status_code == 403
    assert client.post(preview_url(), {"company": "Acme", **examples.BOTH}).status_code == 403

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(hr_admin)
    assert csrf_client.post(preview_url(), {"company": "A", **examples.BOTH}).status_code == 403
    assert no_saved_results()


# ---------------------------------------------------------------------------------------------
# Issue 15: an admin that reads like RoleFit's


@pytest.mark.django_db
def test_admin_is_titled_rolefit_administration(default_criteria, hr_client):
    page = hr_client.get(reverse("admin:index")).content.decode()
    assert "RoleFit administration" in page
    assert "Django administration" not in page and "Django site admin" not in page


@pytest.mark.django_db
def test_questions_listed_by_statement_with_the_slug_as_a_column(default_criteria, hr_client):
    response = hr_client.get(admin_url(models.Question, "changelist"))
    page = response.content.decode()
    statement = models.Question.objects.get(slug="agile-team").text
    assert f">{statement}</a>" in page  # the statement opens the question
    assert ">agile-team</td>" in page  # the slug is a plain column
    url, _data = question_edit(hr_client)
    change = hr_client.get(url).content.decode()
    assert f"<h2>{statement}</h2>" in change  # titled by its statement


@pytest.mark.django_db
def test_statements_and_advice_are_edited_in_text_boxes(default_criteria, hr_client):
    url, _data = question_edit(hr_client)
    form = hr_client.get(url).context["adminform"].form
    assert isinstance(form.fields["text"].widget, forms.Textarea)
    assert isinstance(form.fields["help_text"].widget, forms.Textarea)
    policy = models.ScoringPolicy.objects.get()
    policy_form = (
        hr_client.get(admin_url(models.ScoringPolicy, "change", policy.pk))
        .context["adminform"]
        .form
    )
    for name in rolefit_admin.ADVICE_FIELDS:
        assert isinstance(policy_form.fields[name].widget, forms.Textarea), name


@pytest.mark.django_db
def test_thresholds_are_shown_and_entered_as_percentages(default_criteria, hr_client):
    policy = models.ScoringPolicy.objects.get()
    url = admin_url(models.ScoringPolicy, "change", policy.pk)
    page = hr_client.get(url).content.decode()
    assert 'name="min_need" value="65"' in page and 'name="min_coverage" value="50"' in page
    assert "Minimum need (%)" in page
    listing = hr_client.get(admin_url(models.ScoringPolicy, "changelist")).content.decode()
    assert "65%" in listing and "0.650" not in listing
    data = change_form_data(hr_client, url)
    data["min_need"] = "72.5"
    assert hr_client.post(url, data).status_code == 302
    assert models.ScoringPolicy.objects.get().min_need == Decimal("0.725")
    history = history_text(hr_client.get(admin_url(models.ScoringPolicy, "history", policy.pk)))
    assert "65% → 72.5%" in history


def history_text(response) -> str:
    """A history page's text with the old → new markup flattened."""
    text = response.content.decode()
    for markup in ('<span class="history-old">', '<span class="history-new">', "</span>"):
        text = text.replace(markup, "")
    return text.replace("&rarr;", "→")


@pytest.mark.django_db
def test_link_and_option_changes_show_in_the_questions_history(default_criteria, hr_client):
    url, data = question_edit(hr_client, "team-count")
    data[f"links-{row(data, 'links', 'weight', '0.500')}-weight"] = "2"
    data[f"options-{row(data, 'options', 'key', 'one')}-label"] = "Exactly one"
    assert hr_client.post(url, data).status_code == 302
    question = models.Question.objects.get(slug="team-count")
    page = history_text(hr_client.get(admin_url(models.Question, "history", question.pk)))
    assert "weight:</strong> 0.5 → 2" in page
    assert "Option “one”: label:</strong> One team → Exactly one" in page
    assert "Change reason" not in page and "<td>None</td>" not in page


@pytest.mark.django_db
def test_histories_show_long_values_in_full(default_criteria, hr_client):
    policy = models.ScoringPolicy.objects.get()
    url = admin_url(models.ScoringPolicy, "change", policy.pk)
    data = change_form_data(hr_client, url)
    long_advice = "Wait a year. " * 20
    data["advice_neither"] = long_advice
    assert hr_client.post(url, data).status_code == 302
    for page in (
        hr_client.get(admin_url(models.ScoringPolicy, "history", policy.pk)),
        hr_client.get(reverse("admin:advisor_criteria_history")),
    ):
        text = history_text(page)
        assert long_advice.strip() in text
        assert "chars]" not in text
        assert "Change reason" not in text
