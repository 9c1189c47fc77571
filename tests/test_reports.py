"""The client's report (PRODUCT.md §7): the print view and the PDF."""

import io
import re

import pypdf
import pytest
from django.urls import reverse

from advisor import reports, scoring, services
from tests import examples

pytestmark = pytest.mark.django_db

# PRODUCT.md §7's standard report carries a 100-word consultant note.
NOTE = (
    "Acme's answers point clearly at building the business rather than running delivery. "
    "Strategy, go-to-market and margins all scored high, while the single development team "
    "already works in sprints with a reasonably clear backlog. We recommend hiring a senior "
    "product manager first, reporting to the CEO, with a mandate to own the multiyear product "
    "strategy and the pricing review. Product-owner duties can stay with the team lead for now. "
    "Revisit this once a second team starts, or if backlog quality slips. Next step: agree the "
    "role profile together in our workshop on Thursday, then open the executive search in "
    "early spring."
)


@pytest.fixture
def standard_report(default_criteria):
    assessment = services.assessment_create(
        company="Acme Robotics",
        respondent_name="Rita Respondent",
        answers=examples.STANDARD_REPORT,
    )
    return services.assessment_notes_update(
        assessment=assessment,
        consultant_notes=NOTE,
        prepared_for="Ann Client, CEO",
        prepared_by="Carl Consultant",
    )


def test_the_standard_note_has_100_words():
    assert len(NOTE.split()) == 100


def report_url(assessment) -> str:
    return reverse("advisor:report", kwargs={"token": assessment.token})


def pdf_url(assessment) -> str:
    return reverse("advisor:report_pdf", kwargs={"token": assessment.token})


def pdf_text(response) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


# ---------------------------------------------------------------------------------------------
# The print view


def test_report_shows_everything_of_product_md_7(client, standard_report):
    response = client.get(report_url(standard_report))
    assert response.status_code == 200
    page = response.content.decode()
    for expected in [
        "Acme Robotics",
        standard_report.created_at.strftime("%Y"),
        "Ann Client, CEO",  # prepared for
        "Carl Consultant",  # prepared by
        "Hire a product manager",  # outcome and advice
        '<svg class="needs-chart"',  # the needs profile
        "Appendix: needs by responsibility",
        "Developing a multiyear product strategy",  # responsibility table / role's duties
        "Linked answers",
        "The answers that weighed most for each role.",  # drivers
        "It would take two answers changing",  # sensitivity
        "When to hire:",
        "What to look for in a product manager",
        "Revenue increased by 17%",  # case study
        "Product-line complexity reduced by 80%",
        "pricing review",  # the consultant's note
        "Appendix: the answers",
        standard_report.criteria_version.version[:12],
        "css/print.css",  # the print stylesheet
    ]:
        assert expected in page, expected
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_report_links_to_the_pdf_and_the_result(client, standard_report):
    page = client.get(report_url(standard_report)).content.decode()
    assert f'href="{pdf_url(standard_report)}"' in page
    assert f'href="{standard_report.get_absolute_url()}"' in page


def test_report_for_a_product_owner_has_no_case_study(client, default_criteria):
    assessment = services.assessment_create(company="Bolt", answers=examples.PRODUCT_OWNER)
    page = client.get(report_url(assessment)).content.decode()
    assert "Hire a product owner" in page
    assert "Managing the product backlog" in page
    assert "Revenue increased by 17%" not in page
    assert "Consultant's notes" not in page  # no notes, no empty section


@pytest.mark.parametrize("answers", [examples.BOTH, examples.NEITHER, examples.UNDETERMINED])
def test_report_renders_every_outcome(client, default_criteria, answers):
    assessment = services.assessment_create(company="Cedar", answers=answers)
    response = client.get(report_url(assessment))
    assert response.status_code == 200
    assert "When to hire" in response.content.decode() or "When to revisit" in (
        response.content.decode()
    )


def test_notes_are_escaped_and_keep_their_paragraphs(client, default_criteria):
    assessment = services.assessment_create(company="<b>Evil</b>", answers=examples.BOTH)
    services.assessment_notes_update(
        assessment=assessment,
        consultant_notes="First <script>alert(1)</script>\n\nSecond paragraph",
        prepared_for="",
        prepared_by="",
    )
    page = client.get(report_url(assessment)).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<b>Evil</b>" not in page
    assert "<p>Second paragraph</p>" in page


def test_report_templates_keep_to_the_strict_csp(client, standard_report, consultant_user):
    client.force_login(consultant_user)
    for url in [
        report_url(standard_report),
        reverse("advisor:workspace_detail", kwargs={"token": standard_report.token}),
        reverse("advisor:workspace"),
    ]:
        page = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url  # no inline scripts
        assert not re.search(r"\son[a-z]+\s*=", page), url  # no event handler attributes
        assert not re.search(r"\sstyle\s*=", page), url  # no style attributes
        assert "<style" not in page, url


def test_report_query_count(client, standard_report, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert client.get(report_url(standard_report)).status_code == 200


# ---------------------------------------------------------------------------------------------
# The responsibility table


def test_responsibility_table_shows_the_stored_needs_and_focus(standard_report):
    table = reports.responsibility_table(standard_report)
    assert [role["slug"] for role in table] == [scoring.PRODUCT_MANAGER, scoring.PRODUCT_OWNER]
    pm, po = table
    assert (pm["need_text"], po["need_text"]) == ("75%", "53.8%")
    assert [(row["text"], row["need_text"], row["focus"]) for row in po["rows"]] == [
        ("Managing the product backlog", "55%", True),
        ("Communicating the product goal", "56.3%", True),
        ("Representing stakeholders", "50%", True),
        ("Ensuring alignment with the product roadmap", "50%", False),
    ]
    # backlog ← agile-team, backlog-unclear, delivery-focus, team-count (appendix numbers)
    assert [(a["number"], a["answer"]) for a in po["rows"][0]["answers"]] == [
        (1, "Neutral"),
        (2, "Neutral"),
        (6, "Neutral"),
        (7, "One team"),
    ]


def test_responsibility_table_without_answers_for_a_role(default_criteria):
    assessment = services.assessment_create(company="Half", answers={"agile-team": "agree"})
    pm = {role["slug"]: role for role in reports.responsibility_table(assessment)}[
        scoring.PRODUCT_MANAGER
    ]
    assert pm["need_text"] == "–"
    assert all(row["need_text"] == "–" and not row["focus"] for row in pm["rows"])


def test_appendix_numbers_match_the_table(standard_report):
    appendix = reports.answers_appendix(standard_report)
    assert [s["section"] for s in appendix] == ["Team & delivery", "Business & growth"]
    numbers = [item["number"] for section in appendix for item in section["items"]]
    assert numbers == list(range(1, 17))
    assert appendix[0]["items"][6]["answer"] == "One team"


# ---------------------------------------------------------------------------------------------
# The PDF


def test_standard_report_pdf(client, standard_report):
    response = client.get(pdf_url(standard_report))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    date = standard_report.created_at.strftime("%Y-%m-%d")
    assert response["Content-Disposition"] == (
        f'attachment; filename="rolefit-report-acme-robotics-{date}.pdf"'
    )
    pages, text = pdf_text(response)
    assert pages <= 3
    for expected in [
        "Acme Robotics",
        "Hire a product manager",
        "Ann Client, CEO",
        "Carl Consultant",
        # the recommended role's responsibilities
        "Developing a multiyear product strategy",
        "Creating go-to-market plans with marketing and sales",
        # the case study's results, since a product manager is recommended
        "Revenue increased by 17%",
        "Product-line complexity reduced by 80%",
        "Improved gross margins",
        "open the executive search in early spring",  # the consultant's note
        f"criteria version {standard_report.criteria_version.version[:12]}",
        f"1 / {pages}",  # page numbers in the footer
    ]:
        assert expected in text, expected


def test_pdf_for_a_product_owner(client, default_criteria):
    assessment = services.assessment_create(company="Bolt & Co", answers=examples.PRODUCT_OWNER)
    response = client.get(pdf_url(assessment))
    pages, text = pdf_text(response)
    assert pages <= 3
    assert "Hire a product owner" in text and "Managing the product backlog" in text
    assert "Revenue increased by 17%" not in text
    assert 'filename="rolefit-report-bolt-co-' in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("answers", "headline"),
    [
        (examples.BOTH, "Hire both roles, a product manager first"),
        (examples.NEITHER, "Neither role yet"),
        (examples.UNDETERMINED, "Not enough answers to advise"),
    ],
)
def test_pdf_renders_every_outcome(client, default_criteria, answers, headline):
    assessment = services.assessment_create(company="Ünïcode Straße", answers=answers)
    response = client.get(pdf_url(assessment))
    pages, text = pdf_text(response)
    assert pages <= 3
    assert headline in text and "Ünïcode Straße" in text
    assert 'filename="rolefit-report-unicode-strae-' in response["Content-Disposition"]


def test_pdf_with_the_longest_notes_still_renders(client, default_criteria):
    assessment = services.assessment_create(company="Long", answers=examples.BOTH)
    services.assessment_notes_update(
        assessment=assessment,
        consultant_notes=("A long paragraph of advice. " * 40 + "\n\n") * 8,
        prepared_for="p" * 200,
        prepared_by="q" * 200,
    )
    response = client.get(pdf_url(assessment))
    assert response.status_code == 200
    pages, text = pdf_text(response)
    assert pages > 3 and "A long paragraph of advice." in text


def test_pdf_fetches_nothing(standard_report, monkeypatch, caplog):
    # A template that asked for a file or a server would get nothing: WeasyPrint logs the refusal.
    page = '<img src="file:///etc/hostname"><link rel="stylesheet" href="http://example.invalid/">'
    monkeypatch.setattr(reports, "render_to_string", lambda *args: page)
    assert reports.render_pdf(standard_report).startswith(b"%PDF")
    assert caplog.text.count("RoleFit's PDF fetches nothing") == 2


def test_pdf_query_count(client, standard_report, django_assert_max_num_queries):
    client.get(pdf_url(standard_report))  # WeasyPrint loads on the first PDF
    with django_assert_max_num_queries(1):
        assert client.get(pdf_url(standard_report)).status_code == 200


def test_pdf_is_refused_for_other_methods(client, standard_report):
    assert client.post(pdf_url(standard_report)).status_code == 405


def test_result_page_links_to_the_report_and_the_pdf(client, standard_report):
    page = client.get(standard_report.get_absolute_url()).content.decode()
    assert f'href="{report_url(standard_report)}"' in page
    assert f'href="{pdf_url(standard_report)}"' in page
