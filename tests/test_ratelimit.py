"""The per-client rate limiter (advisor/ratelimit.py), on a tiny view of its own."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from advisor import models, ratelimit
from advisor.ratelimit import RATE_INVALID, Rate, parse_rate, rate_limit
from tests import examples

T0 = 1_700_000_020.0  # 40 s into a minute window


@pytest.fixture
def calls():
    return []


@pytest.fixture
def view(calls):
    @rate_limit("submit")
    def submit(request):
        calls.append(request.method)
        return HttpResponse("ok")

    return submit


@pytest.fixture
def clock(monkeypatch):
    """Pin the limiter's clock; `clock.now` may be moved by a test."""

    class Clock:
        now = T0

    monkeypatch.setattr(ratelimit, "clock", lambda: Clock.now)
    return Clock


@pytest.fixture(autouse=True)
def empty_cache(db):
    caches[ratelimit.CACHE_ALIAS].clear()


def post(view, address="192.0.2.1", **meta):
    return view(RequestFactory().post("/", REMOTE_ADDR=address, **meta))


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("10/m", Rate(10, 60)),
        ("1/s", Rate(1, 1)),
        ("500/h", Rate(500, 3600)),
        ("3/d", Rate(3, 86400)),
        (" 5/M ", Rate(5, 60)),
        ("off", None),
        ("OFF", None),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "10", "0/m", "-1/m", "ten/m", "10/w", "10/minute", "1.5/m"])
def test_parse_rate_rejects_bad_text(text):
    with pytest.raises(ValueError) as error:
        parse_rate(text)
    assert str(error.value) == RATE_INVALID.format(value=text)


@override_settings(ROLEFIT_RATE_SUBMIT="3/m")
def test_past_the_limit_the_view_is_not_run_and_a_429_page_says_when_to_retry(view, calls, clock):
    assert [post(view).status_code for _ in range(3)] == [200, 200, 200]
    response = post(view)
    assert response.status_code == 429
    assert calls == ["POST"] * 3
    # 40 s into the window: 20 s remain.
    assert response["Retry-After"] == "20"
    text = response.content.decode()
    assert "Too many requests" in text
    assert "Please wait 20 seconds and try again." in text


@override_settings(ROLEFIT_RATE_SUBMIT="2/m")
def test_a_new_window_starts_a_new_count(view, clock):
    assert [post(view).status_code for _ in range(3)] == [200, 200, 429]
    clock.now = T0 + 20  # the next minute
    assert [post(view).status_code for _ in range(3)] == [200, 200, 429]


@override_settings(ROLEFIT_RATE_SUBMIT="2/m")
def test_each_client_address_has_its_own_count(view, clock):
    assert [post(view, "192.0.2.1").status_code for _ in range(3)] == [200, 200, 429]
    assert post(view, "192.0.2.2").status_code == 200
    assert post(view, "2001:db8::1").status_code == 200


@override_settings(ROLEFIT_RATE_SUBMIT="1/m")
def test_only_the_named_methods_count(view, calls, clock):
    assert post(view).status_code == 200
    for _ in range(5):
        assert view(RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")).status_code == 200
    assert post(view).status_code == 429
    assert calls == ["POST"] + ["GET"] * 5


@override_settings(ROLEFIT_RATE_SUBMIT="off")
def test_off_disables_the_limit(view, calls, clock):
    assert {post(view).status_code for _ in range(50)} == {200}
    assert len(calls) == 50
    assert not caches[ratelimit.CACHE_ALIAS].get(f"rl:submit:192.0.2.1:{int(T0 // 60)}")


@override_settings(ROLEFIT_RATE_SUBMIT="5/m")
def test_the_count_lives_in_the_shared_ratelimit_cache(view, clock):
    for _ in range(3):
        post(view)
    assert caches[ratelimit.CACHE_ALIAS].get(f"rl:submit:192.0.2.1:{int(T0 // 60)}") == 3


@override_settings(ROLEFIT_RATE_SUBMIT="not-a-rate")
def test_a_bad_rate_is_an_error_not_a_silent_pass(view):
    with pytest.raises(ValueError):
        post(view)


@override_settings(ROLEFIT_RATE_SUBMIT="2/m", TRUST_PROXY=False)
def test_a_forged_forwarded_header_is_ignored_without_a_trusted_proxy(view, clock):
    statuses = [post(view, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


@override_settings(ROLEFIT_RATE_SUBMIT="2/m", TRUST_PROXY=True)
def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_appended(view, clock):
    # Everything before the last entry is the client's own claim: it must not matter.
    statuses = [
        post(view, "10.0.0.5", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    other = post(view, "10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("meta", "trust", "expected"),
    [
        ({"REMOTE_ADDR": "192.0.2.9"}, False, "192.0.2.9"),
        ({"REMOTE_ADDR": "192.0.2.9", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, False, "192.0.2.9"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 5.6.7.8"}, True, "5.6.7.8"),
        ({"REMOTE_ADDR": "10.0.0.1"}, True, "10.0.0.1"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "junk\x00"}, True, None),
        ({"REMOTE_ADDR": ""}, False, None),
    ],
)
def test_client_ip(meta, trust, expected):
    request = RequestFactory().get("/")
    request.META.update(meta)
    with override_settings(TRUST_PROXY=trust):
        assert ratelimit.client_ip(request) == expected


def test_the_database_cache_table_exists_when_the_database_cache_is_used():
    from django.conf import settings

    backend = settings.CACHES[ratelimit.CACHE_ALIAS]
    if backend["BACKEND"].endswith("DatabaseCache"):
        assert backend["LOCATION"] in connection.introspection.table_names()
    else:
        assert backend["BACKEND"].endswith(("LocMemCache", "RedisCache"))


# --- On the real views ----------------------------------------------------------------------------


def questionnaire_answers() -> dict[str, str]:
    return {"company": "Acme", **examples.STANDARD_REPORT}


@override_settings(ROLEFIT_RATE_SUBMIT="2/m")
def test_submitting_the_questionnaire_past_the_limit_gets_the_429_page(
    client, default_criteria, clock
):
    url = reverse("advisor:assess")
    statuses = [client.post(url, questionnaire_answers()).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert models.Assessment.objects.count() == 2
    # Reading the questionnaire is not limited, and another client may still submit.
    assert client.get(url).status_code == 200
    other = client.post(url, questionnaire_answers(), REMOTE_ADDR="192.0.2.77")
    assert other.status_code == 302


@override_settings(ROLEFIT_RATE_PDF="2/m")
def test_pdf_reports_past_the_limit_get_the_429_page(
    client, default_criteria, assessment_factory, clock
):
    assessment = assessment_factory(answers=examples.STANDARD_REPORT)
    url = reverse("advisor:report_pdf", kwargs={"token": assessment.token})
    responses = [client.get(url) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[0]["Content-Type"] == "application/pdf"
    assert "Too many requests" in responses[2].content.decode()
    # The HTML report stays available.
    report = client.get(reverse("advisor:report", kwargs={"token": assessment.token}))
    assert report.status_code == 200


@override_settings(ROLEFIT_RATE_SUBMIT="2/m")
def test_clients_without_an_address_share_one_count(view, clock):
    assert [post(view, "").status_code for _ in range(3)] == [200, 200, 429]
