"""Browser tests: Playwright drives the system Chromium against pytest-django's live server.

Chromium comes from CHROMIUM_PATH, else `chromium` on PATH (Debian: `apt-get install chromium`;
Playwright's own browser download is not used). Without one every browser test is skipped with
one reason, unless REQUIRE_BROWSER=1 (CI), which turns the skip into a failure.

The live server needs a transactional database, flushed after each test: every test starts from
the default criteria, the two staff groups and nothing else. Screenshots go to
test-artifacts/screenshots/ (git-ignored), replaced on each run.
"""

import os

# Playwright's sync API keeps an event loop in the test thread, so Django's "no database access
# from async code" guard would refuse every ORM call the tests make. Set before Django runs
# anything; there is no async code in the tests, only that loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test import override_settings  # noqa: E402

from advisor import groups, models, services  # noqa: E402
from tests import examples  # noqa: E402

# STACK-NOTES "Browser tests": what Debian's Chromium needs in a container without a display.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
PASSWORD = "browser-test-password-7"

# docs/product.md §7's standard report carries a 100-word consultant note.
NOTE_100_WORDS = (
    "Acme builds one product with a single Scrum team, and the backlog is in reasonable shape. "
    "What the company lacks is someone who owns the business case: the product line needs a "
    "strategy for the next three years, pricing that protects margins, and a go-to-market plan "
    "agreed with sales. We recommend hiring a product manager first, reporting to the chief "
    "executive, and asking the current team lead to keep the backlog until a second team "
    "starts. Revisit the product owner question in six months, once the roadmap is agreed "
    "and the first quarterly results of the new plan are in."
)


def chromium_executable() -> tuple[str | None, str]:
    """The Chromium to drive, or None and why there is none."""
    configured = os.environ.get("CHROMIUM_PATH", "").strip()
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured, ""
        return None, f"CHROMIUM_PATH={configured!r} is not an executable file"
    found = shutil.which("chromium")
    if found:
        return found, ""
    return None, "no `chromium` on PATH and CHROMIUM_PATH is not set"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, with the system Chromium (it has no CLI option)."""
    executable, problem = chromium_executable()
    if executable is None:
        reason = (
            f"Browser tests need Chromium: {problem} (Debian: apt-get install chromium; "
            "README 'Browser tests')."
        )
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1: {reason}", pytrace=False)
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages open relative to the live server: page.goto("/assess/")."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Desktop size unless a test resizes."""
    return {**browser_context_args, "viewport": DESKTOP}


@pytest.fixture(autouse=True)
def site(browser_type_launch_args, live_server):
    """The live site as a new visitor finds it: default criteria, the staff groups, no cache
    left over from an earlier test. (Asks for the browser's launch options first, so a missing
    Chromium skips before anything is set up.)"""
    with override_settings(
        # Browser sign-ins go through the real form: a fast hasher keeps them quick.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # The live server speaks plain HTTP, even where DJANGO_DEBUG=0 turns HTTPS on.
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        # tests/conftest.py's autouse `test_settings` turns the rate limits off: a browser test
        # submits and downloads more often than a real visitor would.
        assert settings.ROLEFIT_RATE_SUBMIT == settings.ROLEFIT_RATE_PDF == "off"
        assert settings.ROLEFIT_RATE_MAIL == "off"
        services.criteria_load()
        # A flush empties the groups' tables; recreate them as `migrate` does.
        groups.groups_ensure()
        # The criteria are cached per process under a stamp row that the flush deleted: make
        # sure the pages will see these criteria, not a previous test's edits.
        bundle = services.criteria_current()
        assert bundle.ready
        assert bundle.stamp == models.CriteriaState.objects.get().stamp
        assert bundle.version == services.criteria_version_of(services.criteria_snapshot_build())
        yield live_server


@pytest.fixture(scope="session")
def screenshots_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS


@pytest.fixture
def account(django_user_model):
    """`account(username, group=...)`: a user with PASSWORD in one of the staff groups."""

    def create(username: str, *, group: str):
        user = django_user_model.objects.create_user(
            username, password=PASSWORD, is_staff=group == groups.HR_ADMINS
        )
        user.groups.add(Group.objects.get(name=group))
        return user

    return create


def log_in(page, username: str, *, path: str = "/accounts/login/") -> None:
    """Sign in through the real login form (django-axes sees a real request)."""
    page.goto(path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert "/login/" not in page.url, f"sign-in as {username} failed: still at {page.url}"


def standard_report() -> models.Assessment:
    """docs/product.md §7's standard report: its answers and a 100-word consultant note; with the
    company context of §9, which its pages show beside the company."""
    assessment = services.assessment_create(
        company="Acme Standard Report AG",
        respondent_name="Robin Respondent",
        company_size="51-250",
        industry="Industrial robotics",
        answers=examples.STANDARD_REPORT,
    )
    return services.assessment_notes_update(
        assessment=assessment,
        consultant_notes=NOTE_100_WORDS,
        prepared_for="Jane Doe, CEO",
        prepared_by="Carla Consultant",
    )


OUTCOME_ANSWERS = {
    "product-owner": examples.PRODUCT_OWNER,
    "product-manager": examples.STANDARD_REPORT,
    "both": examples.BOTH,
    "neither": examples.NEITHER,
    "undetermined": examples.UNDETERMINED,
}

# The pages checked for accessibility, layout and screenshots, by name.
PAGES = [
    "home",
    "questionnaire",
    "questionnaire-errors",
    *(f"result-{outcome}" for outcome in OUTCOME_ANSWERS),
    "change-undetermined",
    "email-link-error",
    "report",
    "delete",
    "not-found",
    "login",
    "workspace",
    "workspace-detail",
]


@pytest.fixture
def open_page(page, account):
    """`open_page(name)`: create what page `name` of PAGES shows and open it in `page`."""

    def consultant():
        account("carla", group=groups.CONSULTANTS)
        log_in(page, "carla")

    def go(name: str) -> None:
        if name == "home":
            page.goto("/")
        elif name == "questionnaire":
            page.goto("/assess/")
        elif name == "questionnaire-errors":
            page.goto("/assess/")
            page.get_by_role("button", name="See the recommendation").click()
            page.locator("#error-summary").wait_for()
        elif name.startswith("result-"):
            outcome = name.removeprefix("result-")
            assessment = services.assessment_create(
                company=f"Example {outcome}",
                company_size="1001-5000",
                industry="Logistics",
                answers=OUTCOME_ANSWERS[outcome],
            )
            assert assessment.outcome == outcome
            page.goto(assessment.get_absolute_url())
        elif name == "change-undetermined":
            assessment = services.assessment_create(
                company="Example undetermined", answers=examples.UNDETERMINED
            )
            page.goto(f"/a/{assessment.token}/change/")
        elif name == "email-link-error":
            assessment = services.assessment_create(company="Example", answers=examples.BOTH)
            page.goto(assessment.get_absolute_url())
            page.get_by_text("Email me this link").click()
            page.get_by_label("Your email address").fill("not an address")
            page.get_by_role("button", name="Send the link").click()
            page.locator("#email-link-error").wait_for()
        elif name == "report":
            page.goto(f"/a/{standard_report().token}/report/")
        elif name == "delete":
            assessment = services.assessment_create(company="To Delete Ltd", answers={})
            page.goto(f"/a/{assessment.token}/delete/")
        elif name == "not-found":
            response = page.goto("/a/no-such-token/")
            assert response.status == 404
        elif name == "login":
            page.goto("/accounts/login/")
        elif name == "workspace":
            for outcome, answers in OUTCOME_ANSWERS.items():
                services.assessment_create(company=f"Client {outcome}", answers=answers)
            consultant()
            page.goto("/assessments/")
        elif name == "workspace-detail":
            token = standard_report().token
            consultant()
            page.goto(f"/assessments/{token}/")
        else:
            raise ValueError(f"unknown page {name!r}")

    return go


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now: "rule-id (impact): targets — help"."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'])}"
        f" — {v['help']}"
        for v in results.response["violations"]
    ]
