"""Issue 15 in a real browser: HR admins and consultants land where their work is, the admin
reads like RoleFit's at 1280 px, the workspace shows cards at 375 px, the XLSX downloads."""

import openpyxl
import pytest
from playwright.sync_api import expect

from advisor import groups, models, services
from tests import examples
from tests.e2e.conftest import DESKTOP, PHONE, axe_violations, log_in
from tests.e2e.test_layout import OVERFLOWING, screenshot

pytestmark = pytest.mark.browser


def test_an_hr_admin_signing_in_lands_on_the_admin(page, account, screenshots_dir):
    account("hanna", group=groups.HR_ADMINS)
    log_in(page, "hanna")
    assert page.url.endswith("/admin/")
    expect(page.locator("#site-name")).to_have_text("RoleFit administration")
    screenshot(page, screenshots_dir / "admin-index-1280.png")


def test_a_consultant_signing_in_lands_on_the_workspace(page, account):
    account("carla", group=groups.CONSULTANTS)
    log_in(page, "carla")
    assert page.url.endswith("/assessments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessments")
    expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)


def test_an_account_without_a_role_is_told_what_it_can_do(page, django_user_model, screenshots_dir):
    from tests.e2e.conftest import PASSWORD

    django_user_model.objects.create_user("newbie", password=PASSWORD)
    page.set_viewport_size(PHONE)
    log_in(page, "newbie")
    assert page.url.endswith("/accounts/home/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("signed in as newbie")
    expect(page.get_by_role("link", name="Start an assessment").last).to_be_visible()
    screenshot(page, screenshots_dir / "landing-no-role-375.png")
    assert not axe_violations(page)


def test_workspace_cards_at_375_px(page, account, screenshots_dir):
    services.assessment_create(company="Müller Maschinenbau", answers=examples.STANDARD_REPORT)
    services.assessment_create(company="Bolt Logistics", answers=examples.PRODUCT_OWNER)
    account("carla", group=groups.CONSULTANTS)
    page.set_viewport_size(PHONE)
    log_in(page, "carla")
    page.get_by_label("Company").fill("muller")
    page.get_by_role("button", name="Apply").click()
    card = page.locator("table.workspace-table tbody tr")
    expect(card).to_have_count(1)
    # Each cell on its own line inside the phone's width, labelled by its column.
    expected = {
        "td.workspace-company": "Müller Maschinenbau",
        "td.workspace-date": "",
        "td.workspace-outcome": "Product manager",
        "td.workspace-need >> nth=0": "53.8%",
        "td.workspace-need >> nth=1": "75%",
        "td.workspace-report a": "Report",
    }
    for selector, text in expected.items():
        cell = card.locator(selector)
        expect(cell).to_be_visible()
        expect(cell).to_contain_text(text)
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], selector
    labels = card.locator("td.workspace-need").evaluate_all(
        "(cells) => cells.map((c) => getComputedStyle(c, '::before').content)"
    )
    assert labels == ['"Need for a product owner"', '"Need for a product manager"']
    assert not page.evaluate(OVERFLOWING)
    screenshot(page, screenshots_dir / "workspace-cards-375.png")
    assert not axe_violations(page)
    page.set_viewport_size(DESKTOP)
    expect(page.locator("table.workspace-table thead")).to_be_visible()
    screenshot(page, screenshots_dir / "workspace-search-1280.png")


def test_a_reversed_date_range_says_what_is_wrong(page, account):
    services.assessment_create(company="Acme", answers=examples.STANDARD_REPORT)
    account("carla", group=groups.CONSULTANTS)
    log_in(page, "carla")
    page.goto("/assessments/?date_from=2025-05-01&date_to=2025-04-01")
    expect(page.get_by_text("The “to” date is before the “from” date.")).to_be_visible()
    expect(page.get_by_role("link", name="Acme", exact=True)).to_be_visible()
    expect(page.get_by_text("No assessment matches")).to_have_count(0)


def test_the_xlsx_downloads_and_opens(page, account, tmp_path):
    acme = services.assessment_create(
        company="Acme Robotics",
        company_size="51-250",
        industry="Santé numérique",
        answers=examples.STANDARD_REPORT,
    )
    services.assessment_notes_update(
        assessment=acme,
        consultant_notes="",
        prepared_for="",
        prepared_by="",
        private_notes="Budget not signed off yet.",
    )
    services.assessment_create(company="Bolt Logistics", answers=examples.PRODUCT_OWNER)
    account("carla", group=groups.CONSULTANTS)
    log_in(page, "carla")
    # The company context's filters (docs/product.md §9): accents and case ignored.
    page.get_by_label("Industry").fill("SANTE")
    page.get_by_label("Size").select_option("51-250")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("table.workspace-table tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export Excel (XLSX)").click()
    name = download.value.suggested_filename
    assert name.startswith("rolefit-assessments-") and name.endswith(".xlsx")
    download.value.save_as(tmp_path / name)
    sheet = openpyxl.load_workbook(tmp_path / name).active
    header, row = [list(r) for r in sheet.iter_rows(values_only=True)]
    cells = dict(zip(header, row, strict=True))
    assert cells["Company"] == "Acme Robotics"
    assert cells["Outcome"] == "Product manager"
    assert cells["Need for a product manager"] == pytest.approx(0.75)
    # Issue 15: the private notes, the team reference and the context are in the spreadsheet.
    assert cells["Company size"] == "51–250 people"
    assert cells["Industry"] == "Santé numérique"
    assert cells["Private notes"] == "Budget not signed off yet."
    assert cells["Team"] is None


def test_the_question_page_fits_1280_px(page, account, screenshots_dir):
    account("hanna", group=groups.HR_ADMINS)
    log_in(page, "hanna")
    question = models.Question.objects.get(slug="team-count")
    page.goto(f"/admin/advisor/question/{question.pk}/change/")
    expect(page.locator("#content h2").first).to_have_text(question.text)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    overflowing = page.evaluate(OVERFLOWING)
    screenshot(page, screenshots_dir / "admin-question-1280.png")
    assert widths[0] <= widths[1], f"the question page scrolls sideways: {widths} {overflowing}"
    for header in page.get_by_role("columnheader", name="Delete?").all():
        box = header.bounding_box()
        assert box["x"] + box["width"] <= DESKTOP["width"]
    screenshot(page, screenshots_dir / "admin-question-1280.png")
