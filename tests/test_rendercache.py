"""Results, reports and PDFs rendered once, in the shared cache (advisor/rendercache.py).

A kept page is served only while everything it shows is unchanged (notes, brand, language,
templates), never for a deleted assessment, and a cache that is down or full costs the rendering,
never the page.
"""

import io
import logging
import re
import time
from datetime import UTC
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.base import BaseCache
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime

from advisor import (
    branding,
    models,
    presentation,
    rendercache,
    report_parts,
    selectors,
    services,
    team_presentation,
)
from advisor.services import team as team_services
from rolefit import settings as project_settings
from tests import examples

pytestmark = pytest.mark.django_db

LOCAL = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "l"}
RECENT = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "r"}
DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "rolefit_cache",
    },
    "local": LOCAL,
    "recent": RECENT,
}
NOTES = "Hire the product manager first."


class DownCache(BaseCache):
    """A cache that is down: every call raises, as a Redis out of reach does."""

    def __init__(self, location, params):
        super().__init__(params)

    def get(self, key, default=None, version=None):
        raise ConnectionError("cache down")

    def set(self, key, value, timeout=None, version=None):
        raise ConnectionError("cache down")

    def delete_many(self, keys, version=None):
        raise ConnectionError("cache down")


class FullCache(DownCache):
    """A cache that is full: it reads (nothing), and refuses every write, as a Redis at its
    memory limit without eviction does."""

    def get(self, key, default=None, version=None):
        return default

    def set(self, key, value, timeout=None, version=None):
        raise MemoryError("OOM command not allowed when used memory > 'maxmemory'")


def result_url(assessment) -> str:
    return reverse("advisor:result", kwargs={"token": assessment.token})


def report_url(assessment) -> str:
    return reverse("advisor:report", kwargs={"token": assessment.token})


def pdf_url(assessment) -> str:
    return reverse("advisor:report_pdf", kwargs={"token": assessment.token})


def fake_pdf(assessment, **_brand) -> bytes:
    """A stand-in for WeasyPrint that shows what the PDF would: the notes and the brand."""
    brand = branding.brand_current().organisation_name
    return f"%PDF {brand} | {assessment.consultant_notes}".encode()


@pytest.fixture
def acme(default_criteria):
    assessment = services.assessment_create(
        company="Acme Robotics", respondent_name="Rita Respondent", answers=examples.BOTH
    )
    return services.assessment_notes_update(
        assessment=assessment,
        consultant_notes=NOTES,
        prepared_for="Ann Client",
        prepared_by="Carl Consultant",
    )


@pytest.fixture
def database_cache():
    """The deployment's default: the database table, made as `migrate` makes it."""
    with override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", verbosity=0)
        yield


@pytest.fixture
def renders():
    """How often each page was rendered (the PDF by a stand-in for WeasyPrint)."""
    with (
        mock.patch.object(
            presentation, "result_context", side_effect=presentation.result_context
        ) as result,
        mock.patch.object(
            report_parts, "report_context", side_effect=report_parts.report_context
        ) as report,
        mock.patch.object(rendercache, "report_pdf_render", side_effect=fake_pdf) as pdf,
    ):
        yield {"result": result, "report": report, "pdf": pdf}


def counts(renders) -> tuple[int, int, int]:
    """Renders of the result's sections, the report's body and the PDF (a report's body builds
    on the result's context: those calls are the report's)."""
    report = renders["report"].call_count
    return renders["result"].call_count - report, report, renders["pdf"].call_count


def view_all(client, assessment) -> list:
    return [
        client.get(url)
        for url in (result_url(assessment), report_url(assessment), pdf_url(assessment))
    ]


def without_csrf(response) -> bytes:
    """The response's content without the per-request CSRF token (the result's email form)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)


def stored_keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM rolefit_cache")
        return [key for (key,) in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------
# Rendered once, in the shared table


def test_each_page_is_rendered_once_and_then_served_from_the_table(
    client, acme, database_cache, renders, django_assert_num_queries
):
    first = view_all(client, acme)
    assert counts(renders) == (1, 1, 1)
    urls = (result_url(acme), report_url(acme), pdf_url(acme))
    for url in urls:
        # Kept in this process's recent pages: the assessment's lookup only.
        with django_assert_num_queries(1):
            assert client.get(url).status_code == 200
    # As another worker, which has not served them yet: the lookup and the table's read,
    # nothing rendered; then they are among that worker's recent pages too.
    caches["recent"].clear()
    for url in urls:
        with django_assert_num_queries(2):
            assert client.get(url).status_code == 200
        with django_assert_num_queries(1):
            assert client.get(url).status_code == 200
    again = view_all(client, acme)
    assert counts(renders) == (1, 1, 1)
    assert [without_csrf(r) for r in first] == [without_csrf(r) for r in again]
    assert NOTES in again[1].content.decode()
    assert again[2].content == b"%PDF RoleFit | " + NOTES.encode()


def test_a_real_pdf_comes_back_byte_for_byte(client, acme, database_cache):
    first = client.get(pdf_url(acme))
    with mock.patch.object(rendercache, "report_pdf_render") as render:
        again = client.get(pdf_url(acme))
    render.assert_not_called()
    assert first.content.startswith(b"%PDF") and again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]


def test_keys_name_the_assessment_by_id_never_by_token(client, acme, database_cache):
    view_all(client, acme)
    keys = stored_keys()
    assert len(keys) == len(rendercache.KINDS) == 5
    assert all(acme.token not in key for key in keys)
    assert {key.split(":", 2)[2] for key in keys} == {
        f"rolefit:render:{kind}:{acme.pk}:en" for kind in rendercache.KINDS
    }


def test_entries_expire_a_day_after_rendering(client, acme, database_cache):
    assert settings.RENDER_CACHE_SECONDS == 24 * 60 * 60
    view_all(client, acme)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM rolefit_cache")
        expiries = [row[0] for row in cursor.fetchall()]
    assert len(expiries) == len(rendercache.KINDS)
    for expires in expiries:
        if isinstance(expires, str):  # SQLite: naive UTC text
            expires = parse_datetime(expires).replace(tzinfo=UTC)
        left = expires.timestamp() - time.time()
        assert 24 * 60 * 60 - 120 < left <= 24 * 60 * 60


def test_a_pdf_over_the_cap_is_rendered_each_time(client, acme, renders):
    with override_settings(RENDER_CACHE_PDF_MAX_BYTES=10):
        client.get(pdf_url(acme))
        client.get(pdf_url(acme))
    assert counts(renders) == (0, 0, 2)
    with override_settings(RENDER_CACHE_PDF_MAX_BYTES=len(fake_pdf(acme))):
        client.get(pdf_url(acme))
        client.get(pdf_url(acme))
    assert counts(renders) == (0, 0, 3)


def test_nothing_crosses_from_one_assessment_to_another(client, acme):
    other = services.assessment_create(
        company="Other Company", respondent_name="Olga Other", answers=examples.BOTH
    )
    view_all(client, acme)
    html = client.get(report_url(other)).content.decode()
    assert "Other Company" in html and "Olga Other" in html
    assert "Acme Robotics" not in html and "Rita Respondent" not in html and NOTES not in html


def test_per_request_parts_stay_outside_the_kept_html(client, acme, consultant_user):
    """The CSRF token (the result's email form) and a consultant's links are the request's."""
    anonymous, other = client, Client()
    first, second = (c.get(result_url(acme)).content.decode() for c in (anonymous, other))
    token = 'name="csrfmiddlewaretoken" value="'
    assert first.split(token)[1][:20] != second.split(token)[1][:20]
    assert anonymous.cookies["csrftoken"].value != other.cookies["csrftoken"].value
    edit = reverse("advisor:workspace_detail", kwargs={"token": acme.token})
    assert edit not in anonymous.get(report_url(acme)).content.decode()
    consultant = Client()
    consultant.force_login(consultant_user)
    assert edit in consultant.get(report_url(acme)).content.decode()
    assert edit not in anonymous.get(report_url(acme)).content.decode()


def csrf_value(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


@pytest.mark.parametrize("url", [result_url, report_url])
def test_a_visitor_without_a_session_gets_the_whole_page_kept(
    client, acme, database_cache, url, django_assert_num_queries
):
    """Issue 20: the page around the result's sections cost more than they did; for a visitor
    with nothing of their own on the page, nothing is rendered once it is kept."""
    first = client.get(url(acme))
    with (
        mock.patch("advisor.views.links.render_to_string") as result_rendered,
        mock.patch("advisor.views.reports.render_to_string") as report_rendered,
        django_assert_num_queries(1),  # the lookup; the page is one of this process's recent
    ):
        again = client.get(url(acme))
    result_rendered.assert_not_called()
    report_rendered.assert_not_called()
    assert again.status_code == 200 and without_csrf(again) == without_csrf(first)
    assert again["X-Robots-Tag"] == first["X-Robots-Tag"]


def test_the_kept_result_page_carries_each_visitors_own_working_token(acme, database_cache):
    """The token spliced into the kept page is the request's: its form posts pass the CSRF
    check, and nobody gets another visitor's token."""
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
    pages = [visitor.get(result_url(acme)) for visitor in visitors]
    again = visitors[0].get(result_url(acme))
    assert len({csrf_value(page) for page in (*pages, again)}) == 3
    email = reverse("advisor:email_link", kwargs={"token": acme.token})
    for visitor, page in zip(visitors, pages, strict=True):
        answer = visitor.post(
            email, {"email": "not an address", "csrfmiddlewaretoken": csrf_value(page)}
        )
        assert answer.status_code == 200  # the form's error, not the CSRF failure's 403
        assert "not an address" in answer.content.decode()
    refused = visitors[1].post(email, {"email": "x@example.com", "csrfmiddlewaretoken": "wrong"})
    assert refused.status_code == 403


def test_a_signed_in_consultant_never_shares_a_kept_page(client, acme, consultant_user):
    anonymous_before = client.get(result_url(acme)).content.decode()
    consultant = Client()
    consultant.force_login(consultant_user)
    workspace = reverse("advisor:workspace")
    for url in (result_url(acme), report_url(acme)):
        html = consultant.get(url).content.decode()
        assert workspace in html and "Log out" in html
        anonymous = client.get(url).content.decode()
        assert workspace not in anonymous and "Log out" not in anonymous
    assert "Log out" not in anonymous_before


def test_a_kept_page_follows_the_host_and_the_brand(client, acme, database_cache):
    with override_settings(ALLOWED_HOSTS=["testserver", "advice.example"]):
        assert "http://testserver/a/" in client.get(result_url(acme)).content.decode()
        other = client.get(result_url(acme), HTTP_HOST="advice.example").content.decode()
        assert "http://advice.example/a/" in other and "http://testserver/a/" not in other
    models.Branding.objects.create(organisation_name="Northwind Advisory")
    for url in (result_url(acme), report_url(acme)):
        assert "Northwind Advisory" in client.get(url).content.decode()


def test_recent_pages_are_few_brief_and_small(client, acme):
    """Each process's recent pages hold personal data: bounded in number and lifetime, and a
    large PDF is not among them (docs/benchmarks.md, issue 20)."""
    recent = caches["recent"]
    assert settings.RENDER_CACHE_RECENT_SECONDS == 60
    configured = project_settings.CACHES["recent"]
    assert configured["TIMEOUT"] == 60 and configured["OPTIONS"]["MAX_ENTRIES"] == 200
    view_all(client, acme)
    name = rendercache.key(rendercache.PDF, acme.pk, "en")
    assert recent.get(name) is not None
    recent.clear()
    with override_settings(RENDER_CACHE_RECENT_MAX_BYTES=1000):
        view_all(client, acme)
        assert recent.get(name) is None  # the PDF: over the cap
        assert recent.get(rendercache.key(rendercache.REPORT_PAGE, acme.pk, "en")) is None
        assert cache.get(name) is not None  # still kept in the shared cache


def test_a_recent_page_is_not_served_once_what_it_shows_changed_elsewhere(client, acme):
    """Another worker or a command may change the assessment without touching this process's
    recent pages: the fingerprint, checked on every request, still catches it."""
    assert NOTES in client.get(report_url(acme)).content.decode()
    models.Assessment.objects.filter(pk=acme.pk).update(consultant_notes="Changed elsewhere.")
    html = client.get(report_url(acme)).content.decode()
    assert "Changed elsewhere." in html and NOTES not in html


# ---------------------------------------------------------------------------------------------
# Never served after what it shows changed


def test_changed_notes_are_shown_at_once(client, acme, renders):
    view_all(client, acme)
    services.assessment_notes_update(
        assessment=acme, consultant_notes="Wait a quarter.", prepared_for="Bo", prepared_by="Cy"
    )
    _result, report, pdf = view_all(client, acme)
    html = report.content.decode()
    assert "Wait a quarter." in html and NOTES not in html
    assert "Bo" in html and "Ann Client" not in html
    assert pdf.content == b"%PDF RoleFit | Wait a quarter."
    assert counts(renders)[1:] == (2, 2)


def test_changed_prepared_for_alone_is_shown_at_once(client, acme):
    client.get(report_url(acme))
    services.assessment_notes_update(
        assessment=acme, consultant_notes=NOTES, prepared_for="Dee Director", prepared_by=""
    )
    html = client.get(report_url(acme)).content.decode()
    assert "Dee Director" in html and "Ann Client" not in html


def test_a_changed_brand_is_shown_at_once(client, acme, renders):
    view_all(client, acme)
    models.Branding.objects.create(
        organisation_name="Northwind Advisory", contact_line="hello@northwind.example"
    )  # saving drops this process's copy of the brand (advisor/signals.py)
    _result, report, pdf = view_all(client, acme)
    html = report.content.decode()
    assert "hello@northwind.example" in html
    assert '<span class="report-brand-name">Northwind Advisory</span>' in html
    assert pdf.content.startswith(b"%PDF Northwind Advisory")
    assert counts(renders)[1:] == (2, 2)
    # The colour and the logo alone change it too.
    for change in ({"accent_colour": "#aa3377"}, {"logo_digest": "0" * 64}):
        models.Branding.objects.filter().update(**change)
        branding.brand_forget()
        view_all(client, acme)
    assert counts(renders)[1:] == (4, 4)


def render_both(assessment) -> None:
    """The result's sections and the report's body, as the views get them."""
    found = selectors.result_lookup(assessment.token)
    rendercache.result_article(found)
    rendercache.report_body(found, branding.brand_current())


def test_another_language_is_rendered_and_kept_apart(acme, renders):
    with override_settings(LANGUAGES=[("en", "English"), ("de", "German")]):
        render_both(acme)
        with translation.override("de"):
            render_both(acme)
            assert cache.get(rendercache.key(rendercache.REPORT, acme.pk)) is not None
        render_both(acme)
    assert counts(renders)[:2] == (2, 2)
    assert cache.get(rendercache.key(rendercache.REPORT, acme.pk, "de")) is not None


def test_a_new_render_version_renders_afresh(client, acme, renders):
    view_all(client, acme)
    with mock.patch.object(rendercache, "render_version", return_value="another release"):
        view_all(client, acme)
        view_all(client, acme)
    assert counts(renders) == (2, 2, 2)


def test_the_render_version_follows_the_template_files(tmp_path):
    (tmp_path / "page.html").write_text("one")
    engine = {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [tmp_path]}
    try:
        with override_settings(TEMPLATES=[engine]):
            rendercache.render_version.cache_clear()
            before = rendercache.render_version()
            (tmp_path / "page.html").write_text("two")
            rendercache.render_version.cache_clear()
            after = rendercache.render_version()
            rendercache.render_version.cache_clear()
            assert rendercache.render_version() == after
    finally:
        rendercache.render_version.cache_clear()
    assert before != after


def test_an_edited_answer_or_result_renders_afresh(client, acme, renders):
    # Assessments do not change once written; should a column change anyway (a data repair),
    # the kept pages go with it.
    view_all(client, acme)
    models.Assessment.objects.filter(pk=acme.pk).update(company="Acme Holdings")
    _result, report, _pdf = view_all(client, acme)
    assert "Acme Holdings" in report.content.decode()
    assert counts(renders) == (2, 2, 2)


# ---------------------------------------------------------------------------------------------
# Deleted: unreachable at once, and removed


def test_a_deleted_assessment_is_never_served_even_while_kept(client, acme, database_cache):
    view_all(client, acme)
    # Deleted behind the services' back: its entries stay, but every request looks it up first.
    models.Assessment.objects.filter(pk=acme.pk).delete()
    assert len(stored_keys()) == len(rendercache.KINDS)
    assert [r.status_code for r in view_all(client, acme)] == [404, 404, 404]


def test_delete_removes_the_kept_pages(
    client, acme, database_cache, django_capture_on_commit_callbacks
):
    view_all(client, acme)
    assert len(stored_keys()) == len(rendercache.KINDS)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(reverse("advisor:delete", kwargs={"token": acme.token})).status_code == 302
        )
    assert stored_keys() == []
    assert [r.status_code for r in view_all(client, acme)] == [404, 404, 404]


def test_delete_removes_them_in_every_configured_language(
    acme, database_cache, django_capture_on_commit_callbacks
):
    with override_settings(LANGUAGES=[("en", "English"), ("de", "German"), ("fr", "French")]):
        for code in ("en", "de", "fr"):
            with translation.override(code):
                found = selectors.result_lookup(acme.token)
                rendercache.report_body(found, branding.brand_current())
        assert len(stored_keys()) == 3
        with django_capture_on_commit_callbacks(execute=True):
            services.assessment_delete(assessment=acme)
    assert stored_keys() == []


def test_a_rolled_back_delete_keeps_them(client, acme, database_cache):
    view_all(client, acme)
    refused = mock.patch.object(models.Assessment, "delete", side_effect=RuntimeError("refused"))
    with refused, pytest.raises(RuntimeError):
        services.assessment_delete(assessment=acme)
    assert len(stored_keys()) == len(rendercache.KINDS)


def test_purge_removes_the_kept_pages(
    client, acme, database_cache, django_capture_on_commit_callbacks
):
    recent = services.assessment_create(company="Recent", answers=examples.BOTH)
    view_all(client, acme)
    client.get(report_url(recent))
    models.Assessment.objects.filter(pk=acme.pk).update(
        created_at=models.Assessment.objects.get(pk=acme.pk).created_at.replace(year=2000)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_assessments", "--older-than", "365", stdout=io.StringIO())
    assert sorted(stored_keys()) == sorted(
        f":1:{rendercache.key(kind, recent.pk, 'en')}"
        for kind in (rendercache.REPORT, rendercache.REPORT_PAGE)
    )


def test_deleting_a_team_removes_its_respondents_pages(
    client, default_criteria, database_cache, django_capture_on_commit_callbacks
):
    team = team_services.team_create(
        company="Teamco", organiser_name="Ola", organiser_email="ola@example.com", anonymous=True
    )
    first = team_services.team_join(team_id=team.pk, answers=examples.BOTH)
    second = team_services.team_join(team_id=team.pk, answers=examples.NEITHER)
    client.get(report_url(first))
    client.get(report_url(second))
    assert len(stored_keys()) == 4  # each report's body and whole page
    # A respondent changing answers replaces their assessment: the old one's pages go.
    with django_capture_on_commit_callbacks(execute=True):
        team_services.team_respondent_replace(assessment=second, answers=examples.BOTH)
    assert len(stored_keys()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        team_services.team_delete(team_obj=team)
    assert stored_keys() == []


def test_the_team_result_is_rendered_once_per_change_of_the_team(
    client, default_criteria, database_cache, django_capture_on_commit_callbacks
):
    """docs/product.md §8: a team result page view costs lookups, not a rendering of every
    respondent's answers; a new answer, closing the team or deleting it shows at once."""
    team = team_services.team_create(
        company="Teamco", organiser_name="Ola", organiser_email="ola@example.com", anonymous=False
    )
    team_services.team_join(team_id=team.pk, answers=examples.BOTH, respondent_name="Ann Lee")
    path = reverse("advisor:team_result", kwargs={"token": team.organiser_token})
    with mock.patch(
        "advisor.team_presentation.team_context", side_effect=team_presentation.team_context
    ) as shaped:
        first = client.get(path).content.decode()
        again = client.get(path).content.decode()
        assert shaped.call_count == 1
        assert "Ann Lee" in first and without_csrf_text(first) == without_csrf_text(again)
        team_services.team_join(team_id=team.pk, answers=examples.NEITHER, respondent_name="Bo")
        assert "Bo" in client.get(path).content.decode()
        assert shaped.call_count == 2
        team_services.team_close(team_obj=models.Team.objects.get(pk=team.pk))
        client.get(path)
        assert shaped.call_count == 3
    assert f":1:{rendercache.key(rendercache.TEAM, team.pk, 'en')}" in stored_keys()
    with django_capture_on_commit_callbacks(execute=True):
        team_services.team_delete(team_obj=models.Team.objects.get(pk=team.pk))
    # Its rendered page is gone (the computed results left behind name nobody, and expire).
    assert [k for k in stored_keys() if "rolefit:render:" in k] == []
    assert client.get(path).status_code == 404


def without_csrf_text(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# ---------------------------------------------------------------------------------------------
# A cache that is down or full


@pytest.mark.parametrize("backend", ["DownCache", "FullCache"])
def test_pages_work_with_a_failing_cache(client, acme, renders, caplog, backend):
    failing = {"default": {"BACKEND": f"{__name__}.{backend}"}, "local": LOCAL, "recent": RECENT}
    with override_settings(CACHES=failing), caplog.at_level(logging.WARNING, "rolefit"):
        for _view in range(2):
            caches["recent"].clear()  # each view as by another worker
            result, report, pdf = view_all(client, acme)
            assert [result.status_code, report.status_code, pdf.status_code] == [200, 200, 200]
        assert "Hire both roles" in result.content.decode()
        assert NOTES in report.content.decode()
        assert pdf.content == b"%PDF RoleFit | " + NOTES.encode()
        assert counts(renders) == (2, 2, 2)  # rendered each time, nothing kept
        team = team_services.team_create(
            company="Teamco",
            organiser_name="Ola",
            organiser_email="ola@example.com",
            anonymous=False,
        )
        team_services.team_join(team_id=team.pk, answers=examples.BOTH, respondent_name="Ola")
        for name in ("team_result", "team_result_json"):
            path = reverse(f"advisor:{name}", kwargs={"token": team.organiser_token})
            assert client.get(path).status_code == 200
        # Deleting still works; its entries (if any) expire.
        services.assessment_delete(assessment=acme)
        rendercache.forget([acme.pk])
    assert any("shared cache" in record.getMessage() for record in caplog.records)
    assert client.get(result_url(acme)).status_code == 404


@pytest.mark.django_db(transaction=True)  # as a request runs: no transaction around it
def test_a_missing_table_costs_the_rendering_only(client, acme, caplog):
    missing = {**DATABASE_CACHE, "default": {**DATABASE_CACHE["default"], "LOCATION": "nowhere"}}
    with override_settings(CACHES=missing), caplog.at_level(logging.WARNING, "rolefit"):
        assert [r.status_code for r in view_all(client, acme)] == [200, 200, 200]
    assert any("could not be read" in record.getMessage() for record in caplog.records)


def test_a_malformed_entry_is_rendered_over(client, acme, renders):
    cache.set(rendercache.key(rendercache.REPORT, acme.pk, "en"), "not a pair")
    assert NOTES in client.get(report_url(acme)).content.decode()
    assert counts(renders)[1] == 1


# ---------------------------------------------------------------------------------------------
# The table


def test_migrate_makes_the_table_whenever_the_settings_name_one(database_cache):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE rolefit_cache")
    assert "rolefit_cache" not in connection.introspection.table_names()
    call_command("migrate", verbosity=0, interactive=False)
    assert "rolefit_cache" in connection.introspection.table_names()
