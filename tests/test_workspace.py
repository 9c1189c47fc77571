"""The consultants' workspace: access, list, search, filters, sort, pagination, notes, login."""

import datetime
import re
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advisor import forms, models, scoring, selectors, services
from advisor.views import workspace
from tests import examples

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(default_criteria):
    return services.assessment_create(
        company="Acme Robotics",
        respondent_name="Rita Respondent",
        respondent_email="rita@example.com",
        answers=examples.STANDARD_REPORT,
    )


def bulk_copies(template: models.Assessment, count: int, **fields) -> list[models.Assessment]:
    """`count` rows sharing `template`'s version, snapshot and result (fast: one INSERT)."""
    rows = [
        models.Assessment(
            company=fields.get("company", f"Client {i:05d}"),
            answers=template.answers,
            result=template.result,
            outcome=fields.get("outcome", template.outcome),
            criteria_version=template.criteria_version,
            snapshot=template.snapshot,
        )
        for i in range(count)
    ]
    return models.Assessment.objects.bulk_create(rows)


def set_created(company: str, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    models.Assessment.objects.filter(company=company).update(created_at=moment)


def companies(response) -> list[str]:
    return [row["company"] for row in response.context["rows"]]


# ---------------------------------------------------------------------------------------------
# Access matrix (docs/product.md §1) for every URL of the workspace and the report

WORKSPACE_URLS = ["advisor:workspace", "advisor:workspace_export", "advisor:workspace_detail"]
REPORT_URLS = ["advisor:report", "advisor:report_pdf"]


TOKENLESS_URLS = {"advisor:workspace", "advisor:workspace_export"}


def url_for(name: str, token: str) -> str:
    return reverse(name) if name in TOKENLESS_URLS else reverse(name, kwargs={"token": token})


@pytest.fixture
def client_as(client, consultant_user, hr_admin_user, super_user):
    users = {"consultant": consultant_user, "hr_admin": hr_admin_user, "superuser": super_user}

    def make(who: str) -> Client:
        if who in users:
            client.force_login(users[who])
        return client

    return make


@pytest.mark.parametrize("name", WORKSPACE_URLS)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("link_holder", 302),
        ("consultant", 200),
        ("hr_admin", 403),
        ("superuser", 200),
    ],
)
def test_workspace_access(client_as, assessment, name, who, expected):
    url = url_for(name, assessment.token)
    response = client_as(who).get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", REPORT_URLS)
@pytest.mark.parametrize("who", ["link_holder", "consultant", "hr_admin", "superuser"])
def test_report_reachable_by_link_holder_and_everyone_with_the_token(
    client_as, assessment, name, who
):
    response = client_as(who).get(url_for(name, assessment.token))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "who"),
    [
        *((name, who) for name in REPORT_URLS for who in ("anonymous", "consultant")),
        ("advisor:workspace_detail", "consultant"),
        ("advisor:workspace_detail", "superuser"),
    ],
)
def test_unknown_token_is_404(client_as, assessment, name, who):
    response = client_as(who).get(url_for(name, assessment.token + "nope"))
    assert response.status_code == 404


def test_unknown_token_in_the_workspace_asks_anonymous_to_log_in_first(client, assessment):
    # Whether a token exists is nobody's business before logging in.
    response = client.get(url_for("advisor:workspace_detail", "no-such-token"))
    assert response.status_code == 302


def test_workspace_refuses_other_methods(client_as, assessment):
    client = client_as("consultant")
    assert client.post(reverse("advisor:workspace")).status_code == 405
    assert client.post(reverse("advisor:workspace_export")).status_code == 405
    assert client.delete(url_for("advisor:workspace_detail", assessment.token)).status_code == 405


def test_nav_shows_assessments_only_with_the_permission(client_as, assessment):
    workspace_link = f'href="{reverse("advisor:workspace")}"'
    hr_page = client_as("hr_admin").get(reverse("advisor:home")).content.decode()
    assert workspace_link not in hr_page
    assert "Log out" in hr_page
    consultant_page = client_as("consultant").get(reverse("advisor:home")).content.decode()
    assert workspace_link in consultant_page


def test_anonymous_nav_offers_log_in(client):
    page = client.get(reverse("advisor:home")).content.decode()
    assert f'href="{reverse("login")}"' in page
    assert "Log out" not in page


# ---------------------------------------------------------------------------------------------
# Login and logout


def test_login_page_in_the_site_style(client):
    response = client.get(reverse("login"), {"next": "/assessments/"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in page and 'name="password"' in page
    assert 'name="next" value="/assessments/"' in page
    assert "vendor/bootstrap/bootstrap.min.css" in page


def test_login_then_workspace_then_logout(client, consultant_user):
    consultant_user.set_password("unused-in-tests")
    consultant_user.save()
    response = client.post(
        reverse("login"),
        {"username": "consultant", "password": "unused-in-tests", "next": "/assessments/"},
    )
    assert response.status_code == 302 and response["Location"] == "/assessments/"
    assert client.get("/assessments/").status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/assessments/").status_code == 302


def test_login_with_a_wrong_password_stays_on_the_form(client, consultant_user):
    consultant_user.set_password("unused-in-tests")
    consultant_user.save()
    response = client.post(reverse("login"), {"username": "consultant", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


# ---------------------------------------------------------------------------------------------
# The list


@pytest.fixture
def consultant_client(client, consultant_user):
    client.force_login(consultant_user)
    return client


@pytest.fixture
def three_clients(default_criteria):
    made = {
        "Acme Robotics": examples.STANDARD_REPORT,  # product-manager
        "Bolt Logistics": examples.PRODUCT_OWNER,
        "acme foods": examples.NEITHER,
    }
    for company, answers in made.items():
        services.assessment_create(company=company, answers=answers)
    set_created("Acme Robotics", datetime.date(2025, 3, 10))
    set_created("Bolt Logistics", datetime.date(2025, 4, 2))
    set_created("acme foods", datetime.date(2025, 5, 20))


def test_list_shows_newest_first_with_outcome_and_needs(consultant_client, three_clients):
    response = consultant_client.get(reverse("advisor:workspace"))
    assert companies(response) == ["acme foods", "Bolt Logistics", "Acme Robotics"]
    assert [[row["need_po"], row["need_pm"]] for row in response.context["rows"]] == [
        ["23.3%", "25%"],
        ["100%", "0%"],
        ["53.8%", "75%"],
    ]
    page = response.content.decode()
    assert ">Product owner</td>" in page  # Bolt Logistics' outcome
    assert "Need PO" in page and "Need PM" in page
    assert "Fit PO" not in page
    # Bolt Logistics' product-owner need, labelled for the card layout on phones.
    assert 'data-label="Need for a product owner">100%</td>' in page
    report = reverse("advisor:report", kwargs={"token": models.Assessment.objects.first().token})
    assert report in page


def test_list_says_which_role_to_hire_first_for_both(consultant_client, default_criteria):
    services.assessment_create(company="Both Inc", answers=examples.BOTH)
    response = consultant_client.get(reverse("advisor:workspace"))
    (row,) = response.context["rows"]
    assert (row["need_po"], row["need_pm"], row["lead"]) == ("75%", "75%", "product manager first")
    assert 'Both <span class="text-body-secondary">(product manager first)</span>' in (
        response.content.decode()
    )


def test_search_by_company_ignores_case(consultant_client, three_clients):
    response = consultant_client.get(reverse("advisor:workspace"), {"company": "ACME"})
    assert sorted(companies(response)) == ["Acme Robotics", "acme foods"]


def test_filter_by_outcome(consultant_client, three_clients):
    response = consultant_client.get(
        reverse("advisor:workspace"), {"outcome": scoring.PRODUCT_OWNER}
    )
    assert companies(response) == ["Bolt Logistics"]
    assert response.context["total"] == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date_from": "2025-04-02"}, ["acme foods", "Bolt Logistics"]),
        ({"date_to": "2025-04-02"}, ["Bolt Logistics", "Acme Robotics"]),
        ({"date_from": "2025-04-01", "date_to": "2025-04-30"}, ["Bolt Logistics"]),
        ({"date_from": "2025-04-02", "date_to": "2025-04-02"}, ["Bolt Logistics"]),
    ],
)
def test_filter_by_date_range_includes_both_days(
    consultant_client, three_clients, params, expected
):
    assert companies(consultant_client.get(reverse("advisor:workspace"), params)) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "not-a-date"},
        {"date_to": "2025-02-30"},
        {"date_from": "2025-05-01", "date_to": "2025-04-01"},
        {"outcome": "hire-everyone"},
        {"sort": "password"},
        {"company": "x" * 201},
    ],
)
def test_bad_filters_are_form_errors_not_500(consultant_client, three_clients, params):
    response = consultant_client.get(reverse("advisor:workspace"), params)
    assert response.status_code == 200
    assert response.context["form"].errors
    # An invalid field filters nothing; the valid ones still apply.
    assert len(companies(response)) in (1, 3)


@pytest.mark.parametrize("params", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}])
def test_extreme_dates_are_no_500(consultant_client, three_clients, params):
    response = consultant_client.get(reverse("advisor:workspace"), params)
    assert response.status_code == 200
    assert len(companies(response)) == 3


def test_reversed_date_range_says_why(consultant_client, three_clients):
    response = consultant_client.get(
        reverse("advisor:workspace"), {"date_from": "2025-05-01", "date_to": "2025-04-01"}
    )
    assert response.context["form"].errors["date_to"] == [forms.DATE_RANGE_REVERSED]
    assert forms.DATE_RANGE_REVERSED in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("company", ["acme foods", "Acme Robotics", "Bolt Logistics"]),
        ("-company", ["Bolt Logistics", "Acme Robotics", "acme foods"]),
        ("created", ["Acme Robotics", "Bolt Logistics", "acme foods"]),
        ("-created", ["acme foods", "Bolt Logistics", "Acme Robotics"]),
    ],
)
def test_sort(consultant_client, three_clients, sort, expected):
    # Company order ignores case, whatever the database's collation.
    assert (
        companies(consultant_client.get(reverse("advisor:workspace"), {"sort": sort})) == expected
    )


def test_counts_per_outcome_at_the_top(consultant_client, three_clients):
    response = consultant_client.get(
        reverse("advisor:workspace"), {"outcome": scoring.NEITHER, "company": "acme"}
    )
    counts = {key: n for key, _label, n in response.context["outcome_counts"]}
    # Counts follow the search but not the outcome filter, so each one is a way to narrow down.
    assert counts == {
        scoring.PRODUCT_OWNER: 0,
        scoring.PRODUCT_MANAGER: 1,
        scoring.BOTH: 0,
        scoring.NEITHER: 1,
        scoring.UNDETERMINED: 0,
    }
    assert response.context["outcome_total"] == 2
    assert companies(response) == ["acme foods"]


def test_pagination(consultant_client, assessment):
    bulk_copies(assessment, workspace.PAGE_SIZE * 2 + 1)  # 52 assessments, three pages
    url = reverse("advisor:workspace")
    first = consultant_client.get(url, {"sort": "company"})
    second = consultant_client.get(url, {"sort": "company", "page": 2})
    last = consultant_client.get(url, {"sort": "company", "page": 3})
    assert len(companies(first)) == len(companies(second)) == workspace.PAGE_SIZE
    assert companies(last) == ["Client 00049", "Client 00050"]
    assert not set(companies(first)) & set(companies(second))
    assert 'href="?sort=company&amp;page=2"' in first.content.decode()
    assert first.context["page"].paginator.num_pages == 3


@pytest.mark.parametrize("sort", ["-created", "created", "company", "-company"])
def test_every_page_in_order_read_from_either_end(consultant_client, assessment, sort):
    # Pages in the second half are read from the end and turned round (selectors.AssessmentPages):
    # the pages together are the whole list in order, ties (one created_at) broken by the id.
    copies = bulk_copies(assessment, workspace.PAGE_SIZE * 4, company="Same Company")
    made = [assessment.pk] + [a.pk for a in copies]
    url = reverse("advisor:workspace")
    pages = [
        [
            row["detail_url"]
            for row in consultant_client.get(url, {"sort": sort, "page": n}).context["rows"]
        ]
        for n in range(1, 6)
    ]
    assert [len(page) for page in pages] == [25, 25, 25, 25, 1]
    tokens = dict(models.Assessment.objects.values_list("pk", "token"))
    created = dict(models.Assessment.objects.values_list("pk", "created_at"))
    if sort.endswith("company"):  # the template's company sorts after "Same Company"
        expected = sorted(made, key=lambda pk: (pk != assessment.pk, pk))
    else:
        expected = sorted(made, key=lambda pk: (created[pk], pk))
    if sort.startswith("-"):
        expected.reverse()
    assert sum(pages, []) == [url_for("advisor:workspace_detail", tokens[pk]) for pk in expected]


@pytest.mark.parametrize(("page", "number"), [("999", 3), ("abc", 1), ("-1", 3), ("0", 3)])
def test_out_of_range_pages_fall_back(consultant_client, assessment, page, number):
    bulk_copies(assessment, workspace.PAGE_SIZE * 2)
    response = consultant_client.get(reverse("advisor:workspace"), {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == number


def test_empty_state(consultant_client, default_criteria):
    response = consultant_client.get(reverse("advisor:workspace"))
    assert response.status_code == 200
    assert "No assessments yet." in response.content.decode()


def test_empty_state_when_filters_match_nothing(consultant_client, three_clients):
    response = consultant_client.get(reverse("advisor:workspace"), {"company": "Zenith"})
    page = response.content.decode()
    assert "No assessment matches these filters." in page
    assert response.context["total"] == 0


@pytest.mark.parametrize("count", [10, 1000])
def test_list_query_count_is_constant(
    consultant_client, assessment, count, django_assert_num_queries
):
    bulk_copies(assessment, count - 1)
    # session, user, the user's permissions (one query: advisor/permissions.py), counts per
    # outcome, the page's rows — whether the page is read from the start or (past the middle)
    # from the end
    for page in (2, 999):
        with django_assert_num_queries(5):
            response = consultant_client.get(
                reverse("advisor:workspace"), {"company": "client", "page": page, "sort": "company"}
            )
        assert response.status_code == 200
        assert response.context["total"] == count - 1
    assert len(companies(response)) == (count - 1) % workspace.PAGE_SIZE or workspace.PAGE_SIZE


def test_list_selector_date_filters_use_the_column_not_a_cast():
    filters = selectors.AssessmentFilters(
        date_from=datetime.date(2025, 1, 1), date_to=datetime.date(2025, 1, 31)
    )
    sql = str(selectors.assessment_list(filters=filters).query)
    assert '"created_at" >=' in sql and '"created_at" <' in sql


# ---------------------------------------------------------------------------------------------
# The consultant detail and notes


def test_detail_shows_the_assessment_and_the_notes_form(consultant_client, assessment):
    response = consultant_client.get(url_for("advisor:workspace_detail", assessment.token))
    page = response.content.decode()
    assert "Acme Robotics" in page and "Rita Respondent" in page
    assert 'name="consultant_notes"' in page and 'name="prepared_for"' in page
    assert reverse("advisor:report", kwargs={"token": assessment.token}) in page
    assert reverse("advisor:report_pdf", kwargs={"token": assessment.token}) in page


def test_saving_notes_redirects_back_and_keeps_them(consultant_client, assessment):
    url = url_for("advisor:workspace_detail", assessment.token)
    response = consultant_client.post(
        url,
        {
            "consultant_notes": "Start with a\r\nproduct manager.",
            "prepared_for": "Ann Client, CEO",
            "prepared_by": "Carl Consultant",
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    assessment.refresh_from_db()
    assert assessment.consultant_notes == "Start with a\nproduct manager."
    assert assessment.prepared_for == "Ann Client, CEO"
    assert assessment.prepared_by == "Carl Consultant"
    assert workspace.NOTES_SAVED in consultant_client.get(url).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"consultant_notes": "a\x00b"}, "consultant_notes", services.TEXT_NUL_CHARACTER),
        ({"prepared_by": "\x00"}, "prepared_by", services.TEXT_NUL_CHARACTER),
        (
            {"consultant_notes": "x" * (models.NOTES_MAX_LENGTH + 1)},
            "consultant_notes",
            services.TEXT_TOO_LONG % {"limit_value": 10_000, "show_value": 10_001},
        ),
        (
            {"prepared_for": "y" * 201},
            "prepared_for",
            services.TEXT_TOO_LONG % {"limit_value": 200, "show_value": 201},
        ),
    ],
)
def test_bad_notes_are_form_errors(consultant_client, assessment, data, field, message):
    response = consultant_client.post(url_for("advisor:workspace_detail", assessment.token), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assessment.refresh_from_db()
    assert assessment.consultant_notes == "" and assessment.prepared_by == ""


def test_notes_at_the_limit_count_crlf_as_one_character(consultant_client, assessment):
    notes = ("x" * 99 + "\r\n") * 99 + "x" * 100  # 10,000 characters once CRLF is LF
    response = consultant_client.post(
        url_for("advisor:workspace_detail", assessment.token), {"consultant_notes": notes}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert len(assessment.consultant_notes) == models.NOTES_MAX_LENGTH


def test_notes_post_needs_csrf(consultant_user, assessment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(consultant_user)
    url = url_for("advisor:workspace_detail", assessment.token)
    assert client.post(url, {"consultant_notes": "hi"}).status_code == 403
    assessment.refresh_from_db()
    assert assessment.consultant_notes == ""


def test_notes_post_needs_the_permission(client, hr_admin_user, assessment):
    client.force_login(hr_admin_user)
    url = url_for("advisor:workspace_detail", assessment.token)
    assert client.post(url, {"consultant_notes": "hi"}).status_code == 403
    assessment.refresh_from_db()
    assert assessment.consultant_notes == ""


def test_detail_query_count(consultant_client, assessment, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = consultant_client.get(url_for("advisor:workspace_detail", assessment.token))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"consultant_notes": "\x00"}, "Remove the NUL character (\\0) from this text."),
        (
            {"consultant_notes": "n" * 10_001},
            "Keep this to at most 10000 characters (it has 10001).",
        ),
        ({"prepared_for": "p" * 201}, "Keep this to at most 200 characters (it has 201)."),
    ],
)
def test_notes_service_refuses_what_the_database_would(assessment, fields, message):
    data = {"consultant_notes": "", "prepared_for": "", "prepared_by": "", **fields}
    with pytest.raises(ValidationError) as error:
        services.assessment_notes_update(assessment=assessment, **data)
    assert error.value.message_dict == {next(iter(fields)): [message]}


# ---------------------------------------------------------------------------------------------
# Issue 15: accent-insensitive search, an invalid date range, one date format, cards on phones


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("muller", ["Müller Maschinenbau"]),
        ("MÜLLER", ["Müller Maschinenbau"]),
        ("societe", ["Société Générale d'Essai"]),
        ("strasse", ["Großstraße Logistik"]),
        ("GROSSSTRASSE", ["Großstraße Logistik"]),
        ("ø", ["Société Générale d'Essai", "Großstraße Logistik", "Acme Robotics"]),
        ("100%", []),
        ("_", []),
    ],
)
def test_company_search_ignores_accents_and_case(consultant_client, assessment, query, expected):
    bulk_copies(assessment, 1, company="Müller Maschinenbau")
    bulk_copies(assessment, 1, company="Société Générale d'Essai")
    bulk_copies(assessment, 1, company="Großstraße Logistik")
    response = consultant_client.get(reverse("advisor:workspace"), {"company": query})
    assert sorted(companies(response)) == sorted(expected)


def test_search_text_folds_like_postgresql_unaccent():
    from advisor.search import search_text

    assert search_text("Müller") == "muller"
    assert search_text("ÉCOLE Française") == "ecole francaise"
    assert search_text("Øresund Bæk") == "oresund baek"
    assert search_text("Straße") == "strasse"
    assert search_text(None) is None


def test_reversed_date_range_keeps_the_other_filters_counts(consultant_client, three_clients):
    response = consultant_client.get(
        reverse("advisor:workspace"),
        {"company": "acme", "date_from": "2025-05-01", "date_to": "2025-04-01"},
    )
    page = response.content.decode()
    assert forms.DATE_RANGE_REVERSED in page
    # The range is ignored as a whole, not half applied: the company filter alone counts.
    assert response.context["outcome_total"] == 2
    assert sorted(companies(response)) == ["Acme Robotics", "acme foods"]
    assert "No assessment matches" not in page
    assert workspace.FILTERS_NOT_APPLIED in page


def test_dates_in_the_locale_format_on_list_and_detail(consultant_client, three_clients):
    # One format everywhere: the active locale's (English: "March 10, 2025, noon").
    list_page = consultant_client.get(reverse("advisor:workspace")).content.decode()
    assert "March 10, 2025, noon" in list_page
    assert "2025-03-10 12:00" not in list_page
    token = models.Assessment.objects.get(company="Acme Robotics").token
    detail = consultant_client.get(reverse("advisor:workspace_detail", args=[token]))
    assert "March 10, 2025, noon" in detail.content.decode()


def test_every_row_has_the_card_labels_and_the_report_link(consultant_client, three_clients):
    page = consultant_client.get(reverse("advisor:workspace")).content.decode()
    assert 'class="table table-hover align-middle workspace-table"' in page
    for label in ("Date", "Outcome", "Need for a product owner", "Need for a product manager"):
        assert page.count(f'data-label="{label}"') == 3, label
    assert page.count('class="workspace-report"') == 3


def test_the_blank_filter_form_is_rendered_once_and_a_filtered_one_each_time(
    consultant_client, assessment
):
    """The filter form with no filter in the URL shows nothing of the request: rendered once
    per language (its widgets cost most of the list's rendering, docs/benchmarks.md)."""
    url = reverse("advisor:workspace")
    first = consultant_client.get(url).content.decode()
    with mock.patch(
        "advisor.views.workspace.render_to_string", side_effect=render_to_string
    ) as rendered:
        again = consultant_client.get(url, {"page": "1"}).content.decode()
        rendered.assert_not_called()
        filtered = consultant_client.get(url, {"company": "Acme Wid"}).content.decode()
        assert rendered.call_count == 1
    form = re.compile(r'<form method="get".*?</form>', re.S)
    assert form.search(first)[0] == form.search(again)[0]
    assert 'value="Acme Wid"' in form.search(filtered)[0]
    assert 'value="Acme Wid"' not in consultant_client.get(url).content.decode()
