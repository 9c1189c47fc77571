"""The team report (docs/product.md §8, like §7's report): `/t/<organiser-token>/report/` and
`…/report.pdf` — who may open it, what it says and in which order, the team's anonymity, the PDF
read back with poppler's `pdftotext`, no orphan last page, and a constant number of queries."""

import re
import shutil
import subprocess
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from advisor import pdf
from advisor.services import team as team_services
from tests import examples, pdf_pages
from tests.test_team import WORKED_TEAM

pytestmark = pytest.mark.django_db

NAMES = [
    "Ann Lee",
    "Carl Tan",
    "Sue Park",
    "Dana Ito",
    "Eve Moss",
    "Finn Roy",
    "Gail Wu",
    "Hugo Bell",
    "Ida Stone",
    "Jon Frey",
]
TITLES = ["CEO", "CTO", "Head of sales", "Team lead", "CFO", "COO", "Designer", "", "", ""]

# The worked team's one agenda item and pivotal view (tests/test_team.py, docs/teams.md).
AGENDA_ITEM = (
    "Someone has to shape technology roadmaps together with R&D or engineering leadership."
)
PIVOTAL = (
    "If the team took Ann Lee's, Sue Park's and Dana Ito's view on “Someone has to shape "
    "technology roadmaps together with R&D or engineering leadership” (Agree), the advice would "
    "be Product manager."
)

# Words for the appendix only (docs/product.md §7): criteria version, weights, formula names —
# and for a team, the statistics behind the agreement and the pooled values.
TECHNICAL = re.compile(
    r"criteria version|\bweights?\b|coverage|min_need|focus_share|formula|pooled"
    r"|mean absolute deviation|\bMAD\b|1 − 2",
    re.I,
)


def make_team(answers, *, anonymous=False, closed=False, company="Acme Robotics"):
    team = team_services.team_create(
        company=company,
        organiser_name="Olga Organiser",
        organiser_email="olga@example.com",
        anonymous=anonymous,
    )
    for number, given in enumerate(answers):
        team_services.team_join(
            team_id=team.pk,
            answers=given,
            respondent_name="" if anonymous else NAMES[number % len(NAMES)],
            respondent_title="" if anonymous else TITLES[number % len(TITLES)],
        )
    if closed:
        team_services.team_close(team_obj=team)
    team.refresh_from_db()
    return team


@pytest.fixture
def worked_team(default_criteria):
    """Four named colleagues (tests/test_team.py's worked team): neither, high agreement."""
    return make_team(WORKED_TEAM)


@pytest.fixture
def team_of_ten(default_criteria):
    """Ten named colleagues: a product manager, an agenda of six questions."""
    return make_team(examples.TEAM_OF_TEN)


def report_url(team) -> str:
    return reverse("advisor:team_report", kwargs={"token": team.organiser_token})


def pdf_url(team) -> str:
    return reverse("advisor:team_report_pdf", kwargs={"token": team.organiser_token})


def text_of(html: str) -> str:
    """A page's text as a reader sees it: tags dropped, entities and spaces undone."""
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def report_text(client, team) -> str:
    page = client.get(report_url(team)).content.decode()
    return text_of(page[page.index('<article class="report team-report"') :])


def before(text: str, marker: str) -> str:
    assert marker in text, marker
    return text[: text.index(marker)]


PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils' pdftotext")


def pdf_pages_text(data: bytes, tmp_path) -> list[str]:
    """Each page's text as poppler's `pdftotext` reads it (form feeds between pages), with
    ligatures undone and spaces collapsed."""
    path = tmp_path / "team-report.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        [PDFTOTEXT, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    text = unicodedata.normalize("NFKC", done.stdout.decode())
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def has_footer(page: str, number: int, total: int) -> bool:
    """The brand, the company and "number / total" in the page's footer (docs/product.md §7)."""
    return re.search(rf"RoleFit · Acme Robotics {number} ?/ ?{total}(?!\d)", page) is not None


# ---------------------------------------------------------------------------------------------
# Who may open it


def test_the_organiser_link_opens_the_report_and_its_pdf(client, worked_team):
    response = client.get(report_url(worked_team))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]  # like the single report: never cached
    pdf = client.get(pdf_url(worked_team))
    assert "no-store" in pdf["Cache-Control"]
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    date = worked_team.changed_at.strftime("%Y-%m-%d")
    assert pdf["Content-Disposition"] == (
        f'attachment; filename="rolefit-team-report-acme-robotics-{date}.pdf"'
    )


def test_invitation_respondent_unknown_and_deleted_tokens_are_404(client, worked_team):
    member = worked_team.respondents.order_by("position").first()
    for token in (worked_team.invitation_token, member.token, "no-such-token"):
        for name in ("advisor:team_report", "advisor:team_report_pdf"):
            assert client.get(reverse(name, kwargs={"token": token})).status_code == 404, token
    urls = (report_url(worked_team), pdf_url(worked_team))
    team_services.team_delete(team_obj=worked_team)
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_the_report_takes_no_posts(client, worked_team):
    assert client.post(report_url(worked_team)).status_code == 405
    assert client.post(pdf_url(worked_team)).status_code == 405


def test_the_pdf_counts_under_the_pdf_rate_limit(client, worked_team, settings):
    settings.ROLEFIT_RATE_PDF = "2/m"
    assert [client.get(pdf_url(worked_team)).status_code for _ in range(3)] == [200, 200, 429]


def test_the_organiser_finds_the_report_from_the_organiser_page_and_the_team_result(
    client, worked_team
):
    for page in (f"/t/{worked_team.organiser_token}/", f"/t/{worked_team.organiser_token}/result/"):
        html = client.get(page).content.decode()
        assert f'href="{report_url(worked_team)}"' in html, page
        assert f'href="{pdf_url(worked_team)}"' in html, page
    # A respondent reads the team result, not the organiser's report.
    member = worked_team.respondents.order_by("position").first()
    assert "/report/" not in client.get(f"/a/{member.token}/team/").content.decode()


def test_consultants_find_the_report_in_the_workspace_team_list(
    client, consultant_user, worked_team
):
    client.force_login(consultant_user)
    html = client.get("/assessments/teams/").content.decode()
    assert f'href="{report_url(worked_team)}"' in html


# ---------------------------------------------------------------------------------------------
# What it says


def test_the_summary_comes_first_then_the_parts_of_product_md_8_in_order(client, worked_team):
    text = report_text(client, worked_team)
    markers = [
        # The summary page: brand, title, company, date, the verdict, agreement and agenda.
        "RoleFit",
        "Team hiring recommendation: product owner or product manager",
        "Acme Robotics",
        f"Date {date_format(localtime(worked_team.changed_at), 'DATE_FORMAT')}",
        "Organised by Olga Organiser",
        "Answered by 4 people, still open",
        "Neither role yet",
        "Even the work the team's answers call for most",  # the summary in the team's voice
        "Overall agreement: high (85.2%).",
        "1 of 4 respondents reached the team's verdict on their own.",
        "Agenda for the team meeting",
        AGENDA_ITEM,
        # Then the needs profile, why, each question, the pivotal views, each respondent.
        "What your company needs",
        "The answers that weighed most for each role.",
        "Answers question by question",
        "Q10 Someone has to shape technology roadmaps",
        "Agreement: low (43.8%)",
        "Views that would change the advice",
        PIVOTAL,
        "Each respondent's own verdict",
        # The role(s) to hire: for neither, when to revisit each role.
        "When to revisit",
        # The appendix.
        "Appendix: needs by responsibility",
        "Appendix: how RoleFit works this out",
        f"Criteria version {worked_team.criteria_version.version[:12]}",
    ]
    positions = [text.index(marker) for marker in markers]
    assert positions == sorted(positions), sorted(markers, key=text.index)


def test_a_named_team_s_report_names_each_respondent_and_title(client, worked_team):
    text = report_text(client, worked_team)
    individual = text[text.index("Each respondent's own verdict") :]
    for name, title in zip(NAMES[:4], TITLES[:4], strict=True):
        assert f"{name} {title}" in individual, name
    assert "Carl Tan CTO Neither role yet as the team" in individual


def test_the_roles_to_hire_and_the_role_brief_for_a_product_manager(client, team_of_ten):
    text = report_text(client, team_of_ten)
    for expected in [
        "Hire a product manager",
        "Overall agreement: high (81.9%).",
        "6 of 10 respondents reached the team's verdict on their own.",
        "The role to hire",
        "What to look for in a product manager",
        "Case study",
        "Next steps: the role brief",
        "Improving margins and reducing costs with supply chain partners",
    ]:
        assert expected in text, expected
    agenda = before(text[text.index("Agenda for the team meeting") :], "What your company needs")
    assert agenda.count("a view on it would change the advice") == 6


def test_technical_words_only_in_the_appendix(client, team_of_ten):
    text = report_text(client, team_of_ten)
    main = before(text, "Appendix: needs by responsibility")
    assert not TECHNICAL.search(main), TECHNICAL.search(main)
    method = text[text.index("Appendix: how RoleFit works this out") :]
    for expected in (
        "mean absolute deviation",
        "at least 60% of its weight",
        "the line at 65%",
        "Criteria version",
    ):
        assert expected in method, expected


def test_the_appendix_cites_the_team_s_answers_by_their_numbers(client, worked_team):
    text = report_text(client, worked_team)
    appendix = text[text.index("Appendix: needs by responsibility") :]
    # Roadmaps with R&D: the team's answer is mostly Neutral (three agree, one strongly
    # disagrees), question 10 in the questions above.
    assert "Discussing technology roadmaps with R&D 56.3% ★ in focus Q10 Neutral" in appendix
    assert "Q10 Someone has to shape technology roadmaps" in text


def test_a_team_without_respondents_says_so(client, default_criteria, tmp_path):
    team = make_team([])
    text = report_text(client, team)
    assert "Nobody has answered yet" in text and "Answered by 0 people" in text
    assert "Agenda" not in text and "Appendix" not in text
    response = client.get(pdf_url(team))
    assert response.status_code == 200
    if PDFTOTEXT:
        (page,) = pdf_pages_text(response.content, tmp_path)
        assert "Nobody has answered yet" in page and has_footer(page, 1, 1)


# ---------------------------------------------------------------------------------------------
# Anonymity (docs/product.md §8): per-respondent detail only once closed with three or more


def assert_outcome_and_role_needs_only(text: str) -> None:
    assert "Neither role yet" in text
    assert "Product manager: need 63.5%" in text and "Product owner: need 40.3%" in text
    assert "This team is anonymous." in text
    for hidden in (
        "Respondent 1",
        "Overall agreement",
        "Agenda for the team meeting",
        "Views that would change the advice",
        "Answers question by question",
        "Each respondent's own verdict",
        "the team mostly answered",  # the summary names answers
        "Someone has to shape technology roadmaps",  # any question's statement
        "Appendix",
    ):
        assert hidden not in text, hidden


def test_an_open_anonymous_team_shows_outcome_and_role_needs_only(
    client, default_criteria, tmp_path
):
    team = make_team(WORKED_TEAM, anonymous=True)
    text = report_text(client, team)
    assert_outcome_and_role_needs_only(text)
    assert "Answered by 4 people, still open, anonymous" in text
    if PDFTOTEXT:
        pages = pdf_pages_text(client.get(pdf_url(team)).content, tmp_path)
        assert len(pages) == 1
        assert_outcome_and_role_needs_only(pages[0])


def test_a_closed_anonymous_team_of_two_still_shows_no_detail(client, default_criteria):
    team = make_team(WORKED_TEAM[:2], anonymous=True, closed=True)
    text = report_text(client, team)
    assert "This team is anonymous." in text
    assert "Respondent 1" not in text and "Agenda for the team meeting" not in text


def test_a_closed_anonymous_team_of_three_or_more_numbers_its_respondents(client, default_criteria):
    team = make_team(WORKED_TEAM, anonymous=True, closed=True)
    text = report_text(client, team)
    individual = text[text.index("Each respondent's own verdict") :]
    for number in range(1, 5):
        assert f"Respondent {number}" in individual
    assert "Overall agreement: high (85.2%)." in text and AGENDA_ITEM in text
    assert "If the team took Respondent " in text
    for name in NAMES:
        assert name not in text


# ---------------------------------------------------------------------------------------------
# The PDF, read back by pdftotext


@needs_pdftotext
def test_the_pdf_has_the_summary_page_first_and_the_company_in_every_footer(
    client, worked_team, tmp_path
):
    pages = pdf_pages_text(client.get(pdf_url(worked_team)).content, tmp_path)
    assert len(pages) <= 4
    first = pages[0]
    for expected in [
        "TEAM HIRING RECOMMENDATION: PRODUCT OWNER OR PRODUCT MANAGER",  # in capitals on paper
        "Acme Robotics",
        "Neither role yet",
        "Overall agreement: high (85.2%).",
        "1 of 4 respondents reached the team's verdict on their own.",
        "Agenda for the team meeting",
        "Someone has to shape technology roadmaps together with R&D or engineering",
    ]:
        assert expected in first, expected
    for number, text in enumerate(pages, start=1):
        assert has_footer(text, number, len(pages)), number
    everything = " ".join(pages)
    order = [
        "Agenda for the team meeting",
        "What your company needs",
        "Answers question by question",
        "Views that would change the advice",
        "Each respondent's own verdict",
        "When to revisit",
        "Appendix: needs by responsibility",
        "Appendix: how RoleFit works this out",
        f"Criteria version {worked_team.criteria_version.version[:12]}",
    ]
    positions = [everything.index(marker) for marker in order]
    assert positions == sorted(positions), sorted(order, key=everything.index)
    assert not TECHNICAL.search(before(everything, "Appendix: needs by responsibility"))
    for name in NAMES[:4]:
        assert name in everything


@needs_pdftotext
@pytest.mark.parametrize(
    ("answers", "max_pages"), [(WORKED_TEAM, 4), (examples.TEAM_OF_TEN, 6)], ids=["4", "10"]
)
def test_no_orphan_last_page(client, default_criteria, tmp_path, answers, max_pages):
    """docs/product.md §7, for the team report: the last page holds at least a quarter page."""
    data = client.get(pdf_url(make_team(answers))).content
    pages = pdf_pages_text(data, tmp_path)
    assert 2 <= len(pages) <= max_pages
    assert len(pages) == len(pdf_pages.page_texts(data))
    assert pdf_pages.last_page_share(data) >= pdf.MIN_LAST_PAGE_SHARE
    assert has_footer(pages[-1], len(pages), len(pages))


def test_the_pdf_fetches_nothing(client, worked_team, monkeypatch):
    """Nothing over the network: the PDF's HTML names no stylesheet, image or font to fetch (the
    logo would be a `data:` URL), and its only fetcher serves `data:` URLs."""
    from advisor import pdf_fetcher

    rendered, asked = [], []
    real_pdf, real_fetcher = pdf.document_pdf, pdf_fetcher.data_only_fetcher

    def spy_pdf(html, **kwargs):
        rendered.append(html)
        return real_pdf(html, **kwargs)

    def spy_fetcher():
        fetch = real_fetcher()
        return lambda url, *args, **kwargs: asked.append(url) or fetch(url, *args, **kwargs)

    monkeypatch.setattr(pdf, "document_pdf", spy_pdf)
    monkeypatch.setattr(pdf_fetcher, "data_only_fetcher", spy_fetcher)
    assert client.get(pdf_url(worked_team)).status_code == 200
    (html,) = rendered
    assert "<link" not in html and "url(" not in html
    assert all(src.startswith("data:") for src in re.findall(r'\ssrc="([^"]*)"', html))
    assert all(url.startswith("data:") for url in asked), asked


# ---------------------------------------------------------------------------------------------
# Queries (docs/product.md §8: a team page costs a constant number, whatever its size)


def _queries(client, url) -> int:
    client.get(url)  # the team result computed and cached, as after the team's last change
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("size", [1, 4, 10])
def test_the_report_costs_two_queries_whatever_the_team_s_size(client, default_criteria, size):
    team = make_team([examples.TEAM_OF_TEN[i % 10] for i in range(size)])
    # The team with its pinned snapshot and criteria version, then its respondents.
    assert _queries(client, report_url(team)) == 2


def test_the_pdf_costs_the_same_two_queries(client, team_of_ten, django_assert_max_num_queries):
    client.get(pdf_url(team_of_ten))
    with django_assert_max_num_queries(2):
        assert client.get(pdf_url(team_of_ten)).status_code == 200
