"""Hostile encodings, unstorable text and file parts are refused at the edge (middleware.py).

Every form and every GET filter of RoleFit, as each of its users: a declared charset other than
UTF-8 is a 400 with a sentence saying so, never a 500, and nothing is written; a NUL in a query
string is a 400; a file part on a form that takes none is refused before the rest is read. Runs
on SQLite and on PostgreSQL (DATABASE_URL), where a NUL reaching a query is an error.
"""

import urllib.parse

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, QueryDict
from django.test import RequestFactory
from django.urls import reverse

from advisor import groups, middleware, models, services
from tests import examples

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
# Codecs Python knows that are not UTF-8: each one would change what Django decodes.
HOSTILE_CHARSETS = [
    "latin-1",
    "iso-8859-1",
    "cp1252",
    "unicode_escape",
    "raw_unicode_escape",
    "utf-16",
    "utf-7",
    "utf-8-sig",
    "shift_jis",
    "punycode",
]
# UTF-8 by other names: read as UTF-8, as a browser meant it.
UTF8_NAMES = ["utf-8", "UTF-8", "utf8", "UTF8", "utf_8"]
SURROGATE = urllib.parse.quote("\\ud800")  # `\ud800` as text; unicode_escape makes it a surrogate


@pytest.fixture
def users(default_criteria, django_user_model):
    groups.groups_ensure()
    hr = django_user_model.objects.create_user("hr", is_staff=True)
    hr.groups.add(Group.objects.get(name=groups.HR_ADMINS))
    consultant = django_user_model.objects.create_user("consultant")
    consultant.groups.add(Group.objects.get(name=groups.CONSULTANTS))
    return {"anonymous": None, "hr": hr, "consultant": consultant}


@pytest.fixture
def assessment(default_criteria):
    return services.assessment_create(
        company="Acme", respondent_name="", respondent_email="", answers=examples.BOTH
    )


def forms(assessment) -> list[tuple[str, str, str]]:
    """(user, URL, a body the form would accept) for every form RoleFit has."""
    question = models.Question.objects.get(slug="agile-team")
    policy = models.ScoringPolicy.objects.get()
    answers = urllib.parse.urlencode({"company": "Acme", **examples.BOTH})
    return [
        ("anonymous", reverse("advisor:assess"), answers),
        ("anonymous", reverse("advisor:delete", kwargs={"token": assessment.token}), "x=1"),
        ("anonymous", reverse("login"), "username=a&password=b"),
        ("anonymous", reverse("admin:login"), "username=a&password=b"),
        ("consultant", reverse("logout"), "x=1"),
        (
            "consultant",
            reverse("advisor:workspace_detail", kwargs={"token": assessment.token}),
            "consultant_notes=Changed&prepared_for=&prepared_by=",
        ),
        ("hr", reverse("admin:advisor_question_change", args=[question.pk]), "text=Changed"),
        ("hr", reverse("admin:advisor_question_add"), "slug=new-one&text=New"),
        ("hr", reverse("admin:advisor_scoringpolicy_change", args=[policy.pk]), "min_need=0.9"),
        ("hr", reverse("admin:advisor_questionnaire_preview"), answers),
    ]


def state() -> tuple:
    """What a refused request must leave as it was."""
    return (
        list(models.Assessment.objects.values_list("token", "company", "consultant_notes")),
        list(models.Question.objects.values_list("slug", "text")),
        list(models.ScoringPolicy.objects.values_list("min_need")),
        models.Question.history.count(),
    )


def as_user(client, users, who):
    if users[who] is not None:
        client.force_login(users[who])
    return client


@pytest.mark.parametrize("charset", HOSTILE_CHARSETS)
def test_a_hostile_charset_on_any_form_is_a_400_and_changes_nothing(
    client, users, assessment, charset
):
    for who, url, body in forms(assessment):
        as_user(client, users, who)
        before = state()
        response = client.generic(
            "POST", url, f"{body}&company={SURROGATE}".encode(), f"{FORM}; charset={charset}"
        )
        assert response.status_code == 400, (url, charset)
        assert "UTF-8 only" in response.content.decode(), url
        assert state() == before, url
        client.logout()


@pytest.mark.parametrize("charset", UTF8_NAMES)
def test_utf8_by_any_name_is_read_as_utf8(client, default_criteria, charset):
    body = urllib.parse.urlencode({"company": "Café Ø", **examples.BOTH})
    response = client.generic(
        "POST", reverse("advisor:assess"), body.encode(), f"{FORM}; charset={charset}"
    )
    assert response.status_code == 302
    assert models.Assessment.objects.get().company == "Café Ø"


def test_the_login_form_accepts_utf8_declared_as_utf8(client, users):
    # Was a 500 under gunicorn: Django refused "utf8" and its 400 handler read the body again.
    response = client.generic(
        "POST", reverse("login"), b"username=nobody&password=wrong", f"{FORM}; charset=utf8"
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def filters(assessment) -> list[tuple[str, str]]:
    """(user, URL) of every page that reads its query string."""
    return [
        ("anonymous", reverse("advisor:assess")),
        ("consultant", reverse("advisor:workspace")),
        ("consultant", reverse("advisor:workspace_export")),
        ("hr", reverse("admin:advisor_question_changelist")),
        ("hr", reverse("admin:advisor_answeroption_changelist")),
        ("hr", reverse("admin:advisor_criteria_history")),
    ]


@pytest.mark.parametrize(
    "query",
    ["company=nul%00byte", "q=%00", "key=%00", "model=%00", "a%00b=1", "o=1&p=%00"],
)
def test_a_nul_in_any_filter_is_a_400(client, users, assessment, query):
    for who, url in filters(assessment):
        as_user(client, users, who)
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        assert "NUL character" in response.content.decode()
        client.logout()


@pytest.mark.parametrize("charset", ["unicode_escape", "raw_unicode_escape", "latin-1"])
def test_a_filter_read_in_a_hostile_charset_is_a_400(client, users, assessment, charset):
    # Django decodes a query string with the charset of the request's Content-Type.
    for who, url in filters(assessment):
        as_user(client, users, who)
        response = client.get(
            f"{url}?company={SURROGATE}&q={SURROGATE}",
            CONTENT_TYPE=f"text/plain; charset={charset}",
        )
        assert response.status_code == 400, (url, charset)
        client.logout()


def test_the_export_with_a_refused_filter_sends_no_partial_csv(client, users, assessment):
    as_user(client, users, "consultant")
    response = client.get(reverse("advisor:workspace_export"), {"company": "\x00"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not response.streaming


def test_a_lone_surrogate_that_reached_a_form_is_refused():
    """However it got there: the guard checks the decoded text of every field."""
    request = RequestFactory().post("/assess/", {"company": "x"})
    request.user = None
    request._post = QueryDict(mutable=True)
    request._post["company"] = "bad \ud800"
    request._files = {}
    guard = middleware.RequestGuardMiddleware(lambda r: HttpResponse("ok"))
    response = guard.process_view(request, lambda r: None, (), {})
    assert response.status_code == 400


# --- File parts -----------------------------------------------------------------------------------


def test_a_file_part_on_any_form_is_refused(client, users, assessment):
    for who, url, body in forms(assessment):
        as_user(client, users, who)
        before = state()
        data = {**dict(urllib.parse.parse_qsl(body)), "upload": SimpleUploadedFile("a.bin", b"x")}
        response = client.post(url, data)
        assert response.status_code == 400, url
        assert "This form takes no file." in response.content.decode()
        assert state() == before, url
        client.logout()


def test_a_large_file_is_refused_before_it_is_read(client, default_criteria, monkeypatch):
    received = []
    monkeypatch.setattr(
        "django.core.files.uploadhandler.TemporaryFileUploadHandler.receive_data_chunk",
        lambda self, raw, start: received.append(len(raw)),
    )
    big = SimpleUploadedFile("big.bin", b"\0" * 5_000_000)
    response = client.post(reverse("advisor:assess"), {"company": "Acme", "upload": big})
    assert response.status_code == 400
    assert received == []
    assert models.Assessment.objects.count() == 0


def upload_view():
    @middleware.accepts_files(max_bytes=500_000)
    def view(request):
        return HttpResponse(f"{request.FILES['logo'].size}")

    return view


@pytest.mark.parametrize(("size", "status"), [(400_000, 200), (500_000, 200), (500_001, 413)])
def test_a_view_that_accepts_files_gets_them_up_to_its_limit(size, status):
    request = RequestFactory().post(
        "/", {"logo": SimpleUploadedFile("logo.png", b"\x89" * size), "name": "Brand"}
    )
    request.user = None
    view = upload_view()
    guard = middleware.RequestGuardMiddleware(view)
    refused = guard.process_view(request, view, (), {})
    response = refused or view(request)
    assert response.status_code == status
    if status == 200:
        assert response.content == str(size).encode()
    else:
        assert "at most 500 kB" in response.content.decode()


def test_every_response_carries_a_request_id(client, db):
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32
    response = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-id-1")
    assert response["X-Request-ID"] == "proxy-id-1"
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")
    assert response["X-Request-ID"] != "bad id\n"
