"""Tampered input: generated and hand-built submissions, and guessed object references.

A submission is valid (302 to its result, exactly one new row holding what was sent) or it is not
(200 with the form, 400 for what only a hand-made request can send, 403 without a CSRF token) and
nothing is saved. Never a 500. Rate limits are off here (tests/conftest.py).
"""

import codecs
import encodings.aliases
import json
import secrets
import urllib.parse

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import models, services
from tests import examples

pytestmark = pytest.mark.slow

EXAMPLES = {"valid": 300, "tampered": 400, "arbitrary": 300}  # with 100 repeated-field ones: 1,100


def fuzz(examples: int):
    # The client and database fixtures are shared by a test's examples on purpose: every check
    # compares row counts before and after its own request.
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


DETAIL_FIELDS = ("company", "respondent-name", "respondent-email")
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

# Text a browser could send: any character but NUL and lone surrogates (not encodable).
PLAIN = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


def _is_text_codec(name: str) -> bool:
    try:
        return codecs.lookup(name)._is_text_encoding
    except LookupError:
        return False


def huge(min_size: int = 201):
    """A long run of one visible character (cheap to generate, up to 50,000 characters)."""
    solid = PLAIN.filter(lambda c: not c.isspace())
    return st.builds(lambda c, n: c * n, solid, st.integers(min_size, 50_000))


def with_nul(text_strategy=ANY_TEXT):
    return st.builds(lambda a, b: f"{a}\x00{b}", text_strategy, text_strategy)


@pytest.fixture
def questions(default_criteria) -> dict[str, list[str]]:
    """Active question slug → its option keys, from the criteria the form is built from."""
    content = services.criteria_current().content
    return {q["slug"]: [o["key"] for o in q["options"]] for q in content["questions"]}


def company_text():
    return st.text(PLAIN, min_size=1, max_size=200).filter(lambda s: s.strip())


def emails():
    local = st.text("abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=30).filter(
        lambda s: s[0] not in "._-" and s[-1] not in "._-" and ".." not in s
    )
    domain = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20)
    return st.builds(lambda a, b: f"{a}@{b}.example", local, domain)


@st.composite
def valid_submission(draw, questions):
    fields = {"company": draw(company_text())}
    if draw(st.booleans()):
        fields["respondent-name"] = draw(st.text(PLAIN, max_size=200))
    if draw(st.booleans()):
        fields["respondent-email"] = draw(st.one_of(st.just(""), emails()))
    for slug, keys in questions.items():
        fields[slug] = draw(st.sampled_from(keys))
    pairs = list(fields.items())
    return draw(st.permutations(pairs))


def encode(pairs) -> str:
    return urllib.parse.urlencode(pairs)


def post(client, pairs_or_body, **extra):
    body = pairs_or_body if isinstance(pairs_or_body, (str, bytes)) else encode(pairs_or_body)
    return client.post(reverse("advisor:assess"), body, content_type=FORM_CONTENT_TYPE, **extra)


def assert_saved_once(response, before: int, pairs):
    """A 302 to the new assessment's result, which holds exactly what was sent."""
    assert response.status_code == 302, response.content[:2000]
    assert models.Assessment.objects.count() == before + 1
    saved = models.Assessment.objects.order_by("-id").first()
    assert response["Location"] == saved.get_absolute_url()
    sent = dict(pairs)
    assert saved.company == sent["company"].strip()
    assert saved.respondent_name == sent.get("respondent-name", "").strip()
    assert saved.respondent_email == sent.get("respondent-email", "").strip()
    assert saved.answers == {k: v for k, v in sent.items() if k not in DETAIL_FIELDS}


def assert_nothing_saved(response, before: int):
    assert response.status_code in {200, 400, 403}, response.status_code
    assert models.Assessment.objects.count() == before


def assert_consistent(response, before: int):
    """Whatever was sent: a redirect with exactly one new row, or no new row at all."""
    assert response.status_code in {200, 302, 400, 403}, response.status_code
    expected = before + 1 if response.status_code == 302 else before
    assert models.Assessment.objects.count() == expected


# --- Generated submissions ------------------------------------------------------------------------


@fuzz(EXAMPLES["valid"])
@given(data=st.data())
def test_valid_submissions_are_saved_exactly_once(client, questions, data):
    pairs = data.draw(valid_submission(questions))
    before = models.Assessment.objects.count()
    assert_saved_once(post(client, pairs), before, pairs)


@st.composite
def tampered_submission(draw, questions):
    """A valid submission broken in 1–3 ways, each of which makes it invalid."""
    fields = dict(draw(valid_submission(questions)))
    slugs = list(questions)
    for _ in range(draw(st.integers(1, 3))):
        how = draw(
            st.sampled_from(
                [
                    "outside",
                    "huge-answer",
                    "nul-answer",
                    "huge-company",
                    "nul-company",
                    "nul-name",
                    "no-company",
                    "blank-company",
                    "huge-name",
                    "bad-email",
                ]
            )
        )
        slug = draw(st.sampled_from(slugs))
        if how == "outside":
            fields[slug] = draw(ANY_TEXT.filter(lambda v, s=slug: v not in questions[s]))
        elif how == "huge-answer":
            fields[slug] = draw(huge(1))
        elif how == "nul-answer":
            fields[slug] = draw(st.sampled_from(questions[slug])) + "\x00"
        elif how == "huge-company":
            fields["company"] = draw(huge())
        elif how == "nul-company":
            fields["company"] = draw(with_nul())
        elif how == "nul-name":
            fields["respondent-name"] = draw(with_nul())
        elif how == "no-company":
            fields.pop("company", None)
        elif how == "blank-company":
            fields["company"] = draw(st.sampled_from(["", " ", "\t\n", "\u3000"]))
        elif how == "huge-name":
            fields["respondent-name"] = draw(huge())
        else:
            fields["respondent-email"] = draw(st.sampled_from(["@", "a@", "no-at-sign", "a b@c"]))
    return draw(st.permutations(list(fields.items())))


@fuzz(EXAMPLES["tampered"])
@given(data=st.data())
def test_invalid_submissions_save_nothing(client, questions, data):
    pairs = data.draw(tampered_submission(questions))
    before = models.Assessment.objects.count()
    assert_nothing_saved(post(client, pairs), before)


@st.composite
def arbitrary_submission(draw, questions):
    """Any mix of known and unknown names, option keys and junk, in any order, repeated or not."""
    names = st.one_of(
        st.sampled_from([*DETAIL_FIELDS, *questions]),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    )
    keys = sorted({key for options in questions.values() for key in options})
    values = st.one_of(
        st.sampled_from(keys), ANY_TEXT, company_text(), huge(1), with_nul(), emails()
    )
    return draw(st.lists(st.tuples(names, values), max_size=40))


@fuzz(EXAMPLES["arbitrary"])
@given(data=st.data())
def test_arbitrary_submissions_never_fail_or_half_save(client, questions, data):
    pairs = data.draw(arbitrary_submission(questions))
    before = models.Assessment.objects.count()
    response = post(client, pairs)
    assert_consistent(response, before)
    if response.status_code == 302:
        assert_saved_once(response, before, pairs)


@fuzz(100)
@given(data=st.data())
def test_a_repeated_field_is_refused_even_with_the_same_value(client, questions, data):
    pairs = data.draw(valid_submission(questions))
    repeated = data.draw(st.sampled_from(pairs))
    before = models.Assessment.objects.count()
    assert_nothing_saved(post(client, [*pairs, repeated]), before)


# Every text codec Python knows, by a name it answers to, and names it does not know.
CODECS = sorted(
    {
        codecs.lookup(name).name
        for name in set(encodings.aliases.aliases.values())
        if _is_text_codec(name)
    }
)


@fuzz(150)
@given(
    data=st.data(),
    charset=st.one_of(
        st.sampled_from(CODECS),
        st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=";,\"\\"),
                min_size=1, max_size=20),
    ),
    surrogates=st.lists(st.integers(0xD800, 0xDFFF), max_size=3),
)  # fmt: skip
def test_any_declared_charset_is_utf8_or_a_400_and_never_half_saves(
    client, questions, data, charset, surrogates
):
    """A valid submission with `\\udXXX` escapes (lone surrogates in unicode_escape) in its text,
    sent under any charset: read as UTF-8 (UTF-8's names, or a name Python does not know) or
    refused with a 400; never a 500, never a surrogate in the database."""
    pairs = dict(data.draw(valid_submission(questions)))
    pairs["company"] += "".join(f"\\u{code:04x}" for code in surrogates)
    before = models.Assessment.objects.count()
    response = client.generic(
        "POST",
        reverse("advisor:assess"),
        encode(list(pairs.items())).encode(),
        content_type=f"{FORM_CONTENT_TYPE}; charset={charset}",
    )
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        codec = None
    if codec in (None, "utf-8"):
        assert_saved_once(response, before, list(pairs.items()))
    else:
        assert response.status_code == 400
        assert models.Assessment.objects.count() == before


# --- Hand-built requests --------------------------------------------------------------------------


def valid_pairs(questions):
    return [("company", "Acme"), *((slug, keys[0]) for slug, keys in questions.items())]


def test_the_hand_built_baseline_is_valid(client, questions):
    pairs = valid_pairs(questions)
    assert_saved_once(post(client, pairs), 0, pairs)


@pytest.mark.parametrize("where", ["answer", "name", "company"])
def test_invalid_utf8(client, questions, where):
    pairs = valid_pairs(questions)
    body = encode(pairs).encode()
    slug = next(iter(questions))
    if where == "answer":
        body = body.replace(f"{slug}=".encode(), f"{slug}=\xff\xfe".encode("latin-1"), 1)
    elif where == "name":
        body += b"&\xff\xfe=x"
    else:
        body = body.replace(b"company=Acme", b"company=Acme\xc3\x28%FF", 1)
    before = models.Assessment.objects.count()
    response = post(client, body)
    assert_consistent(response, before)
    if where in {"answer", "name"}:
        assert response.status_code == 400
    elif response.status_code == 302:
        # Undecodable bytes arrive as replacement characters: stored as valid text.
        saved = models.Assessment.objects.get()
        assert saved.company.startswith("Acme") and "\x00" not in saved.company


def test_an_unknown_charset_is_ignored(client, questions):
    pairs = valid_pairs(questions)
    response = client.generic(
        "POST",
        reverse("advisor:assess"),
        encode(pairs).encode(),
        content_type=f"{FORM_CONTENT_TYPE}; charset=x-nope",
    )
    assert_saved_once(response, 0, pairs)


def test_an_oversized_body_is_refused(client, questions):
    body = encode([*valid_pairs(questions), ("respondent-name", "z" * 3_000_000)])
    response = post(client, body)
    assert response.status_code == 400
    assert models.Assessment.objects.count() == 0


def test_too_many_fields_are_refused(client, questions):
    response = post(client, [*valid_pairs(questions), *(("x", "y") for _ in range(1_200))])
    assert response.status_code == 400
    assert models.Assessment.objects.count() == 0


def test_a_json_body_is_not_a_submission(client, questions):
    response = client.post(
        reverse("advisor:assess"), json.dumps(dict(valid_pairs(questions))), "application/json"
    )
    assert_nothing_saved(response, 0)


def test_a_multipart_submission_with_a_file_saves_nothing_unexpected(client, questions):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {**dict(valid_pairs(questions)), "upload": SimpleUploadedFile("x.txt", b"\xff" * 10)}
    response = client.post(reverse("advisor:assess"), data)
    assert_consistent(response, 0)


def test_without_a_csrf_token_nothing_is_saved(questions):
    client = Client(enforce_csrf_checks=True)
    response = post(client, valid_pairs(questions))
    assert response.status_code == 403
    assert models.Assessment.objects.count() == 0


# --- Object references ----------------------------------------------------------------------------


def token_urls() -> list[str]:
    """Names of every URL pattern that takes a token or an id, from the URL configuration."""
    names = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if pattern.app_name != "admin":  # the admin is checked separately below
                    walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.pattern.converters:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


# Who may open each token URL: "link" = whoever holds the token; "workspace" = consultants;
# "public" = no secret: the brand's logo and stylesheet, named by their content's digest
# (tests/test_branding.py: an unknown logo digest is 404).
TOKEN_URLS = {
    "advisor:result": "link",
    "advisor:delete": "link",
    "advisor:report": "link",
    "advisor:report_pdf": "link",
    "advisor:workspace_detail": "workspace",
    "advisor:change": "link",
    "advisor:email_link": "link-post",
    "advisor:earlier": "link-post",
    # A team respondent's own assessment token (docs/product.md §8).
    "advisor:respondent_team": "link",
    # A team's organiser token, or its invitation token for the join page.
    "advisor:team": "organiser",
    "advisor:team_result": "organiser",
    "advisor:team_result_json": "organiser",
    "advisor:team_report": "organiser",
    "advisor:team_report_pdf": "organiser",
    "advisor:team_close": "organiser-post",
    "advisor:team_reopen": "organiser-post",
    "advisor:team_delete": "organiser",  # GET confirms, POST deletes
    "advisor:team_email": "organiser-post",
    "advisor:team_join": "invitation",
    "advisor:brand_logo": "public",
    "advisor:brand_css": "public",
    # A team's id (not secret) in the consultants' workspace.
    "advisor:workspace_team_delete": "workspace",
}


def test_every_url_with_a_token_is_covered_here():
    assert sorted(token_urls()) == sorted(TOKEN_URLS)


def guessed_tokens(real: str) -> list[str]:
    return [
        secrets.token_urlsafe(32),  # well formed, unknown
        real.upper() if real.upper() != real else real.lower(),  # case matters
        real[:-1],  # a prefix
        real + "A",
        "A" * 64,
        "0",
    ]


def test_a_guessed_or_deleted_token_finds_nothing(client, assessment_factory, default_criteria):
    real = assessment_factory(company="Real")
    gone = assessment_factory(company="Gone")
    gone_token = gone.token
    services.assessment_delete(assessment=gone)
    for name, audience in TOKEN_URLS.items():
        if audience not in ("link", "link-post"):
            continue
        # POST-only routes answer GET with 405 before any lookup.
        method = client.post if audience == "link-post" else client.get
        for token in [*guessed_tokens(real.token), gone_token]:
            response = method(reverse(name, kwargs={"token": token}))
            assert response.status_code == 404, (name, token)
        assert (
            client.post(reverse("advisor:delete", kwargs={"token": gone_token})).status_code == 404
        )
    assert models.Assessment.objects.filter(pk=real.pk).exists()


def test_a_guessed_team_token_finds_nothing(client, default_criteria):
    from advisor.services import team as team_services

    team = team_services.team_create(
        company="Real team", organiser_name="Ann", organiser_email="a@example.com", anonymous=False
    )
    member = team_services.team_join(team_id=team.pk, answers=examples.BOTH, respondent_name="Ann")
    real = {
        "organiser": team.organiser_token,
        "organiser-post": team.organiser_token,
        "invitation": team.invitation_token,
    }
    for name, audience in TOKEN_URLS.items():
        if audience not in real:
            continue
        # The other token of the same team is a wrong guess too.
        other = team.invitation_token if audience != "invitation" else team.organiser_token
        for token in [*guessed_tokens(real[audience]), other, member.token]:
            url = reverse(name, kwargs={"token": token})
            response = client.post(url) if audience == "organiser-post" else client.get(url)
            assert response.status_code == 404, (name, token)
    team.refresh_from_db()
    assert not team.closed
    for token in [*guessed_tokens(team.organiser_token), team.invitation_token, member.token]:
        assert (
            client.post(reverse("advisor:team_delete", kwargs={"token": token})).status_code == 404
        )
    assert models.Assessment.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("path", ["/a/../admin/", "/a/%00/", "/a/x%2Fy/", "/a/" + "x" * 500 + "/"])
def test_odd_paths_are_404_not_500(client, path, db):
    assert client.get(path).status_code == 404


def test_the_workspace_detail_is_for_consultants_only(
    client, assessment_factory, default_criteria, consultant_user, hr_admin_user
):
    assessment = assessment_factory(company="Private notes")
    url = reverse("advisor:workspace_detail", kwargs={"token": assessment.token})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(hr_admin_user)
    assert client.get(url).status_code == 403
    client.force_login(consultant_user)
    assert client.get(url).status_code == 200
    unknown = reverse("advisor:workspace_detail", kwargs={"token": secrets.token_urlsafe(32)})
    assert client.get(unknown).status_code == 404


def test_assessments_in_the_admin_are_for_superusers_only(
    client, assessment_factory, default_criteria, consultant_user, hr_admin_user
):
    assessment = assessment_factory(company="Admin view")
    url = reverse("admin:advisor_assessment_change", args=[assessment.pk])
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(consultant_user)
    assert client.get(url).status_code == 302  # not staff: to the admin login
    client.force_login(hr_admin_user)
    assert client.get(url).status_code == 403
