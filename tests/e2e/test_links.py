"""Hiring managers without dead ends (issue 14), in a real browser: copy and email the private
link, answers that survive a reload, and changing answers from an undetermined result."""

import json
import re

import pytest
from playwright.sync_api import expect

from advisor import models, services
from tests import examples
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.browser

RESULT_URL = re.compile(r"/a/[A-Za-z0-9_-]+/$")
DRAFT_KEY = "rolefit:questionnaire-draft"


def stored_draft(page):
    return page.evaluate(f"() => window.localStorage.getItem({DRAFT_KEY!r})")


def test_copy_link_puts_the_private_link_on_the_clipboard(page, context, live_server):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    assessment = services.assessment_create(company="Copy Cats Ltd", answers=examples.BOTH)
    page.goto(assessment.get_absolute_url())
    expect(
        page.get_by_text("Keep this link: it is the only way back to this result.")
    ).to_be_visible()
    link = page.get_by_label("Link to this result")
    expect(link).to_have_value(f"{live_server.url}/a/{assessment.token}/")
    # The box comes before the verdict: no scrolling to find it, at either width.
    box = page.locator("#private-link").bounding_box()
    assert box["y"] < page.get_by_role("heading", level=1).bounding_box()["y"]

    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#copy-status")).to_have_text("Link copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == link.input_value()


def test_email_me_this_link_sends_it_and_says_so(page, mailoutbox):
    page.set_viewport_size(PHONE)
    assessment = services.assessment_create(company="Mail Me GmbH", answers=examples.NEITHER)
    page.goto(assessment.get_absolute_url())
    page.get_by_text("Email me this link").click()
    page.get_by_label("Your email address").fill("not an address")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("#email-link-error")).to_contain_text("Enter an email address such as")
    assert mailoutbox == []

    page.get_by_label("Your email address").fill("hiring.manager@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page).to_have_url(RESULT_URL)
    sent = page.get_by_role("status").first
    expect(sent).to_contain_text("We sent the link to hiring.manager@example.com.")
    expect(sent).to_be_in_viewport()  # on a phone too, without scrolling
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["hiring.manager@example.com"]
    # Built from ROLEFIT_SITE_URL (default http://127.0.0.1:8000), not from the live server's host.
    assert f"http://127.0.0.1:8000/a/{assessment.token}/" in message.body
    assert models.Assessment.objects.get().respondent_email == ""


def test_reload_and_a_later_visit_restore_unsent_answers(page):
    page.goto("/assess/")
    page.get_by_label("Company").fill("Reload Resistant SA")
    # The company context (docs/product.md §9) is kept with the answers.
    page.get_by_label("Size (optional)").select_option("51-250")
    page.get_by_label("Industry (optional)").fill("Santé")
    given = {"agile-team": "agree", "team-count": "several", "go-to-market": "not-sure"}
    for slug, key in given.items():
        page.locator(f'input[name="{slug}"][value="{key}"]').check()
    expect(page.locator("#answered-count")).to_have_text("3 of 16 answered")
    assert json.loads(stored_draft(page))["values"]["team-count"] == "several"

    page.reload()
    expect(page.get_by_label("Company")).to_have_value("Reload Resistant SA")
    expect(page.get_by_label("Size (optional)")).to_have_value("51-250")
    expect(page.get_by_label("Industry (optional)")).to_have_value("Santé")
    for slug, key in given.items():
        expect(page.locator(f'input[name="{slug}"]:checked')).to_have_value(key)

    # A fresh visit (no form state kept by the browser) restores them from local storage.
    page.goto("/")
    page.goto("/assess/")
    expect(page.get_by_label("Company")).to_have_value("Reload Resistant SA")
    expect(page.get_by_label("Size (optional)")).to_have_value("51-250")
    expect(page.get_by_label("Industry (optional)")).to_have_value("Santé")
    for slug, key in given.items():
        expect(page.locator(f'input[name="{slug}"]:checked')).to_have_value(key)
    expect(page.locator("#answered-count")).to_have_text("3 of 16 answered")

    # Sending with answers missing keeps the draft; sending successfully clears it.
    page.get_by_role("button", name="See the recommendation").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert stored_draft(page) is not None
    for slug, key in examples.STANDARD_REPORT.items():
        page.locator(f'input[name="{slug}"][value="{key}"]').check()
    page.get_by_role("button", name="See the recommendation").click()
    expect(page).to_have_url(RESULT_URL)
    assert stored_draft(page) is None
    saved = models.Assessment.objects.get(company="Reload Resistant SA")
    assert (saved.company_size, saved.industry) == ("51-250", "Santé")
    page.goto("/assess/")
    expect(page.get_by_label("Company")).to_have_value("")
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)


@pytest.mark.parametrize(
    "draft",
    [
        {"version": 1, "values": {"company": "Old", "retired-question": "agree"}},
        {"version": 1, "values": {"company": "Old", "agile-team": "mostly"}},
        {"version": 1, "values": {"company": "Old", "agile-team": 3}},
        {"version": 1, "values": {"company": "Old", "company-size": "huge"}},
        {"version": 2, "values": {"company": "Old"}},
        "not json {",
    ],
)
def test_a_draft_from_an_older_questionnaire_is_ignored(page, draft):
    page.goto("/")
    text = draft if isinstance(draft, str) else json.dumps(draft)
    page.evaluate(f"(text) => window.localStorage.setItem({DRAFT_KEY!r}, text)", text)
    page.goto("/assess/")
    expect(page.get_by_label("Company")).to_have_value("")
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)
    assert stored_draft(page) is None


def test_an_answered_question_loses_its_error_and_the_summary_counts_down(page):
    page.goto("/assess/")
    page.get_by_label("Company").fill("Counting Co")
    page.get_by_role("button", name="See the recommendation").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("16 questions need an answer")
    expect(page.locator("#q-agile-team .invalid-feedback")).to_be_visible()

    page.locator('input[name="agile-team"][value="neutral"]').check()
    expect(page.locator("#q-agile-team .invalid-feedback")).to_have_count(0)
    expect(page.locator("#q-agile-team")).not_to_have_class(re.compile("is-invalid"))
    expect(summary).to_contain_text("15 questions need an answer")
    expect(summary.get_by_role("link")).to_have_count(15)
    for slug in examples.ALL_QUESTIONS[1:-1]:
        page.locator(f'input[name="{slug}"][value="not-sure"]').check()
    expect(summary).to_contain_text("1 question needs an answer")
    page.locator(f'input[name="{examples.ALL_QUESTIONS[-1]}"][value="agree"]').check()
    expect(summary).to_have_count(0)


def test_change_answers_from_an_undetermined_result(page):
    earlier = services.assessment_create(
        company="Undecided Ltd", answers=examples.UNDETERMINED, respondent_name="Uma"
    )
    assert earlier.outcome == "undetermined"
    page.goto(earlier.get_absolute_url())
    lacking = page.locator(".lacking-answers")
    expect(lacking).to_contain_text("Product owner needs more answers")
    expect(lacking).to_contain_text("Product manager needs more answers")
    expect(lacking).to_contain_text("Developers often lack a clear, prioritised backlog")
    # It comes first, before the link box and the verdict.
    assert lacking.bounding_box()["y"] < page.locator("#private-link").bounding_box()["y"]

    page.get_by_role("link", name="Answer the missing statements").click()
    expect(page).to_have_url(re.compile(rf"/a/{earlier.token}/change/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your answers")
    expect(page.get_by_label("Company")).to_have_value("Undecided Ltd")
    expect(page.locator('input[name="agile-team"]:checked')).to_have_value("agree")
    expect(page.locator("#answered-count")).to_have_text("2 of 16 answered")
    page.locator(".lacking-answers").get_by_role("link").first.click()
    expect(page.locator("#id_backlog-unclear_0")).to_be_focused()

    for slug, key in examples.BOTH.items():
        page.locator(f'input[name="{slug}"][value="{key}"]').check()
    page.get_by_role("button", name="See the new recommendation").click()
    expect(page).to_have_url(RESULT_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hire both roles, a product manager first"
    )
    new = models.Assessment.objects.exclude(pk=earlier.pk).get()
    assert page.url.endswith(new.get_absolute_url())

    offer = page.locator(".earlier-assessment")
    expect(offer).to_contain_text("This is the result of your changed answers")
    offer.get_by_role("button", name="Delete the earlier assessment").click()
    expect(page.get_by_role("status").first).to_contain_text("The earlier assessment was deleted")
    expect(page.locator(".earlier-assessment")).to_have_count(0)
    assert list(models.Assessment.objects.values_list("pk", flat=True)) == [new.pk]
    assert page.goto(earlier.get_absolute_url()).status == 404
