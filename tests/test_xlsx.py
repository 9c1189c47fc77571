"""The workspace's XLSX export (issue 15), read back with openpyxl: headers in words, dates as
dates, needs as percentages, labels for answers, the report link as text, a frozen header row,
column widths; the CSV's filters, rows, permission and formula rule; the private notes, the team
reference and the company context of docs/product.md §9."""

import csv
import datetime
import io

import openpyxl
import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from advisor import exports, models, services
from advisor.services import team as team_services
from advisor.views import workspace
from tests import examples

pytestmark = pytest.mark.django_db

URL = "/assessments/export.xlsx"


@pytest.fixture
def consultant_client(client, consultant_user):
    client.force_login(consultant_user)
    return client


def download(client, **params) -> tuple:
    response = client.get(URL, params)
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    return response, workbook.active


def values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def acme(default_criteria):
    assessment = services.assessment_create(
        company="Acme Müller GmbH",
        respondent_name="Rita Respondent",
        respondent_email="rita@example.com",
        company_size=models.CompanySize.PEOPLE_51_250,
        industry="Santé",
        answers=examples.STANDARD_REPORT,
    )
    moment = timezone.make_aware(datetime.datetime(2025, 3, 10, 14, 30))
    models.Assessment.objects.filter(pk=assessment.pk).update(created_at=moment)
    return services.assessment_notes_update(
        assessment=assessment,
        consultant_notes="Hire a PM first.\nThen revisit.",
        prepared_for="Jane Doe, CEO",
        prepared_by='=HYPERLINK("http://evil.example")',
        private_notes="Budget unclear;\n- call the CFO",
    )


def test_url_is_the_product_contract():
    assert reverse("advisor:workspace_export_xlsx") == URL


def test_header_in_words_and_a_row_for_people(consultant_client, acme):
    response, sheet = download(consultant_client)
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="rolefit-assessments-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    header, row = values(sheet)
    statements = [q["text"] for q in services.criteria_current().content["questions"]]
    assert header == [
        "Date",
        "Company",
        "Company size",
        "Industry",
        "Respondent",
        "Respondent email",
        "Team",
        "Outcome",
        "Hire first",
        "Need for a product owner",
        "Need for a product manager",
        "Answered (product owner)",
        "Answered (product manager)",
        "Prepared for",
        "Prepared by",
        "Consultant notes",
        "Private notes",
        "Report link",
        "Criteria version",
        *statements,
    ]
    cells = dict(zip(header, row, strict=True))
    assert cells["Date"] == datetime.datetime(2025, 3, 10, 14, 30)  # a date, not text
    assert cells["Company"] == "Acme Müller GmbH"
    assert cells["Outcome"] == "Product manager"
    assert cells["Need for a product manager"] == pytest.approx(0.75)
    assert cells["Consultant notes"] == "Hire a PM first.\nThen revisit."
    # docs/product.md §9: the private notes (consultants only), the context by its label.
    assert cells["Private notes"] == "Budget unclear;\n- call the CFO"
    assert cells["Company size"] == "51–250 people"
    assert cells["Industry"] == "Santé"
    assert cells["Team"] is None  # not a team respondent
    assert cells["Prepared by"] == '\'=HYPERLINK("http://evil.example")'  # the CSV's rule
    assert cells["Report link"].endswith(f"/a/{acme.token}/report/")
    assert cells["Report link"].startswith("http")
    assert cells["Criteria version"] == acme.criteria_version.version[:12]
    # Answers by their labels, under their statements.
    question = services.criteria_current().content["questions"][0]
    labels = {o["key"]: o["label"] for o in question["options"]}
    assert cells[question["text"]] == labels[examples.STANDARD_REPORT[question["slug"]]]


def test_made_for_reading(consultant_client, acme):
    _response, sheet = download(consultant_client)
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    need = sheet.cell(row=2, column=header.index("Need for a product owner") + 1)
    assert need.number_format == exports.PERCENT_FORMAT
    date = sheet.cell(row=2, column=1)
    assert date.is_date
    assert sheet[1][0].font.bold
    assert sheet.column_dimensions["B"].width >= 20  # the company is not squeezed
    assert sheet.auto_filter.ref.startswith("A1:")
    # No cell is a formula or a hyperlink.
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f" and cell.hyperlink is None


def test_same_filters_and_rows_as_the_csv(consultant_client, acme):
    services.assessment_create(company="Bolt Logistics", answers=examples.PRODUCT_OWNER)
    _response, sheet = download(consultant_client)
    assert [row[1] for row in values(sheet)[1:]] == ["Bolt Logistics", "Acme Müller GmbH"]
    _response, sheet = download(consultant_client, company="muller")
    assert [row[1] for row in values(sheet)[1:]] == ["Acme Müller GmbH"]
    _response, sheet = download(consultant_client, outcome="product-owner", sort="company")
    assert [row[1] for row in values(sheet)[1:]] == ["Bolt Logistics"]
    _response, sheet = download(consultant_client, date_to="2025-03-09")
    assert values(sheet)[1:] == []


def test_permission_as_the_csv(client, hr_admin_user, acme):
    assert client.get(URL).status_code == 302
    client.force_login(hr_admin_user)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 405


def test_unanswered_and_empty_fields_stay_empty(consultant_client, default_criteria):
    services.assessment_create(company="Blank Ltd", answers={})
    header, row = values(download(consultant_client)[1])
    cells = dict(zip(header, row, strict=True))
    assert cells["Outcome"] == "Undetermined"
    assert cells["Need for a product owner"] is None
    assert cells["Respondent"] is None and cells["Hire first"] is None
    assert cells["Company size"] is None and cells["Industry"] is None
    assert cells["Private notes"] is None


def test_view_query_count(consultant_client, acme, django_assert_max_num_queries):
    services.criteria_current()
    # session, user, the user's two permission queries, then the export's two
    with django_assert_max_num_queries(6):
        b"".join(consultant_client.get(URL).streaming_content)


def test_workspace_links_both_exports_with_its_filters(consultant_client, acme):
    page = consultant_client.get(reverse("advisor:workspace"), {"company": "acme"}).content
    assert b'href="/assessments/export.xlsx?company=acme"' in page
    assert b'href="/assessments/export.csv?company=acme"' in page
    assert workspace.WORKSPACE_PERMISSION == "advisor.use_workspace"


# XlsxWriter's constant-memory mode writes text that starts with "<r>" and ends with "</r>" as raw
# rich-text XML: this company name would close its own cell and add a HYPERLINK formula cell.
RAW_XML_COMPANY = (
    '<r><t>x</t></r></is></c><c r="Z2"><f>HYPERLINK("http://evil.example","x")</f></c>'
    '<c r="Y2" t="inlineStr"><is><r><t>y</t></r>'
)


def test_text_written_as_raw_xml_by_xlsxwriter_stays_text(consultant_client, default_criteria):
    services.assessment_create(company=RAW_XML_COMPANY, answers=examples.STANDARD_REPORT)
    header, row = values(download(consultant_client)[1])
    cells = dict(zip(header, row, strict=True))
    assert cells["Company"] == "'" + RAW_XML_COMPANY  # shown as typed, behind the CSV's quote
    _response, sheet = download(consultant_client)
    for cells_row in sheet.iter_rows():
        for cell in cells_row:
            assert cell.data_type != "f"
    assert sheet.max_column == len(header)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<r>bold</r>", "'<r>bold</r>"),
        ("<r>", "<r>"),  # not both ends: XlsxWriter escapes it
        (" <r>x</r>", " <r>x</r>"),
        ("=1+1", "'=1+1"),  # the CSV's rule first
        ("Acme <r>", "Acme <r>"),
    ],
)
def test_xlsx_safe(value, expected):
    assert exports.xlsx_safe(value) == expected


def test_rows_and_columns_match_the_csv(consultant_client, acme):
    """The same rows as the CSV, and every CSV column but the answers' keys has its XLSX
    column: the private notes, the team reference and the context (issue 15)."""
    team = team_services.team_create(
        company="Team Co", organiser_name="Olga", organiser_email="o@example.com", anonymous=False
    )
    team_services.team_join(
        team_id=team.pk, answers=examples.BOTH, respondent_name="Ann", respondent_title=""
    )
    csv_text = b"".join(
        consultant_client.get(reverse("advisor:workspace_export")).streaming_content
    ).decode()
    csv_rows = list(csv.DictReader(io.StringIO(csv_text[1:], newline="")))
    header, *rows = values(download(consultant_client)[1])
    xlsx_rows = [dict(zip(header, row, strict=True)) for row in rows]
    assert [r["Company"] for r in xlsx_rows] == [r["company"] for r in csv_rows]
    sizes = dict(models.CompanySize.choices)
    for csv_row, xlsx_row in zip(csv_rows, xlsx_rows, strict=True):
        assert (xlsx_row["Team"] or "") == csv_row["team_ref"]
        assert (xlsx_row["Private notes"] or "") == csv_row["private_notes"]
        assert (xlsx_row["Industry"] or "") == csv_row["industry"]
        assert (xlsx_row["Company size"] or "") == sizes.get(csv_row["company_size"], "")
    assert xlsx_rows[0]["Team"] == team.reference
    assert xlsx_rows[0]["Team"].startswith("T-")


def test_private_notes_and_context_follow_the_formula_rule(consultant_client, default_criteria):
    assessment = services.assessment_create(
        company="Acme", industry="@SUM(A1)", answers=examples.STANDARD_REPORT
    )
    services.assessment_notes_update(
        assessment=assessment,
        consultant_notes="",
        prepared_for="",
        prepared_by="",
        private_notes="-1+1",
    )
    header, row = values(download(consultant_client)[1])
    cells = dict(zip(header, row, strict=True))
    assert cells["Industry"] == "'@SUM(A1)"
    assert cells["Private notes"] == "'-1+1"


def test_the_context_filters_apply(consultant_client, acme):
    services.assessment_create(
        company="Bolt Logistics", company_size="1-10", industry="Logistics", answers=examples.BOTH
    )
    _response, sheet = download(consultant_client, industry="SANTE")
    assert [row[1] for row in values(sheet)[1:]] == ["Acme Müller GmbH"]
    _response, sheet = download(consultant_client, company_size="1-10")
    assert [row[1] for row in values(sheet)[1:]] == ["Bolt Logistics"]


@pytest.mark.parametrize("zone_name", ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata"])
def test_dates_are_the_spreadsheet_serial_of_the_local_time(zone_name):
    """exports.excel_datetime, which the writer uses instead of XlsxWriter's slower
    write_datetime, against openpyxl's conversion, on both sides of summer time."""
    from zoneinfo import ZoneInfo

    from openpyxl.utils.datetime import to_excel

    zone = ZoneInfo(zone_name)
    for moment in [
        datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC),
        datetime.datetime(2025, 3, 10, 14, 30, tzinfo=datetime.UTC),
        datetime.datetime(2025, 3, 30, 0, 59, 59, tzinfo=datetime.UTC),  # Berlin: still winter
        datetime.datetime(2025, 3, 30, 1, 0, 1, tzinfo=datetime.UTC),  # Berlin: summer
        datetime.datetime(2025, 10, 26, 0, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 29, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    ]:
        local = moment.astimezone(zone).replace(tzinfo=None)
        assert exports.excel_datetime(moment, zone) == pytest.approx(to_excel(local), abs=1e-9)


def test_the_date_cell_shows_the_active_time_zone(consultant_client, acme):
    with timezone.override("Europe/Berlin"):
        header, row = values(download(consultant_client)[1])
    assert dict(zip(header, row, strict=True))["Date"] == datetime.datetime(2025, 3, 10, 15, 30)


def test_private_notes_in_the_xlsx_and_nowhere_a_link_holder_sees(client, consultant_user, acme):
    """docs/product.md §9: the workspace's export carries them; the result, the report and the
    PDF, which anyone holding the link opens, still do not."""
    client.force_login(consultant_user)
    header, row = values(download(client)[1])
    assert dict(zip(header, row, strict=True))["Private notes"] == "Budget unclear;\n- call the CFO"
    client.logout()
    for name in ("advisor:result", "advisor:report", "advisor:report_pdf"):
        body = client.get(reverse(name, kwargs={"token": acme.token})).content
        text = (
            " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(body)).pages)
            if name.endswith("pdf")
            else body.decode()
        )
        assert "Budget unclear" not in text and "call the CFO" not in text, name
