"""A team assessment in a real browser (issue 16, docs/product.md §8): an organiser starts one from
the
home page, four colleagues answer in their own browsers, everyone reads the team result; an
anonymous team stays anonymous. axe on every team page; the team result at 1280 and 375 px."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, axe_violations
from tests.test_team import WORKED_TEAM

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Ann Lee", "CEO"),
    ("Carl Tan", "CTO"),
    ("Sue Park", "Head of sales"),
    ("Dana Ito", "Team lead"),
]
RESULT_URL = re.compile(r"/a/[A-Za-z0-9_-]+/$")


def no_axe_violations(page, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {what} ({page.url}):\n" + "\n".join(violations)


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def start_team(page, *, anonymous: bool) -> tuple[str, str]:
    """From the home page to the organiser page; returns (organiser URL, invitation URL)."""
    page.goto("/")
    page.get_by_role("link", name="Assess with your team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assess with your team")
    no_axe_violations(page, "the start page")
    page.get_by_label("Company").fill("Acme Robotics")
    page.get_by_label("Your name").fill("Ann Lee")
    page.get_by_label("Your email").fill("ann@example.com")
    page.get_by_label("How many people do you expect to answer? (optional)").fill("4")
    if anonymous:
        page.get_by_label("Anonymous: respondents give no name", exact=False).check()
    page.get_by_role("button", name="Start the team assessment").click()
    expect(page.get_by_text("Answer first.")).to_be_visible()
    invitation = page.locator("#invitation-link").input_value()
    assert invitation.endswith("/join/")
    return page.url, invitation


def answer(browser, browser_context_args, invitation: str, answers: dict, person=None):
    """One colleague in a browser context of their own; returns their result page's URL."""
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.goto(invitation)
    # No peeking: nothing of the others before submitting.
    expect(page.get_by_text("you see the team result once you have submitted")).to_be_visible()
    assert "Respondent" not in page.content()
    if person:
        page.get_by_label("Your name").fill(person[0])
        page.get_by_label("Your job title (optional)").fill(person[1])
    else:
        expect(page.get_by_label("Your name")).to_have_count(0)
    for slug, key in answers.items():
        page.locator(f'input[name="{slug}"][value="{key}"]').check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page).to_have_url(RESULT_URL)
    expect(page.get_by_role("link", name="See the team result")).to_be_visible()
    url = page.url
    context.close()
    return url


def test_a_named_team_answers_and_reads_the_team_result(
    page, browser, browser_context_args, screenshots_dir
):
    organiser_url, invitation = start_team(page, anonymous=False)
    no_axe_violations(page, "the organiser page")
    page.set_viewport_size(PHONE)
    assert fits_the_width(page)
    page.screenshot(path=screenshots_dir / "team-organiser-375.png", full_page=True)
    page.goto(invitation)
    no_axe_violations(page, "the join page")
    assert fits_the_width(page)
    page.set_viewport_size(DESKTOP)
    results = [
        answer(browser, browser_context_args, invitation, answers, person)
        for answers, person in zip(WORKED_TEAM, PEOPLE, strict=True)
    ]

    # A respondent goes from their own result to the team's.
    page.goto(results[1])
    page.get_by_role("link", name="See the team result").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neither role yet")

    # The organiser sees progress, then the team result.
    page.goto(organiser_url)
    expect(page.locator(".team-progress")).to_contain_text("4 of 4 expected people have answered")
    expect(page.locator(".team-respondents")).to_contain_text("Carl Tan, CTO")
    page.get_by_role("link", name="Open the team result").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neither role yet")
    expect(page.locator(".result-summary")).to_contain_text("the team")
    expect(page.locator(".team-agreement")).to_contain_text("Overall agreement: high (85.2%)")
    expect(page.locator(".team-agreement")).to_contain_text(
        "1 of 4 respondents reached the team's verdict on their own"
    )
    expect(page.locator(".team-pivotal")).to_have_text(
        "If the team took Ann Lee's, Sue Park's and Dana Ito's view on “Someone has to shape "
        "technology roadmaps together with R&D or engineering leadership” (Agree), the advice "
        "would be Product manager."
    )
    expect(page.locator(".team-agenda li")).to_have_count(1)
    expect(page.locator(".team-individual tbody tr")).to_have_count(4)
    expect(page.locator("svg.team-bar")).to_have_count(16)
    no_axe_violations(page, "the team result")
    page.screenshot(path=screenshots_dir / "team-result-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert fits_the_width(page)
    page.screenshot(path=screenshots_dir / "team-result-375.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    # The CTO comes round: changing answers replaces theirs, and the verdict follows.
    page.goto(results[1])
    page.get_by_role("link", name="Change my answers").click()
    expect(page.locator('input[name="rd-roadmap"][value="strongly-disagree"]')).to_be_checked()
    no_axe_violations(page, "the change page")
    page.locator('input[name="rd-roadmap"][value="agree"]').check()
    page.get_by_role("button", name="Save my new answers").click()
    expect(page).to_have_url(RESULT_URL)
    page.get_by_role("link", name="See the team result").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hire a product manager")

    # Closing: the invitation link answers 410 with a clear page.
    page.goto(organiser_url)
    page.get_by_role("button", name="Close the team assessment").click()
    expect(page.get_by_role("status")).to_contain_text("closed")
    response = page.goto(invitation)
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This team assessment is closed")
    no_axe_violations(page, "the closed join page")


def test_an_anonymous_team_shows_detail_only_once_closed_with_three(
    page, browser, browser_context_args, screenshots_dir
):
    organiser_url, invitation = start_team(page, anonymous=True)
    for answers in WORKED_TEAM[:3]:
        answer(browser, browser_context_args, invitation, answers)
    result_url = organiser_url + "result/"
    page.goto(result_url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("svg.team-bar")).to_have_count(0)
    expect(page.get_by_text("This team is anonymous.")).to_be_visible()
    no_axe_violations(page, "the restricted team result")
    page.goto(organiser_url)
    page.get_by_role("button", name="Close the team assessment").click()
    page.goto(result_url)
    expect(page.locator(".team-individual tbody th")).to_have_text(
        ["Respondent 1", "Respondent 2", "Respondent 3"]
    )
    expect(page.locator("svg.team-bar")).to_have_count(16)
    no_axe_violations(page, "the anonymous team result")
    page.set_viewport_size(PHONE)
    assert fits_the_width(page)
    page.screenshot(path=screenshots_dir / "team-result-anonymous-375.png", full_page=True)


def test_a_consultant_finds_the_team_and_the_organiser_deletes_it(
    page, browser, browser_context_args, account
):
    from advisor import groups
    from tests.e2e.conftest import log_in

    organiser_url, invitation = start_team(page, anonymous=False)
    no_axe_violations(page, "the organiser page with the mail form")
    expect(page.get_by_text("We sent the organiser and invitation links")).to_be_visible()
    answered = [
        answer(browser, browser_context_args, invitation, answers, person)
        for answers, person in zip(WORKED_TEAM[:2], PEOPLE[:2], strict=True)
    ]
    # A consultant finds it in the workspace.
    account("carla", group=groups.CONSULTANTS)
    context = browser.new_context(**browser_context_args)
    consultant = context.new_page()
    log_in(consultant, "carla")
    consultant.goto("/assessments/teams/")
    expect(consultant.get_by_role("link", name="Acme Robotics", exact=True)).to_be_visible()
    no_axe_violations(consultant, "the workspace's team list")
    consultant.get_by_role("link", name="Delete · Acme Robotics").click()
    expect(consultant.get_by_text("people who answered")).to_be_visible()
    no_axe_violations(consultant, "the consultant's delete confirmation")
    context.close()
    # The organiser deletes it after the confirmation.
    page.goto(organiser_url)
    page.get_by_role("link", name="Delete the team assessment…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the team assessment?")
    expect(page.get_by_text("assessments of the 2 people who answered")).to_be_visible()
    no_axe_violations(page, "the delete confirmation")
    page.get_by_role("button", name="Delete the team assessment").click()
    expect(page.get_by_text("was deleted with its respondents' answers")).to_be_visible()
    for url in (organiser_url, invitation, *answered):
        assert page.goto(url).status == 404, url
