"""What each kind of user does, in a real browser (issue 6, docs/product.md §1)."""

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from advisor import groups, models, services
from tests import examples, pdf_pages
from tests.e2e.conftest import NOTE_100_WORDS, log_in, standard_report

pytestmark = pytest.mark.browser

RESULT_URL = re.compile(r"/a/[A-Za-z0-9_-]+/$")


def focused(page) -> dict:
    """What has the keyboard focus: tag, id, name, type and value."""
    return page.evaluate(
        """() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'),
                type: e.getAttribute('type'), value: e.value}; }"""
    )


def tab_to(page, element_id: str, *, limit: int = 15) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page)["id"] == element_id:
            return
    raise AssertionError(f"#{element_id} not reached in {limit} presses of Tab")


def question_slugs(page) -> list[str]:
    return page.eval_on_selector_all(
        "fieldset[data-question]", "sets => sets.map(s => s.id.replace(/^q-/, ''))"
    )


def option_keys(page, slug: str) -> list[str]:
    return page.eval_on_selector_all(f'input[name="{slug}"]', "radios => radios.map(r => r.value)")


def pdf_pages_and_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), " ".join(p.extract_text() for p in reader.pages)


def test_keyboard_only_questionnaire_gives_an_explained_result(page):
    answers = examples.PRODUCT_OWNER
    page.goto("/assess/")
    tab_to(page, "id_company")
    page.keyboard.type("Keyboard Only Ltd")
    page.keyboard.press("Tab")  # size (optional): typing picks a band
    page.keyboard.type("5")
    expect(page.locator("#id_company-size")).to_have_value("51-250")
    page.keyboard.press("Tab")  # industry (optional)
    page.keyboard.type("Fintech")
    page.keyboard.press("Tab")  # your name (optional)
    page.keyboard.press("Tab")  # your email (optional)
    slugs = question_slugs(page)
    assert slugs == examples.ALL_QUESTIONS
    for slug in slugs:
        # Tab enters a group with nothing chosen on its first option; arrows move and choose.
        page.keyboard.press("Tab")
        assert focused(page) | {"value": None} == {
            "tag": "input",
            "id": f"id_{slug}_0",
            "name": slug,
            "type": "radio",
            "value": None,
        }
        position = option_keys(page, slug).index(answers[slug])
        if position == 0:
            page.keyboard.press("Space")
        for _ in range(position):
            page.keyboard.press("ArrowRight")
        expect(page.locator(f'input[name="{slug}"]:checked')).to_have_value(answers[slug])
    expect(page.locator("#answered-count")).to_have_text("16 of 16 answered")
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "button"
    page.keyboard.press("Enter")

    expect(page).to_have_url(RESULT_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hire a product owner")
    expect(page.get_by_text("Assessment for Keyboard Only Ltd")).to_contain_text(
        "(51–250 people · Fintech)"
    )
    chart = page.get_by_role("img", name="What your company needs")
    expect(chart).to_be_visible()
    # Worked example 1 (docs/scoring.md): needs PO 100%, PM 0%.
    expect(chart.locator(".needs-chart-role-product-owner")).to_have_attribute("width", "290.0")
    expect(chart.locator(".needs-chart-role-product-manager")).to_have_attribute("width", "0.0")
    expect(page.locator(".result-summary")).to_contain_text("a product owner's work")
    expect(page.get_by_role("heading", name="Why")).to_be_visible()
    saved = models.Assessment.objects.get()
    assert (saved.company, saved.outcome, saved.answers) == (
        "Keyboard Only Ltd",
        "product-owner",
        answers,
    )
    assert (saved.company_size, saved.industry) == ("51-250", "Fintech")


def test_missing_answers_lead_to_the_first_missing_question_and_keep_the_rest(page):
    page.goto("/assess/")
    page.get_by_label("Company").fill("Half Done GmbH")
    given = {"agile-team": "agree", "backlog-unclear": "neutral", "stakeholders-lost": "disagree"}
    for slug, key in given.items():
        page.locator(f'input[name="{slug}"][value="{key}"]').check()
    page.get_by_role("button", name="See the recommendation").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    links = summary.get_by_role("link")
    expect(links).to_have_count(len(examples.ALL_QUESTIONS) - len(given))
    # The first missing question is the third; follow its link with the keyboard.
    expect(links.first).to_have_attribute("href", "#id_goal-unclear_0")
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    page.keyboard.press("Enter")

    target = page.locator("#id_goal-unclear_0")
    expect(page).to_have_url(re.compile("#id_goal-unclear_0$"))
    expect(target).to_be_focused()
    expect(target).to_be_in_viewport()
    # Nothing (such as the sticky submit bar) covers it: a click there reaches that radio.
    assert target.evaluate(
        """el => { const r = el.getBoundingClientRect();
        return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el; }"""
    )
    expect(page.locator("#q-goal-unclear")).to_contain_text("Choose an answer, or “Not sure”.")
    expect(page.get_by_label("Company")).to_have_value("Half Done GmbH")
    for slug, key in given.items():
        expect(page.locator(f'input[name="{slug}"]:checked')).to_have_value(key)
    expect(page.locator("#answered-count")).to_have_text("3 of 16 answered")
    assert not models.Assessment.objects.exists()


def test_prefilled_link_fills_the_company(page):
    page.goto("/assess/?" + urlencode({"company": "Acme & Söhne"}))
    expect(page.get_by_label("Company")).to_have_value("Acme & Söhne")
    expect(page.locator("#error-summary")).to_have_count(0)
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)


def look_at_pages(data: bytes, directory: Path, name: str) -> None:
    """Each page of a PDF as an image in the screenshots directory (poppler's pdftoppm)."""
    pdf = directory / f"{name}.pdf"
    pdf.write_bytes(data)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(pdf), str(directory / name)], check=True
        )


def assert_report_pages(data: bytes, company: str, *, max_pages: int | None = 3) -> list[str]:
    """docs/product.md §7 on a printed report: the company and page numbers in every footer, no
    orphan last page; the pages' texts."""
    pages = [" ".join(text.split()) for text in pdf_pages.page_texts(data)]
    if max_pages:
        assert len(pages) <= max_pages, f"{len(pages)} A4 pages"
    for number, text in enumerate(pages, start=1):
        assert company in text, (number, company)
        assert re.search(rf"(?<!\d){number} ?/ ?{len(pages)}(?!\d)", text), (number, text[-120:])
    share = pdf_pages.last_page_share(data)
    assert share >= 0.25, f"the last page holds {share:.0%} of a page"
    return pages


def test_report_prints_on_at_most_three_a4_pages_and_downloads_as_pdf(page, screenshots_dir):
    assert len(NOTE_100_WORDS.split()) == 100
    assessment = standard_report()
    assert assessment.outcome == "product-manager"
    page.goto(f"/a/{assessment.token}/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Standard Report AG")
    expect(page.locator(".report-notes")).to_contain_text("reporting to the chief executive")

    printed = page.pdf(format="A4", prefer_css_page_size=True)
    look_at_pages(printed, screenshots_dir, "report-print")
    pages = assert_report_pages(printed, "RoleFit · Acme Standard Report AG")
    # Page 1: verdict, summary, the whole note and the needs chart.
    for expected in [
        "Hire a product manager",
        "What your company needs most",
        "reporting to the chief executive",
        "quarterly results of the new plan are in",  # the last words (no "fi": a ligature)
        "needed from 65%",
    ]:
        assert expected in pages[0], expected
    text = " ".join(pages)
    # The print stylesheet drops the site's navigation and the toolbar.
    assert "Download PDF" not in text
    assert "Skip to main content" not in text

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("rolefit-report-acme-standard-report-ag-")
    assert download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    look_at_pages(data, screenshots_dir, "report-pdf")
    pages = assert_report_pages(data, "RoleFit · Acme Standard Report AG")
    assert "quarterly results of the new plan are in" in pages[0]
    assert "needed from 65%" in pages[0]


def test_long_notes_print_without_an_orphan_last_page(page, screenshots_dir):
    assessment = standard_report()
    long_notes = (
        "The leadership workshop showed a company that has outgrown founder-led product "
        "decisions; the next year is about building the business around the product. "
        * 4
        + "\n\n- agree the role profile with the chief executive\n"
        "- open the search with two agencies\n\n"
    ) * 5
    services.assessment_notes_update(
        assessment=assessment,
        consultant_notes=long_notes,
        prepared_for="Jane Doe, CEO",
        prepared_by="Carla Consultant",
    )
    page.goto(f"/a/{assessment.token}/report/")
    printed = page.pdf(format="A4", prefer_css_page_size=True)
    look_at_pages(printed, screenshots_dir, "report-long-notes-print")
    pages = assert_report_pages(printed, "Acme Standard Report AG", max_pages=None)
    assert "Notes from Carla Consultant" in pages[0] and "founder-led" in pages[0]


def test_a_new_consultant_brands_the_report_and_prints_it(page, account, screenshots_dir):
    """Issue 13's "done when": set the brand and a logo, add client-visible and private notes to
    the standard report, print it and download the PDF."""
    account("hannah", group=groups.HR_ADMINS)
    log_in(page, "hannah", path="/admin/login/")
    page.goto("/admin/advisor/branding/add/")
    page.get_by_label("Organisation name").fill("Northwind Advisory")
    page.get_by_label("Accent colour").fill("#AA3377")
    page.get_by_label("Contact line").fill("Northwind Advisory · hello@northwind.example")
    logo = io.BytesIO()
    Image.new("RGB", (240, 80), (170, 51, 119)).save(logo, "PNG")
    page.locator("#id_logo_upload").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo.getvalue()}]
    )
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.context.clear_cookies()

    assessment = standard_report()
    account("carla", group=groups.CONSULTANTS)
    log_in(page, "carla")
    page.goto(f"/assessments/{assessment.token}/")
    page.get_by_label("Private notes").fill("Budget not signed off yet.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Notes saved.")
    page.context.clear_cookies()

    page.goto(f"/a/{assessment.token}/report/")  # as the link holder
    expect(page.locator(".site-brand")).to_contain_text("Northwind Advisory")
    logo_img = page.locator(".report-logo")
    expect(logo_img).to_have_attribute("alt", "Northwind Advisory")
    assert page.evaluate("(img) => img.naturalWidth", logo_img.element_handle()) == 240
    expect(page.locator(".report-header")).to_contain_text("hello@northwind.example")
    expect(page.locator("body")).not_to_contain_text("Budget not signed off")
    printed = page.pdf(format="A4", prefer_css_page_size=True)
    look_at_pages(printed, screenshots_dir, "report-branded-print")
    pages = assert_report_pages(printed, "Northwind Advisory · Acme Standard Report AG")
    assert "Budget not signed off" not in " ".join(pages)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    data = Path(download_info.value.path()).read_bytes()
    look_at_pages(data, screenshots_dir, "report-branded-pdf")
    pages = assert_report_pages(data, "Northwind Advisory · Acme Standard Report AG")
    assert "Budget not signed off" not in " ".join(pages)
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 1  # the logo, embedded


def test_deleted_assessment_link_shows_not_found(page):
    assessment = services.assessment_create(
        company="Short Lived Inc", answers=examples.BOTH, respondent_name="Sam"
    )
    page.goto(assessment.get_absolute_url())
    page.get_by_role("link", name="Delete this assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the assessment?")
    page.get_by_role("button", name="Delete it").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_contain_text("Short Lived Inc")
    assert not models.Assessment.objects.exists()
    for path in (assessment.get_absolute_url(), f"/a/{assessment.token}/report/"):
        response = page.goto(path)
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


# Every Team & delivery answer "disagree" and no team: PO need 20%. Of Business & growth only the
# two strategy statements "strongly agree": strategy's need 2/3, go-to-market's 1/3, the rest 0;
# the focus is the top three of five, so PM need 1/3 → neither. With the weight of "Developing a
# multiyear product strategy" at 10 instead of 1, it alone makes 60% of the weight: the focus is
# strategy alone and PM need 2/3 ≥ 65% → product manager (docs/scoring.md, "Focus").
WEIGHT_ANSWERS = {
    **examples.answers("disagree", "none", "strongly-disagree"),
    "new-business": "strongly-agree",
    "multiyear-strategy": "strongly-agree",
}


def test_hr_admin_weight_change_counts_for_new_assessments_only(page, account):
    before = services.assessment_create(company="Before The Change", answers=WEIGHT_ANSWERS)
    assert before.outcome == "neither"
    account("hana", group=groups.HR_ADMINS)
    log_in(page, "hana", path="/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    page.goto("/admin/advisor/responsibility/")
    page.get_by_role("link", name="Developing a multiyear product strategy").click()
    page.get_by_label("Weight").fill("10")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert models.Responsibility.objects.get(slug="strategy").weight == 10

    page.goto("/assess/?" + urlencode({"company": "After The Change", **WEIGHT_ANSWERS}))
    expect(page.locator("#answered-count")).to_have_text("16 of 16 answered")
    page.get_by_role("button", name="See the recommendation").click()
    expect(page).to_have_url(RESULT_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hire a product manager")
    chart = page.locator(".needs-chart-role-product-manager")
    expect(chart).to_have_attribute("width", "193.3")  # 290 × 0.6667

    page.goto(before.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Neither role yet")
    expect(page.locator(".needs-chart-role-product-manager")).to_have_attribute(
        "width", "96.7"
    )  # 290 × 0.3333
    after = models.Assessment.objects.get(company="After The Change")
    assert after.criteria_version_id != before.criteria_version_id


def test_consultant_filters_adds_a_note_to_the_report_and_exports_csv(page, account):
    for company, answers in [
        ("Acme Robotics", examples.PRODUCT_OWNER),
        ("Acme Foods", examples.NEITHER),
        ("Globex", examples.BOTH),
    ]:
        services.assessment_create(company=company, answers=answers)
    account("carla", group=groups.CONSULTANTS)
    log_in(page, "carla")
    expect(page).to_have_url(re.compile("/assessments/$"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(3)

    page.get_by_label("Company").fill("acme")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    expect(page.locator("table")).not_to_contain_text("Globex")
    page.get_by_role("link", name=re.compile("^Product owner")).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Acme Robotics")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert [row["company"] for row in exported] == ["Acme Robotics"]
    assert exported[0]["outcome"] == "product-owner"
    assert exported[0]["agile-team"] == "strongly-agree"

    page.get_by_role("link", name="Acme Robotics", exact=True).click()
    page.get_by_label("Prepared for").fill("Ravi, head of product")
    page.get_by_label("Prepared by").fill("Carla Consultant")
    page.get_by_label("Client-visible notes").fill(
        "Start with a product owner for the robot line.\n\n- brief the team\n- hire by March"
    )
    page.get_by_label("Private notes").fill("Ravi prefers an internal candidate.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Notes saved.")

    page.get_by_role("link", name="Print view").click()
    expect(page).to_have_url(re.compile(r"/a/[A-Za-z0-9_-]+/report/$"))
    notes = page.locator(".report-notes")
    expect(notes).to_contain_text("Start with a product owner for the robot line.")
    expect(notes.get_by_role("heading")).to_have_text("Notes from Carla Consultant")
    expect(notes.locator("li")).to_have_text(["brief the team", "hire by March"])
    expect(page.locator(".report-meta")).to_contain_text("Ravi, head of product")
    expect(page.locator("body")).not_to_contain_text("internal candidate")
