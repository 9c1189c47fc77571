"""The team report in a real browser (docs/product.md §8, like §7): the organiser opens it from the
team result, axe finds nothing, and Chromium prints it with the company and page numbers in every
footer and no orphan last page. Screenshots and the printed pages go to the screenshots
directory."""

import pytest
from playwright.sync_api import expect

from advisor.services import team as team_services
from tests.e2e.conftest import axe_violations
from tests.e2e.test_journeys import assert_report_pages, look_at_pages
from tests.e2e.test_team import PEOPLE
from tests.test_team import WORKED_TEAM

pytestmark = pytest.mark.browser


def test_the_organiser_opens_prints_and_downloads_the_team_report(page, screenshots_dir):
    team = team_services.team_create(
        company="Acme Robotics",
        organiser_name="Ann Lee",
        organiser_email="ann@example.com",
        anonymous=False,
    )
    for answers, (name, title) in zip(WORKED_TEAM, PEOPLE, strict=True):
        team_services.team_join(
            team_id=team.pk, answers=answers, respondent_name=name, respondent_title=title
        )
    page.goto(f"/t/{team.organiser_token}/result/")
    page.get_by_role("link", name="Team report (print)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Robotics")
    expect(page.locator(".result-headline")).to_have_text("Neither role yet")
    expect(page.locator(".team-agreement")).to_contain_text("Overall agreement: high (85.2%)")
    expect(page.locator(".team-agenda li")).to_have_count(1)
    expect(page.locator(".team-individual tbody tr")).to_have_count(4)
    violations = axe_violations(page)
    assert not violations, "axe on the team report:\n" + "\n".join(violations)
    page.screenshot(path=screenshots_dir / "team-report-1280.png", full_page=True)

    printed = page.pdf(format="A4", prefer_css_page_size=True)
    look_at_pages(printed, screenshots_dir, "team-report-print")
    pages = assert_report_pages(printed, "RoleFit · Acme Robotics", max_pages=None)
    # The summary page first: the verdict, the agreement in words and the agenda.
    for expected in ("Neither role yet", "Overall agreement: high (85.2%)", "Agenda"):
        assert expected in pages[0], expected
    assert "Download PDF" not in " ".join(pages)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("rolefit-team-report-acme-robotics-")
    data = download.path().read_bytes()
    look_at_pages(data, screenshots_dir, "team-report-pdf")
    assert_report_pages(data, "RoleFit · Acme Robotics", max_pages=None)
