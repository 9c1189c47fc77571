"""The per-client rate limiter (advisor/ratelimit.py), on a tiny view of its own.

The counters are checked on every backend: the database (SQLite or PostgreSQL, whichever the
suite runs on), a real Redis (a redis-server of its own on a free loopback port; skipped only
where no redis-server is installed) and the single-process dictionary; concurrent hits come from
several processes.
"""

import multiprocessing
import shutil
import socket
import sqlite3
import subprocess
import time

import pytest
from django.db import connection, connections
from django.db.utils import load_backend
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
def database_counter(db, settings):
    settings.RATE_CACHE = "database"


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
    assert not models.RateCounter.objects.exists()


@override_settings(ROLEFIT_RATE_SUBMIT="5/m")
def test_the_count_lives_in_the_shared_database_table(view, clock):
    for _ in range(3):
        post(view)
    counter = models.RateCounter.objects.get()
    assert (counter.key, counter.count) == ("rolefit:rl:submit:192.0.2.1", 3)
    assert counter.expires_at == (int(T0 // 60) + 1) * 60  # the end of the minute


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


# --- Every backend: exact and expiring ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A redis-server of the tests' own, on a free loopback port, persisting nothing."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("no redis-server installed (Debian: apt-get install redis-server)")
    import redis

    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
    client.close()
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def redis_client(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture(params=["database", "redis", "locmem"])
def backend(request, settings):
    """Each counter in turn, starting empty."""
    if request.param == "redis":
        settings.RATE_CACHE = request.getfixturevalue("redis_url")
        request.getfixturevalue("redis_client")  # flushed
    else:
        settings.RATE_CACHE = request.param
    ratelimit.counters_forget()
    yield request.param
    ratelimit.counters_forget()


@override_settings(ROLEFIT_RATE_SUBMIT="3/m")
def test_every_backend_counts_exactly_and_starts_again_in_the_next_window(backend, view, clock):
    assert [post(view).status_code for _ in range(5)] == [200, 200, 200, 429, 429]
    assert post(view)["Retry-After"] == "20"
    assert post(view, "192.0.2.2").status_code == 200
    clock.now = T0 + 20  # the next minute
    assert [post(view).status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.mark.parametrize("scope", ["submit", "pdf", "mail", "team"])
def test_every_scope_reads_its_own_setting_and_counts_apart(settings, clock, scope):
    for name in ("SUBMIT", "PDF", "MAIL", "TEAM"):
        setattr(settings, f"ROLEFIT_RATE_{name}", "1/h" if name == scope.upper() else "off")
    limited = rate_limit(scope)(lambda request: HttpResponse("ok"))
    other = rate_limit("submit" if scope != "submit" else "pdf")(lambda request: HttpResponse("ok"))
    assert [post(limited).status_code for _ in range(2)] == [200, 429]
    assert post(other).status_code == 200


@override_settings(ROLEFIT_RATE_SUBMIT="2/m")
def test_the_database_deletes_the_counters_of_ended_windows(view, clock):
    post(view, "192.0.2.1")
    clock.now = T0 + 20  # the next minute: 192.0.2.1's counter has ended
    post(view, "192.0.2.2")
    assert list(models.RateCounter.objects.values_list("key", "count")) == [
        ("rolefit:rl:submit:192.0.2.2", 1)
    ]


@override_settings(ROLEFIT_RATE_SUBMIT="5/m")
def test_a_redis_counter_never_outlives_its_window(settings, redis_url, redis_client, view, clock):
    settings.RATE_CACHE = redis_url
    ratelimit.counters_forget()
    key = f"rolefit:rl:submit:192.0.2.1:{(int(T0 // 60) + 1) * 60}"
    post(view)
    # 40 s into the minute: the counter expires with the window, 20 s from now.
    assert 19_000 < redis_client.pttl(key) <= 20_000
    # A counter left without an expiry (e.g. by hand) gets one on its next hit.
    redis_client.set(key, 1)
    post(view)
    assert int(redis_client.get(key)) == 2
    assert 0 < redis_client.pttl(key) <= 20_000


@override_settings(ROLEFIT_RATE_SUBMIT="2/s")
def test_a_redis_counter_really_expires(settings, redis_url, redis_client, view):
    settings.RATE_CACHE = redis_url
    ratelimit.counters_forget()
    # Start just after a second begins, so the three hits fall in one window.
    time.sleep(1.05 - time.time() % 1)
    assert [post(view).status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(1.05 - time.time() % 1)
    assert post(view).status_code == 200
    assert not [key for key in redis_client.scan_iter() if redis_client.pttl(key) < 0]


# --- Concurrent hits from several processes ------------------------------------------------------

PROCESSES = 4
HITS_PER_PROCESS = 60
CONCURRENT_LIMIT = 100
_kept = []  # what a forked child inherited; never finalised there (it shares the parent's sockets)


def _hammer(database, barrier, results):
    """In a forked child: a connection of its own, then HITS_PER_PROCESS requests at once."""
    _kept.extend([connections["default"], ratelimit.counter()])
    connections["default"] = load_backend(database["ENGINE"]).DatabaseWrapper(database, "default")
    ratelimit.counters_forget()
    view = rate_limit("submit")(lambda request: HttpResponse("ok"))
    barrier.wait(timeout=60)
    statuses = [post(view).status_code for _ in range(HITS_PER_PROCESS)]
    connections["default"].close()
    results.put(statuses.count(200))


def hammer(database: dict) -> list[int]:
    """Run PROCESSES children at once; each one's number of accepted requests."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    children = [
        context.Process(target=_hammer, args=(database, barrier, results)) for _ in range(PROCESSES)
    ]
    for child in children:
        child.start()
    accepted = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0
    return accepted


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """Settings for a database the children can open: the test database itself on PostgreSQL;
    on SQLite (whose test database lives in the parent's memory) a file with the counter table."""
    database = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        database["NAME"] = str(tmp_path / "counters.sqlite3")
        wrapper = load_backend(database["ENGINE"]).DatabaseWrapper(database, "counters")
        with wrapper.schema_editor(atomic=False) as editor:
            editor.create_model(models.RateCounter)
        wrapper.close()
    connections.close_all()  # no socket of the parent's goes into the children
    return database


def database_count(database: dict) -> int:
    """The counter's value as the children left it (one client, one row)."""
    sql = f"SELECT count FROM {models.RateCounter._meta.db_table}"
    if connection.vendor == "sqlite":
        with sqlite3.connect(database["NAME"]) as file:
            ((count,),) = file.execute(sql).fetchall()
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            ((count,),) = cursor.fetchall()
    return count


@override_settings(ROLEFIT_RATE_SUBMIT=f"{CONCURRENT_LIMIT}/h", RATE_CACHE="database")
def test_concurrent_hits_on_the_database_are_counted_exactly(shared_database, clock):
    ratelimit.counters_forget()
    accepted = hammer(shared_database)
    assert sum(accepted) == CONCURRENT_LIMIT
    assert database_count(shared_database) == PROCESSES * HITS_PER_PROCESS


@override_settings(ROLEFIT_RATE_SUBMIT=f"{CONCURRENT_LIMIT}/h")
def test_concurrent_hits_on_redis_are_counted_exactly(
    settings, shared_database, redis_url, redis_client, clock
):
    settings.RATE_CACHE = redis_url
    ratelimit.counters_forget()
    accepted = hammer(shared_database)
    assert sum(accepted) == CONCURRENT_LIMIT
    (key,) = list(redis_client.scan_iter())
    assert int(redis_client.get(key)) == PROCESSES * HITS_PER_PROCESS
