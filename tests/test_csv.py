"""The workspace's CSV export: header, rows, filters, formula neutralisation, query count."""

import csv
import datetime
import io
import os
import tracemalloc

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from advisor import exports, models, scoring, selectors, services
from tests import examples

pytestmark = pytest.mark.django_db

FIXED = [
    "created_at",
    "company",
    "respondent_name",
    "respondent_email",
    "outcome",
    "need_product_owner",
    "need_product_manager",
    "coverage_product_owner",
    "coverage_product_manager",
    "criteria_version",
    "private_notes",
    "team_ref",
    "company_size",
    "industry",
]


@pytest.fixture
def consultant_client(client, consultant_user):
    client.force_login(consultant_user)
    return client


def export(client, **params) -> tuple[StreamingHttpResponse, list[list[str]]]:
    response = client.get(reverse("advisor:workspace_export"), params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # so spreadsheets read UTF-8
    return response, list(csv.reader(io.StringIO(text[1:], newline="")))


def test_header_is_the_fixed_columns_then_active_question_slugs(
    consultant_client, default_criteria
):
    response, rows = export(consultant_client)
    assert rows == [FIXED + examples.ALL_QUESTIONS]
    assert list(selectors.EXPORT_FIXED_COLUMNS) == FIXED
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="rolefit-assessments-')
    assert isinstance(response, StreamingHttpResponse)


def test_inactive_questions_have_no_column(consultant_client, default_criteria):
    question = models.Question.objects.get(slug="portfolio-complexity")
    question.active = False
    question.save()
    services.criteria_touch()
    _response, rows = export(consultant_client)
    assert "portfolio-complexity" not in rows[0]
    assert rows[0][-1] == "revenue-decline"


def test_rows_hold_the_assessment_and_blanks_for_unanswered(consultant_client, default_criteria):
    full = services.assessment_create(
        company="Acme, Inc.",
        respondent_name="Rita",
        respondent_email="rita@example.com",
        company_size=models.CompanySize.PEOPLE_51_250,
        industry="Santé, Fintech",
        answers=examples.STANDARD_REPORT,
    )
    services.assessment_notes_update(
        assessment=full,
        consultant_notes="For the client.",
        prepared_for="",
        prepared_by="",
        private_notes="Budget unclear;\n- call the CFO",
    )
    services.assessment_create(company="Half Ltd", answers={"agile-team": "agree"})
    _response, rows = export(consultant_client, sort="company")
    header, acme, half = rows
    acme = dict(zip(header, acme, strict=True))
    assert acme["company"] == "Acme, Inc."
    assert acme["respondent_name"] == "Rita" and acme["respondent_email"] == "rita@example.com"
    assert acme["outcome"] == scoring.PRODUCT_MANAGER
    assert float(acme["need_product_owner"]) == 0.5375
    assert float(acme["need_product_manager"]) == 0.75
    assert full.result["need"] == {scoring.PRODUCT_OWNER: 0.5375, scoring.PRODUCT_MANAGER: 0.75}
    assert float(acme["coverage_product_owner"]) == 1.0
    assert acme["criteria_version"] == full.criteria_version.version
    assert acme["created_at"] == full.created_at.isoformat(timespec="seconds")
    assert {slug: acme[slug] for slug in examples.ALL_QUESTIONS} == examples.STANDARD_REPORT
    # The consultants' private notes (docs/product.md §9); the client-visible ones are the report's.
    assert acme["private_notes"] == "Budget unclear;\n- call the CFO"
    assert "For the client." not in acme.values()
    # The company context (docs/product.md §9): the size band's key, the industry as given.
    assert acme["company_size"] == "51-250"
    assert acme["industry"] == "Santé, Fintech"

    half = dict(zip(header, half, strict=True))
    assert half["outcome"] == scoring.UNDETERMINED
    assert half["private_notes"] == ""
    assert half["company_size"] == "" and half["industry"] == ""
    assert half["agile-team"] == "agree"
    assert half["need_product_manager"] == ""  # nothing answered for the PM: no need
    assert half["coverage_product_manager"] == "0.0"
    assert all(half[slug] == "" for slug in examples.ALL_QUESTIONS if slug != "agile-team")


def test_export_follows_the_list_filters(consultant_client, default_criteria):
    services.assessment_create(company="Acme Robotics", answers=examples.STANDARD_REPORT)
    services.assessment_create(company="Bolt", answers=examples.PRODUCT_OWNER)
    services.assessment_create(company="acme foods", answers=examples.PRODUCT_OWNER)
    _response, rows = export(consultant_client, company="acme", outcome=scoring.PRODUCT_OWNER)
    assert [row[1] for row in rows[1:]] == ["acme foods"]
    _response, rows = export(consultant_client, sort="-company")
    assert [row[1] for row in rows[1:]] == ["Bolt", "Acme Robotics", "acme foods"]


def test_bad_filters_export_everything_rather_than_fail(consultant_client, default_criteria):
    services.assessment_create(company="Acme", answers=examples.BOTH)
    _response, rows = export(consultant_client, date_from="yesterday", sort="nope", outcome="x")
    assert len(rows) == 2


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r", "＝", "＠", "\u200b="])
def test_formula_cells_are_neutralised(consultant_client, default_criteria, prefix):
    dangerous = f'{prefix}HYPERLINK("http://evil.example","x")'
    services.assessment_create(company=dangerous, respondent_name=dangerous, answers=examples.BOTH)
    _response, rows = export(consultant_client)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["company"] == "'" + dangerous
    assert row["respondent_name"] == "'" + dangerous


def test_industry_follows_the_formula_rule(consultant_client, default_criteria):
    services.assessment_create(
        company="Acme", industry='=HYPERLINK("http://evil.example")', answers=examples.BOTH
    )
    _response, rows = export(consultant_client)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["industry"] == '\'=HYPERLINK("http://evil.example")'


def test_export_follows_the_company_context_filters(consultant_client, default_criteria):
    """docs/product.md §9: the export has the list's rows, context filters included."""
    services.assessment_create(
        company="Acme", company_size="51-250", industry="Santé", answers=examples.BOTH
    )
    services.assessment_create(
        company="Bolt", company_size="1-10", industry="Sante animale", answers=examples.BOTH
    )
    services.assessment_create(company="Cedar", answers=examples.BOTH)
    _response, rows = export(consultant_client, industry="SANTE", sort="company")
    assert [row[1] for row in rows[1:]] == ["Acme", "Bolt"]
    _response, rows = export(consultant_client, industry="santé", company_size="51-250")
    assert [row[1] for row in rows[1:]] == ["Acme"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        ("-", "'-"),
        (" =1", " =1"),
        # Full-width and small signs, and invisible characters before a sign, were let through.
        ("＝1+2", "'＝1+2"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠SUM(A1)", "'＠SUM(A1)"),
        ("﹦1", "'﹦1"),
        ("\u200b=1+2", "'\u200b=1+2"),
        ("\ufeff\u200d@x", "'\ufeff\u200d@x"),
        ("\u200b", "\u200b"),
        ("Ａcme", "Ａcme"),
    ],
)
def test_csv_safe(value, expected):
    assert exports.csv_safe(value) == expected


def test_export_streams_in_at_most_two_queries(
    consultant_user, default_criteria, django_assert_max_num_queries
):
    template = services.assessment_create(company="Acme", answers=examples.STANDARD_REPORT)
    models.Assessment.objects.bulk_create(
        models.Assessment(
            company=f"Client {i}",
            answers=template.answers,
            result=template.result,
            outcome=template.outcome,
            criteria_version=template.criteria_version,
            snapshot=template.snapshot,
        )
        for i in range(selectors.EXPORT_CHUNK_SIZE + 10)  # more than one fetch
    )
    services.criteria_current()  # the process' criteria are warm, as after the first request
    with django_assert_max_num_queries(2):
        slugs = [q["slug"] for q in services.criteria_current().content["questions"]]
        lines = exports.csv_lines(
            slugs, selectors.assessment_export_rows(filters=selectors.AssessmentFilters())
        )
        rows = list(csv.reader(io.StringIO("".join(lines)[1:], newline="")))
    assert len(rows) == 1 + selectors.EXPORT_CHUNK_SIZE + 11


def test_export_view_query_count(
    consultant_client, default_criteria, django_assert_max_num_queries
):
    services.assessment_create(company="Acme", answers=examples.STANDARD_REPORT)
    services.criteria_current()
    # session, user, the user's two permission queries, then the export's two
    with django_assert_max_num_queries(6):
        response = consultant_client.get(reverse("advisor:workspace_export"))
        b"".join(response.streaming_content)


# --- Without server-side cursors (PgBouncer in transaction pooling): keyset chunks -------------


def _bulk_assessments(template, count: int, **fields) -> None:
    models.Assessment.objects.bulk_create(
        models.Assessment(
            answers=template.answers,
            result=template.result,
            outcome=template.outcome,
            criteria_version=template.criteria_version,
            snapshot=template.snapshot,
            **{name: value(i) for name, value in fields.items()},
        )
        for i in range(count)
    )


@pytest.fixture
def no_server_side_cursors(monkeypatch):
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)


@pytest.mark.parametrize("sort", ["-created", "created", "company", "-company"])
def test_keyset_export_has_every_row_once_in_order(
    sort, default_criteria, no_server_side_cursors, monkeypatch
):
    monkeypatch.setattr(selectors, "EXPORT_CHUNK_SIZE", 4)
    template = services.assessment_create(company="Template", answers=examples.STANDARD_REPORT)
    template.delete()
    # Many rows share a key (three timestamps; companies differing only in case), so chunks end
    # inside runs of equal keys and the id must break the ties.
    companies = ["acme", "Acme", "ACME", "beta", "Beta"]
    _bulk_assessments(
        template, 23, company=lambda i: companies[i % 5], respondent_name=lambda i: f"r{i}"
    )
    stamps = [timezone.now() - datetime.timedelta(days=d) for d in (1, 2, 3)]
    for assessment in models.Assessment.objects.all():
        models.Assessment.objects.filter(pk=assessment.pk).update(
            created_at=stamps[assessment.pk % 3]
        )
    # The oracle: every assessment sorted in Python by the sort's key, then id.
    saved = list(models.Assessment.objects.values("id", "company", "created_at", "respondent_name"))
    key = "created_at" if "created" in sort else "company"
    expected = sorted(
        saved, key=lambda a: (a[key].lower() if key == "company" else a[key], a["id"])
    )
    if sort.startswith("-"):
        expected.reverse()

    rows = list(selectors.assessment_export_rows(filters=selectors.AssessmentFilters(sort=sort)))

    assert [row[2] for row in rows] == [a["respondent_name"] for a in expected]


def _peak_bytes_while_exporting() -> int:
    tracemalloc.start()
    try:
        for _row in selectors.assessment_export_rows(filters=selectors.AssessmentFilters()):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_keyset_export_memory_stays_flat_as_rows_grow(
    default_criteria, no_server_side_cursors, monkeypatch
):
    monkeypatch.setattr(selectors, "EXPORT_CHUNK_SIZE", 50)
    template = services.assessment_create(company="Template", answers=examples.STANDARD_REPORT)
    _bulk_assessments(template, 199, company=lambda i: f"Client {i}")
    small = _peak_bytes_while_exporting()
    _bulk_assessments(template, 1000, company=lambda i: f"Client {i}")
    large = _peak_bytes_while_exporting()
    # Six times the rows, the same peak (one chunk); buffered, it would grow sixfold.
    assert large < small * 1.5

    # The measurement sees buffering: a plain .iterator() without server-side cursors reads
    # every row before the first one.
    monkeypatch.setattr(selectors, "_keyset_chunks", lambda rows, **_kwargs: rows.iterator())
    assert _peak_bytes_while_exporting() > small * 2


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"
)
def test_keyset_export_never_fetches_more_than_a_chunk_from_postgresql(
    default_criteria, no_server_side_cursors, monkeypatch
):
    from django.db import connection

    monkeypatch.setattr(selectors, "EXPORT_CHUNK_SIZE", 50)
    template = services.assessment_create(company="Template", answers=examples.STANDARD_REPORT)
    _bulk_assessments(template, 219, company=lambda i: f"Client {i}")
    fetched = []  # rows psycopg2 holds after each query: a client-side cursor holds them all

    def count_rows(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "advisor_assessment" in sql:
            fetched.append(context["cursor"].rowcount)
        return result

    with connection.execute_wrapper(count_rows):
        rows = list(selectors.assessment_export_rows(filters=selectors.AssessmentFilters()))
    assert len(rows) == 220
    assert fetched == [50, 50, 50, 50, 20]


def test_cells_worked_out_once_per_export_still_follow_the_rules_on_every_row(settings):
    """exports.csv_lines works each answer's and number's cell out once per export: a
    formula-like answer is neutralised on every row it is on, numbers read the same on every
    row and on both databases' texts, and times are in the configured zone."""
    import csv
    import datetime
    import io

    from advisor import exports

    settings.TIME_ZONE = "Europe/Berlin"
    moment = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
    row = (moment, "Acme", "", "", "both", "0.5375", None, "1", "null", "v1", "", None, "", "")
    answers = [{"q1": "=1+1", "q2": "agree"}, {"q1": "=1+1"}, {"q2": "=1+1"}]
    lines = "".join(exports.csv_lines(["q1", "q2"], [(*row, a) for a in answers]))
    header, *rows = list(csv.reader(io.StringIO(lines.removeprefix("\ufeff"))))
    cells = [dict(zip(header, values, strict=True)) for values in rows]
    assert [(c["q1"], c["q2"]) for c in cells] == [
        ("'=1+1", "agree"),
        ("'=1+1", ""),
        ("", "'=1+1"),
    ]
    assert {c["created_at"] for c in cells} == {"2026-01-15T13:00:00+01:00"}
    assert {
        (c["need_product_owner"], c["need_product_manager"], c["coverage_product_owner"])
        for c in cells
    } == {("0.5375", "", "1.0")}
    assert {c["coverage_product_manager"] for c in cells} == {""}
