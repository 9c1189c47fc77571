"""The workspace's XLSX export: the CSV's rows (advisor/workspace.py), made for people.

Headers in words, dates as spreadsheet dates, needs and coverage as percentages, answers as
their labels, the size band by its label, the private notes and the team reference as in the
CSV (docs/product.md §9), the private link to the report as text (spreadsheets cap hyperlinks
per sheet), a frozen, filterable header row and set column widths. Text cells follow the CSV's
formula-injection rule (`csv_safe`), and text XlsxWriter would write as raw XML is neutralised
the same way (`xlsx_safe`).

XlsxWriter in constant-memory mode writes each row to a temporary file as it comes, so memory
stays flat whatever the number of rows (docs/benchmarks.md, "XLSX export"); it measured faster
than openpyxl's write-only mode on this kind of machine. The workbook is finished in a
temporary file, which the view then streams.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Sequence
from typing import IO, Any

import xlsxwriter
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from advisor import mail, models

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """Neutralise a cell a spreadsheet would read as a formula (OWASP: prefix a single quote).

    Spreadsheets also take the full-width signs (＝ ＋ － ＠, and the small ﹦ ﹢ ﹣) as formula
    signs and skip invisible format characters (a zero-width space, a BOM) before them: the
    check is on the first character that is not one, in its compatibility (NFKC) form.
    """
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    visible = next((c for c in value if unicodedata.category(c) != "Cf"), "")
    if unicodedata.normalize("NFKC", visible).startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# XlsxWriter's constant-memory mode writes a string that starts with "<r>" and ends with "</r>"
# into the sheet as raw rich-text XML, unescaped: such a company name could close its cell and
# add a formula cell of its own. The same leading quote as a formula sign makes it plain text.
RAW_XML_START, RAW_XML_END = "<r>", "</r>"


def xlsx_safe(value: str) -> str:
    """A text cell for the XLSX: the CSV's formula rule (`csv_safe`), and a leading quote on text
    that XlsxWriter would otherwise write as raw XML."""
    value = csv_safe(value)
    if value.startswith(RAW_XML_START) and value.endswith(RAW_XML_END):
        return "'" + value
    return value


# Excel's built-in date-and-time format: shown in the reader's own locale.
LOCALE_DATETIME_FORMAT = 22
PERCENT_FORMAT = "0.0%"

# Column width in characters, by kind of column.
WIDTHS = {
    "date": 17,
    "name": 28,
    "size": 18,
    "reference": 9,
    "text": 40,
    "percent": 12,
    "link": 60,
    "answer": 22,
}


def _number(value) -> float | None:
    """A number picked out of JSON by the database (text; SQLite may give "null")."""
    return None if value is None or value == "null" else float(value)


def xlsx_columns(questions: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(header, kind) of every column, in order: the fixed ones, then one per question."""
    return [
        (_("Date"), "date"),
        (_("Company"), "name"),
        (_("Company size"), "size"),
        (_("Industry"), "name"),
        (_("Respondent"), "name"),
        (_("Respondent email"), "name"),
        (_("Team"), "reference"),
        (_("Outcome"), "name"),
        (_("Hire first"), "name"),
        (_("Need for a product owner"), "percent"),
        (_("Need for a product manager"), "percent"),
        (_("Answered (product owner)"), "percent"),
        (_("Answered (product manager)"), "percent"),
        (_("Prepared for"), "name"),
        (_("Prepared by"), "name"),
        (_("Consultant notes"), "text"),
        (_("Private notes"), "text"),
        (_("Report link"), "link"),
        (_("Criteria version"), "percent"),
        *((question["text"], "answer") for question in questions),
    ]


def xlsx_write(file: IO[bytes], *, questions: Sequence[dict[str, Any]], rows: Iterable[tuple]):
    """Write the workbook into `file`: `rows` as `selectors.assessment_export_rows` gives them
    with `extra=selectors.XLSX_EXTRA_VALUES`; `questions` the current criteria's, in order."""
    workbook = xlsxwriter.Workbook(
        file,
        {
            "constant_memory": True,
            # Every text cell is written as text, never read as a formula, number or link.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(_("Assessments"))
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    date = workbook.add_format({"num_format": LOCALE_DATETIME_FORMAT, "align": "left"})
    percent = workbook.add_format({"num_format": PERCENT_FORMAT})

    columns = xlsx_columns(questions)
    for index, (_header, kind) in enumerate(columns):
        sheet.set_column(index, index, WIDTHS[kind])
    sheet.set_row(0, 60 if questions else 30)
    for index, (title, _kind) in enumerate(columns):
        sheet.write_string(0, index, xlsx_safe(title), header)
    sheet.freeze_panes(1, 0)

    outcomes = {key: str(label) for key, label in models.Outcome.choices}
    roles = {key: str(label) for key, label in models.Role.SLUG_CHOICES}
    sizes = {key: str(label) for key, label in models.CompanySize.choices}
    labels = [{o["key"]: o["label"] for o in question["options"]} for question in questions]
    slugs = [question["slug"] for question in questions]
    report_url = mail.site_url(reverse("advisor:report", kwargs={"token": "TOKEN"}))
    before_token, after_token = report_url.split("TOKEN")

    row_number = 0
    for row_number, row in enumerate(rows, start=1):
        (created_at, company, name, email, outcome, *numbers, version, private, team_id) = row[:12]
        company_size, industry, answers = row[12:15]
        lead, prepared_for, prepared_by, notes, token = row[15:]
        local = timezone.localtime(created_at).replace(tzinfo=None)
        sheet.write_datetime(row_number, 0, local, date)
        texts = [
            company,
            sizes.get(company_size, company_size),
            industry,
            name,
            email,
            models.team_reference(team_id),
            outcomes.get(outcome, outcome),
            roles.get(lead, ""),
        ]
        for offset, text in enumerate(texts, start=1):
            if text:
                sheet.write_string(row_number, offset, xlsx_safe(text))
        for offset, value in enumerate(numbers, start=9):
            number = _number(value)
            if number is not None:
                sheet.write_number(row_number, offset, number, percent)
        for offset, text in enumerate((prepared_for, prepared_by, notes, private), start=13):
            if text:
                sheet.write_string(row_number, offset, xlsx_safe(text))
        sheet.write_string(row_number, 17, before_token + token + after_token)
        sheet.write_string(row_number, 18, version[:12])
        for offset, (slug, options) in enumerate(zip(slugs, labels, strict=True), start=19):
            key = answers.get(slug)
            if key:
                sheet.write_string(row_number, offset, xlsx_safe(options.get(key, key)))
    sheet.autofilter(0, 0, max(row_number, 1), len(columns) - 1)
    workbook.close()


def xlsx_filename(today: datetime.date) -> str:
    return f"rolefit-assessments-{today:%Y-%m-%d}.xlsx"
