"""The workspace's exports: the XLSX, made for people, and the CSV, made for machines.

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

import csv
import datetime
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

import xlsxwriter
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advisor import mail, models, selectors

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
    if not value or value[0] < "\x80":
        # An ASCII first character is visible and its own NFKC form: checked just above. (The
        # common case, and the exports call this for every text cell.)
        return value
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


# The fixed columns, in order: (key, header, kind). A key names the row value that fills the
# column (selectors.EXPORT_ROW_FIELDS and XLSX_EXTRA_VALUES), or one made from them.
FIXED_COLUMNS = (
    ("created_at", gettext_lazy("Date"), "date"),
    ("company", gettext_lazy("Company"), "name"),
    ("company_size", gettext_lazy("Company size"), "size"),
    ("industry", gettext_lazy("Industry"), "name"),
    ("respondent_name", gettext_lazy("Respondent"), "name"),
    ("respondent_email", gettext_lazy("Respondent email"), "name"),
    ("team_ref", gettext_lazy("Team"), "reference"),
    ("outcome", gettext_lazy("Outcome"), "name"),
    ("lead", gettext_lazy("Hire first"), "name"),
    ("need_po", gettext_lazy("Need for a product owner"), "percent"),
    ("need_pm", gettext_lazy("Need for a product manager"), "percent"),
    ("cov_po", gettext_lazy("Answered (product owner)"), "percent"),
    ("cov_pm", gettext_lazy("Answered (product manager)"), "percent"),
    ("prepared_for", gettext_lazy("Prepared for"), "name"),
    ("prepared_by", gettext_lazy("Prepared by"), "name"),
    ("consultant_notes", gettext_lazy("Consultant notes"), "text"),
    ("private_notes", gettext_lazy("Private notes"), "text"),
    ("report_link", gettext_lazy("Report link"), "link"),
    ("criteria_version", gettext_lazy("Criteria version"), "percent"),
)
COLUMN = {key: index for index, (key, _header, _kind) in enumerate(FIXED_COLUMNS)}
# Text people typed, written under the text rule (xlsx_safe) when not empty.
FREE_TEXT = (
    "company",
    "industry",
    "respondent_name",
    "respondent_email",
    "prepared_for",
    "prepared_by",
    "consultant_notes",
    "private_notes",
)
# Needs and coverage, picked out of the result JSON by the database as text.
PERCENTS = ("need_po", "need_pm", "cov_po", "cov_pm")
ROW_KEYS = (*selectors.EXPORT_ROW_FIELDS, *selectors.XLSX_EXTRA_VALUES)

# Excel's day 0 is 1899-12-30 once its 1900 leap-year error is counted: 1970-01-01 is day 25569.
EXCEL_UNIX_EPOCH_DAY = 25569
SECONDS_PER_DAY = 86400


def excel_datetime(moment: datetime.datetime, zone: datetime.tzinfo) -> float:
    """`moment` as a spreadsheet date-time serial in the local time of `zone` (what XlsxWriter's
    write_datetime writes, for a fifth of its cost)."""
    offset = moment.astimezone(zone).utcoffset()
    seconds = moment.timestamp() + (offset.total_seconds() if offset else 0.0)
    days, rest = divmod(seconds, SECONDS_PER_DAY)
    return EXCEL_UNIX_EPOCH_DAY + days + rest / SECONDS_PER_DAY


def xlsx_columns(questions: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(header, kind) of every column, in order: the fixed ones, then one per question."""
    return [
        *((str(header), kind) for _key, header, kind in FIXED_COLUMNS),
        *((question["text"], "answer") for question in questions),
    ]


def xlsx_write(file: IO[bytes], *, questions: Sequence[dict[str, Any]], rows: Iterable[tuple]):
    """Write the workbook into `file`: `rows` as `selectors.assessment_export_rows` gives them
    with `extra=selectors.XLSX_EXTRA_VALUES`; `questions` the current criteria's, in order.

    Per row only what differs from row to row is worked out: labels (outcome, lead hire, size
    band, answers) are made cell-ready once, and XlsxWriter's per-cell calls are most of the
    cost (docs/benchmarks.md, "XLSX export").
    """
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

    def labels(choices) -> dict[str, str]:
        return {key: xlsx_safe(str(label)) for key, label in choices}

    outcomes = labels(models.Outcome.choices)
    roles = labels(models.Role.SLUG_CHOICES)
    sizes = labels(models.CompanySize.choices)
    answer_columns = [
        (
            len(FIXED_COLUMNS) + offset,
            question["slug"],
            labels((o["key"], o["label"]) for o in question["options"]),
        )
        for offset, question in enumerate(questions)
    ]
    versions: dict[str, str] = {}  # full version → the 12 characters shown
    report_url = mail.site_url(reverse("advisor:report", kwargs={"token": "TOKEN"}))
    before_token, after_token = report_url.split("TOKEN")
    zone = timezone.get_current_timezone()
    write_string, write_number = sheet.write_string, sheet.write_number
    text_columns = [(COLUMN[key], key) for key in FREE_TEXT]
    percent_columns = [(COLUMN[key], key) for key in PERCENTS]
    column = COLUMN

    row_number = 0
    for row_number, row in enumerate(rows, start=1):
        values = dict(zip(ROW_KEYS, row, strict=True))
        moment = excel_datetime(values["created_at"], zone)
        write_number(row_number, column["created_at"], moment, date)
        for index, key in text_columns:
            text = values[key]
            if text:
                write_string(row_number, index, xlsx_safe(text))
        for index, key in percent_columns:
            number = values[key]
            if number is not None and number != "null":  # SQLite may give JSON's null as text
                write_number(row_number, index, float(number), percent)
        if size := values["company_size"]:
            write_string(row_number, column["company_size"], sizes.get(size, size))
        if (team_id := values["team_id"]) is not None:
            write_string(row_number, column["team_ref"], models.team_reference(team_id))
        outcome = values["outcome"]
        write_string(row_number, column["outcome"], outcomes.get(outcome, outcome))
        if (lead := values["lead"]) in roles:
            write_string(row_number, column["lead"], roles[lead])
        link = before_token + values["token"] + after_token
        write_string(row_number, column["report_link"], link)
        version = values["criteria_version__version"]
        if (shown := versions.get(version)) is None:
            shown = versions[version] = version[:12]
        write_string(row_number, column["criteria_version"], shown)
        answers = values["answers"]
        for index, slug, options in answer_columns:
            if key := answers.get(slug):
                write_string(row_number, index, options.get(key) or xlsx_safe(key))
    sheet.autofilter(0, 0, max(row_number, 1), len(columns) - 1)
    workbook.close()


def xlsx_filename(today: datetime.date) -> str:
    return f"rolefit-assessments-{today:%Y-%m-%d}.xlsx"


def json_number(value) -> float | None:
    """A number picked out of JSON by the database (text; SQLite may give "null")."""
    return None if value is None or value == "null" else float(value)


# ---------------------------------------------------------------------------------------------
# CSV: made for machines

EXPORT_ROWS_PER_CHUNK = 500


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_number(value) -> str:
    number = json_number(value)
    return "" if number is None else repr(number)


class _SafeAnswers(dict):
    """Each answer's cell text (`csv_safe` of its option key, "" for none), worked out once per
    export: a handful of option keys fill 17 cells on each of 100,000 rows."""

    def __missing__(self, key: str | None) -> str:
        value = self[key] = csv_safe(key or "")
        return value


class _Numbers(dict):
    """Each number's cell text (`_csv_number`), worked out once per export: needs and coverage
    are rounded to four places, so a few thousand texts fill 400,000 cells."""

    def __missing__(self, key) -> str:
        value = self[key] = _csv_number(key)
        return value


def csv_lines(question_slugs: Sequence[str], rows: Iterable[tuple]) -> Iterator[str]:
    """The export, a few hundred CSV lines per chunk, starting with a BOM so Excel reads UTF-8.

    Per row only what differs is worked out: the time zone is looked up once (not per
    `localtime`), the answers' cells come from `_SafeAnswers`, and the cells are mapped in C
    (`map`) rather than a generator per row — 100,000 rows take the Python of 1,700,000 cells."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([*selectors.EXPORT_FIXED_COLUMNS, *question_slugs])
    zone = timezone.get_current_timezone()
    answer_cell = _SafeAnswers().__getitem__
    number_cell = _Numbers().__getitem__
    chunk = []
    for (
        created_at,
        company,
        name,
        email,
        outcome,
        *numbers,
        version,
        private,
        team_id,
        company_size,
        industry,
        answers,
    ) in rows:
        cells = [
            created_at.astimezone(zone).isoformat(timespec="seconds"),
            csv_safe(company),
            csv_safe(name),
            csv_safe(email),
            outcome,
            *map(number_cell, numbers),
            version,
            csv_safe(private),
            models.team_reference(team_id),
            company_size,  # a key (models.CompanySize), never formula-like
            csv_safe(industry),
            *map(answer_cell, map(answers.get, question_slugs)),
        ]
        chunk.append(writer.writerow(cells))
        if len(chunk) >= EXPORT_ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)
