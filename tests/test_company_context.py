"""Company context (docs/product.md §9): an optional size band (`company-size`) and industry
(`industry`) on the questionnaire, not scored; stored on the assessment, shown on the result,
the report and its PDF, the workspace detail; filterable in the workspace list. The exports'
columns are tested in tests/test_csv.py and tests/test_xlsx.py."""

import re
import subprocess

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from advisor import branding, forms, models, presentation, report_parts, services
from advisor.services import team as team_services
from advisor.views import workspace
from tests import examples
from tests.pdf_pages import page_texts

pytestmark = pytest.mark.django_db

SIZES = ["1-10", "11-50", "51-250", "251-1000", "1001-5000", "5001+"]


def form_data(answers=examples.STANDARD_REPORT, **extra) -> dict:
    return {"company": "Acme Robotics", **answers, **extra}


@pytest.fixture
def consultant_client(client, consultant_user):
    client.force_login(consultant_user)
    return client


@pytest.fixture
def acme(default_criteria):
    return services.assessment_create(
        company="Acme Robotics",
        company_size=models.CompanySize.PEOPLE_51_250,
        industry="Fintech",
        answers=examples.STANDARD_REPORT,
    )


def test_the_size_keys_are_those_of_product_md():
    assert models.CompanySize.values == SIZES
    assert dict(models.CompanySize.choices)["51-250"] == "51–250 people"
    assert max(map(len, SIZES)) == models.COMPANY_SIZE_MAX_LENGTH
    assert models.INDUSTRY_MAX_LENGTH == 100
    # Both field names are reserved question slugs (docs/product.md §3).
    assert set(forms.CONTEXT_FIELDS) <= models.RESERVED_SLUGS


# ---------------------------------------------------------------------------------------------
# The questionnaire


def test_the_questionnaire_asks_both_optionally_under_the_company(client, default_criteria):
    page = client.get(reverse("advisor:assess")).content.decode()
    assert page.index('name="company"') < page.index('name="company-size"')
    assert page.index('name="company-size"') < page.index('name="industry"')
    assert page.index('name="industry"') < page.index('name="respondent-name"')
    for key, label in models.CompanySize.choices:
        assert f'<option value="{key}">{label}</option>' in page
    assert 'maxlength="100"' in page[page.index('name="industry"') - 300 :]
    assert "Not used for the recommendation" in page


def test_both_are_stored_from_the_questionnaire_and_not_scored(client, default_criteria):
    response = client.post(
        reverse("advisor:assess"),
        form_data(**{"company-size": "51-250", "industry": "  Santé publique  "}),
    )
    assert response.status_code == 302
    stored = models.Assessment.objects.get()
    assert (stored.company_size, stored.industry) == ("51-250", "Santé publique")  # stripped
    # Not scored: the same answers without context give the very same result.
    plain = services.assessment_create(company="Plain", answers=examples.STANDARD_REPORT)
    assert stored.result == plain.result


def test_both_may_be_left_out(client, default_criteria):
    response = client.post(reverse("advisor:assess"), form_data())
    assert response.status_code == 302
    stored = models.Assessment.objects.get()
    assert (stored.company_size, stored.industry) == ("", "")


def _kept_answers(page: str) -> dict[str, str]:
    return dict(
        re.findall(r'name="([a-z-]+)" id="id_[a-z-]+_\d+" value="([a-z-]+)"[^>]*checked', page)
    )


def test_an_unknown_size_is_an_error_that_keeps_every_answer(client, default_criteria):
    response = client.post(
        reverse("advisor:assess"),
        form_data(**{"company-size": "huge", "industry": "Fintech"}),
    )
    # Only a hand-made request sends an unknown key: 400, the form shown again with its answers.
    assert response.status_code == 400
    page = response.content.decode()
    assert str(forms.COMPANY_SIZE_INVALID) in page
    assert 'href="#id_company-size"' in page  # the error summary links to the field
    assert _kept_answers(page) == examples.STANDARD_REPORT
    assert 'value="Acme Robotics"' in page and 'value="Fintech"' in page
    assert not models.Assessment.objects.exists()


def test_an_industry_over_100_characters_is_an_error_that_keeps_every_answer(
    client, default_criteria
):
    ok = client.post(reverse("advisor:assess"), form_data(industry="x" * 100))
    assert ok.status_code == 302
    response = client.post(
        reverse("advisor:assess"),
        form_data(**{"industry": "y" * 101, "company-size": "11-50"}),
    )
    assert response.status_code == 200  # a person can paste too much
    page = response.content.decode()
    assert "Keep the industry to at most 100 characters (it has 101)." in page
    assert _kept_answers(page) == examples.STANDARD_REPORT
    assert '<option value="11-50" selected>' in page
    assert models.Assessment.objects.count() == 1


def test_a_nul_character_in_the_industry_is_refused(client, default_criteria):
    response = client.post(reverse("advisor:assess"), form_data(industry="Fin\x00tech"))
    assert response.status_code == 400
    assert str(forms.INDUSTRY_NUL_CHARACTER) in response.content.decode()
    assert not models.Assessment.objects.exists()


def test_the_database_refuses_what_the_form_does(acme):
    for field, value in (("company_size", "huge"), ("industry", "z" * 101)):
        # PostgreSQL's varchar(100) refuses the long text first (DataError); SQLite's check does.
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            models.Assessment.objects.filter(pk=acme.pk).update(**{field: value})


def test_a_prefilled_link_may_carry_the_context(client, default_criteria):
    page = client.get(
        reverse("advisor:assess"), {"company-size": "5001+", "industry": "Retail"}
    ).content.decode()
    assert '<option value="5001+" selected>' in page and 'value="Retail"' in page
    page = client.get(reverse("advisor:assess"), {"company-size": "6000"}).content.decode()
    select = page[page.index('name="company-size"') :].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)" selected>', select) == [""]  # unusable: dropped


def test_the_change_page_prefills_and_keeps_the_context(client, acme):
    url = reverse("advisor:change", kwargs={"token": acme.token})
    page = client.get(url).content.decode()
    assert '<option value="51-250" selected>' in page
    assert 'name="industry" value="Fintech"' in page
    response = client.post(url, form_data(**{"company-size": "251-1000", "industry": "Fintech"}))
    assert response.status_code == 302
    new = models.Assessment.objects.exclude(pk=acme.pk).get()
    assert (new.company_size, new.industry) == ("251-1000", "Fintech")


def test_team_respondents_are_not_asked_the_context(client, default_criteria):
    """The team has its company (docs/product.md §8): its respondents' form asks neither field
    and refuses them like any field it does not have; their assessments carry no context."""
    team = team_services.team_create(
        company="Team Co", organiser_name="Olga", organiser_email="o@example.com", anonymous=False
    )
    url = reverse("advisor:team_join", kwargs={"token": team.invitation_token})
    page = client.get(url).content.decode()
    assert 'name="company-size"' not in page and 'name="industry"' not in page
    data = {"respondent-name": "Ann", **examples.BOTH}
    refused = client.post(url, {**data, "industry": "Fintech"})
    assert refused.status_code == 400
    assert client.post(url, data).status_code == 302
    respondent = models.Assessment.objects.get(team=team)
    assert (respondent.company_size, respondent.industry) == ("", "")


# ---------------------------------------------------------------------------------------------
# Where it shows


def test_context_in_words():
    assessment = models.Assessment(company_size="51-250", industry="Fintech")
    assert presentation.company_context_text(assessment) == "51–250 people · Fintech"
    assessment.industry = ""
    assert presentation.company_context_text(assessment) == "51–250 people"
    assessment.company_size, assessment.industry = "", "Fintech"
    assert presentation.company_context_text(assessment) == "Fintech"
    assert presentation.company_context_text(models.Assessment()) == ""


def test_the_result_page_shows_the_context(client, acme):
    page = client.get(acme.get_absolute_url()).content.decode()
    assert "Assessment for <strong>Acme Robotics</strong> (51–250 people · Fintech)," in page


def test_the_report_shows_the_context_beside_the_company(client, acme):
    page = client.get(reverse("advisor:report", kwargs={"token": acme.token})).content.decode()
    # On the company's line, outside the heading (whose name stays the company's).
    assert (
        '<h1 class="report-company">Acme Robotics</h1> <span class="report-company-context">'
        "· 51–250 people · Fintech</span></div>"
    ) in page
    assert (
        report_parts.report_context(acme, brand=branding.brand_current())["company_context"]
        == "51–250 people · Fintech"
    )


def test_a_report_without_context_shows_none(client, default_criteria):
    plain = services.assessment_create(company="Plain Ltd", answers=examples.STANDARD_REPORT)
    page = client.get(reverse("advisor:report", kwargs={"token": plain.token})).content.decode()
    assert '<h1 class="report-company">Plain Ltd</h1>' in page
    assert "report-company-context" not in page


def test_the_pdf_shows_the_context_on_its_first_page(client, acme):
    response = client.get(reverse("advisor:report_pdf", kwargs={"token": acme.token}))
    pages = page_texts(response.content)
    # pypdf drops the space where the font size changes (pdftotext keeps it: the next test).
    first = re.sub(r"\s*·\s*", " · ", re.sub(r"\s+", " ", pages[0]))
    assert "Acme Robotics · 51–250 people · Fintech" in first
    assert len(pages) <= 3  # the standard report still fits (docs/product.md §7)


def test_pdftotext_reads_the_context_too(client, acme, tmp_path):
    """The PDF's text as a reader's tool extracts it (poppler's pdftotext, where installed)."""
    import shutil

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(
        client.get(reverse("advisor:report_pdf", kwargs={"token": acme.token})).content
    )
    text = subprocess.run(
        ["pdftotext", "-l", "1", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Acme Robotics · 51–250 people · Fintech" in re.sub(r"[ \t]+", " ", text)


def test_the_workspace_detail_shows_the_context(consultant_client, acme):
    url = reverse("advisor:workspace_detail", kwargs={"token": acme.token})
    page = consultant_client.get(url).content.decode()
    assert "· 51–250 people · Fintech</span>" in page


# ---------------------------------------------------------------------------------------------
# The workspace list's filters


@pytest.fixture
def clients(default_criteria):
    made = [
        ("Acme", "51-250", "Santé publique"),
        ("Bolt", "1-10", "SANTE ANIMALE"),
        ("Cedar", "51-250", "Fintech"),
        ("Delta", "", ""),
    ]
    for company, size, industry in made:
        services.assessment_create(
            company=company, company_size=size, industry=industry, answers=examples.BOTH
        )


def companies(response) -> list[str]:
    return sorted(row["company"] for row in response.context["rows"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"company_size": "51-250"}, ["Acme", "Cedar"]),
        ({"company_size": "5001+"}, []),
        ({"industry": "sante"}, ["Acme", "Bolt"]),  # accents and case ignored
        ({"industry": "SANTÉ"}, ["Acme", "Bolt"]),
        ({"industry": "publique"}, ["Acme"]),
        ({"industry": "sante", "company_size": "1-10"}, ["Bolt"]),
        ({"industry": "%"}, []),  # LIKE's wildcards are literal
        ({"industry": "   "}, ["Acme", "Bolt", "Cedar", "Delta"]),
    ],
)
def test_filter_by_size_band_and_industry(consultant_client, clients, params, expected):
    response = consultant_client.get(reverse("advisor:workspace"), params)
    assert companies(response) == expected
    assert response.context["outcome_total"] == len(expected)  # the counts follow the filters


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"company_size": "huge"}, "“huge” is not a company size: choose one from the list"),
        ({"industry": "x" * 101}, "An industry has at most 100 characters"),
    ],
)
def test_an_invalid_context_filter_says_so_and_filters_nothing(
    consultant_client, clients, params, message
):
    response = consultant_client.get(reverse("advisor:workspace"), {"company": "a", **params})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert workspace.FILTERS_NOT_APPLIED in page
    assert "No assessment matches" not in page
    # The company filter still applies; the invalid one is left out, not an empty list.
    assert companies(response) == ["Acme", "Cedar", "Delta"]


def test_the_filters_are_on_the_list_page_and_in_the_export_links(consultant_client, clients):
    page = consultant_client.get(
        reverse("advisor:workspace"), {"company_size": "1-10", "industry": "santé"}
    ).content.decode()
    assert '<option value="1-10" selected>1–10 people</option>' in page
    assert 'name="industry" value="santé"' in page
    assert "/assessments/export.csv?company_size=1-10&amp;industry=sant%C3%A9" in page
    assert "Clear" in page


def test_the_list_costs_the_same_queries_with_the_context_filters(
    consultant_client, clients, django_assert_max_num_queries
):
    url = reverse("advisor:workspace")
    consultant_client.get(url)
    # session, user, two permission queries, the counts and one page (tests/test_workspace.py)
    with django_assert_max_num_queries(6):
        consultant_client.get(url, {"company_size": "51-250", "industry": "sante"})


# ---------------------------------------------------------------------------------------------
# Migration 0013


@pytest.mark.django_db(transaction=True)
def test_migration_0013_adds_blank_context_to_existing_assessments(default_criteria):
    services.assessment_create(company="Before", answers=examples.BOTH)
    executor = MigrationExecutor(connection)
    executor.migrate([("advisor", "0012_team_outcome")])
    columns = [
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), "advisor_assessment"
        )
    ]
    assert "company_size" not in columns and "industry" not in columns
    MigrationExecutor(connection).migrate([("advisor", "0013_company_context")])
    stored = models.Assessment.objects.get()
    assert (stored.company_size, stored.industry) == ("", "")
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "advisor_assessment")
    assert indexes["assessment_size_idx"]["columns"] == [
        "company_size",
        "outcome",
        "created_at",
        "id",
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = "
                "'assessment_industry_search_trgm_idx'"
            )
            (definition,) = cursor.fetchone()
        assert "rolefit_search_text" in definition and "gin_trgm_ops" in definition
