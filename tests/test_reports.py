"""The client's report (docs/product.md §7): the print view and the PDF."""

import gc
import io
import re

import pypdf
import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from advisor import branding, pdf, presentation, rendercache, report_parts, scoring, services
from tests import examples, pdf_pages

pytestmark = pytest.mark.django_db

# docs/product.md §7's standard report carries a 100-word consultant note.
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


def _briefs(assessment):
    snapshot = assessment.snapshot
    index = presentation.snapshot_index(snapshot.content_hash, snapshot.content)
    return report_parts.role_briefs(assessment.result, index)


def _table(assessment):
    content = assessment.snapshot.content
    return report_parts.responsibility_table(content, assessment.result, assessment.answers)


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
        private_notes=PRIVATE,
    )


# Private notes must appear nowhere a link holder can see (docs/product.md §9).
PRIVATE = "PRIVATE: the client's CFO doubts the budget; do not quote."

# Long client-visible notes: paragraphs and lists running on to page 2.
LONG_NOTES = (
    "The answers from the leadership workshop show a company that has outgrown founder-led "
    "product decisions, and the next year is about building the business around the product. "
    * 4
    + "\n\n- agree the role profile with the chief executive\n"
    "- open the search with two agencies and our own network\n"
    "- keep the backlog with the team lead until a second team starts\n\n"
) * 5


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


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def before(page: str, marker: str) -> str:
    assert marker in page, marker
    return page[: page.index(marker)]


# Words for the appendix only (docs/product.md §7): criteria version, weights, formula names.
TECHNICAL = re.compile(r"criteria version|\bweights?\b|coverage|min_need|focus_share|formula", re.I)


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
        "Next steps: the role brief",
        "pricing review",  # the consultant's note
        "Appendix: the answers",
        "Appendix: how RoleFit works this out",
        standard_report.criteria_version.version[:12],
        "css/print.css",  # the print stylesheet
    ]:
        assert expected in page, expected
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_report_is_in_the_four_parts_of_product_md_7_in_order(client, standard_report):
    page = client.get(report_url(standard_report)).content.decode()
    markers = [
        # 1. the summary page: brand, title, company, date, prepared for / by, verdict, summary,
        #    notes, chart
        'class="report-brand"',
        "Hiring recommendation: product owner or product manager",
        '<h1 class="report-company">Acme Robotics</h1>',
        "Prepared for",
        "Prepared by",
        "Hire a product manager",
        "What your company needs most is a product manager",
        "Notes from Carl Consultant",
        "pricing review",
        '<svg class="needs-chart"',
        # 2. why
        'id="drivers-heading"',
        "It would take two answers changing",
        # 3. the role to hire, and next steps
        "The role to hire",
        "What to look for in a product manager",
        "Case study",
        "Next steps: the role brief",
        # 4. the appendix
        "Appendix: needs by responsibility",
        "Appendix: the answers",
        "Appendix: how RoleFit works this out",
        f"Criteria version {standard_report.criteria_version.version[:12]}",
    ]
    positions = [page.index(marker) for marker in markers]
    assert positions == sorted(positions), sorted(markers, key=page.index)


def test_technical_words_only_in_the_appendix(client, standard_report):
    page = client.get(report_url(standard_report)).content.decode()
    body = page[page.index('<article class="report"') :]
    main = re.sub(r"<[^>]+>", " ", before(body, "Appendix: needs by responsibility"))
    assert not TECHNICAL.search(main), TECHNICAL.search(main)
    appendix = body[body.index("Appendix: how RoleFit works this out") :]
    assert "weight" in appendix and "Criteria version" in appendix
    # The method in two short paragraphs: need, focus and the line (the policy's figures).
    method = re.sub(r"<[^>]+>", "", appendix[: appendix.index("report-version")])
    assert "at least 60% of its weight" in words(method)
    assert "the line at 65%" in words(method)


def test_role_brief_lists_the_focus_first_as_the_start_of_a_job_description(
    client, standard_report
):
    briefs = _briefs(standard_report)
    assert [b["slug"] for b in briefs] == [scoring.PRODUCT_MANAGER]
    (pm,) = briefs
    # The stored focus, most needed first (all 75%: criteria order).
    assert pm["owns_first"] == [
        "Developing a multiyear product strategy",
        "Discussing technology roadmaps with R&D",
        "Creating go-to-market plans with marketing and sales",
    ]
    assert pm["also"] == [
        "Improving margins and reducing costs with supply chain partners",
        "Gathering customer data and meeting with the C-suite to enhance business operations",
    ]


def test_role_briefs_for_both_follow_the_lead_hire(default_criteria):
    assessment = services.assessment_create(company="Both", answers=examples.BOTH)
    briefs = _briefs(assessment)
    assert [b["slug"] for b in briefs] == [scoring.PRODUCT_MANAGER, scoring.PRODUCT_OWNER]
    po = briefs[1]
    focus = [r for r in assessment.result["responsibilities"] if r["role"] == "product-owner"]
    assert len(po["owns_first"]) == sum(r["focus"] for r in focus)


@pytest.mark.parametrize("answers", [examples.NEITHER, examples.UNDETERMINED])
def test_no_role_brief_without_a_role_to_hire(client, default_criteria, answers):
    assessment = services.assessment_create(company="Nobody", answers=answers)
    assert _briefs(assessment) == []
    assert "Next steps: the role brief" not in client.get(report_url(assessment)).content.decode()


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
    assert "report-notes" not in page  # no notes, no empty section


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
    assert ">Consultant's notes</h2>" in page  # no "prepared by": a plain heading


def test_notes_render_paragraphs_and_lists_in_the_report(client, default_criteria):
    assessment = services.assessment_create(company="Lists", answers=examples.BOTH)
    services.assessment_notes_update(
        assessment=assessment,
        consultant_notes="Two things:\r\n- hire soon\r\n- brief the board\r\n\r\nThanks.",
        prepared_for="",
        prepared_by="Carl",
    )
    page = client.get(report_url(assessment)).content.decode()
    assert (
        "<p>Two things:</p>\n<ul><li>hire soon</li><li>brief the board</li></ul>\n<p>Thanks.</p>"
        in page
    )
    assert "- hire soon" not in page


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


def test_report_query_count(client, standard_report, django_assert_num_queries):
    # Rendered: the lookup and the assessment with its snapshot; then kept (advisor/rendercache.py,
    # an in-memory cache in tests): the lookup alone.
    with django_assert_num_queries(2):
        first = client.get(report_url(standard_report))
    with django_assert_num_queries(1):
        again = client.get(report_url(standard_report))
    assert first.status_code == again.status_code == 200
    assert first.content == again.content


# ---------------------------------------------------------------------------------------------
# The responsibility table


def test_responsibility_table_shows_the_stored_needs_and_focus(standard_report):
    table = _table(standard_report)
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
    pm = {role["slug"]: role for role in _table(assessment)}[scoring.PRODUCT_MANAGER]
    assert pm["need_text"] == "–"
    assert all(row["need_text"] == "–" and not row["focus"] for row in pm["rows"])


def test_appendix_numbers_match_the_table(standard_report):
    appendix = report_parts.answers_appendix(standard_report)
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
        f"Criteria version {standard_report.criteria_version.version[:12]}",
        "Next steps: the role brief",
    ]:
        assert expected in text, expected


def test_standard_report_pdf_pages(client, standard_report):
    """docs/product.md §7: at most 3 A4 pages; verdict, summary, notes and chart on page 1; the
    brand, company and page number in every footer; technical words only in the appendix; the
    last page at least a quarter full."""
    data = client.get(pdf_url(standard_report)).content
    pages = pdf_pages.page_texts(data)
    assert len(pages) <= 3
    first = words(pages[0])
    for expected in [
        "RoleFit",
        "Acme Robotics",
        "Prepared for: Ann Client, CEO",
        "Hire a product manager",
        "What your company needs most is a product manager",
        "Notes from Carl Consultant",
        "open the executive search in early spring",  # the note's last words
        "What your company needs",
        "needed from 65%",  # the chart's line, its last label
    ]:
        assert expected in first, expected
    for number, text in enumerate(pages, start=1):
        assert f"RoleFit · Acme Robotics {number} / {len(pages)}" in words(text), number
    everything = words(" ".join(pages))
    main = before(everything, "Appendix: needs by responsibility")
    assert not TECHNICAL.search(main), TECHNICAL.search(main)
    assert pdf_pages.last_page_share(data) >= pdf.MIN_LAST_PAGE_SHARE


def test_long_notes_run_on_to_page_2_and_leave_no_orphan_last_page(client, standard_report):
    services.assessment_notes_update(
        assessment=standard_report,
        consultant_notes=LONG_NOTES,
        prepared_for="Ann Client, CEO",
        prepared_by="Carl Consultant",
    )
    data = client.get(pdf_url(standard_report)).content
    pages = pdf_pages.page_texts(data)
    first, second = words(pages[0]), words(pages[1])
    assert "Notes from Carl Consultant" in first and "founder-led" in first
    assert "keep the backlog with the team lead" in second  # the notes run on
    assert pdf_pages.last_page_share(data) >= pdf.MIN_LAST_PAGE_SHARE


def test_a_short_last_page_is_laid_out_again_tighter(monkeypatch, standard_report):
    """A layout whose last page would hold a few lines is rendered again with the compact
    stylesheet, kept when it saves the page."""
    shares = []
    real = pdf.last_page_share

    def spy(document):
        share = real(document)
        shares.append(share)
        return share

    monkeypatch.setattr(pdf, "last_page_share", spy)
    monkeypatch.setattr(pdf, "MIN_LAST_PAGE_SHARE", 1.01)  # every last page is "short"
    data = rendercache.report_pdf_render(standard_report, brand=branding.brand_current())
    assert shares  # measured, and laid out again (the share is never above 1)
    assert len(pdf_pages.page_texts(data)) <= 3


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
    # Both roles to hire, with two role briefs, take a fourth page; never an orphan one.
    assert pages <= 4
    assert pdf_pages.last_page_share(response.content) >= pdf.MIN_LAST_PAGE_SHARE
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
    assert pdf_pages.last_page_share(response.content) >= pdf.MIN_LAST_PAGE_SHARE


def test_pdf_query_count(client, standard_report, django_assert_max_num_queries):
    client.get(pdf_url(standard_report))  # WeasyPrint loads on the first PDF
    with django_assert_max_num_queries(1):
        assert client.get(pdf_url(standard_report)).status_code == 200


def test_the_pdf_engine_leaves_the_loaded_process_out_of_full_collections():
    # advisor/pdf.py: a full collection walking every long-lived object cost ~150 ms a time.
    pdf._pdf_engine()
    assert gc.get_freeze_count() > 0


def test_pdf_is_refused_for_other_methods(client, standard_report):
    assert client.post(pdf_url(standard_report)).status_code == 405


def test_result_page_links_to_the_report_and_the_pdf(client, standard_report):
    page = client.get(standard_report.get_absolute_url()).content.decode()
    assert f'href="{report_url(standard_report)}"' in page
    assert f'href="{pdf_url(standard_report)}"' in page


# ---------------------------------------------------------------------------------------------
# Notes as text people write (presentation.notes_html)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("", ""),
        ("One line", "<p>One line</p>"),
        ("First\nsame paragraph\n\nSecond", "<p>First<br>same paragraph</p>\n<p>Second</p>"),
        ("- a\n- b", "<ul><li>a</li><li>b</li></ul>"),
        ("* a\n• b", "<ul><li>a</li><li>b</li></ul>"),
        ("1. a\n2) b", "<ol><li>a</li><li>b</li></ol>"),
        (
            "Intro:\n- a\n  continued\nAfter",
            "<p>Intro:</p>\n<ul><li>a continued</li></ul>\n<p>After</p>",
        ),
        ("- a\n1. b", "<ul><li>a</li></ul>\n<ol><li>b</li></ol>"),
        ("-5% revenue", "<p>-5% revenue</p>"),  # not a list item: no space after the dash
        ("a\r\n\r\nb", "<p>a</p>\n<p>b</p>"),
        ("\n\n\n  \n", ""),
    ],
)
def test_notes_html(text, html):
    assert presentation.notes_html(text) == html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '" onmouseover="alert(1)',
        "- <a href='javascript:alert(1)'>x</a>",
        "1. </li></ol><script>x</script>",
        "[x](javascript:alert(1))",
        "&lt;script&gt;",
        "<style>body{display:none}</style>",
        "\n\n- <iframe src=//evil>\n",
    ],
)
def test_notes_html_escapes_everything(attack):
    html = presentation.notes_html(attack)
    # Only the renderer's own tags; every < and " of the text is escaped.
    assert re.sub(r"</?(p|br|ul|ol|li)>", "", html).count("<") == 0
    assert '"' not in html and "'" not in html


@given(st.text(max_size=300))
@hypothesis_settings(max_examples=300, deadline=None)
def test_notes_html_never_makes_markup_of_text(text):
    html = str(presentation.notes_html(text))
    assert re.sub(r"</?(p|br|ul|ol|li)>", "", html).count("<") == 0
    # Nothing is lost but the list marks and blank lines: the words come back unescaped.
    plain = re.sub(r"<[^>]+>", " ", html)
    for word in re.findall(r"[A-Za-z]{3,}", text):
        assert word in plain


# ---------------------------------------------------------------------------------------------
# Private notes appear nowhere a link holder can see (docs/product.md §9)


def test_private_notes_are_on_no_page_of_the_link_holder(client, standard_report):
    assert standard_report.private_notes == PRIVATE
    for url in [standard_report.get_absolute_url(), report_url(standard_report)]:
        page = client.get(url).content.decode()
        assert "CFO doubts" not in page and "PRIVATE" not in page, url
    _pages, text = pdf_text(client.get(pdf_url(standard_report)))
    assert "CFO doubts" not in text and "PRIVATE" not in text
    assert "private_notes" not in report_parts.report_context(
        standard_report, brand=branding.brand_current()
    )


def test_private_notes_are_in_the_workspace_detail_form(client, consultant_user, standard_report):
    client.force_login(consultant_user)
    url = reverse("advisor:workspace_detail", kwargs={"token": standard_report.token})
    page = client.get(url).content.decode()
    form = page[page.index('name="private_notes"') :]
    assert form.index("CFO doubts") < form.index("</textarea>")
    # The report shown beside the form is the client's: the private notes only in the form.
    assert page.count("CFO doubts") == 1
    response = client.post(
        url,
        {
            "prepared_for": "Ann",
            "prepared_by": "Carl",
            "consultant_notes": "For the client.",
            "private_notes": "Second thoughts.",
        },
    )
    assert response.status_code == 302
    standard_report.refresh_from_db()
    assert standard_report.private_notes == "Second thoughts."
    assert standard_report.consultant_notes == "For the client."


@pytest.mark.parametrize(
    ("value", "message"),
    [("a\x00b", "NUL"), ("x" * 10_001, "at most 10000 characters")],
)
def test_private_notes_keep_the_limits_of_notes(
    client, consultant_user, standard_report, value, message
):
    client.force_login(consultant_user)
    url = reverse("advisor:workspace_detail", kwargs={"token": standard_report.token})
    data = {"prepared_for": "", "prepared_by": "", "consultant_notes": "", "private_notes": value}
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    standard_report.refresh_from_db()
    assert standard_report.private_notes == PRIVATE


def test_the_notes_service_keeps_private_notes_unless_given(standard_report):
    services.assessment_notes_update(
        assessment=standard_report, consultant_notes="", prepared_for="", prepared_by=""
    )
    standard_report.refresh_from_db()
    assert standard_report.private_notes == PRIVATE
